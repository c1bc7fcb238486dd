"""factory-boy factories for every model the tests build.

``QuoteFactory()`` is a draft ready to sign (customer and a medium configuration, priced
with the price list in force, owned by a new seller); ``QuoteFactory(empty=True)`` is a
new draft as "Ny offert" makes it (no customer, no items). A signed quote is never built
here: sign a draft with the real service, ``quote_sign(quote=QuoteFactory(...), user=...)``
(with the ``doc_env`` fixture of ``tests.doc_support``). Factories record no audit event;
the services do.
"""

from __future__ import annotations

import secrets

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from configurator.models import ApiToken, Footnote, PriceItem, PriceList, SellerProfile
from configurator.roles import ensure_sellers_group
from configurator.selectors import price_list_in_force
from quotes.models import OFFER_TERMS_DEFAULTS, OfferTerms, Quote, QuoteEvent

# A customer that passes the Kund step and signing (a valid Swedish org.nr).
VALID_CUSTOMER = {
    "company_name": "Nordisk Logistik AB",
    "org_number": "556987-6542",
    "contact_name": "Erik Lind",
    "contact_email": "erik.lind@nordisklogistik.se",
    "contact_phone": "08-123 456 78",
    "customer_address": "Hamngatan 10\n111 47 Stockholm",
}
# A medium configuration without rule errors (25 users, numbers, integrations, start-up
# help, training).
MEDIUM_ITEMS = {
    "mobile_user": 25,
    "fixed_number": 10,
    "teams_voice": 25,
    "calendar": 25,
    "function_number": 3,
    "number_series_100": 1,
    "startup_help": 1,
    "extra_config": 2,
    "training_half_day": 1,
}

# Three realistic deals (the delivery order is checked against each): field values for
# ``QuoteFactory(**DEMO_SCENARIOS[name])``.
DEMO_SCENARIOS = {
    # A small office: five users with softphones, two fixed numbers, a function number and
    # a 10-number series; no delivery chosen (self-configuration), 12 months.
    "litet_kontor": {
        "company_name": "Kontorsbolaget i Lund AB",
        "items": {"mobile_user": 5, "softphone": 5, "fixed_number": 2, "function_number": 1, "number_series_10": 1},
        "contract_months": 12,
    },
    # Customer service: 15 agents with fixed numbers and Teams status, Svarsservice
    # package 20 at an agreed price (guided delivery required), a half-day training, 24 months.
    "kundtjanst": {
        "company_name": "Kundservice Norr AB",
        "items": {
            "mobile_user": 15, "fixed_number": 15, "teams_status": 15, "function_number": 2,
            "number_series_100": 1, "answering_service_20": 1, "guided_delivery": 1, "training_half_day": 1,
        },
        "manual_prices": {"answering_service_20": {"monthly": "7900.00"}},
        "contract_months": 24,
    },
    # Integration-heavy: 40 users on Teams Voice, AD and calendar, call recording for ten,
    # API Access, start-up help with three extra cases, two full days of training on site
    # with the agreed travel cost, a 1 000-number series, 36 months.
    "integrationer": {
        "company_name": "Integrerade System Sverige AB",
        "items": {
            "mobile_user": 40, "teams_voice": 40, "ad": 40, "calendar": 40, "call_recording": 10,
            "api_access": 1, "number_series_1000": 1, "startup_help": 1, "extra_config": 3,
            "training_full_day": 2,
        },
        "on_site_training": True,
        "travel_cost": "3500.00",
        "contract_months": 36,
    },
}


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-pass-123")


class SellerFactory(UserFactory):
    """A user in the sellers group ("Säljare")."""

    username = factory.Sequence(lambda n: f"saljare{n}")

    @factory.post_generation
    def sellers_group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(ensure_sellers_group())


class AdminFactory(UserFactory):
    """A superuser (staff): the Django admin and every quote."""

    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


class PriceListFactory(DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"Prislista {n}")
    status = PriceList.Status.DRAFT


class FootnoteFactory(DjangoModelFactory):
    class Meta:
        model = Footnote

    price_list = factory.SubFactory(PriceListFactory)
    ref = factory.Sequence(lambda n: f"T{n}")
    text = factory.Sequence(lambda n: f"Villkor nummer {n} gäller.")
    term_title = ""


class PriceItemFactory(DjangoModelFactory):
    class Meta:
        model = PriceItem

    price_list = factory.SubFactory(PriceListFactory)
    code = factory.Sequence(lambda n: f"item_{n}")
    name = factory.Sequence(lambda n: f"Artikel {n}")
    section = PriceItem.Section.COMPANY
    billed_to = PriceItem.BilledTo.COMPANY
    sort_order = factory.Sequence(lambda n: n)


class ApiTokenFactory(DjangoModelFactory):
    """An integration's token; only the hash is stored, as ``ApiToken.issue`` does. The
    plain key is on the returned object: ``token.key`` (pass ``key=`` to choose it)."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(SellerFactory)
    name = factory.Sequence(lambda n: f"Integration {n}")
    key = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    key_hash = factory.LazyAttribute(lambda t: ApiToken.hash_key(t.key))
    prefix = factory.LazyAttribute(lambda t: t.key[:8])

    @classmethod
    def _build(cls, model_class, *args, key, **kwargs):
        token = super()._build(model_class, *args, **kwargs)
        token.key = key
        return token

    @classmethod
    def _create(cls, model_class, *args, key, **kwargs):
        token = super()._create(model_class, *args, **kwargs)
        token.key = key
        return token


def _price_list_in_force() -> PriceList:
    price_list = price_list_in_force()
    if price_list is None:  # a transactional test's flush removed the migration's seed
        raise LookupError("No price list in force: pass price_list= (e.g. the seed loaded again).")
    return price_list


class QuoteFactory(DjangoModelFactory):
    """A draft quote, ready to sign unless told otherwise (see the module's docstring)."""

    class Meta:
        model = Quote

    class Params:
        empty = factory.Trait(
            company_name="", org_number="", contact_name="", contact_email="",
            contact_phone="", customer_address="", items=factory.LazyFunction(dict),
        )

    owner = factory.SubFactory(SellerFactory)
    price_list = factory.LazyFunction(_price_list_in_force)
    company_name = VALID_CUSTOMER["company_name"]
    org_number = VALID_CUSTOMER["org_number"]
    contact_name = VALID_CUSTOMER["contact_name"]
    contact_email = VALID_CUSTOMER["contact_email"]
    contact_phone = VALID_CUSTOMER["contact_phone"]
    customer_address = VALID_CUSTOMER["customer_address"]
    items = factory.LazyFunction(lambda: dict(MEDIUM_ITEMS))


class QuoteEventFactory(DjangoModelFactory):
    """An audit-trail event (appended only: the model refuses any later change)."""

    class Meta:
        model = QuoteEvent

    quote = factory.SubFactory(QuoteFactory)
    kind = QuoteEvent.Kind.CREATED
    actor = factory.SelfAttribute("quote.owner")
    actor_label = factory.LazyAttribute(
        lambda e: (e.actor.get_full_name() or e.actor.get_username()) if e.actor else ""
    )
    ip = None
    detail = ""


class SellerProfileFactory(DjangoModelFactory):
    """The seller's phone, shown on the offer under the seller."""

    class Meta:
        model = SellerProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(SellerFactory)
    phone = "+46 70 123 45 67"


class OfferTermsFactory(DjangoModelFactory):
    """The one row of offer terms (pk 1), as migration 0012 seeds it unless told otherwise;
    saving it again replaces the row (a transactional test's flush removes the seed)."""

    class Meta:
        model = OfferTerms

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        terms = model_class(**{**OFFER_TERMS_DEFAULTS, **kwargs})
        terms.save()
        return terms
