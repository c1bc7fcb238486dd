"""The offer PDF: everything the customer signs for is in it, read back with pypdf."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from weasyprint.urls import FatalURLFetchingError

from quotes.offer.services import quote_sign

from quotes.offer.storage import stored_bytes
from quotes.offer.pdf import PDF_BASE_URL, ResourceRefused, StaticFilesOnlyFetcher, html_to_pdf, static_base
from quotes.offer.document import offer_document

from .doc_support import doc_env, pdf_pages, pdf_text, signing_cert  # noqa: F401
from .factories import QuoteFactory

LARGE = {
    "items": {
        "mobile_user": 120, "fixed_number": 120, "softphone": 40, "calendar": 120,
        "teams_status": 120, "teams_voice": 60, "ad": 120, "call_recording": 20,
        "function_number": 12, "number_series_1000": 1, "answering_service_20": 1,
        "api_access": 1, "nps_survey": 1, "guided_delivery": 1,
        "training_full_day": 2, "training_half_day": 1,
    },
    "manual_prices": {"answering_service_20": {"monthly": "7900.00"}},
    "on_site_training": True,
    "travel_cost": Decimal("4500.00"),
    "traffic": {"sms_domestic": 3000, "sms_foreign": 200, "nps_sms_domestic": 800,
                "nps_sms_foreign": 20, "calls": 2500, "avg_call_seconds": 200},
}


def kr(amount, decimals=None) -> str:
    """Swedish money as pdf_text() reads it ("1 990 kr", "165 299,00 kr")."""
    from quotes.templatetags.money import format_money

    return format_money(amount, decimals).replace("\u00a0", " ")


def num(n) -> str:
    return f"{n:,}".replace(",", " ")


@pytest.fixture
def large_quote(doc_env, seller, price_list):
    quote = QuoteFactory(owner=seller, **LARGE)
    return quote_sign(quote=quote, user=seller)


def test_every_line_amount_and_total_of_a_whole_quote_is_in_the_pdf(large_quote):
    text = pdf_text(stored_bytes(large_quote.pdf))
    doc = offer_document(large_quote)
    snap = large_quote.snapshot
    assert len(snap["lines"]) == 21  # 8 user, 8 company (3 implementations added), 5 delivery

    for line in doc.lines:
        # One row per line: name, quantity, then its unit prices and amounts in order.
        row = re.escape(line.name) + r".*?\s" + re.escape(num(line.quantity)) + r"\s"
        match = re.search(row, text)
        assert match, f"no row for {line.name}"
        rest = text[match.end():match.end() + 160]
        amounts = []
        if line.one_time_unit or line.code in {"self_config"}:
            amounts += [kr(line.one_time_unit), kr(line.one_time)]
        if line.monthly_unit:
            amounts += [kr(line.monthly_unit), kr(line.monthly)]
        position = 0
        for amount in amounts:
            found = rest.find(amount, position)
            assert found >= 0, f"{line.name}: {amount} missing in {rest!r}"
            position = found + len(amount)
        if line.auto_added:
            assert line.reason and line.reason in text

    t = doc.totals
    for label, amount in [
        ("Engångsavgifter", t.one_time),
        ("Engångsavgifter inkl. moms", t.one_time_incl_vat),
        ("Månadsavgift", t.monthly),
        ("varav på mobilabonnemangen", t.monthly_mobile),
        ("varav faktureras företaget", t.monthly_company),
        ("Månadsavgift inkl. moms", t.monthly_incl_vat),
        ("Avtalsvärde 36 månader, exkl. moms", t.contract_value),
        ("Uppskattad trafik per månad, exkl. moms", t.traffic_monthly),
    ]:
        assert f"{label} {kr(amount)}" in text
    assert f"Moms 25 % {kr(t.one_time_vat)}" in text
    assert f"Moms 25 % {kr(t.monthly_vat)}" in text
    # The totals are the engine's: 61 405 kr one-time, 33 947 kr a month.
    assert t.one_time == Decimal("61405.00") and t.monthly == Decimal("33947.00")
    assert t.contract_value == Decimal("61405.00") + 36 * Decimal("33947.00")

    for traffic in doc.traffic:
        assert re.search(re.escape(traffic.name) + r".*?" + re.escape(kr(traffic.amount)), text)
    # The tariffs annex.
    assert "BILAGA 1 Trafikpriser – sms och samtal" in text
    assert "0,69 kr per sms De första 500 per månad" in text
    assert "0,39 kr per påbörjad 60-sekundersperiod" in text.replace("60- sekunders", "60-sekunders")


def test_the_header_customer_and_seller_blocks(large_quote):
    text = pdf_text(stored_bytes(large_quote.pdf))
    assert f"Offertnummer {large_quote.number} Revision A" in text
    assert re.fullmatch(r"SC-\d{4}-\d{5}", large_quote.number)
    # The date is the Swedish one: signed at 00:30 in Stockholm is still the day before in UTC.
    assert f"Datum {timezone.localtime(large_quote.signed_at):%Y-%m-%d}" in text
    assert f"Giltig till och med {large_quote.valid_until:%Y-%m-%d}" in text
    assert "Nordisk Logistik AB Org.nr 556987-6542" in text
    assert "Kontaktperson: Erik Lind" in text
    assert "Telia Sverige AB Org.nr 556430-0142" in text
    assert "Säljare: Sara Säljare" in text
    assert "För Telia Sverige AB Sara Säljare" in text
    assert "Alla priser exkl. moms" in text


def test_page_numbers_sida_x_av_y_on_every_page(large_quote):
    pages = pdf_pages(stored_bytes(large_quote.pdf))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Sida {number} av {len(pages)}" in page
    assert f"Offert {large_quote.number} · revision A" in pages[1]


TERM_WORDS = {
    "1": "max 90 minuters konfiguration",
    "2": "Önskas utbildningar på plats",
    "3": "Tillval för användaren faktureras som tillägg på mobilabonnemanget",
    "4": "Aktivering av tilläggstjänster på företagsnivå",
    "5": "Funktionsnummer avser nummer",
    "6": "helgfria vardagar 07.00–18.00",
    "7": "omfattar alltid alla användare",
    "8": "Touch Call recording",
    "9": "obegränsat antal enkäter",
    "sms-1": "Gäller ej betal-SMS",
    "calls-1": "betalnummer (t.ex. 099",
    "calls-2": "Debiteras per 60-sekunders intervall",
    "calls-3": "Gäller övrig trafik till mobilnummer som tillhör",
    "calls-abroad": "se utlandsprislista",
    "traffic": "kostnadsfria inom Sverige",
}


@pytest.mark.parametrize(
    "overrides, expected",
    [
        # Users only: billing on the mobile subscription plus the call terms every
        # solution carries (premium numbers, 60-second intervals, abroad, internal).
        ({"items": {"mobile_user": 5, "softphone": 2}}, {"3", "calls-1", "calls-2", "calls-abroad", "traffic"}),
        # The whole price list: every term but the internal-calls footnote.
        (LARGE, set(TERM_WORDS) - {"calls-3", "1"}),
        # Svarsservice and on-site training bring their own terms.
        (
            {"items": {"mobile_user": 3, "answering_service_10": 1, "guided_delivery": 1, "training_half_day": 1},
             "on_site_training": True},
            {"3", "6", "2", "calls-1", "calls-2", "calls-abroad", "traffic"},
        ),
    ],
    ids=["users-only", "everything", "svarsservice-on-site"],
)
def test_the_terms_shown_are_exactly_those_that_apply(doc_env, seller, price_list, overrides, expected):
    quote = quote_sign(quote=QuoteFactory(owner=seller, **overrides), user=seller)
    text = pdf_text(stored_bytes(quote.pdf))
    shown = {ref for ref, words in TERM_WORDS.items() if words in text}
    assert shown == expected
    assert {t["ref"] for t in quote.snapshot["terms"]} == expected
    assert "Alla priser exkl. moms" in text


def test_html_in_customer_fields_is_text_in_the_pdf(doc_env, seller, price_list):
    quote = QuoteFactory(
        owner=seller,
        company_name='<b>Evil</b> & "Co" AB', contact_name="<script>alert(1)</script>",
    )
    text = pdf_text(stored_bytes(quote_sign(quote=quote, user=seller).pdf))
    assert '<b>Evil</b> & "Co" AB' in text
    assert "<script>alert(1)</script>" in text
    assert "&lt;" not in text and "&amp;" not in text


# --- The URL fetcher -------------------------------------------------------------------


def test_the_fetcher_serves_the_projects_static_files():
    response = StaticFilesOnlyFetcher().fetch(static_base() + "quotes/pdf/offer.css")
    assert b"@page" in response.read()
    font = StaticFilesOnlyFetcher().fetch(static_base() + "fonts/DejaVuSansCondensed.ttf")
    assert font.read(4) == b"\x00\x01\x00\x00"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/x.css",
        "https://example.com/static/quotes/pdf/offer.css",
        "data:text/css,body{}",
        PDF_BASE_URL + "media/quotes/secret.pdf",
        PDF_BASE_URL + "static/../configurator/settings.py",
        PDF_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        PDF_BASE_URL + "static/quotes/pdf/offer.css?x=1",
        PDF_BASE_URL + "static/nothing-here.css",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(ResourceRefused):
        StaticFilesOnlyFetcher().fetch(url)


@pytest.mark.parametrize(
    "html",
    [
        '<link rel="stylesheet" href="file:///etc/passwd"><p>x</p>',
        '<img src="http://127.0.0.1:9/tracker.png">',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
    ],
)
def test_rendering_stops_at_a_refused_resource(html):
    with pytest.raises(FatalURLFetchingError):
        html_to_pdf(html)
