"""Alternatives and options the customer chooses (issue 11 part 3): the engine prices
every choice, the seller builds them on the summary, the customer picks and accepts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from configurator.pricing import Configuration, price
from quotes.choices import Choice, choice_configuration, choice_sign_problems
from quotes.models import Quote, QuoteEvent
from quotes.offer.document import document_read, offer_document
from quotes.offer.services import quote_sign, quote_sign_problems
from quotes.offer.storage import stored_bytes

from .doc_support import doc_env, pdf_pages, pdf_text, signing_cert  # noqa: F401
from .factories import QuoteFactory
from .test_pricing import CATALOG

BAS = {"mobile_user": 10, "startup_help": 1}
PREMIUM = {"mobile_user": 10, "teams_voice": 10, "startup_help": 1}
OPTIONS = {"call_recording": 10}


def choice_quote(**overrides):
    """Bas (10 users, start-up help) and Premium (plus Teams voice), editing Bas; call
    recording for the 10 users as an option."""
    values = dict(
        items=dict(BAS),
        alternatives=[{"name": "Bas", "items": dict(BAS), "manual_prices": {}},
                      {"name": "Premium", "items": dict(PREMIUM), "manual_prices": {}}],
        alternative_index=0,
        options=dict(OPTIONS),
    )
    values.update(overrides)
    return QuoteFactory(**values)


# --- The engine: a choice is one configuration -----------------------------------------


def test_an_option_with_call_recording_brings_its_implementation_along():
    base = Configuration(items=dict(BAS))
    ticked = choice_configuration(base, alternative=None, options=OPTIONS, ticked=("call_recording",))
    assert dict(ticked.items) == {"mobile_user": 10, "startup_help": 1, "call_recording": 10}
    without, with_it = price(CATALOG, base), price(CATALOG, ticked)
    impl = next(l for l in with_it.lines if l.code == "impl_call_recording")
    assert impl.auto_added and impl.one_time == D("1990")
    # The option's price is the engine's difference: 10 × 29 a month and the implementation once.
    assert with_it.totals.monthly - without.totals.monthly == D("290.00")
    assert with_it.totals.one_time - without.totals.one_time == D("1990.00")
    assert with_it.totals.contract_value - without.totals.contract_value == D("12430.00")  # 1 990 + 36 × 290
    assert with_it.valid


def test_each_alternative_is_a_whole_configuration_with_its_own_totals():
    base = Configuration(items=dict(BAS), contract_months=36)
    premium = price(CATALOG, choice_configuration(base, alternative={"items": PREMIUM}, options=OPTIONS, ticked=()))
    bas = price(CATALOG, choice_configuration(base, alternative={"items": BAS}, options=OPTIONS, ticked=()))
    # Bas: 10 × 89 a month, start-up help 2 499 once.
    assert (bas.totals.one_time, bas.totals.monthly, bas.totals.contract_value) == (D("2499.00"), D("890.00"), D("34539.00"))
    # Premium adds Teams voice (10 × 29) and its implementation (1 990, footnote 4).
    assert (premium.totals.one_time, premium.totals.monthly, premium.totals.contract_value) == (
        D("4489.00"), D("1180.00"), D("46969.00"))
    both = price(CATALOG, choice_configuration(base, alternative={"items": PREMIUM}, options=OPTIONS,
                                               ticked=("call_recording",)))
    assert (both.totals.one_time, both.totals.monthly, both.totals.contract_value) == (
        D("6479.00"), D("1470.00"), D("59399.00"))


# --- Signing freezes every choice --------------------------------------------------------


@pytest.fixture
def signed(doc_env, seller, price_list):
    return quote_sign(quote=choice_quote(owner=seller), user=seller)


def test_the_signed_offer_shows_the_first_alternative_and_every_choice_with_its_price(signed):
    choices = signed.snapshot["choices"]
    assert [a["name"] for a in choices["alternatives"]] == ["Bas", "Premium"]
    assert choices["shown"] == {"alternative": 0, "options": []}
    # The overview's columns are the offer as shown: Bas without options.
    assert (signed.one_time_total, signed.monthly_total, signed.contract_value) == (D("2499.00"), D("890.00"), D("34539.00"))
    doc = offer_document(signed)
    assert [(a.name, a.contract_value) for a in doc.choices.alternatives] == [("Bas", D("34539.00")), ("Premium", D("46969.00"))]
    (option,) = doc.choices.options
    assert (option.name, option.quantity, option.price.monthly, option.price.one_time) == (
        "Samtalsinspelning", 10, D("290.00"), D("1990.00"))
    assert option.price.adds == ("Implementering Samtalsinspelning",)
    # Footnote 8 (call recording) is a term of the offer: the option may be chosen.
    assert "8" in [t.ref for t in doc.terms]
    text = pdf_text(stored_bytes(signed.pdf))
    assert "Priserna gäller alternativ Bas utan tillval." in text
    assert "Alternativ" in text and "Premium" in text and "46 969 kr" in text
    assert "Samtalsinspelning Tillval" in text and "+290 kr" in text and "+1 990 kr" in text
    assert "Inklusive Implementering Samtalsinspelning." in text


def test_a_snapshot_from_before_choices_reads_as_before(signed):
    old = {k: v for k, v in signed.snapshot.items() if k != "choices"}
    doc = document_read(old, quote=signed)
    assert doc.choices is None and doc.totals.contract_value == D("34539.00")


def test_an_option_that_breaks_a_rule_in_an_alternative_blocks_signing(seller, price_list, catalog):
    # Extra configuration belongs to start-up help (footnote 1): fine with Bas, not with "Egen".
    quote = choice_quote(
        owner=seller, options={"extra_config": 2},
        alternatives=[{"name": "Bas", "items": dict(BAS), "manual_prices": {}},
                      {"name": "Egen", "items": {"mobile_user": 10}, "manual_prices": {}}],
    )
    problems = quote_sign_problems(quote=quote)
    assert any(p.startswith("Alternativ Egen med tillval Ytterligare konfiguration") and "Uppstartshjälp" in p
               for p in problems), problems
    assert not any(p.startswith("Alternativ Bas") for p in problems)
