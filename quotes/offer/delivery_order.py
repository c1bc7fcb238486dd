"""The delivery order: what the delivery team needs once the customer has accepted.

Built from the quote's frozen snapshot (``quotes.offer.snapshot``), never from the live
price list or the draft's fields, so it is exactly the configuration the customer
accepted: customer and contact, users and their services, numbers and series,
integrations, the Svarsservice package, delivery and training, the contract's term, the
agreed prices (with their discounts, when the snapshot has them) and the SHA-256 of the
accepted documents.

One builder, three renderings:

- ``delivery_order(quote)``: JSON-ready data (schema 1, amounts as strings in kronor
  with two decimals, as the snapshot and the API write them). The ``quote.accepted``
  webhook carries it (``quotes.webhooks``), the seller's page offers it as a download,
  and the quotes API can call the same function;
- ``delivery_order_sections(order)``: the same facts as titled rows of Swedish text, for
  the seller's quote page and the spreadsheet;
- ``delivery_order_xlsx(order)``: a workbook for people (openpyxl): the order, and every
  priced line with list price, discount and net.

Schema 1::

    schema, quote {id, number, revision, reference, status, signed_at, accepted_at,
                   valid_until, price_list {id, name, valid_from, version}}
    customer {company_name, org_number, address, contact {name, email, phone}}
    accepted_by {name, title, at}            seller {name, email}
    users {count, services [{code, name, users, <prices>}]}
    numbers {mobile_numbers, fixed_numbers, function_numbers,
             number_series [{code, name, size, quantity}]}
    integrations [{code, name, auto_added, reason, users {addon code: n}, <prices>}]
    answering_service null | {code, name, package, agreed_price, <prices>}
    delivery {method {code, name, auto_added}, extra_config_cases,
              training {half_days, full_days, on_site, travel_cost}}
    contract {months, free_months, start, renewal, notice_period, delivery_time, accepted_on}
                   (start … delivery_time: the commercial terms frozen with the offer, or null)
    prices {lines [{code, name, section, billed_to, quantity, auto_added, manual, <prices>}],
            totals {...the snapshot's totals}, traffic_estimate [{code, name, quantity, amount}]}
    documents {offer_sha256, accepted_offer_sha256, accepted_pdf_sha256}
    customer_note

``<prices>`` are ``one_time_unit, monthly_unit, one_time_list, one_time_discount,
one_time, monthly_list, monthly_discount, monthly``: ``one_time`` and ``monthly`` are
the net amounts; without a discount the list amount equals the net and the discount is
``"0.00"``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from configurator.pricing import (
    ANSWERING_SERVICE_PREFIX,
    API_ACCESS,
    DELIVERY_OPTIONS,
    EXTRA_CONFIG,
    IMPLEMENTATIONS,
    NPS_SURVEY,
    PER_USER_ADDONS,
    TRAVEL_COST,
    USERS,
)
from configurator.sheets import spreadsheet_safe

from ..models import Quote
from ..numbering import STOCKHOLM
from ..stored_documents import _documents
from ..templatetags.money import format_money, format_number
from .snapshot import snapshot_check

SCHEMA_VERSION = 1
FIXED_NUMBER = "fixed_number"
FUNCTION_NUMBER = "function_number"
NUMBER_SERIES_PREFIX = "number_series_"
TRAINING_HALF_DAY, TRAINING_FULL_DAY = "training_half_day", "training_full_day"
ZERO = "0.00"


class DeliveryOrderUnavailable(ValueError):
    """The quote has no accepted configuration yet (only an accepted quote has an order)."""


def _prices(line: dict[str, Any]) -> dict[str, str]:
    """A line's unit prices and its list, discount and net amounts (the net is what the
    snapshot calls ``one_time``/``monthly``; list and discount default to no discount)."""
    return {
        "one_time_unit": line["one_time_unit"],
        "monthly_unit": line["monthly_unit"],
        "one_time_list": line.get("one_time_list") or line["one_time"],
        "one_time_discount": line.get("one_time_discount") or ZERO,
        "one_time": line["one_time"],
        "monthly_list": line.get("monthly_list") or line["monthly"],
        "monthly_discount": line.get("monthly_discount") or ZERO,
        "monthly": line["monthly"],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


COMMERCIAL_TERMS = ("contract_start", "renewal", "notice_period", "delivery_time")


def _commercial(snap: dict[str, Any]) -> dict[str, str | None]:
    """The commercial terms the offer was signed with (``commercial`` of the snapshot:
    contract start, renewal, notice period, delivery time); None where it has none."""
    terms = snap.get("commercial") or {}
    return {key: (str(terms[key]) if isinstance(terms, dict) and terms.get(key) else None) for key in COMMERCIAL_TERMS}


def accepted_snapshot(quote: Quote) -> dict[str, Any]:
    """What the customer accepted, frozen: the offer's snapshot, or, for an offer with
    alternatives or options, the snapshot of the choice frozen at acceptance
    (``accepted_pricing``, same schema) when the quote has one."""
    return getattr(quote, "accepted_pricing", None) or quote.snapshot


def accepted_pdf_sha256(quote: Quote) -> str:
    """The SHA-256 of the stored accepted offer (the signed offer + the acceptance page)."""
    if not quote.accepted_pdf:
        return ""
    return _documents().filter(name=quote.accepted_pdf.name).values_list("sha256", flat=True).first() or ""


def delivery_order(quote: Quote) -> dict[str, Any]:
    """The delivery order of an accepted ``quote`` (schema 1, JSON-ready), from its frozen
    snapshot. ``DeliveryOrderUnavailable`` for a quote the customer has not accepted.

    This is the one builder: the ``quote.accepted`` webhook, the seller's downloads and
    the quotes API all return what it returns."""
    if quote.status != Quote.Status.ACCEPTED or not quote.snapshot:
        raise DeliveryOrderUnavailable(_("Leveransordern finns när kunden har godkänt offerten."))
    snap = snapshot_check(accepted_snapshot(quote))
    lines: dict[str, dict[str, Any]] = {l["code"]: l for l in snap["lines"]}

    def qty(code: str) -> int:
        return int(lines[code]["quantity"]) if code in lines else 0

    users = qty(USERS)
    user_services = [
        {"code": USERS, "name": lines[USERS]["name"], "users": users, **_prices(lines[USERS])}
    ] if USERS in lines else []
    user_services += [
        {"code": code, "name": lines[code]["name"], "users": qty(code), **_prices(lines[code])}
        for code in PER_USER_ADDONS if code in lines
    ]
    series = [
        {
            "code": code,
            "name": line["name"],
            "size": int(code.removeprefix(NUMBER_SERIES_PREFIX)) if code.removeprefix(NUMBER_SERIES_PREFIX).isdigit() else None,
            "quantity": int(line["quantity"]),
        }
        for code, line in lines.items() if code.startswith(NUMBER_SERIES_PREFIX)
    ]
    integrations = []
    for code, line in lines.items():
        if code in IMPLEMENTATIONS:
            addon_users = {addon: qty(addon) for addon in IMPLEMENTATIONS[code] if addon in lines}
        elif code == API_ACCESS:
            addon_users = {USERS: users}  # footnote 7: API Access covers every user
        elif code == NPS_SURVEY:
            addon_users = {}
        else:
            continue
        integrations.append({
            "code": code, "name": line["name"], "auto_added": bool(line["auto_added"]),
            "reason": line["reason"], "users": addon_users, **_prices(line),
        })
    answering = next((l for c, l in lines.items() if c.startswith(ANSWERING_SERVICE_PREFIX)), None)
    method = next((lines[c] for c in DELIVERY_OPTIONS if c in lines), None)
    travel = lines.get(TRAVEL_COST)
    totals = snap["totals"]
    accepted_local = timezone.localtime(quote.accepted_at, STOCKHOLM) if quote.accepted_at else None
    price_list = snap["price_list"]
    commercial = _commercial(snap)
    return {
        "schema": SCHEMA_VERSION,
        "quote": {
            "id": quote.pk,
            "number": quote.number,
            "revision": quote.revision,
            "reference": quote.reference,
            "status": quote.status,
            "signed_at": snap["signed_at"],
            "accepted_at": _iso(quote.accepted_at),
            "valid_until": quote.valid_until.isoformat() if quote.valid_until else None,
            "price_list": {k: price_list.get(k) for k in ("id", "name", "valid_from", "version")},
        },
        "customer": {
            "company_name": snap["customer"]["company_name"],
            "org_number": snap["customer"]["org_number"],
            "address": snap["customer"]["address"],
            "contact": {
                "name": snap["customer"]["contact_name"],
                "email": snap["customer"]["contact_email"],
                "phone": snap["customer"]["contact_phone"],
            },
        },
        "accepted_by": {"name": quote.accepted_name, "title": quote.accepted_title, "at": _iso(quote.accepted_at)},
        "seller": {"name": snap["seller"]["name"], "email": snap["seller"]["email"]},
        "users": {"count": users, "services": user_services},
        "numbers": {
            "mobile_numbers": users,
            "fixed_numbers": qty(FIXED_NUMBER),
            "function_numbers": qty(FUNCTION_NUMBER),
            "number_series": series,
        },
        "integrations": integrations,
        "answering_service": None if answering is None else {
            "code": answering["code"],
            "name": answering["name"],
            "package": int(answering["code"].removeprefix(ANSWERING_SERVICE_PREFIX)),
            "agreed_price": bool(answering["manual"]),
            **_prices(answering),
        },
        "delivery": {
            "method": None if method is None else {
                "code": method["code"], "name": method["name"], "auto_added": bool(method["auto_added"]),
            },
            "extra_config_cases": qty(EXTRA_CONFIG),
            "training": {
                "half_days": qty(TRAINING_HALF_DAY),
                "full_days": qty(TRAINING_FULL_DAY),
                "on_site": bool(snap["on_site_training"]),
                "travel_cost": travel["one_time"] if travel else None,
            },
        },
        "contract": {
            "months": int(snap["contract_months"]),
            "free_months": int(totals.get("free_months") or 0),
            "start": commercial["contract_start"],
            "renewal": commercial["renewal"],
            "notice_period": commercial["notice_period"],
            "delivery_time": commercial["delivery_time"],
            "accepted_on": accepted_local.date().isoformat() if accepted_local else None,
        },
        "prices": {
            "lines": [
                {
                    "code": l["code"], "name": l["name"], "section": l["section"], "billed_to": l["billed_to"],
                    "quantity": int(l["quantity"]), "auto_added": bool(l["auto_added"]), "manual": bool(l["manual"]),
                    **_prices(l),
                }
                for l in snap["lines"]
            ],
            "totals": dict(totals),
            "traffic_estimate": [
                {"code": t["code"], "name": t["name"], "quantity": int(t["quantity"]), "amount": t["amount"]}
                for t in snap["traffic"]
            ],
        },
        "documents": {
            "offer_sha256": quote.pdf_sha256,
            "accepted_offer_sha256": quote.accepted_sha256,
            "accepted_pdf_sha256": accepted_pdf_sha256(quote),
        },
        "customer_note": snap["customer_note"],
    }


def delivery_order_json(order: dict[str, Any]) -> bytes:
    return json.dumps(order, ensure_ascii=False, indent=2).encode("utf-8")


def delivery_order_filename(quote: Quote, extension: str) -> str:
    return f"Leveransorder-{quote.number}-{quote.revision}.{extension}"


# --- For people: titled rows of Swedish text ---------------------------------------------


@dataclass(frozen=True)
class OrderSection:
    key: str
    title: str
    rows: tuple[tuple[str, str], ...]  # (label, value)


def _money(value: str | None) -> str:
    return format_money(Decimal(value)) if value not in (None, "") else "–"


def _with_discount(amount: str, listed: str, discount: str) -> str:
    """"2 225 kr" or "2 002,50 kr (lista 2 225 kr, rabatt 222,50 kr)"."""
    if Decimal(discount or ZERO):
        return _("%(net)s (listpris %(list)s, rabatt %(discount)s)") % {
            "net": _money(amount), "list": _money(listed), "discount": _money(discount),
        }
    return _money(amount)


def _users(n: int) -> str:
    return ngettext("%(n)s användare", "%(n)s användare", n) % {"n": format_number(n)}


def _when(value: str | None) -> str:
    if not value:
        return "–"
    return timezone.localtime(datetime.fromisoformat(value), STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def delivery_order_sections(order: dict[str, Any]) -> list[OrderSection]:
    """The order as titled rows of text: what the seller's page and the spreadsheet show."""
    q, c, d = order["quote"], order["customer"], order["delivery"]
    yes, no = _("Ja"), _("Nej")
    sections = [
        OrderSection("customer", _("Kund"), (
            (_("Företag"), c["company_name"]),
            (_("Organisationsnummer"), c["org_number"]),
            (_("Adress"), " · ".join(part.strip() for part in (c["address"] or "").splitlines() if part.strip()) or "–"),
            (_("Kontaktperson"), c["contact"]["name"]),
            (_("E-post"), c["contact"]["email"]),
            (_("Telefon"), c["contact"]["phone"] or "–"),
        )),
        OrderSection("contract", _("Avtal"), (
            (_("Offert"), q["reference"]),
            (_("Godkänd av"), ", ".join(p for p in (order["accepted_by"]["name"], order["accepted_by"]["title"]) if p)),
            (_("Godkänd"), _when(order["accepted_by"]["at"])),
            (_("Avtalstid"), _("%(n)s månader") % {"n": order["contract"]["months"]}),
            (_("Avtalsstart"), order["contract"]["start"] or _("Enligt överenskommelse vid leveransen")),
            *([(_("Leveranstid"), order["contract"]["delivery_time"])] if order["contract"].get("delivery_time") else []),
            *([(_("Förlängning"), order["contract"]["renewal"])] if order["contract"].get("renewal") else []),
            *([(_("Uppsägning"), order["contract"]["notice_period"])] if order["contract"].get("notice_period") else []),
            *([(_("Fria månader"), str(order["contract"]["free_months"]))] if order["contract"]["free_months"] else []),
            (_("Säljare"), ", ".join(p for p in (order["seller"]["name"], order["seller"]["email"]) if p)),
            (_("Prislista"), q["price_list"]["name"] or "–"),
        )),
        OrderSection("users", _("Användare och tjänster"), tuple(
            (s["name"], f"{_users(s['users'])} · {_with_discount(s['monthly'], s['monthly_list'], s['monthly_discount'])}/"
             + _("mån"))
            for s in order["users"]["services"]
        ) or ((_("Användare"), _users(0)),)),
        OrderSection("numbers", _("Nummer och nummerserier"), (
            (_("Mobilnummer"), format_number(order["numbers"]["mobile_numbers"])),
            (_("Fastnummer"), format_number(order["numbers"]["fixed_numbers"])),
            (_("Funktionsnummer"), format_number(order["numbers"]["function_numbers"])),
            *((s["name"], f"{s['quantity']} st") for s in order["numbers"]["number_series"]),
        )),
        OrderSection("integrations", _("Integrationer"), tuple(
            (i["name"], "; ".join(filter(None, (
                ", ".join(_users(n) for n in i["users"].values()) if i["users"] else "",
                _("tillagd automatiskt") if i["auto_added"] else "",
            ))) or _("Ja"))
            for i in order["integrations"]
        ) or ((_("Integrationer"), _("Inga")),)),
        OrderSection("answering", _("Telia Svarsservice"), (
            ((order["answering_service"]["name"],
              _with_discount(order["answering_service"]["monthly"], order["answering_service"]["monthly_list"],
                             order["answering_service"]["monthly_discount"]) + "/" + _("mån")
              + (" · " + _("överenskommet pris") if order["answering_service"]["agreed_price"] else "")),)
            if order["answering_service"] else ((_("Paket"), _("Ingen Svarsservice")),)
        )),
        OrderSection("delivery", _("Leverans och utbildning"), (
            (_("Leveranssätt"), d["method"]["name"] if d["method"] else "–"),
            (_("Ytterligare konfiguration"), ngettext("%(n)s ärende", "%(n)s ärenden", d["extra_config_cases"])
             % {"n": d["extra_config_cases"]}),
            (_("Utbildning halvdag"), str(d["training"]["half_days"])),
            (_("Utbildning heldag"), str(d["training"]["full_days"])),
            (_("Utbildning på plats"), yes if d["training"]["on_site"] else no),
            *([(_("Resekostnad"), _money(d["training"]["travel_cost"]))] if d["training"]["travel_cost"] else []),
        )),
    ]
    t = order["prices"]["totals"]
    price_rows = [
        (_("Engångsavgift"), _money(t["one_time"])),
        (_("Per månad"), _money(t["monthly"])),
        (_("Avtalsvärde"), _money(t["contract_value"])),
    ]
    if t.get("discount_total") and Decimal(t["discount_total"]):
        price_rows.append((_("Rabatt under avtalstiden"), _money(t["discount_total"])))
    sections.append(OrderSection("prices", _("Överenskomna priser (exkl. moms)"), tuple(price_rows)))
    docs = order["documents"]
    sections.append(OrderSection("documents", _("Dokument (SHA-256)"), (
        (_("Signerad offert"), docs["offer_sha256"] or "–"),
        (_("Godkänd offert (PDF)"), docs["accepted_pdf_sha256"] or "–"),
    )))
    return sections


# --- The workbook ------------------------------------------------------------------------


def delivery_order_xlsx(order: dict[str, Any]) -> bytes:
    """The order as a workbook: sheet "Leveransorder" (the sections, label and value) and
    sheet "Priser" (every line: quantity, list, discount and net, once and per month, as
    numbers). Text typed by people is kept from starting a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font


    def text(cell, value: str) -> None:
        cell.value = spreadsheet_safe(str(value))
        cell.data_type = TYPE_STRING

    book = Workbook()
    sheet = book.active
    sheet.title = _("Leveransorder")[:31]
    text(sheet.cell(row=1, column=1), _("Leveransorder %(ref)s") % {"ref": order["quote"]["reference"]})
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    r = 1
    for section in delivery_order_sections(order):
        r += 2
        text(sheet.cell(row=r, column=1), section.title)
        sheet.cell(row=r, column=1).font = Font(bold=True)
        for label, value in section.rows:
            r += 1
            text(sheet.cell(row=r, column=1), label)
            text(sheet.cell(row=r, column=2), value)
    sheet.column_dimensions["A"].width = 38
    sheet.column_dimensions["B"].width = 80

    prices = book.create_sheet(_("Priser")[:31])
    headers = [
        _("Kod"), _("Artikel"), _("Antal"), _("Engång, lista (kr)"), _("Engång, rabatt (kr)"), _("Engång (kr)"),
        _("Per månad, lista (kr)"), _("Per månad, rabatt (kr)"), _("Per månad (kr)"),
    ]
    prices.append(headers)
    for cell in prices[1]:
        cell.font = Font(bold=True)
    money_keys = ("one_time_list", "one_time_discount", "one_time", "monthly_list", "monthly_discount", "monthly")
    for line in order["prices"]["lines"]:
        prices.append([None, None, line["quantity"], *(Decimal(line[k]) for k in money_keys)])
        r = prices.max_row
        text(prices.cell(row=r, column=1), line["code"])
        text(prices.cell(row=r, column=2), line["name"])
        for col in range(4, 10):
            prices.cell(row=r, column=col).number_format = "#,##0.00"
    t = order["prices"]["totals"]
    # The totals under their columns: one-time under "Engång", monthly under "Per månad".
    r = prices.max_row + 1
    for label, amounts in (
        (_("Summa (efter all rabatt)"), {6: t["one_time"], 9: t["monthly"]}),
        (_("Avtalsvärde"), {6: t["contract_value"]}),
    ):
        r += 1
        text(prices.cell(row=r, column=2), label)
        prices.cell(row=r, column=2).font = Font(bold=True)
        for col, amount in amounts.items():
            prices.cell(row=r, column=col, value=Decimal(amount)).number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHI", (22, 44, 8, 16, 16, 14, 18, 18, 14)):
        prices.column_dimensions[letter].width = width
    prices.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
