"""One offer document: the summary step, the seller's quote page, the customer's page and
the PDF show the same sections, lines and figures; the snapshot has its own schema and
round-trips; version-1 snapshots are migrated and read the same."""

from __future__ import annotations

import copy
import importlib
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from lxml import html as lxml_html

from configurator.api import result_as_json
from configurator.selectors import catalog_for
from quotes.models import DiscountLimit, Quote
from quotes.offer.document import document_read, offer_document
from quotes.offer.services import quote_sign
from quotes.offer.snapshot import SCHEMA_VERSION, UnknownSnapshotSchema, snapshot_build
from quotes.offer.storage import stored_bytes
from quotes.pricing import quote_pricing

from .doc_support import doc_env, make_quote, pdf_text, signing_cert  # noqa: F401

migration = importlib.import_module("quotes.migrations.0002_snapshot_schema_2")

WITH_TRAFFIC = {
    "traffic": {"sms_domestic": 1200, "sms_foreign": 100, "calls": 200, "avg_call_seconds": 150},
}


def squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def offer_of(page: str) -> dict:
    """What an HTML page shows of the offer: section titles with their rows (every cell),
    the totals rows, the traffic rows and the numbered terms."""
    tree = lxml_html.fromstring(page)
    for sup in tree.xpath('//sup[@class="term-ref"]'):
        sup.text = " "  # a reference reads apart from the name: "Funktionsnummer 5"

    def rows(table):
        return [[squash(c.text_content()) for c in tr.xpath("./th|./td")] for tr in table.xpath(".//tr")]

    sections = [
        (squash(s.xpath("./h2")[0].text_content()), rows(s.xpath(".//table")[0]))
        for s in tree.xpath('//section[@class="offer-section"]')
    ]
    totals = rows(tree.xpath('//section[@class="offer-totals"]//table')[0])
    traffic = [rows(t) for t in tree.xpath('//section[@class="offer-traffic"]//table')]
    terms = [squash(li.text_content()) for li in tree.xpath('//section[@class="offer-terms"]//li[@class="term"]')]
    key_figures = [squash(k.text_content()) for k in tree.xpath('//div[@class="key-figure"]')]
    return {"sections": sections, "totals": totals, "traffic": traffic, "terms": terms, "key": key_figures}


@pytest.fixture
def draft(doc_env, seller, price_list):
    return make_quote(owner=seller, price_list=price_list, **WITH_TRAFFIC)


def test_the_four_renderings_show_the_same_offer(draft, seller, client):
    client.force_login(seller)
    summary = offer_of(client.get(reverse("quotes:step", args=[draft.pk, "sammanstallning"])).content.decode())

    signed = quote_sign(quote=draft, user=seller)
    seller_page = offer_of(client.get(reverse("quotes:detail", args=[signed.pk])).content.decode())
    client.logout()
    customer_page = offer_of(client.get(reverse("quote-customer:offer", args=[signed.token])).content.decode())

    # The same sections, lines, figures and terms on the three screens, in the same order.
    assert summary == seller_page == customer_page
    titles = [title for title, _rows in summary["sections"]]
    assert titles == ["Användartjänster", "Företagstjänster", "Leverans och utbildning"]
    # Number series and implementations are company services everywhere (the source's
    # sections), never one-time services of their own.
    company = dict(summary["sections"])["Företagstjänster"]
    names = [row[0] for row in company]
    assert any("100-nummerserie" in n for n in names), names
    assert any(n.startswith("Implementering Teamsintegration") for n in names), names
    assert summary["traffic"] and len(summary["terms"]) >= 5

    # The PDF reads the same document in the same order: every row of every table as
    # it is on the screens.
    text = pdf_text(stored_bytes(signed.pdf))
    position = 0
    for title, table in summary["sections"]:
        position = text.index(title, position)
        for row in table[1:]:  # the header row aside
            for cell in row:
                if cell:
                    assert cell in text[position:], (cell, text[position:position + 300])
                    position = text.index(cell, position)
    for row in summary["totals"]:
        position = text.index(" ".join(row), position)
    for term in summary["terms"]:
        assert term[:60] in text[position:], (term[:60], text[position:position + 400])
        position = text.index(term[:60], position)


def test_the_snapshot_has_its_own_schema_and_round_trips(draft, seller):
    signed = quote_sign(quote=draft, user=seller)
    snap = signed.snapshot
    assert snap["schema"] == SCHEMA_VERSION == 2
    # Not the pricing API's answer: no rule checks, no API-only fields.
    assert not {"valid", "errors", "warnings", "version"} & set(snap)
    # Stored as JSON and read back, it gives the very document the live draft gave.
    live = offer_document(draft)  # the draft object as it was before signing
    frozen = offer_document(signed)
    reread = document_read(json.loads(json.dumps(snap)), quote=signed)
    assert frozen == reread
    assert (live.sections, live.totals, live.traffic, live.terms, live.tariffs) == (
        frozen.sections, frozen.totals, frozen.traffic, frozen.terms, frozen.tariffs
    )
    assert live.is_draft and not frozen.is_draft


def test_a_snapshot_of_an_unknown_schema_is_refused(draft, seller):
    signed = quote_sign(quote=draft, user=seller)
    old = dict(signed.snapshot, schema=None, version=1)
    with pytest.raises(UnknownSnapshotSchema):
        document_read(old, quote=signed)


def test_a_change_to_the_api_answer_never_changes_a_signed_offer(draft, seller, monkeypatch):
    signed = quote_sign(quote=draft, user=seller)
    before = offer_document(signed)
    monkeypatch.setattr("configurator.api.result_as_json", lambda result: {"lines": []})
    assert offer_document(Quote.objects.get(pk=signed.pk)) == before


def version_1_snapshot(quote, seller) -> dict:
    """A snapshot as version 1 wrote it: the pricing API's answer plus the offer's words."""
    result = quote_pricing(quote)
    catalog = result.catalog
    data = result_as_json(result)
    data["version"] = 1
    data["price_list"]["vat_rate"] = str(catalog.vat_rate)
    data["terms"] = [{"ref": r, "title": catalog.term_titles.get(r, ""), "text": catalog.footnotes[r]} for r in result.terms]
    data["tariffs"] = [
        {"code": i.code, "name": i.name, "unit_price": f"{i.usage_price:.2f}" if i.usage_price is not None else None,
         "free_quota": i.free_quota, "footnote": i.footnote}
        for i in catalog.items.values() if i.section == "traffic"
    ]
    data["customer"] = {"company_name": quote.company_name, "org_number": quote.org_number,
                        "contact_name": quote.contact_name, "contact_email": quote.contact_email,
                        "contact_phone": quote.contact_phone, "address": quote.customer_address}
    data["seller"] = {"name": "Sara Säljare", "email": seller.email,
                      "company": {"name": "Telia Sverige AB", "org_number": "556430-0142", "address": "169 94 Solna"}}
    data["signed_at"] = "2026-03-02T10:15:00+00:00"
    data["contract_months"] = quote.contract_months
    data["customer_note"] = ""
    data["on_site_training"] = False
    # Version 1 omitted a line's section now and then (the reader fell back on billed_to).
    del data["lines"][0]["section"]
    return data


def test_a_version_1_snapshot_converts_with_every_figure_unchanged(draft, seller):
    v1 = version_1_snapshot(draft, seller)
    v2 = migration.snapshot_v1_to_v2(copy.deepcopy(v1))
    assert v2["schema"] == 2
    draft.valid_until = None
    doc = document_read(v2, quote=draft)
    result = quote_pricing(draft)
    assert [(l.code, l.quantity, l.one_time, l.monthly) for l in doc.lines] == [
        (l.code, l.quantity, l.one_time, l.monthly) for l in result.lines
    ]
    assert doc.totals.contract_value == result.totals.contract_value
    assert doc.totals.one_time_incl_vat == result.totals.one_time_incl_vat
    assert [t.amount for t in doc.traffic] == [t.amount for t in result.traffic]
    assert [t.text for t in doc.terms] == [t["text"] for t in v1["terms"]]
    assert migration.snapshot_v1_to_v2(v2) is v2  # already converted: left alone


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_stored_version_1_snapshots(doc_env, seller, price_list):
    quote = make_quote(owner=seller, price_list=price_list, **WITH_TRAFFIC)
    v1 = version_1_snapshot(quote, seller)
    executor = MigrationExecutor(connection)
    executor.migrate([("quotes", "0001_initial")])
    try:
        old_apps = executor.loader.project_state([("quotes", "0001_initial")]).apps
        OldQuote = old_apps.get_model("quotes", "Quote")
        OldQuote.objects.filter(pk=quote.pk).update(
            snapshot=v1, signed_at="2026-03-02T10:15:00+00:00", number="SC-2026-00007", status="sent"
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    stored = Quote.objects.get(pk=quote.pk)
    assert stored.snapshot["schema"] == 2
    doc = offer_document(stored)
    assert [(l.name, l.one_time, l.monthly) for l in doc.lines] == [
        (l["name"], Decimal(l["one_time"]), Decimal(l["monthly"])) for l in v1["lines"]
    ]
    assert doc.totals.monthly == Decimal(v1["totals"]["monthly"])
    assert doc.totals.contract_value == Decimal(v1["totals"]["contract_value"])


def test_lines_cite_the_term_they_mean(draft, seller):
    doc = offer_document(quote_sign(quote=draft, user=seller))
    term_by_number = {t.number: t for t in doc.terms}
    impl = next(l for l in doc.lines if l.code == "impl_teams")
    # Footnote 4 of the price list, whatever number it has among this offer's terms.
    assert term_by_number[impl.term_number].ref == "4"
    assert "implementering" in term_by_number[impl.term_number].text.lower()
    assert impl.reason == "Ingår eftersom Teamsintegration – Voice kräver implementering på företagsnivå."
    for line in doc.lines:
        assert "fotnot" not in (line.reason or "")


def test_the_annex_lists_only_the_tariffs_that_apply(doc_env, seller, price_list):
    without = offer_document(make_quote(owner=seller, price_list=price_list))
    assert not any(t.code.startswith("nps_") for t in without.tariffs)
    assert {"sms_domestic", "call_opening", "call_minute"} <= {t.code for t in without.tariffs}
    items = {"mobile_user": 5, "nps_survey": 1}
    with_nps = offer_document(make_quote(owner=seller, price_list=price_list, items=items))
    assert {"nps_sms_domestic", "nps_sms_foreign"} <= {t.code for t in with_nps.tariffs}


def test_one_money_format_and_one_word_for_the_contract_value(draft, seller, client):
    client.force_login(seller)
    pages = [client.get(reverse("quotes:step", args=[draft.pk, "sammanstallning"])).content.decode()]
    signed = quote_sign(quote=draft, user=seller)
    pages.append(client.get(reverse("quotes:detail", args=[signed.pk])).content.decode())
    pages.append(client.get(reverse("quote-customer:offer", args=[signed.token])).content.decode())
    pages.append(pdf_text(stored_bytes(signed.pdf)))
    for page in pages:
        text = squash(page)
        assert not re.search(r"\d,00 kr", text), "whole kronor are written without decimals"
        assert "Kontraktsvärde" not in text and "Avtalsvärde" in text


# --- Discounts: list price, discount and net on every rendering ---------------------------

DISCOUNTS = {
    "lines": {"teams_voice": {"monthly_percent": "10"}, "startup_help": {"one_time_amount": "1000.00"}},
    "monthly_percent": "5",
    "free_months": 2,
}


def test_a_discounted_offer_reads_the_same_on_every_screen_and_in_the_pdf(doc_env, seller, price_list, client):
    # Two free months are above a seller's limit: this seller may sign them (approval is
    # tests/test_approval.py's).
    DiscountLimit.objects.filter(role="Säljare").update(max_share_percent=100, max_free_months=11)
    quote = make_quote(owner=seller, price_list=price_list, discounts=DISCOUNTS)
    result = quote_pricing(quote)
    t = result.totals
    assert result.valid and t.has_discount and t.free_months == 2
    client.force_login(seller)
    summary_html = client.get(reverse("quotes:step", args=[quote.pk, "sammanstallning"])).content.decode()
    summary = offer_of(summary_html)
    signed = quote_sign(quote=quote, user=seller)
    seller_page = offer_of(client.get(reverse("quotes:detail", args=[signed.pk])).content.decode())
    client.logout()
    customer_page = offer_of(client.get(reverse("quote-customer:offer", args=[signed.token])).content.decode())
    assert summary == seller_page == customer_page

    # Per line: the net amount in its column, the discount and the list price under the name.
    users = dict(summary["sections"])["Användartjänster"]
    voice = next(row for row in users if row[0].startswith("Teamsintegration – Voice"))
    # 25 × 29 = 725 a month, 10 % of it 72,50.
    assert "Rabatt 10 %: −72,50 kr per månad (listpris 725 kr)" in voice[0]
    assert voice[-1] == "652,50 kr"
    delivery = dict(summary["sections"])["Leverans och utbildning"]
    startup = next(row for row in delivery if row[0].startswith("Uppstartshjälp"))
    assert "Rabatt: −1 000 kr engångs (listpris" in startup[0]

    totals = [" ".join(row) for row in summary["totals"]]
    assert any(r.startswith("Månadsavgift enligt prislistan") for r in totals), totals
    assert any(r.startswith("Offertrabatt 5 % −") for r in totals), totals
    assert "Fria månader (ingen månadsavgift) 2 mån" in totals
    share = f"{t.discount_share * 100:.1f}".replace(".", ",").removesuffix(",0")
    assert any(r.startswith(f"Total rabatt under avtalstiden ({share} %) −") for r in totals), totals
    assert "(36 − 2 fria månader)" in squash(summary_html)

    text = pdf_text(stored_bytes(signed.pdf))
    for row in totals:
        assert row in text, row
    assert "Rabatt 10 %: −" in text and "(36 − 2 fria månader)" in text


def test_a_snapshot_signed_before_discounts_reads_without_any(draft, seller):
    signed = quote_sign(quote=draft, user=seller)
    old = copy.deepcopy(signed.snapshot)
    old.pop("discounts")
    for line in old["lines"]:
        for key in ("one_time_list", "monthly_list", "one_time_discount", "monthly_discount"):
            line.pop(key)
    for key in ("one_time_list", "monthly_list", "contract_value_list", "one_time_line_discount",
                "monthly_line_discount", "one_time_quote_discount", "monthly_quote_discount",
                "free_months", "discount_total", "discount_share"):
        old["totals"].pop(key)
    doc = document_read(old, quote=signed)
    assert doc.totals.contract_value_list == doc.totals.contract_value and not doc.totals.has_discount
    assert all(not l.discounted and l.monthly_list == l.monthly for l in doc.lines)
