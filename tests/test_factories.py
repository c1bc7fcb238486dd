"""The factories make what their names promise: the other tests rely on it."""

import json

import pytest
from django.test import Client

from configurator.models import ApiToken, PriceList
from configurator.roles import SELLERS_GROUP, is_seller
from configurator.selectors import price_list_in_force
from quotes.draft.services import quote_create
from quotes.models import Quote, QuoteEvent
from quotes.offer.services import quote_sign, quote_sign_problems

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import (
    MEDIUM_ITEMS,
    VALID_CUSTOMER,
    AdminFactory,
    ApiTokenFactory,
    FootnoteFactory,
    PriceItemFactory,
    QuoteEventFactory,
    QuoteFactory,
    SellerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_quote_is_a_draft_ready_to_sign_owned_by_a_seller_with_the_list_in_force():
    quote = QuoteFactory()
    assert quote.is_draft and not quote.number and not quote.snapshot and not quote.events.exists()
    assert quote.price_list == price_list_in_force()
    assert is_seller(quote.owner) and not quote.owner.is_staff
    assert {f: getattr(quote, f) for f in VALID_CUSTOMER} == VALID_CUSTOMER
    assert quote.items == MEDIUM_ITEMS
    assert quote_sign_problems(quote=quote) == []


def test_items_are_not_shared_between_quotes():
    first, second = QuoteFactory(), QuoteFactory()
    first.items["mobile_user"] = 1
    assert second.items == MEDIUM_ITEMS and QuoteFactory().items == MEDIUM_ITEMS


def test_an_empty_quote_is_what_a_new_quote_starts_as(seller):
    empty, new = QuoteFactory(empty=True, owner=seller), quote_create(owner=seller)
    fields = [*VALID_CUSTOMER, "items", "manual_prices", "traffic", "status", "current_step", "price_list_id"]
    assert {f: getattr(empty, f) for f in fields} == {f: getattr(new, f) for f in fields}
    assert quote_sign_problems(quote=empty)  # nothing to sign yet


def test_a_factory_quote_signs_through_the_real_service(doc_env, seller):
    signed = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    assert signed.status == Quote.Status.SENT and signed.snapshot and signed.pdf_sha256


def test_the_price_list_can_be_chosen():
    draft_list = PriceItemFactory().price_list
    assert QuoteFactory(price_list=draft_list).price_list == draft_list
    assert draft_list.status == PriceList.Status.DRAFT


def test_sellers_are_in_the_sellers_group_and_users_are_not():
    seller, user = SellerFactory(), UserFactory()
    assert list(seller.groups.values_list("name", flat=True)) == [SELLERS_GROUP]
    assert is_seller(seller) and not is_seller(user)
    assert seller.check_password("secret-pass-123")


def test_an_admin_is_a_superuser_whose_chosen_password_works(admin_client):
    admin = AdminFactory(password="ett-annat-losen")
    assert admin.is_staff and admin.is_superuser and is_seller(admin)
    assert admin.check_password("ett-annat-losen")
    assert admin_client.get("/admin/").status_code == 200  # pytest-django's, from conftest's admin_user


def test_a_token_stores_only_the_hash_and_its_key_calls_the_api():
    token = ApiTokenFactory()
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == ApiToken.hash_key(token.key) != token.key
    assert stored.prefix == token.key[:8] and is_seller(stored.user)
    response = Client().post(
        "/api/v1/price", json.dumps({"items": {"mobile_user": 1}}), content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200
    assert ApiTokenFactory(key="en-vald-nyckel").key_hash == ApiToken.hash_key("en-vald-nyckel")


def test_an_event_is_the_quote_owners_and_cannot_be_changed():
    event = QuoteEventFactory(kind=QuoteEvent.Kind.SIGNED)
    assert event.actor == event.quote.owner and event.actor_label == event.actor.username
    assert list(event.quote.events.all()) == [event]
    with pytest.raises(QuoteEvent.Immutable):
        event.save()


def test_a_footnote_belongs_to_its_price_list():
    note = FootnoteFactory(text="Gäller i tolv månader.")
    assert list(note.price_list.footnotes.values_list("text", flat=True)) == ["Gäller i tolv månader."]
