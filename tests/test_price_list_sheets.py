"""Price lists as spreadsheets (issue 13, part 1): export to XLSX/CSV, reading a file
back with an error per row and column, the preview, the all-or-nothing write, the round
trip. The browser side: tests/browser/test_price_list_admin.py."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from configurator.diff import rows_of
from configurator.models import PriceItem, PriceList
from configurator.selectors import catalog_for
from configurator.services import (
    PriceListNotChangeable,
    price_list_copy,
    price_list_import,
)
from configurator.sheets import parse_money, sheet_check, sheet_csv, sheet_read, sheet_xlsx, BadValue

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(price_list):
    return price_list_copy(price_list=price_list, name="Prislista höst")


def csv_rows(price_list) -> list[list[str]]:
    text = sheet_csv(*rows_of(price_list)).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def edited_csv(price_list, code: str, column: str, value: str) -> bytes:
    rows = csv_rows(price_list)
    header = rows[0]
    for row in rows[1:]:
        if row and row[0] == code:
            row[header.index(column)] = value
            break
    else:
        raise AssertionError(code)
    return csv_bytes(rows)


def read(price_list, data: bytes, name="lista.csv"):
    sheet, errors = sheet_read(data, name)
    if sheet is not None:
        errors = sheet_check(sheet, items=rows_of(price_list)[0], footnotes=rows_of(price_list)[1])
    return (None if errors else sheet), [(e.sheet, e.row, e.column, e.message) for e in errors]


# --- Export -----------------------------------------------------------------------------


def test_the_csv_export_has_every_item_and_footnote_in_swedish(price_list):
    rows = csv_rows(price_list)
    assert rows[0] == ["Kod", "Namn", "Avsnitt", "Faktureras", "Startavgift (kr)", "Månadsavgift (kr)",
                       "Rörligt pris (kr)", "Fri mängd per månad", "Pris på förfrågan", "Fotnot", "Sortering", "Aktiv"]
    softphone = next(r for r in rows if r[0] == "softphone")
    assert softphone[1:6] == ["Softphone", "Användartjänster", "Mobilabonnemanget", "", "29,00"]
    assert softphone[8] == "nej" and softphone[11] == "ja"
    blank = rows.index([])
    assert blank == price_list.items.count() + 1
    assert rows[blank + 1] == ["Fotnot", "Villkorsrubrik", "Text"]
    assert len(rows) - blank - 2 == price_list.footnotes.count()


def test_the_xlsx_export_has_two_sheets_with_numbers_as_numbers(price_list):
    book = load_workbook(io.BytesIO(sheet_xlsx(*rows_of(price_list))))
    assert book.sheetnames == ["Artiklar", "Fotnoter"]
    items = list(book["Artiklar"].iter_rows(values_only=True))
    softphone = next(r for r in items if r[0] == "softphone")
    assert softphone[5] == 29  # a number the spreadsheet can compute with, not "29,00"
    assert len(items) == price_list.items.count() + 1
    assert book["Fotnoter"].max_row == price_list.footnotes.count() + 1


# --- Amounts ----------------------------------------------------------------------------


@pytest.mark.parametrize("cell, amount", [
    ("35,00", D("35.00")), ("35.00", D("35.00")), ("35", D("35")), ("1 990", D("1990")),
    ("1\u00a0990,50", D("1990.50")), ("0,69", D("0.69")), ("35 kr", D("35")), ("", None), (None, None),
    (29, D("29")), (0.69, D("0.69")), (31.900000000000002, D("31.90")), (D("12.5"), D("12.50")),
])
def test_amounts_a_swede_or_a_spreadsheet_writes_are_read(cell, amount):
    assert parse_money(cell) == amount


@pytest.mark.parametrize("cell, message", [
    ("-5", "får inte vara negativt"), ("−5,00", "får inte vara negativt"), (-5.0, "får inte vara negativt"),
    ("abc", "är inte ett belopp"), ("35,00,1", "ett decimaltecken"), ("1.234,50", "ett decimaltecken"),
    ("1,234", "fler än två decimaler"), ("1.234", "fler än två decimaler"), ("35,005", "fler än två decimaler"),
    ("12 34", "är inte ett belopp"), ("100000000", "större än"), (True, "är inte ett belopp"),
])
def test_amounts_that_are_refused_say_why(cell, message):
    with pytest.raises(BadValue, match=message):
        parse_money(cell)


# --- Errors per row and column ----------------------------------------------------------


def softphone_row(price_list) -> int:
    """The spreadsheet row of Softphone in the export (the header is row 1)."""
    return next(i for i, r in enumerate(csv_rows(price_list), start=1) if r and r[0] == "softphone")


@pytest.mark.parametrize("column, value, letter, message", [
    ("Månadsavgift (kr)", "-29", "F", "Priset får inte vara negativt («-29»)."),
    ("Månadsavgift (kr)", "tjugonio", "F", "«tjugonio» är inte ett belopp: skriv till exempel 35,00 eller 35.00."),
    ("Startavgift (kr)", "1.234,50", "E", "ett decimaltecken"),
    ("Rörligt pris (kr)", "0,695", "G", "fler än två decimaler"),
    ("Fri mängd per månad", "-1", "H", "får inte vara negativt"),
    ("Pris på förfrågan", "kanske", "I", "«kanske»: skriv ja eller nej."),
    ("Avsnitt", "Diverse", "C", "«Diverse» är inte ett av Användartjänster"),
    ("Namn", "", "B", "Namnet saknas."),
    ("Sortering", "tre", "K", "«tre» är inte ett heltal."),
    ("Fotnot", "99", "J", "Fotnoten «99» finns inte bland fotnoterna."),
])
def test_each_bad_cell_is_named_by_row_and_column(draft, column, value, letter, message):
    sheet, errors = read(draft, edited_csv(draft, "softphone", column, value))
    assert sheet is None
    assert len(errors) == 1, errors
    _sheet, row, col, text = errors[0]
    assert (row, col) == (softphone_row(draft), f"{letter} ({column})")
    assert message in text


def test_an_unknown_code_is_refused_at_its_row(draft):
    sheet, errors = read(draft, edited_csv(draft, "softphone", "Kod", "softphone_pro"))
    assert sheet is None
    messages = [e[3] for e in errors]
    assert any("Okänd kod «softphone_pro»" in m for m in messages)
    assert ("CSV-filen", softphone_row(draft), "A (Kod)") in [e[:3] for e in errors]
    assert any("Artikeln «softphone» saknas i filen" in m for m in messages)


def test_a_duplicate_code_is_refused_at_its_second_row(draft):
    rows = csv_rows(draft)
    at = softphone_row(draft)
    rows.insert(at, list(rows[at - 1]))  # Softphone twice, one after the other
    sheet, errors = read(draft, csv_bytes(rows))
    assert sheet is None
    assert errors == [("CSV-filen", at + 1, "A (Kod)", f"Koden «softphone» finns redan på rad {at}.")]


def test_missing_columns_are_named(draft):
    rows = csv_rows(draft)
    at = rows[0].index("Månadsavgift (kr)")
    items_end = rows.index([])
    for row in rows[:items_end]:
        del row[at]
    sheet, errors = read(draft, csv_bytes(rows))
    assert sheet is None
    assert errors == [("CSV-filen", 1, "", "Kolumner saknas: Månadsavgift (kr).")]


def test_every_error_of_the_file_is_reported_at_once(draft):
    rows = csv_rows(draft)
    header = rows[0]
    rows[1][header.index("Månadsavgift (kr)")] = "-1"
    rows[2][header.index("Startavgift (kr)")] = "x"
    rows[3][header.index("Aktiv")] = ""
    sheet, errors = read(draft, csv_bytes(rows))
    assert [(e[1], e[2]) for e in errors] == [(2, "F (Månadsavgift (kr))"), (3, "E (Startavgift (kr))"), (4, "L (Aktiv)")]


def test_an_xlsx_without_the_footnotes_sheet_is_refused(draft):
    book = load_workbook(io.BytesIO(sheet_xlsx(*rows_of(draft))))
    del book["Fotnoter"]
    out = io.BytesIO()
    book.save(out)
    sheet, errors = read(draft, out.getvalue(), "lista.xlsx")
    assert sheet is None
    assert ("Fotnoter", None, "", "Bladet «Fotnoter» saknas i arbetsboken.") in errors


def test_a_file_that_is_no_spreadsheet_is_refused(draft):
    sheet, errors = read(draft, b"PK\x03\x04not a zip", "lista.xlsx")
    assert sheet is None and errors[0][3] == "Filen kunde inte läsas som en XLSX-arbetsbok."
    sheet, errors = read(draft, b"", "lista.csv")
    assert errors[0][3] == "Filen är tom."


def test_excel_in_windows_1252_with_commas_is_read(draft):
    text = sheet_csv(*rows_of(draft)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    out = io.StringIO()
    csv.writer(out, delimiter=",", lineterminator="\r\n").writerows(rows)
    sheet, errors = read(draft, out.getvalue().encode("cp1252"))
    assert errors == [] and len(sheet.items) == draft.items.count()


# --- Round trip and the write -----------------------------------------------------------


@pytest.mark.parametrize("name, export", [("lista.csv", sheet_csv), ("lista.xlsx", sheet_xlsx)])
def test_export_then_import_unchanged_changes_nothing(draft, name, export):
    sheet, errors = read(draft, export(*rows_of(draft)), name)
    assert errors == []
    from configurator.diff import list_diff

    assert list_diff(*rows_of(draft), sheet.items, sheet.footnotes).is_empty


def test_text_that_looks_like_a_formula_survives_the_round_trip(draft):
    note = draft.footnotes.first()
    note.text = "=SUMMA(A1) är inte en formel\n– andra raden"
    note.save()
    draft.refresh_from_db()
    for name, export in (("l.csv", sheet_csv), ("l.xlsx", sheet_xlsx)):
        data = export(*rows_of(draft))
        sheet, errors = read(draft, data, name)
        assert errors == []
        assert next(n for n in sheet.footnotes if n.ref == note.ref).text == note.text
    assert b"'=SUMMA" in sheet_csv(*rows_of(draft))


def test_the_import_writes_every_change_in_one_go_and_records_who(draft, admin_user):
    draft.refresh_from_db()
    rows = csv_rows(draft)
    header = rows[0]
    for row in rows[1:]:
        if row and row[0] == "softphone":
            row[header.index("Månadsavgift (kr)")] = "35.00"
        if row and row[0] == "mobile_user":
            row[header.index("Namn")] = "Mobil användare"
    notes_at = rows.index(["Fotnot", "Villkorsrubrik", "Text"])
    rows[notes_at + 1][2] = "En ny text."
    sheet, errors = read(draft, csv_bytes(rows))
    assert errors == []
    changed = price_list_import(price_list=draft, items=sheet.items, footnotes=sheet.footnotes,
                                expected_version=draft.version, user=admin_user)
    assert changed == 3
    draft.refresh_from_db()
    assert catalog_for(draft).items["softphone"].monthly == D("35.00")
    assert catalog_for(draft).items["mobile_user"].name == "Mobil användare"
    assert draft.footnotes.order_by("id").first().text == "En ny text."
    record = PriceItem.history.filter(price_list_id=draft.pk, code="softphone").latest("history_date")
    assert record.history_user == admin_user and record.monthly_fee == D("35.00")


def test_nothing_is_written_when_the_list_changed_since_the_preview(draft, admin_user):
    draft.refresh_from_db()
    sheet, _ = read(draft, edited_csv(draft, "softphone", "Månadsavgift (kr)", "35"))
    seen = draft.version
    PriceItem.objects.filter(price_list=draft, code="mobile_user").first().save()  # someone saves meanwhile
    with pytest.raises(PriceListNotChangeable, match="har ändrats sedan förhandsvisningen"):
        price_list_import(price_list=draft, items=sheet.items, footnotes=sheet.footnotes,
                          expected_version=seen, user=admin_user)
    assert draft.items.get(code="softphone").monthly_fee == D("29.00")


def test_a_list_in_force_is_never_imported_into(price_list, admin_user):
    sheet, _ = read(price_list, edited_csv(price_list, "softphone", "Månadsavgift (kr)", "35"))
    with pytest.raises(PriceListNotChangeable, match="gäller och kan inte ändras"):
        price_list_import(price_list=price_list, items=sheet.items, footnotes=sheet.footnotes,
                          expected_version=price_list.version, user=admin_user)
    assert price_list.items.get(code="softphone").monthly_fee == D("29.00")


def test_a_failure_half_way_leaves_nothing_written(draft, admin_user, monkeypatch):
    draft.refresh_from_db()
    rows = csv_rows(draft)
    header = rows[0]
    for row in rows[1:]:
        if row and row[0] in ("softphone", "mobile_user"):
            row[header.index("Månadsavgift (kr)")] = "1,00"
    notes_at = rows.index(["Fotnot", "Villkorsrubrik", "Text"])
    rows[notes_at + 1][2] = "Ändrad."
    sheet, _ = read(draft, csv_bytes(rows))
    import configurator.services as services

    real = services.bulk_update_with_history

    def footnotes_then_fail(objs, model, *args, **kwargs):
        real(objs, model, *args, **kwargs)
        if model is PriceItem:
            raise RuntimeError("database went away")

    monkeypatch.setattr(services, "bulk_update_with_history", footnotes_then_fail)
    with pytest.raises(RuntimeError):
        price_list_import(price_list=draft, items=sheet.items, footnotes=sheet.footnotes,
                          expected_version=draft.version, user=admin_user)
    assert draft.items.get(code="softphone").monthly_fee == D("29.00")
    assert draft.footnotes.order_by("id").first().text != "Ändrad."
    assert PriceList.objects.get(pk=draft.pk).version == draft.version


# --- Through the admin --------------------------------------------------------------------


def upload(client, price_list, data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return client.post(f"/admin/configurator/pricelist/{price_list.pk}/importera/", {"file": f})


def test_admin_round_trip_says_no_changes_and_offers_nothing_to_save(client, admin_user, draft):
    client.force_login(admin_user)
    data = client.get(f"/admin/configurator/pricelist/{draft.pk}/exportera.xlsx").content
    r = upload(client, draft, data, "höst.xlsx")
    html = r.content.decode()
    assert "Inga ändringar." in html and "Spara ändringarna" not in html


def test_admin_preview_then_confirm_writes_the_file(client, admin_user, draft):
    client.force_login(admin_user)
    r = upload(client, draft, edited_csv(draft, "softphone", "Månadsavgift (kr)", "35,50"), "höst.csv")
    html = r.content.decode()
    assert "1 artikel ändras" in html and "29\u00a0kr" in html and "35,50\u00a0kr" in html
    assert "+6,50\u00a0kr" in html and "+22,4\u00a0%" in html  # 6.50 / 29 = 22.41 %
    assert draft.items.get(code="softphone").monthly_fee == D("29.00")  # nothing written yet
    token = r.context["token"]
    r = client.post(f"/admin/configurator/pricelist/{draft.pk}/importera/bekrafta/", {"token": token}, follow=True)
    assert "Filen är importerad i Prislista höst (ändrade artiklar och fotnoter: 1)." in r.content.decode()
    assert draft.items.get(code="softphone").monthly_fee == D("35.50")
    # The same preview confirmed twice (a second tab, a retry) writes nothing more.
    r = client.post(f"/admin/configurator/pricelist/{draft.pk}/importera/bekrafta/", {"token": token}, follow=True)
    assert "har ändrats sedan förhandsvisningen" in r.content.decode()


def test_admin_shows_every_error_and_writes_nothing(client, admin_user, draft):
    client.force_login(admin_user)
    r = upload(client, draft, edited_csv(draft, "softphone", "Månadsavgift (kr)", "-5"), "höst.csv")
    html = r.content.decode()
    assert "höst.csv har 1 fel. Ingenting har sparats" in html
    assert "F (Månadsavgift (kr))" in html and "Priset får inte vara negativt" in html
    assert draft.items.get(code="softphone").monthly_fee == D("29.00")


def test_admin_refuses_importing_into_the_list_in_force(client, admin_user, price_list):
    client.force_login(admin_user)
    r = client.get(f"/admin/configurator/pricelist/{price_list.pk}/importera/")
    assert r.status_code == 200 and "gäller och kan inte ändras: kopiera den" in r.content.decode()
    r = upload(client, price_list, sheet_csv(*rows_of(price_list)), "lista.csv")
    assert "gäller och kan inte ändras" in r.content.decode() and "Spara ändringarna" not in r.content.decode()


def test_admin_forged_token_is_refused(client, admin_user, draft):
    client.force_login(admin_user)
    r = client.post(f"/admin/configurator/pricelist/{draft.pk}/importera/bekrafta/", {"token": "x:y"}, follow=True)
    assert "Förhandsvisningen kunde inte läsas" in r.content.decode()


def test_sellers_cannot_export_or_import(client, seller, draft):
    client.force_login(seller)
    assert client.get(f"/admin/configurator/pricelist/{draft.pk}/exportera.csv").status_code == 302  # to the admin log-in
    assert client.get(f"/admin/configurator/pricelist/{draft.pk}/importera/").status_code == 302


# --- Two confirmations at once ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_previews_confirmed_at_once_one_lands_and_the_other_is_refused(price_list, admin_user):
    """Two admins preview different files from the same draft and confirm at the same
    moment (threads, a lock on the list's row): one file lands whole, the other is refused
    as seen on a changed list — never both, never a mix. On the suite's in-memory SQLite
    the loser may instead be refused by the database's lock; nothing is written either way."""
    import threading

    from django.db import OperationalError, connection

    draft = price_list_copy(price_list=price_list, name="Prislista höst")
    draft.refresh_from_db()
    files = {
        "35": read(draft, edited_csv(draft, "softphone", "Månadsavgift (kr)", "35"))[0],
        "40": read(draft, edited_csv(draft, "softphone", "Månadsavgift (kr)", "40"))[0],
    }
    barrier = threading.Barrier(2, timeout=30)
    outcome = {}

    def confirm(price):
        try:
            barrier.wait()
            sheet = files[price]
            price_list_import(price_list=draft, items=sheet.items, footnotes=sheet.footnotes,
                              expected_version=draft.version, user=admin_user)
            outcome[price] = "landed"
        except PriceListNotChangeable:
            outcome[price] = "refused"
        except OperationalError:
            assert connection.vendor == "sqlite"
            outcome[price] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(p,)) for p in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcome.values()) == ["landed", "refused"], outcome
    winner = next(p for p, o in outcome.items() if o == "landed")
    assert PriceItem.objects.get(price_list=draft, code="softphone").monthly_fee == D(winner)
    assert PriceItem.history.filter(price_list_id=draft.pk, code="softphone", history_change_reason="import").count() == 1
    assert PriceList.objects.get(pk=draft.pk).version == draft.version + 1


def test_the_preview_shows_other_fields_as_the_admin_reads_them(client, admin_user, draft):
    client.force_login(admin_user)
    data = edited_csv(draft, "softphone", "Avsnitt", "Företagstjänster")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    header = rows[0]
    row = next(r for r in rows if r and r[0] == "softphone")
    row[header.index("Fri mängd per månad")] = "10000"
    row[header.index("Aktiv")] = "nej"
    html = upload(client, draft, csv_bytes(rows), "höst.csv").content.decode()
    assert "<td>Användartjänster</td><td>Företagstjänster</td>" in html
    assert "<td>–</td><td>10\u00a0000</td>" in html
    assert "<td>ja</td><td>nej</td>" in html


def test_columns_the_import_does_not_know_are_named_and_left_alone(client, admin_user, draft):
    client.force_login(admin_user)
    rows = csv_rows(draft)
    end = rows.index([])
    rows[0].append("Kommentar")
    for row in rows[1:end]:
        row.append("höjs i höst?")
    html = upload(client, draft, csv_bytes(rows), "höst.csv").content.decode()
    assert "Kolumner som inte lästes: M (Kommentar)" in html and "Inga ändringar." in html


def test_an_english_export_reads_in_a_swedish_session(draft):
    from django.utils import translation

    with translation.override("en"):
        data = sheet_csv(*rows_of(draft))
    sheet, errors = read(draft, data)
    assert errors == []
    from configurator.diff import list_diff

    assert list_diff(*rows_of(draft), sheet.items, sheet.footnotes).is_empty
