"""Revisions show what changed: the pure diff of two offer documents (no database), and
the section "Ändringar sedan revision A" on the summary step, the seller's page, the
customer's page and in the PDF; revision A has none."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from lxml import html as lxml_html

from configurator.discounts import parse_discounts
from configurator.pricing import Configuration, price
from quotes.models import Quote
from quotes.offer.changes import ADDED, CHANGED, REMOVED, Change, revision_changes
from quotes.offer.document import document_read
from quotes.offer.services import quote_revise, quote_sign
from quotes.offer.snapshot import snapshot_build
from quotes.offer.storage import stored_bytes

from .doc_support import doc_env, pdf_text, signing_cert  # noqa: F401
from .factories import QuoteFactory
from .test_pricing import seed_catalog

CATALOG = seed_catalog()
SELLER = SimpleNamespace(get_full_name=lambda: "Sara Säljare", get_username=lambda: "sara", email="sara@example.com")
OFFICE = {"mobile_user": 10, "fixed_number": 10, "function_number": 1, "guided_delivery": 1}


def squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def text_of(html: str) -> str:
    """The text of HTML as a person reads it: each element's text apart."""
    return squash(" ".join(lxml_html.fromstring(html).itertext()))


def page_text(response) -> str:
    """What a page reads as, text only."""
    assert response.status_code == 200
    return text_of(response.content.decode())


def document(items, *, revision="A", catalog=CATALOG, contract_months=36, discounts=None, **config):
    """The offer document of ``items`` priced by the engine, as a revision would show it;
    ``discounts`` as the API and ``Quote.discounts`` hold them."""
    quote = SimpleNamespace(
        number="SC-2026-00042", revision=revision, valid_until=None, validity_days=30,
        contract_months=contract_months, customer_note="", on_site_training=False, price_list=None,
        company_name="Nordisk Logistik AB", org_number="556987-6542", contact_name="Erik Lind",
        contact_email="erik@example.se", contact_phone="", customer_address="", owner=SELLER,
        discounts=discounts or {},
    )
    negotiated, problems = parse_discounts(discounts, catalog)
    assert not problems
    result = price(catalog, Configuration(items=items, contract_months=contract_months, discounts=negotiated, **config))
    return document_read(snapshot_build(quote=quote, result=result), quote=quote)


def rendered(before, after) -> str:
    """The section as every screen and the PDF render it, as text."""
    doc = replace(after, changes=revision_changes(before, after))
    return text_of(f"<div>{render_to_string('quotes/offer/_changes.html', {'doc': doc})}</div>")


def by_code(changes) -> dict:
    return {l.code: l for l in changes.lines}


# --- The diff (pure) --------------------------------------------------------------------


def test_an_added_line_with_its_quantity_and_amounts():
    a = document(OFFICE)
    b = document({**OFFICE, "softphone": 10}, revision="B")
    changes = revision_changes(a, b)
    assert [(l.kind, l.code) for l in changes.lines] == [(ADDED, "softphone")]
    softphone = changes.lines[0]
    assert softphone.quantity == Change(0, 10) and softphone.monthly == Change(D("0.00"), D("290.00"))
    assert changes.monthly == Change(D("1379.00"), D("1669.00"))  # 10 × 89 + 10 × 39 + 99 (+ 10 × 29)
    assert changes.since == "A"
    text = rendered(a, b)
    assert "Ändringar sedan revision A" in text
    assert "Tillagt Softphone 10 användare 290 kr/mån" in text
    assert "Månadskostnad 1 379 kr → 1 669 kr +290 kr" in text


def test_a_removed_line_stands_where_it_was():
    a = document({**OFFICE, "softphone": 10, "calendar": 10})
    b = document({**OFFICE, "calendar": 10}, revision="B")
    changes = revision_changes(a, b)
    assert [(l.kind, l.code) for l in changes.lines] == [(REMOVED, "softphone")]
    assert changes.lines[0].quantity == Change(10, 0)
    text = rendered(a, b)
    assert "Borttaget Softphone 10 användare 290 kr/mån" in text
    assert "Månadskostnad 1 859 kr → 1 569 kr −290 kr" in text


def test_adding_an_integration_brings_its_implementation_along():
    a = document(OFFICE)
    b = document({**OFFICE, "calendar": 10}, revision="B")
    changes = revision_changes(a, b)
    assert [(l.kind, l.code) for l in changes.lines] == [(ADDED, "calendar"), (ADDED, "impl_calendar")]
    assert changes.one_time == Change(D("9995.00"), D("11985.00"))
    assert "Tillagt Implementering Kalenderintegration 1 st 1 990 kr engång" in rendered(a, b)


def test_a_changed_quantity_names_the_users_and_the_new_amount():
    a = document(OFFICE)
    b = document({**OFFICE, "mobile_user": 12, "fixed_number": 12}, revision="B")
    changes = revision_changes(a, b)
    assert [(l.kind, l.code) for l in changes.lines] == [(CHANGED, "mobile_user"), (CHANGED, "fixed_number")]
    users = changes.lines[0]
    assert users.quantity == Change(10, 12) and users.monthly == Change(D("890.00"), D("1068.00"))
    assert not users.monthly_unit.changed
    text = rendered(a, b)
    assert "Ändrat Användare med mobilt nummer 10 → 12 användare Per månad 890 kr → 1 068 kr" in text
    assert "À-pris" not in text  # the unit price did not change
    # Not a user service: pieces.
    c = document({**OFFICE, "function_number": 3}, revision="C")
    assert "Ändrat Funktionsnummer 1 → 3 st Per månad 99 kr → 297 kr" in rendered(a, c)


def test_a_new_price_list_shows_the_changed_unit_price():
    dearer = replace(CATALOG, items={**CATALOG.items, "mobile_user": replace(CATALOG.items["mobile_user"], monthly=D("99"))})
    a = document(OFFICE)
    b = document(OFFICE, revision="B", catalog=dearer)
    changes = revision_changes(a, b)
    (users,) = changes.lines
    assert (users.kind, users.quantity.changed) == (CHANGED, False)
    assert users.monthly_unit == Change(D("89.00"), D("99.00"))
    assert "Ändrat Användare med mobilt nummer À-pris/mån 89 kr → 99 kr Per månad 890 kr → 990 kr" in rendered(a, b)
    assert changes.contract_value == Change(D("59639.00"), D("63239.00"))  # 9 995 + 36 × (1 379 + 100)


def test_a_changed_term_changes_the_contract_value_only():
    a = document(OFFICE, contract_months=24)
    b = document(OFFICE, revision="B", contract_months=36)
    changes = revision_changes(a, b)
    assert changes.lines == ()
    assert changes.contract_months == Change(24, 36)
    assert not changes.monthly.changed and not changes.one_time.changed
    assert changes.contract_value == Change(D("43091.00"), D("59639.00"))  # 9 995 + 24 / 36 × 1 379
    text = rendered(a, b)
    assert "Avtalstid 24 mån → 36 mån +12 mån" in text
    assert "Avtalsvärde 43 091 kr → 59 639 kr +16 548 kr" in text
    assert "Månadskostnad 1 379 kr → 1 379 kr oförändrat" in text
    assert "Tjänst" not in text  # no table of lines when no line changed


def test_a_line_discount_given_then_raised():
    a = document({**OFFICE, "softphone": 10})
    b = document({**OFFICE, "softphone": 10}, revision="B", discounts={"lines": {"softphone": {"monthly_percent": "10"}}})
    c = document({**OFFICE, "softphone": 10}, revision="C", discounts={"lines": {"softphone": {"monthly_percent": "15"}}})
    (softphone,) = revision_changes(a, b).lines
    assert softphone.monthly_discount == Change(D("0.00"), D("29.00"))  # 10 % of 10 × 29 kr
    assert softphone.monthly == Change(D("290.00"), D("261.00"))
    assert "Ändrat Softphone Rabatt/mån 0 kr → 29 kr (10 %) Per månad 290 kr → 261 kr" in rendered(a, b)
    assert "Ändrat Softphone Rabatt/mån 29 kr (10 %) → 43,50 kr (15 %) Per månad 261 kr → 246,50 kr" in rendered(b, c)
    assert "Total rabatt under avtalstiden 1 044 kr → 1 566 kr +522 kr" in rendered(b, c)  # 36 × 29, 36 × 43,50
    assert "À-pris" not in rendered(b, c)  # the list price did not change


def test_a_discount_in_kronor_and_one_taken_back():
    a = document(OFFICE, discounts={"lines": {"guided_delivery": {"one_time_amount": "1995.00"}}})
    b = document(OFFICE, revision="B")
    (delivery,) = revision_changes(a, b).lines
    assert delivery.one_time_discount == Change(D("1995.00"), D("0.00"))
    assert delivery.one_time_discount_percent is None
    text = rendered(a, b)
    assert "Ändrat Vägledd leverans Rabatt engång 1 995 kr → 0 kr Engång 8 000 kr → 9 995 kr" in text
    assert "Engångskostnad 8 000 kr → 9 995 kr +1 995 kr" in text
    assert "Total rabatt under avtalstiden 1 995 kr → 0 kr −1 995 kr" in text


def test_an_added_line_with_its_discount():
    a = document(OFFICE)
    b = document({**OFFICE, "softphone": 10}, revision="B", discounts={"lines": {"softphone": {"monthly_percent": "10"}}})
    assert "Tillagt Softphone 10 användare 261 kr/mån rabatt 29 kr/mån (10 %)" in rendered(a, b)


def test_a_quote_discount_and_free_months():
    a = document(OFFICE)
    b = document(OFFICE, revision="B", discounts={"monthly_percent": "5", "free_months": 2})
    changes = revision_changes(a, b)
    assert changes.lines == ()  # the lines' own amounts did not change
    assert changes.monthly_quote_percent == Change(D("0.00"), D("5"))
    assert changes.free_months == Change(0, 2)
    assert changes.monthly.after == D("1310.05")  # 1 379 − 5 % (68,95)
    text = rendered(a, b)
    assert "Offertrabatt på månadsavgiften 0 % → 5 % +5 procentenheter" in text
    assert "Fria månader 0 mån → 2 mån +2 mån" in text
    assert "Månadskostnad 1 379 kr → 1 310,05 kr −68,95 kr" in text
    assert "Avtalsvärde 59 639 kr → 54 536,70 kr −5 102,30 kr" in text  # 9 995 + 34 × 1 310,05
    assert "Total rabatt under avtalstiden 0 kr → 5 102,30 kr +5 102,30 kr" in text
    assert "engångsavgifterna" not in text  # no one-time quote discount, before or after


def test_nothing_changed_means_no_section():
    a = document(OFFICE)
    assert revision_changes(a, document(OFFICE, revision="B")) is None
    assert rendered(a, document(OFFICE, revision="B")) == ""
    # Traffic is an estimate, not a price of the offer: changing it alone is no change.
    assert revision_changes(a, document(OFFICE, revision="B", traffic=_traffic(sms_domestic=2000))) is None
    # The same discounts again: no change either.
    discounts = {"lines": {"mobile_user": {"monthly_percent": "10"}}, "free_months": 1}
    assert revision_changes(document(OFFICE, discounts=discounts), document(OFFICE, revision="B", discounts=discounts)) is None


def _traffic(**values):
    from configurator.pricing import TrafficEstimate

    return TrafficEstimate(**values)


# --- On every screen and in the PDF -----------------------------------------------------


@pytest.fixture
def revision_a(doc_env, seller, price_list):
    return quote_sign(quote=QuoteFactory(owner=seller), user=seller)


@pytest.fixture
def draft_b(revision_a, seller):
    """Revision B, negotiated: 30 users instead of 25, softphones added, the calendar
    integration dropped, on 24 months instead of 36."""
    b = quote_revise(quote=revision_a, user=seller).quote
    items = {**b.items, "mobile_user": 30, "teams_voice": 30, "softphone": 30}
    del items["calendar"]
    b.items = items
    b.contract_months = 24
    b.save()
    return b


CHANGED_TEXTS = (
    "Ändringar sedan revision A",
    "Ändrat Användare med mobilt nummer 25 → 30 användare Per månad 2 225 kr → 2 670 kr",
    "Tillagt Softphone 30 användare 870 kr/mån",
    "Borttaget Kalenderintegration 25 användare 475 kr/mån",
    "Avtalstid 36 mån → 24 mån −12 mån",
    "Månadskostnad 4 112 kr → 5 097 kr +985 kr",
)


def test_the_summary_step_of_a_draft_revision_shows_what_changed(draft_b, client, seller):
    client.force_login(seller)
    page = page_text(client.get(reverse("quotes:step", args=[draft_b.pk, "sammanstallning"])))
    for text in CHANGED_TEXTS:
        assert text in page


def test_the_sellers_page_and_the_customers_page_of_revision_b(draft_b, client, seller):
    b = quote_sign(quote=draft_b, user=seller)
    client.force_login(seller)
    seller_page = page_text(client.get(reverse("quotes:detail", args=[b.pk])))
    client.logout()
    customer_page = page_text(client.get(reverse("quote-customer:offer", args=[b.token])))
    for page in (seller_page, customer_page):
        for text in CHANGED_TEXTS:
            assert text in page


def test_revision_a_has_no_section(revision_a, draft_b, client, seller):
    client.force_login(seller)
    page = client.get(reverse("quotes:detail", args=[revision_a.pk])).content.decode()
    client.logout()
    customer_page = client.get(reverse("quote-customer:offer", args=[revision_a.token])).content.decode()
    assert "Ändringar sedan" not in page and "Ändringar sedan" not in customer_page
    assert "Ändringar sedan" not in pdf_text(stored_bytes(revision_a.pdf))


def test_the_pdf_of_revision_b_carries_the_changes(draft_b, seller):
    b = quote_sign(quote=draft_b, user=seller)
    text = pdf_text(stored_bytes(b.pdf))
    for expected in CHANGED_TEXTS:
        assert expected in text


def test_a_reissued_offer_without_changes_has_no_section(revision_a, seller):
    b = quote_revise(quote=revision_a, user=seller).quote
    b = quote_sign(quote=b, user=seller)
    assert b.revision == "B"
    assert "Ändringar sedan" not in pdf_text(stored_bytes(b.pdf))
    assert Quote.objects.get(pk=b.pk).snapshot["totals"] == revision_a.snapshot["totals"]
