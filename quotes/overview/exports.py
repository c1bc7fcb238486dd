"""The quote list as a spreadsheet: CSV and XLSX, with the list's filters.

Customer text (company, contact, a declined offer's reason…) is typed by sellers and
customers, and a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before one) as a formula. As OWASP advises against CSV
injection, such a cell is written with a leading ``'`` so it stays text; amounts and
dates are written as numbers and dates, never as text.

Amounts are excl. VAT: a signed quote's frozen totals, a draft priced live (as the list
shows them). The CSV is for Excel in the user's language: Swedish uses ``;`` between
fields and a decimal comma, English ``,`` and a decimal point; UTF-8 with a BOM so Excel
reads å, ä and ö.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from configurator.sheets import spreadsheet_safe

from ..draft.selectors import quote_list_totals
from ..models import Quote
from ..numbering import STOCKHOLM
from ..offer.services import quote_effective_status

CHUNK = 500


@dataclass(frozen=True)
class Column:
    title: str
    kind: str  # "text", "money", "date"


def columns() -> list[Column]:
    return [
        Column(_("Offert"), "text"),
        Column(_("Kund"), "text"),
        Column(_("Organisationsnummer"), "text"),
        Column(_("Kontaktperson"), "text"),
        Column(_("E-post"), "text"),
        Column(_("Status"), "text"),
        Column(_("Säljare"), "text"),
        Column(_("Skapad"), "date"),
        Column(_("Signerad"), "date"),
        Column(_("Giltig till"), "date"),
        Column(_("Accepterad"), "date"),
        Column(_("Engångsavgift (kr)"), "money"),
        Column(_("Per månad (kr)"), "money"),
        Column(_("Avtalsvärde (kr)"), "money"),
    ]


def _day(moment) -> date | None:
    return timezone.localtime(moment, STOCKHOLM).date() if moment else None


def export_rows(quotes: Iterable[Quote]) -> Iterator[list]:
    """One row per quote, in the list's order, values typed (str, date, Decimal, None)."""
    statuses = dict(Quote.Status.choices)
    chunk: list[Quote] = []

    def flush():
        totals = quote_list_totals(chunk)
        for q in chunk:
            t = totals.get(q.pk)
            yield [
                q.reference,
                q.company_name,
                q.org_number,
                q.contact_name,
                q.contact_email,
                str(statuses[quote_effective_status(q)]),
                q.owner.get_full_name() or q.owner.get_username(),
                _day(q.created_at),
                _day(q.signed_at),
                q.valid_until,
                _day(q.accepted_at),
                t.one_time if t else None,
                t.monthly if t else None,
                q.contract_value if q.contract_value is not None else (t.contract_value if t else None),
            ]

    for quote in quotes.iterator(chunk_size=CHUNK) if hasattr(quotes, "iterator") else quotes:
        chunk.append(quote)
        if len(chunk) == CHUNK:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


def _csv_value(value, kind: str, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if kind == "money":
        text = f"{Decimal(value):.2f}"
        return text.replace(".", ",") if decimal_comma else text
    if kind == "date":
        return value.isoformat()
    return spreadsheet_safe(str(value))


def quotes_csv(quotes) -> bytes:
    swedish = not (get_language() or "sv").startswith("en")
    cols = columns()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if swedish else ",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(c.title) for c in cols])
    for row in export_rows(quotes):
        writer.writerow([_csv_value(v, c.kind, swedish) for v, c in zip(row, cols)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def quotes_xlsx(quotes) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cols = columns()
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = _("Offerter")[:31]
    sheet.append([c.title for c in cols])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in export_rows(quotes):
        sheet.append([None] * len(cols))
        r = sheet.max_row
        for i, (value, col) in enumerate(zip(values, cols), start=1):
            if value is None:
                continue
            cell = sheet.cell(row=r, column=i)
            if col.kind == "text":
                cell.value = spreadsheet_safe(str(value))
                cell.data_type = TYPE_STRING  # never a formula, whatever openpyxl guesses
            elif col.kind == "money":
                cell.value = Decimal(value)
                cell.number_format = "#,##0.00"
            else:
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
    widths = [18, 30, 16, 22, 30, 12, 20, 12, 12, 12, 12, 16, 14, 16]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
