"""Price lists as spreadsheets: export to XLSX and CSV, and read such a file back.

A thin layer over openpyxl (already used for the quote list's export) and the standard
``csv`` module rather than django-import-export: the file is two small tables (items and
footnotes) compared as a whole with a draft, every error is reported at once by row and
column, and nothing is written until the admin confirms the preview — import-export's
row-by-row resources and its own confirm step would have to be bent to all three.

The file
    XLSX: a sheet "Artiklar" and a sheet "Fotnoter", a header row each.
    CSV: the items' header and rows, an empty row, then the footnotes' header and rows.
    Swedish CSV is ``;``-separated with a decimal comma (as Excel writes it in Sweden),
    UTF-8 with a BOM; reading also takes ``,`` or tab, and Windows-1252.

Amounts (``parse_money``): a decimal comma or a decimal point ("35,00" and "35.00" are
the same), at most two decimals, thousands only grouped with spaces ("1 990"); "1.234"
and "1,234,50" are refused (never guessed as thousands). Empty means no price. Never
negative. Yes/no columns take "ja" or "nej".

Reading checks the file against the draft it goes into (``sheet_check``): every item
code and footnote of the draft once, nothing else (items and footnotes are added or
removed in the admin, where a code is chosen once), each item's footnote among them.

Text that a spreadsheet would run as a formula is written with a leading ``'`` (as the
quote list's export does) and read back without it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .diff import FootnoteRow, ItemRow
from .models import PriceItem, PriceList

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_AMOUNT = Decimal("99999999.99")  # PriceItem's max_digits=10, decimal_places=2

ITEMS_SHEET = gettext_noop("Artiklar")
FOOTNOTES_SHEET = gettext_noop("Fotnoter")


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # the Swedish msgid
    kind: str  # code, text, section, billed_to, money, int, quota, bool, ref, longtext


ITEM_COLUMNS = (
    Column("code", gettext_noop("Kod"), "code"),
    Column("name", gettext_noop("Namn"), "text"),
    Column("section", gettext_noop("Avsnitt"), "section"),
    Column("billed_to", gettext_noop("Faktureras"), "billed_to"),
    Column("one_time", gettext_noop("Startavgift (kr)"), "money"),
    Column("monthly", gettext_noop("Månadsavgift (kr)"), "money"),
    Column("usage_price", gettext_noop("Rörligt pris (kr)"), "money"),
    Column("free_quota", gettext_noop("Fri mängd per månad"), "quota"),
    Column("price_on_request", gettext_noop("Pris på förfrågan"), "bool"),
    Column("footnote", gettext_noop("Fotnot"), "footref"),
    Column("sort_order", gettext_noop("Sortering"), "int"),
    Column("active", gettext_noop("Aktiv"), "bool"),
)
FOOTNOTE_COLUMNS = (
    Column("ref", gettext_noop("Fotnot"), "ref"),
    Column("term_title", gettext_noop("Villkorsrubrik"), "title"),
    Column("text", gettext_noop("Text"), "longtext"),
)


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as typed: a leading ``'`` when it would start a formula.
    The one rule for every file the app writes (price lists, the quote list, the
    delivery order)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unsafe(text: str) -> str:
    """The text ``spreadsheet_safe`` wrote, without its leading ``'``."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


# --- Export -----------------------------------------------------------------------------


def _cell(value, kind: str):
    """A row's value as the file shows it: labels for choices, ja/nej, Decimal amounts."""
    if value is None:
        return None
    if kind == "section":
        return str(PriceItem.Section(value).label)
    if kind == "billed_to":
        return str(PriceItem.BilledTo(value).label)
    if kind == "bool":
        return _("ja") if value else _("nej")
    if kind in ("money", "int", "quota"):
        return value
    return spreadsheet_safe(str(value)) if value != "" else None


def _item_values(row: ItemRow) -> list:
    return [_cell(getattr(row, c.key), c.kind) for c in ITEM_COLUMNS]


def _footnote_values(row: FootnoteRow) -> list:
    return [_cell(getattr(row, c.key), c.kind) for c in FOOTNOTE_COLUMNS]


def sheet_xlsx(items: Iterable[ItemRow], footnotes: Iterable[FootnoteRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    tables = (
        (book.active, _(ITEMS_SHEET), ITEM_COLUMNS, [_item_values(r) for r in items],
         [14, 40, 30, 20, 16, 16, 16, 12, 12, 10, 10, 8]),
        (book.create_sheet(), _(FOOTNOTES_SHEET), FOOTNOTE_COLUMNS, [_footnote_values(r) for r in footnotes],
         [12, 30, 100]),
    )
    for sheet, title, cols, rows, widths in tables:
        sheet.title = title[:31]
        sheet.append([_(c.title) for c in cols])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in rows:
            sheet.append([None] * len(cols))
            r = sheet.max_row
            for i, (value, col) in enumerate(zip(values, cols), start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=i)
                if col.kind == "money":
                    cell.value = Decimal(value)
                    cell.number_format = "0.00"
                elif col.kind in ("int", "quota"):
                    cell.value = int(value)
                else:
                    cell.value = str(value)
                    cell.data_type = TYPE_STRING  # never a formula
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value):.2f}".replace(".", ",")
    return str(value)


def sheet_csv(items: Iterable[ItemRow], footnotes: Iterable[FootnoteRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_(c.title) for c in ITEM_COLUMNS])
    for row in items:
        writer.writerow([_csv_text(v, c.kind) for v, c in zip(_item_values(row), ITEM_COLUMNS)])
    writer.writerow([])
    writer.writerow([_(c.title) for c in FOOTNOTE_COLUMNS])
    for row in footnotes:
        writer.writerow([_csv_text(v, c.kind) for v, c in zip(_footnote_values(row), FOOTNOTE_COLUMNS)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- Reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """One problem of the file: where (sheet, row as the spreadsheet numbers it, column
    letter and title) and what."""

    sheet: str
    row: int | None
    column: str  # "E (Månadsavgift (kr))", or "" for the whole row or file
    message: str


@dataclass(frozen=True)
class SheetFile:
    items: tuple[ItemRow, ...]
    footnotes: tuple[FootnoteRow, ...]
    ignored_columns: tuple[str, ...] = ()
    # Where each code and footnote reference is in the file: (sheet, row, column).
    code_cells: dict = field(default_factory=dict)
    ref_cells: dict = field(default_factory=dict)


class BadValue(ValueError):
    pass


def parse_money(value) -> Decimal | None:
    """An amount in kronor from a cell (see the module's docstring for what is taken)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(_("«%(value)s» är inte ett belopp: skriv till exempel 35,00 eller 35.00.") % {"value": value})
    if isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value))
        if isinstance(value, float):  # a spreadsheet's arithmetic: 31.900000000000002
            rounded = amount.quantize(Decimal("0.01"))
            if abs(amount - rounded) < Decimal("0.000001"):
                amount = rounded
        text = str(value)
        if not amount.is_finite():
            raise BadValue(_("«%(value)s» är inte ett belopp: skriv till exempel 35,00 eller 35.00.") % {"value": text})
    else:
        text = str(value).replace("\u00a0", " ").replace("\u202f", " ").strip()
        if text.lower().endswith("kr"):
            text = text[:-2].strip()
        if text == "":
            return None
        body = text.lstrip("-−").strip()
        if body != text:
            try:
                parse_money(body)
            except BadValue:
                raise BadValue(_("«%(value)s» är inte ett belopp: skriv till exempel 35,00 eller 35.00.") % {"value": text})
            raise BadValue(_("Priset får inte vara negativt («%(value)s»).") % {"value": text})
        if "," in text and "." in text or text.count(",") > 1 or text.count(".") > 1:
            raise BadValue(
                _("«%(value)s»: skriv beloppet med ett decimaltecken och utan punkt eller komma mellan tusental (1234,50 eller 1 234,50).")
                % {"value": text}
            )
        if not re.fullmatch(r"(\d{1,3}( \d{3})+|\d+)([.,]\d+)?", text):
            raise BadValue(_("«%(value)s» är inte ett belopp: skriv till exempel 35,00 eller 35.00.") % {"value": text})
        amount = Decimal(text.replace(" ", "").replace(",", "."))
    if amount < 0:
        raise BadValue(_("Priset får inte vara negativt («%(value)s»).") % {"value": text})
    if amount != amount.quantize(Decimal("0.01")):
        raise BadValue(
            _("«%(value)s» har fler än två decimaler (om det är tusental: skriv 1234 eller 1 234, utan punkt eller komma).")
            % {"value": text}
        )
    if amount > MAX_AMOUNT:
        raise BadValue(_("«%(value)s» är större än 99 999 999,99 kr.") % {"value": text})
    return amount.quantize(Decimal("0.01"))


def _parse_int(value, *, required: bool) -> int | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise BadValue(_("Ange ett heltal (0 eller större)."))
        return None
    if isinstance(value, bool):
        raise BadValue(_("«%(value)s» är inte ett heltal.") % {"value": value})
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u00a0", "").replace(" ", "").strip()
    if not re.fullmatch(r"-?\d+", text):
        raise BadValue(_("«%(value)s» är inte ett heltal.") % {"value": value})
    number = int(text)
    if number < 0:
        raise BadValue(_("«%(value)s»: talet får inte vara negativt.") % {"value": value})
    if number > 2_147_483_647:
        raise BadValue(_("«%(value)s» är för stort.") % {"value": value})
    return number


YES = {"ja", "j", "yes", "y", "true", "sant", "1", "x"}
NO = {"nej", "n", "no", "false", "falskt", "0"}


def _parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    if text == "":
        raise BadValue(_("Skriv ja eller nej."))
    raise BadValue(_("«%(value)s»: skriv ja eller nej.") % {"value": value})


def _names(msgid) -> set[str]:
    """A header, sheet name or label as it reads in any of the app's languages
    (casefolded): a file exported in English reads in a Swedish session and back."""
    from django.utils import translation

    names = {str(msgid).casefold(), str(_(msgid)).casefold()}
    for language in ("sv", "en"):
        with translation.override(language):
            names.add(str(_(msgid)).casefold())
    return names


def _parse_choice(value, choices) -> str:
    """A choice by its code or its label, in Swedish or English (a file exported in either
    language reads in both)."""
    text = "" if value is None else str(value).strip()
    for code, label in choices:
        if text.casefold() == code.casefold() or text.casefold() in _names(label):
            return code
    allowed = ", ".join(str(label) for _code, label in choices)
    if not text:
        raise BadValue(_("Saknas: ett av %(allowed)s.") % {"allowed": allowed})
    raise BadValue(_("«%(value)s» är inte ett av %(allowed)s.") % {"value": text, "allowed": allowed})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a reference typed as a number: 4, not 4.0
    return _unsafe(str(value)).replace("\r\n", "\n").strip()


def _parse_cell(value, col: Column):
    kind = col.kind
    if kind == "money":
        return parse_money(value)
    if kind == "int":
        return _parse_int(value, required=True)
    if kind == "quota":
        return _parse_int(value, required=False)
    if kind == "bool":
        return _parse_bool(value)
    if kind == "section":
        return _parse_choice(value, PriceItem.Section.choices)
    if kind == "billed_to":
        return _parse_choice(value, PriceItem.BilledTo.choices)
    text = _text(value)
    if kind == "code":
        if not text:
            raise BadValue(_("Koden saknas."))
        return text
    if kind == "text":
        if not text:
            raise BadValue(_("Namnet saknas."))
        if len(text) > 200:
            raise BadValue(_("Högst 200 tecken (här %(n)s).") % {"n": len(text)})
        return text
    if kind == "ref":
        if not text:
            raise BadValue(_("Fotnotens beteckning saknas."))
        return text
    if kind == "title":
        if len(text) > 200:
            raise BadValue(_("Högst 200 tecken (här %(n)s).") % {"n": len(text)})
        return text
    if kind == "longtext":
        if not text:
            raise BadValue(_("Texten saknas."))
        return text
    return text  # footref: checked against the footnotes later


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


class _Table:
    """One table of the file: its sheet name, header row number, header cells and rows
    (row number as the spreadsheet shows it, cell values)."""

    def __init__(self, sheet: str, header_row: int, header: list, rows: list[tuple[int, list]]):
        self.sheet, self.header_row, self.header, self.rows = sheet, header_row, header, rows


def _read_table(table: _Table, columns: tuple[Column, ...], errors: list[CellError]):
    """Rows of ``table`` as dicts of parsed values; the errors of every cell."""
    titles = {name: c for c in columns for name in _names(c.title)}
    positions: dict[str, int] = {}
    ignored = []
    for i, cell in enumerate(table.header):
        title = _text(cell)
        if not title:
            continue
        col = titles.get(title.casefold())
        if col is None:
            ignored.append(f"{_letter(i)} ({title})")
        elif col.key in positions:
            errors.append(CellError(table.sheet, table.header_row, f"{_letter(i)} ({title})",
                                    _("Kolumnen finns två gånger.")))
        else:
            positions[col.key] = i
    missing = [_(c.title) for c in columns if c.key not in positions]
    if missing:
        errors.append(CellError(table.sheet, table.header_row, "",
                                _("Kolumner saknas: %(columns)s.") % {"columns": ", ".join(missing)}))
        return [], ignored
    parsed = []
    for number, cells in table.rows:
        values, ok = {}, True
        for col in columns:
            i = positions[col.key]
            raw = cells[i] if i < len(cells) else None
            try:
                values[col.key] = _parse_cell(raw, col)
            except BadValue as e:
                ok = False
                errors.append(CellError(table.sheet, number, f"{_letter(i)} ({_(col.title)})", str(e)))
        parsed.append((number, values if ok else None, positions))
    return parsed, ignored


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _tables_from_xlsx(data: bytes, errors: list[CellError]) -> tuple[_Table | None, _Table | None]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a zip that is not a workbook, a damaged file
        errors.append(CellError("", None, "", _("Filen kunde inte läsas som en XLSX-arbetsbok.")))
        return None, None
    tables = []
    for title in (ITEMS_SHEET, FOOTNOTES_SHEET):
        name = next((n for n in book.sheetnames if n.casefold() in _names(title)), None)
        if name is None:
            errors.append(CellError(_(title), None, "", _("Bladet «%(sheet)s» saknas i arbetsboken.") % {"sheet": _(title)}))
            tables.append(None)
            continue
        rows = list(book[name].iter_rows(values_only=True, max_row=MAX_ROWS + 2))
        header_at = next((i for i, r in enumerate(rows) if not _blank(r)), None)
        if header_at is None:
            errors.append(CellError(name, None, "", _("Bladet är tomt: rubrikraden saknas.")))
            tables.append(None)
            continue
        body = [(i + 1, list(r)) for i, r in enumerate(rows) if i > header_at and not _blank(r)]
        tables.append(_Table(name, header_at + 1, list(rows[header_at]), body))
    book.close()
    return tables[0], tables[1]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _tables_from_csv(data: bytes, errors: list[CellError]) -> tuple[_Table | None, _Table | None]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    sheet = _("CSV-filen")
    # Records are numbered as a spreadsheet shows the file: one row per record.
    numbered = [(i + 1, r) for i, r in enumerate(records)]
    start = next((k for k, (_n, r) in enumerate(numbered) if not _blank(r)), None)
    if start is None:
        errors.append(CellError(sheet, None, "", _("Filen är tom.")))
        return None, None
    # The items' block ends at the first empty row; the footnotes' block follows it.
    end = next((k for k in range(start + 1, len(numbered)) if _blank(numbered[k][1])), len(numbered))
    items = _Table(sheet, numbered[start][0], numbered[start][1], numbered[start + 1:end])
    rest = next((k for k in range(end, len(numbered)) if not _blank(numbered[k][1])), None)
    if rest is None:
        errors.append(CellError(sheet, None, "", _("Fotnoterna saknas: efter artiklarna en tom rad, sedan rubrikraden «Fotnot;Villkorsrubrik;Text» och en rad per fotnot.")))
        return items, None
    notes = _Table(sheet, numbered[rest][0], numbered[rest][1],
                   [(n, r) for n, r in numbered[rest + 1:] if not _blank(r)])
    return items, notes


def sheet_read(data: bytes, filename: str = "") -> tuple[SheetFile | None, list[CellError]]:
    """The file's items and footnotes, or None and every error found (each cell's)."""
    errors: list[CellError] = []
    if not data:
        return None, [CellError("", None, "", _("Filen är tom."))]
    if len(data) > MAX_BYTES:
        return None, [CellError("", None, "", _("Filen är större än 5 MB."))]
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            return None, [CellError("", None, "", _("Filen kunde inte läsas som en XLSX-arbetsbok."))]
        item_table, note_table = _tables_from_xlsx(data, errors)
    else:
        item_table, note_table = _tables_from_csv(data, errors)
    for table in (item_table, note_table):
        if table is not None and len(table.rows) > MAX_ROWS:
            errors.append(CellError(table.sheet, None, "", _("Högst %(n)s rader.") % {"n": MAX_ROWS}))
            return None, errors
    item_rows, ignored = _read_table(item_table, ITEM_COLUMNS, errors) if item_table else ([], [])
    note_rows, ignored_notes = _read_table(note_table, FOOTNOTE_COLUMNS, errors) if note_table else ([], [])

    refs: dict[str, int] = {}
    ref_cells: dict = {}
    code_cells: dict = {}
    notes = []
    for number, values, positions in note_rows:
        if values is None:
            continue
        if values["ref"] in refs:
            errors.append(CellError(note_table.sheet, number, f"{_letter(positions['ref'])} ({_('Fotnot')})",
                                    _("Fotnoten «%(ref)s» finns redan på rad %(row)s.") % {"ref": values["ref"], "row": refs[values["ref"]]}))
            continue
        refs[values["ref"]] = number
        ref_cells[values["ref"]] = (note_table.sheet, number, f"{_letter(positions['ref'])} ({_('Fotnot')})")
        notes.append(FootnoteRow(**values))
    codes: dict[str, int] = {}
    items = []
    for number, values, positions in item_rows:
        if values is None:
            continue
        if values["code"] in codes:
            errors.append(CellError(item_table.sheet, number, f"{_letter(positions['code'])} ({_('Kod')})",
                                    _("Koden «%(code)s» finns redan på rad %(row)s.") % {"code": values["code"], "row": codes[values["code"]]}))
            continue
        codes[values["code"]] = number
        code_cells[values["code"]] = (item_table.sheet, number, f"{_letter(positions['code'])} ({_('Kod')})")
        if values["footnote"] and note_table is not None and values["footnote"] not in refs:
            errors.append(CellError(item_table.sheet, number, f"{_letter(positions['footnote'])} ({_('Fotnot')})",
                                    _("Fotnoten «%(ref)s» finns inte bland fotnoterna.") % {"ref": values["footnote"]}))
            continue
        items.append(ItemRow(**values))
    if errors:
        return None, errors
    return SheetFile(items=tuple(items), footnotes=tuple(notes), ignored_columns=tuple(ignored + ignored_notes),
                     code_cells=code_cells, ref_cells=ref_cells), []


def sheet_check(sheet: SheetFile, *, items: Iterable[ItemRow], footnotes: Iterable[FootnoteRow]) -> list[CellError]:
    """The file against the draft it goes into: the same item codes and footnotes."""
    errors = []
    codes = {r.code for r in items}
    refs = {n.ref for n in footnotes}
    file_codes = {r.code for r in sheet.items}
    file_refs = {n.ref for n in sheet.footnotes}
    item_sheet = next(iter(sheet.code_cells.values()), (_(ITEMS_SHEET),))[0]
    note_sheet = next(iter(sheet.ref_cells.values()), (_(FOOTNOTES_SHEET),))[0]
    for row in sheet.items:
        if row.code not in codes:
            errors.append(CellError(*sheet.code_cells.get(row.code, (item_sheet, None, _("Kod"))),
                                    _("Okänd kod «%(code)s»: prislistan har ingen sådan artikel (nya artiklar läggs till i admin).") % {"code": row.code}))
    for code in sorted(codes - file_codes):
        errors.append(CellError(item_sheet, None, _("Kod"),
                                _("Artikeln «%(code)s» saknas i filen (ta inte bort rader: sätt Aktiv till nej).") % {"code": code}))
    for note in sheet.footnotes:
        if note.ref not in refs:
            errors.append(CellError(*sheet.ref_cells.get(note.ref, (note_sheet, None, _("Fotnot"))),
                                    _("Okänd fotnot «%(ref)s»: prislistan har ingen sådan (nya fotnoter läggs till i admin).") % {"ref": note.ref}))
    for ref in sorted(refs - file_refs):
        errors.append(CellError(note_sheet, None, _("Fotnot"), _("Fotnoten «%(ref)s» saknas i filen.") % {"ref": ref}))
    return errors


# --- From the preview to the confirmation -------------------------------------------------

TOKEN_SALT = "configurator.sheets.import"
TOKEN_MAX_AGE = 60 * 60  # seconds a preview can be confirmed


def sheet_token(*, price_list: PriceList, sheet: SheetFile) -> str:
    """The checked file, signed, for the preview's confirm button: the draft's id and the
    version the preview was computed on, and every row (amounts as text)."""
    from django.core import signing

    def money(v):
        return None if v is None else str(v)

    return signing.dumps(
        {
            "list": price_list.pk,
            "version": price_list.version,
            "items": [
                [r.code, r.name, r.section, r.billed_to, money(r.one_time), money(r.monthly),
                 money(r.usage_price), r.free_quota, r.price_on_request, r.footnote, r.sort_order, r.active]
                for r in sheet.items
            ],
            "notes": [[n.ref, n.term_title, n.text] for n in sheet.footnotes],
        },
        salt=TOKEN_SALT,
        compress=True,
    )


def sheet_from_token(token: str) -> tuple[int, int, SheetFile]:
    """(price list id, version, file) of a token; ``django.core.signing.BadSignature``
    (``SignatureExpired`` after an hour) when it is not one of ours."""
    from django.core import signing

    data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)

    def money(v):
        return None if v is None else Decimal(v)

    items = tuple(
        ItemRow(code=c, name=n, section=s, billed_to=b, one_time=money(o), monthly=money(m),
                usage_price=money(u), free_quota=q, price_on_request=p, footnote=f, sort_order=so, active=a)
        for c, n, s, b, o, m, u, q, p, f, so, a in data["items"]
    )
    notes = tuple(FootnoteRow(ref=r, term_title=t, text=x) for r, t, x in data["notes"])
    return data["list"], data["version"], SheetFile(items=items, footnotes=notes)
