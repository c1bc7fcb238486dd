import pytest
from django.contrib.auth import get_user_model

from configurator.models import PriceList
from configurator.selectors import catalog_for, price_list_in_force
from quotes.roles import ensure_sellers_group

from .factories import UserFactory


@pytest.fixture
def price_list(db) -> PriceList:
    """The seed price list, loaded by the data migration."""
    return price_list_in_force()


@pytest.fixture
def catalog(price_list):
    return catalog_for(price_list)


@pytest.fixture
def seller(db):
    user = UserFactory(username="sara", first_name="Sara", last_name="Säljare")
    user.groups.add(ensure_sellers_group())
    return user


@pytest.fixture
def other_seller(db):
    user = UserFactory(username="sven", first_name="Sven", last_name="Säljare")
    user.groups.add(ensure_sellers_group())
    return user


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("anna", "anna@example.com", "admin-pass-123")


@pytest.fixture
def seller_client(client, seller):
    client.force_login(seller)
    return client
