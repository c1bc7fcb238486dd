"""Hostile input for every field of every step of the seller's step form (hypothesis).

Random text with unicode, HTML and <script>, huge, negative and decimal numbers, empty
values and missing fields are posted to the step (a real save) and to the live
recalculation. Whatever arrives: never a server error; the stored draft holds only valid
values (quantities whole numbers 0–100 000, amounts with 2 decimals, org.nr normalised
or unchanged, text as typed); a bad value gets a message and is not saved; the
recalculation saves nothing; the HTML a seller typed is escaped on the page.

In the normal suite each step runs CI_EXAMPLES examples (the file stays well under a
minute); ``HYPOTHESIS_PROFILE=fuzz`` (``make fuzz``) runs the fuzz profile's 10 000.
"""

from __future__ import annotations

import html
import os
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.se import orgnr

from configurator.pricing import ANSWERING_SERVICE_PREFIX, DELIVERY_OPTIONS, MAX_QUANTITY
from configurator.seed import ITEMS
from configurator.selectors import catalog_for
from configurator.limits import MAX_AMOUNT, MAX_TRAFFIC
from quotes.draft.forms import FORMS
from quotes.models import Quote
from quotes.draft.steps import STEPS

from .factories import QuoteFactory

pytestmark = pytest.mark.fuzz

CI_EXAMPLES = 30
EXAMPLES = CI_EXAMPLES if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else settings.default.max_examples
HTMX = {"HTTP_HX_REQUEST": "true"}

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
UNESCAPED = ("<script>alert", "<img src=x", "<b>fet</b>")  # never raw in a page

HOSTILE = st.sampled_from([
    SCRIPT, IMG, "<b>fet</b> & \"citat\" 'enkel'", "{{ 7|add:7 }}{% debug %}", "javascript:alert(1)",
    "'; DROP TABLE quotes_quote; --", "\x00", "a\x00b", "\u202e", "\ufeff", "😀" * 30, "Å" * 3000,
    "", " ", "\t\n", "0", "1", "-1", "-0", "+5", "007", "1e3", "1e999999", "NaN", "-Infinity", "0x10",
    "1_000", "١٢٣", "½", "²", "100000", "100001", "10000000", "10000001", str(2**63), "9" * 400,
    "7,50", "7.5", "7 900", "7\u00a0900,50", "7900 kr", "7900kr.", "0.001", "10000000.00", "10000000.01",
    "-0.01", "12", "24", "36", "1", "365", "366",
    "556430-0142", "5564300142", "16556430-0142", "165564300142", "556430-0143", "55643-00142", "abc-defg",
    "070-123 45 67", "+46 8 123 456 78", "+1 202 555 0100", "112", "x@example.com", "inte en adress@",
    "on", "true", "false",
])
NUMBER_TEXT = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=0, max_value=20_000_000, places=3).map(lambda d: str(d).replace(".", ",")),
)
VALUE = st.one_of(HOSTILE, NUMBER_TEXT, st.text(max_size=40))

PACKAGES = sorted(code for code, *_ in ITEMS if code.startswith(ANSWERING_SERVICE_PREFIX))
CHOICES = {
    "answering_service": PACKAGES + ["answering_service_7", "mobile_user"],
    "delivery": list(DELIVERY_OPTIONS),
    "contract_months": ["12", "24", "36", "48"],
}
TEXT_FIELDS = {"company_name": 200, "contact_name": 200, "customer_address": 1000, "customer_note": 2000}


def form_data(step: str):
    """Any subset of the step's fields, each with a hostile (or now and then valid) value."""
    fields = {}
    for name in FORMS[step].base_fields:
        fields[name] = st.one_of(VALUE, st.sampled_from(CHOICES[name])) if name in CHOICES else VALUE
    return st.fixed_dictionaries({}, optional=fields)


# --- What the stored draft may hold -----------------------------------------------------


def assert_valid(quote: Quote, before: Quote) -> None:
    for code, qty in quote.items.items():
        assert type(qty) is int and 1 <= qty <= MAX_QUANTITY, (code, qty)
    for name, value in quote.traffic.items():
        assert type(value) is int and 1 <= value <= MAX_TRAFFIC, (name, value)
    for code, manual in quote.manual_prices.items():
        assert code in PACKAGES and re.fullmatch(r"\d+\.\d{2}", manual["monthly"]), manual
        assert Decimal(manual["monthly"]) <= MAX_AMOUNT
    if quote.travel_cost is not None:
        assert isinstance(quote.travel_cost, Decimal)
        assert quote.travel_cost.as_tuple().exponent == -2 and 0 <= quote.travel_cost <= MAX_AMOUNT
    if quote.org_number not in ("", before.org_number):  # cleared, unchanged or normalised
        assert re.fullmatch(r"\d{6}-\d{4}", quote.org_number) and orgnr.is_valid(quote.org_number)
    assert quote.contract_months in (12, 24, 36)
    assert 1 <= quote.validity_days <= 365
    for name, limit in TEXT_FIELDS.items():
        value = getattr(quote, name)
        assert len(value) <= limit and "\x00" not in value


def assert_saved_as_typed(quote: Quote, data: dict, errors: dict) -> None:
    """Text that was accepted is stored as typed (only the surrounding whitespace trimmed)."""
    for name in TEXT_FIELDS:
        if name in data and name not in errors:
            assert getattr(quote, name) == data[name].strip()


def assert_escaped(page: str, data: dict) -> None:
    for raw in UNESCAPED:
        assert raw not in page
    for value in data.values():
        # Typed markup long enough not to occur in the page's own HTML by chance.
        typed = value.strip()
        if len(typed) >= 8 and TAG.search(typed) and "\x00" not in typed:
            assert typed not in page


# --- The targets ------------------------------------------------------------------------


# Every example starts from this draft (hypothesis replays an example; it must not depend
# on what earlier examples stored).
START = {
    "company_name": "Start AB", "org_number": "556430-0142", "contact_name": "Erik Lind",
    "contact_email": "erik@example.com", "contact_phone": "+46 8 123 456 78", "customer_address": "",
    "items": {"mobile_user": 5, "answering_service_20": 1, "guided_delivery": 1},
    "manual_prices": {"answering_service_20": {"monthly": "7900.00"}}, "traffic": {"calls": 100},
    "on_site_training": True, "travel_cost": Decimal("1500.50"), "contract_months": 36,
    "validity_days": 30, "customer_note": "",
}


@pytest.fixture
def draft(seller, price_list):
    return QuoteFactory(owner=seller, **START)


def run_example(client, quote: Quote, step: str, data: dict) -> None:
    """One example in a savepoint that is rolled back: every example sees the same draft
    and the same audit trail. (Each save appends an event and the summary step shows the
    whole trail, so on one shared draft the 10 000 examples took quadratic time.)"""
    with transaction.atomic():
        _run_example(client, quote, step, data)
        transaction.set_rollback(True)


def _run_example(client, quote: Quote, step: str, data: dict) -> None:
    Quote.objects.filter(pk=quote.pk).update(**START, status=Quote.Status.DRAFT)
    catalog_form = FORMS[step]
    step_url = reverse("quotes:step", args=[quote.pk, step])
    recalc_url = reverse("quotes:recalculate", args=[quote.pk, step])

    # The live recalculation: 200 with the totals, and nothing saved.
    stored = Quote.objects.filter(pk=quote.pk).values().get()
    response = client.post(recalc_url, data, **HTMX)
    assert response.status_code == 200
    assert_escaped(response.content.decode(), data)
    assert Quote.objects.filter(pk=quote.pk).values().get() == stored

    # A real save: what is valid is stored, a bad value keeps the stored one and is told.
    before = Quote.objects.get(pk=quote.pk)
    errors = catalog_form(data, quote=before, catalog=catalog_for(before.price_list)).errors
    response = client.post(step_url, data)
    after = Quote.objects.get(pk=quote.pk)
    assert_valid(after, before)
    assert_saved_as_typed(after, data, errors)
    if errors:
        assert response.status_code == 200
        page = response.content.decode()
        assert "Inte sparat:" in page
        for messages in errors.values():
            for message in messages:
                assert html.escape(message, quote=False) in page or html.escape(message) in page
    else:
        assert response.status_code == 302
        shown = client.get(step_url)
        assert shown.status_code == 200
        page = shown.content.decode()
    assert_escaped(page, data)


def _target(step: str):
    @settings(max_examples=EXAMPLES)
    @given(data=form_data(step))
    def test(seller_client, draft, data):
        run_example(seller_client, draft, step, data)

    test.__name__ = f"test_hostile_input_step_{step}"
    test.__doc__ = f"Hostile input for every field of the step {step!r}."
    return test


for _step in STEPS:
    globals()[f"test_hostile_input_step_{_step.slug}"] = _target(_step.slug)
del _step


def test_every_step_has_a_fuzz_target():
    assert set(FORMS) == {s.slug for s in STEPS}
    assert all(f"test_hostile_input_step_{slug}" in globals() for slug in FORMS)
