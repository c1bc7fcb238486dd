"""The frozen offer: what a signed quote says, in a schema of its own.

``snapshot_build`` writes, once, when the seller signs, everything the offer shows:
lines, traffic, totals, the terms (words and headings), the traffic tariffs, the
customer, the seller and the price list's version. It is independent of the JSON API's
answer: changing the API never changes what a signed offer reads back. The same function
also describes a draft (no signer, no signing time), so a draft and a signed offer are
read by one reader (``quotes.offer.document``) and cannot be grouped two ways.

Schema version 2 (``"schema": 2``); amounts are strings in kronor with two decimals::

    schema, signed_at (ISO or null), contract_months, customer_note, on_site_training
    price_list {id, name, valid_from, version, vat_rate}
    customer {company_name, org_number, contact_name, contact_email, contact_phone, address}
    seller {name, email, phone, company {name, org_number, address, vat_number, f_tax}}
    lines [{code, name, section, billed_to, quantity, monthly_quantity, one_time_unit,
            monthly_unit, one_time, monthly, auto_added, reason, manual, footnote,
            one_time_list, monthly_list, one_time_discount, monthly_discount}]
            (one_time and monthly are net of the line's discount; the *_list and
            *_discount keys were added with discounts: a snapshot without them has none)
    traffic [{code, name, quantity, billable_quantity, unit_price, amount, footnote}]
    totals {one_time, monthly, monthly_mobile, monthly_company, traffic_monthly, vat_rate,
            one_time_vat, monthly_vat, one_time_incl_vat, monthly_incl_vat,
            contract_months, contract_value, + DISCOUNT_TOTALS_FIELDS (optional, as above)}
    discounts {…}                    the discounts as negotiated (the API's object; optional)
    terms [{ref, title, text}]       the footnotes that apply, in the price list's order
    tariffs [{code, name, unit_price, free_quota, footnote}]   the whole traffic tariff
    commercial {payment_terms, invoicing_period, contract_start, renewal, notice_period,
                delivery_time, general_terms {name, url}}
    choices {shown, alternatives, options, catalog}   only on a quote with alternatives or
            options ("Tillval"; ``quotes.choices``), added November 2026 (a snapshot
            without it reads as before):
        shown {alternative (index or null), options [codes]}   the choice that lines and
            totals above describe: a signed offer's first alternative without options,
            the customer's choice in ``Quote.accepted_pricing``
        alternatives [{name, items, manual_prices, lines [{code, name, quantity,
            auto_added}], totals {as above}}]   each alternative without options
        options [{code, name, quantity, prices [{one_time, monthly, contract_value,
            adds [names]}]}]   what ticking it adds to each alternative (one entry when
            there are none), as the engine computes it; ``adds``: the lines the engine
            brings along (an implementation)
        catalog {price_list_id, name, valid_from, vat_rate, items [...], footnotes,
            term_titles}   the price list's items any choice needs, frozen: the customer's
            choice is priced with the prices the offer was signed with
    terms then covers every choice (each alternative with every option).

``seller.company`` and ``commercial`` come from the admin's *Offertvillkor*
(``quotes.offer.terms``), ``seller.phone`` from the seller's profile: frozen here at
signing, so changing them later never changes a signed offer. Snapshots signed before
November 2026's terms have no ``commercial``, ``phone``, ``vat_number`` or ``f_tax``
(added keys, same schema): they read back without them, never with today's values.

Version 1 (until November 2026) stored the pricing API's answer; migration
``quotes/migrations/0002_snapshot_schema_2`` rewrote those snapshots to version 2.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from configurator.pricing import Catalog, PriceResult

from ..choices import (
    DEFAULT_CHOICE,
    Choice,
    alternatives_of,
    catalog_codes_for,
    catalog_freeze,
    choice_pricing,
    has_choices,
    options_of,
)

from .terms import seller_phone

SCHEMA_VERSION = 2


class UnknownSnapshotSchema(ValueError):
    """A snapshot this code cannot read (a migration is missing)."""


# The schema's fields, copied from the engine's result as they are (amounts as strings).
LINE_FIELDS = (
    "code", "name", "section", "billed_to", "quantity", "monthly_quantity", "one_time_unit",
    "monthly_unit", "one_time", "monthly", "auto_added", "reason", "manual", "footnote",
    "one_time_list", "monthly_list", "one_time_discount", "monthly_discount",
)
TRAFFIC_FIELDS = ("code", "name", "quantity", "billable_quantity", "unit_price", "amount", "footnote")
TOTALS_FIELDS = (
    "one_time", "monthly", "monthly_mobile", "monthly_company", "traffic_monthly",
    "one_time_vat", "monthly_vat", "one_time_incl_vat", "monthly_incl_vat", "contract_months",
    "contract_value",
)
# Added with discounts; a snapshot without them was signed without discounts.
DISCOUNT_TOTALS_FIELDS = (
    "one_time_list", "monthly_list", "contract_value_list", "one_time_line_discount",
    "monthly_line_discount", "one_time_quote_discount", "monthly_quote_discount", "free_months",
    "discount_total", "discount_share",
)


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _fields(obj, names: tuple[str, ...]) -> dict[str, Any]:
    values = {name: getattr(obj, name) for name in names}
    return {name: money(v) if isinstance(v, Decimal) else v for name, v in values.items()}


def _optional_money(amount: Decimal | None) -> str | None:
    return money(amount) if amount is not None else None


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def snapshot_build(
    *, quote, result: PriceResult, signer=None, signed_at: datetime | None = None,
    terms: dict[str, Any] | None = None, shown: Choice | None = None,
) -> dict[str, Any]:
    """What ``quote`` offers, priced as ``result``, as JSON-ready data (schema 2).

    ``signer`` and ``signed_at`` are set when signing; a draft is described by its owner.
    ``terms``: the admin's offer terms as ``quotes.offer.terms.terms_snapshot()`` reads
    them (every real offer passes them); without, the company of the settings and no
    commercial terms, and no database is read.
    A quote with alternatives or options: ``result`` prices the choice ``shown`` (default:
    the alternative the steps edit), and ``choices`` describes every other."""
    catalog = result.catalog
    t = result.totals
    seller = signer or quote.owner
    terms = terms or {"company": dict(settings.SELLER_COMPANY), "commercial": None}
    choices = None
    term_refs = result.terms
    if has_choices(quote):
        if shown is None:
            shown = Choice(quote.alternative_index) if quote.alternatives else DEFAULT_CHOICE
        choices, term_refs = choices_build(quote=quote, catalog=catalog, shown=shown, terms=term_refs)
    data = {
        "schema": SCHEMA_VERSION,
        "signed_at": signed_at.isoformat() if signed_at else None,
        "contract_months": quote.contract_months,
        "customer_note": quote.customer_note,
        "on_site_training": quote.on_site_training,
        "price_list": {
            "id": catalog.price_list_id,
            "name": catalog.name,
            "valid_from": catalog.valid_from.isoformat() if catalog.valid_from else None,
            "version": getattr(quote.price_list, "version", None),
            "vat_rate": str(catalog.vat_rate),
        },
        "customer": {
            "company_name": quote.company_name,
            "org_number": quote.org_number,
            "contact_name": quote.contact_name,
            "contact_email": quote.contact_email,
            "contact_phone": quote.contact_phone,
            "address": quote.customer_address,
        },
        "seller": {
            "name": person_name(seller),
            "email": seller.email,
            "phone": seller_phone(seller),
            "company": terms["company"],
        },
        "lines": [_fields(line, LINE_FIELDS) for line in result.lines],
        "traffic": [_fields(line, TRAFFIC_FIELDS) for line in result.traffic],
        "totals": _totals(t),
        "discounts": dict(quote.discounts or {}),
        "terms": [
            {"ref": ref, "title": catalog.term_titles.get(ref, ""), "text": catalog.footnotes[ref]}
            for ref in term_refs
        ],
        "tariffs": [
            {
                "code": item.code,
                "name": item.name,
                "unit_price": _optional_money(item.usage_price),
                "free_quota": item.free_quota,
                "footnote": item.footnote,
            }
            for item in (catalog.items[code] for code in catalog.traffic_codes)
        ],
        "commercial": terms["commercial"],
    }
    if choices is not None:
        data["choices"] = choices
    return data


def _totals(t) -> dict[str, Any]:
    return {
        **_fields(t, TOTALS_FIELDS + DISCOUNT_TOTALS_FIELDS),
        "vat_rate": str(t.vat_rate),
        "discount_share": f"{t.discount_share:.4f}",
    }


def choices_build(*, quote, catalog: Catalog, shown: Choice, terms: tuple[str, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The ``choices`` of the snapshot, and the terms every choice together needs."""
    alternatives = alternatives_of(quote)
    options = options_of(quote)
    count = max(len(alternatives), 1)
    plain = [choice_pricing(quote, Choice(i), catalog=catalog) for i in range(count)]
    wanted = set(terms)
    for i in range(count):
        wanted |= set(plain[i].terms)
        if options:
            wanted |= set(choice_pricing(quote, Choice(i, tuple(options)), catalog=catalog).terms)
    option_rows = []
    for code, quantity in options.items():
        prices = []
        for i in range(count):
            with_it = choice_pricing(quote, Choice(i, (code,)), catalog=catalog)
            before = {line.code for line in plain[i].lines}
            prices.append({
                "one_time": money(with_it.totals.one_time - plain[i].totals.one_time),
                "monthly": money(with_it.totals.monthly - plain[i].totals.monthly),
                "contract_value": money(with_it.totals.contract_value - plain[i].totals.contract_value),
                "adds": [line.name for line in with_it.lines if line.code not in before and line.code != code],
            })
        option_rows.append({
            "code": code,
            "name": catalog.items[code].name if code in catalog.items else code,
            "quantity": quantity,
            "prices": prices,
        })
    choices = {
        "shown": {"alternative": shown.alternative if alternatives else None, "options": list(shown.options)},
        "alternatives": [
            {
                "name": alt.get("name", ""),
                "items": alt.get("items") or {},
                "manual_prices": alt.get("manual_prices") or {},
                "lines": [
                    {"code": l.code, "name": l.name, "quantity": l.quantity, "auto_added": l.auto_added}
                    for l in plain[i].lines
                ],
                "totals": _totals(plain[i].totals),
            }
            for i, alt in enumerate(alternatives)
        ],
        "options": option_rows,
        "catalog": catalog_freeze(catalog, catalog_codes_for(quote, catalog)),
    }
    return choices, tuple(ref for ref in catalog.footnotes if ref in wanted)


def snapshot_for_choice(snapshot: dict[str, Any], *, result: PriceResult, choice: Choice) -> dict[str, Any]:
    """The signed ``snapshot`` with its lines, traffic and totals those of ``choice``
    (priced as ``result``): what the customer sees for a choice, and what is frozen when
    they accept it. The terms stay the offer's (numbered as in the signed offer)."""
    data = dict(snapshot)
    data["lines"] = [_fields(line, LINE_FIELDS) for line in result.lines]
    data["traffic"] = [_fields(line, TRAFFIC_FIELDS) for line in result.traffic]
    data["totals"] = _totals(result.totals)
    choices = dict(data["choices"])
    alternative = choice.alternative if choices["alternatives"] else None
    choices["shown"] = {"alternative": alternative, "options": list(choice.options)}
    data["choices"] = choices
    return data


def snapshot_check(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` if this code reads its schema; ``UnknownSnapshotSchema`` otherwise."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
        found = data.get("schema", data.get("version")) if isinstance(data, dict) else None
        raise UnknownSnapshotSchema(f"Snapshot schema {found!r}; this code reads {SCHEMA_VERSION}.")
    return data
