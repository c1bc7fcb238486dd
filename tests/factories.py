import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from configurator.models import PriceItem, PriceList


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-pass-123")


class PriceListFactory(DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"Prislista {n}")
    status = PriceList.Status.DRAFT


class PriceItemFactory(DjangoModelFactory):
    class Meta:
        model = PriceItem

    price_list = factory.SubFactory(PriceListFactory)
    code = factory.Sequence(lambda n: f"item_{n}")
    name = factory.Sequence(lambda n: f"Artikel {n}")
    section = PriceItem.Section.COMPANY
    billed_to = PriceItem.BilledTo.COMPANY
    sort_order = factory.Sequence(lambda n: n)
