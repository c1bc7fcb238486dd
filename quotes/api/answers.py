"""A quote as the API answers it (``schemas.QuoteOut``, ``schemas.QuoteSummary``).

Lines, traffic, totals and terms come from one reader for drafts and signed quotes: the
offer's snapshot (``quotes.offer.snapshot``): a signed quote's frozen one, never priced
again, and for a draft the one ``snapshot_build`` makes from its live pricing. A signed
quote says what it said when it was signed, whatever the API or the price list do later.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from configurator.api import money_or_none, result_as_json
from configurator.pricing import TRAFFIC_FIELDS as TRAFFIC_NAMES

from ..access import may_change
from ..choices import choice_sign_problems, has_choices
from ..draft.selectors import ListTotals
from ..models import Quote
from ..offer.delivery_order import accepted_pdf_sha256, accepted_snapshot
from ..offer.snapshot import person_name, snapshot_build, snapshot_check
from ..pricing import quote_pricing
from .inputs import configuration_json, customer_json

LINE = ("code", "name", "section", "quantity", "monthly_quantity", "one_time_unit", "monthly_unit", "one_time",
        "monthly", "one_time_list", "one_time_discount", "monthly_list", "monthly_discount", "billed_to",
        "auto_added", "reason", "manual", "footnote")
TRAFFIC = ("code", "name", "quantity", "billable_quantity", "unit_price", "amount")
TOTALS = ("one_time", "monthly", "monthly_mobile", "monthly_company", "traffic_monthly", "vat_rate", "one_time_vat",
          "monthly_vat", "one_time_incl_vat", "monthly_incl_vat", "contract_months", "contract_value",
          "one_time_list", "monthly_list", "contract_value_list", "one_time_quote_discount", "monthly_quote_discount",
          "free_months", "discount_total", "discount_share")


def api_url(name: str, *args) -> str:
    """An absolute URL on the site's address (``SITE_URL``), never on a request's Host."""
    return settings.SITE_URL + reverse(name, args=args)


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _pick(row: dict, names: tuple[str, ...], missing: dict | None = None) -> dict[str, Any]:
    return {name: row[name] if name in row else (missing or {}).get(name) for name in names}


def _line(line: dict) -> dict[str, Any]:
    """A snapshot's line; one signed before discounts has none: list = net."""
    return _pick(line, LINE, {"one_time_list": line["one_time"], "monthly_list": line["monthly"],
                              "one_time_discount": "0.00", "monthly_discount": "0.00"})


def _totals(totals: dict) -> dict[str, Any]:
    """A snapshot's totals; one signed before discounts has none: list = net."""
    return _pick(totals, TOTALS, {
        "one_time_list": totals["one_time"], "monthly_list": totals["monthly"],
        "contract_value_list": totals["contract_value"], "one_time_quote_discount": "0.00",
        "monthly_quote_discount": "0.00", "free_months": 0, "discount_total": "0.00", "discount_share": "0.0000",
    })


def person_json(user) -> dict[str, Any]:
    return {"id": user.pk, "username": user.get_username(), "name": person_name(user)}


def _priced(quote: Quote) -> dict[str, Any]:
    """Lines, traffic, totals, terms and the rule problems of ``quote``."""
    if quote.is_frozen and quote.snapshot:
        # As signed; once accepted, as accepted (the customer's choice of alternatives and
        # options, frozen at acceptance), as the delivery order reads it.
        snap = snapshot_check(accepted_snapshot(quote) if quote.status == Quote.Status.ACCEPTED else quote.snapshot)
        return {
            "valid": True,
            "lines": [_line(line) for line in snap["lines"]],
            "traffic": [_pick(line, TRAFFIC) for line in snap["traffic"]],
            "totals": {**_totals(snap["totals"]), "vat_rate": _rate(snap["totals"]["vat_rate"])},
            "errors": [],
            "warnings": [],
            "terms": [{"ref": t["ref"], "text": t["text"]} for t in snap["terms"]],
            "choices": _choices(snap.get("choices"), quote=quote, problems=[]),
        }
    result = quote_pricing(quote)  # a stored draft passed the step forms: it prices
    snap = snapshot_build(quote=quote, result=result)
    problems = result_as_json(result)
    choice_problems = choice_sign_problems(quote, catalog=result.catalog) if has_choices(quote) else []
    return {
        "valid": result.valid,  # as the quote list says it (the configuration the steps edit)
        "lines": [_line(line) for line in snap["lines"]],
        "traffic": [_pick(line, TRAFFIC) for line in snap["traffic"]],
        "totals": {**_totals(snap["totals"]), "vat_rate": problems["totals"]["vat_rate"]},
        "errors": problems["errors"],
        "warnings": problems["warnings"],
        "terms": problems["terms"],
        "choices": _choices(snap.get("choices"), quote=quote, problems=choice_problems),
    }


def _rate(value: str) -> str:
    return str(Decimal(value).normalize())


def _choices(choices: dict | None, *, quote: Quote, problems: list[str]) -> dict[str, Any] | None:
    """The offer's alternatives and options as the snapshot describes them (``None``: the
    offer has neither); which one the customer chose, once accepted."""
    if not choices:
        return None
    alternatives = choices.get("alternatives") or []
    accepted = quote.status == Quote.Status.ACCEPTED
    chosen = (quote.accepted_pricing or {}).get("choices", {}).get("shown") if accepted else None
    return {
        "alternatives": [
            {
                "index": i,
                "name": alt["name"],
                "editing": not quote.is_frozen and i == quote.alternative_index,
                "items": alt.get("items") or {},
                "manual_prices": alt.get("manual_prices") or {},
                "totals": {**_totals(alt["totals"]), "vat_rate": _rate(alt["totals"]["vat_rate"])},
            }
            for i, alt in enumerate(alternatives)
        ],
        "options": [
            {
                "code": o["code"],
                "name": o["name"],
                "quantity": int(o["quantity"]),
                "prices": [
                    {
                        "alternative": alternatives[i]["name"] if i < len(alternatives) else None,
                        "one_time": p["one_time"],
                        "monthly": p["monthly"],
                        "contract_value": p["contract_value"],
                        "adds": list(p.get("adds") or []),
                    }
                    for i, p in enumerate(o["prices"])
                ],
            }
            for o in choices.get("options") or []
        ],
        "chosen": {"alternative": chosen.get("alternative"), "options": list(chosen.get("options") or [])} if chosen else None,
        "problems": problems,
    }


def _document(quote: Quote, *, accepted: bool) -> dict[str, Any] | None:
    field = quote.accepted_pdf if accepted else quote.pdf
    if not field:
        return None
    return {
        "url": api_url("api-quote-accepted-pdf" if accepted else "api-quote-pdf", quote.pk),
        # The accepted offer's own file (the signed offer + the acceptance page); its
        # ``accepted_sha256`` is the offer the customer accepted, i.e. ``pdf``'s.
        "sha256": (accepted_pdf_sha256(quote) if accepted else quote.pdf_sha256) or None,
    }


def quote_json(quote: Quote, *, user) -> dict[str, Any]:
    """``quote`` as ``schemas.QuoteOut``."""
    pl = quote.price_list
    config = configuration_json(quote)
    config["traffic"] = {**{name: 0 for name in TRAFFIC_NAMES}, **config["traffic"]}
    return {
        "id": quote.pk,
        "number": quote.number or None,
        "revision": quote.revision,
        "reference": quote.reference or None,
        "status": quote.status,
        "status_label": str(quote.get_status_display()),
        "editable": quote.is_draft and may_change(user, quote),
        "owner": person_json(quote.owner),
        "url": api_url("api-quote", quote.pk),
        "page_url": api_url("quotes:detail", quote.pk),
        "created_at": _when(quote.created_at),
        "updated_at": _when(quote.updated_at),
        "signed_at": _when(quote.signed_at),
        "valid_until": _when(quote.valid_until),
        "sent_at": _when(quote.sent_at),
        "opened_at": _when(quote.opened_at),
        "accepted_at": _when(quote.accepted_at),
        "declined_at": _when(quote.declined_at),
        "price_list": {"id": pl.pk, "name": pl.name, "valid_from": _when(pl.valid_from)},
        "customer": customer_json(quote),
        "configuration": config,
        "validity_days": quote.validity_days,
        "customer_note": quote.customer_note,
        **_priced(quote),
        "pdf": _document(quote, accepted=False),
        "accepted_pdf": _document(quote, accepted=True),
        "delivery_order_url": api_url("api-quote-delivery-order", quote.pk) if quote.status == Quote.Status.ACCEPTED else None,
    }


def summary_json(quote: Quote, totals: ListTotals | None) -> dict[str, Any]:
    """``quote`` as ``schemas.QuoteSummary`` (``totals``: from ``quote_list_totals``)."""
    return {
        "id": quote.pk,
        "number": quote.number or None,
        "revision": quote.revision,
        "reference": quote.reference or None,
        "status": quote.status,
        "owner": person_json(quote.owner),
        "company_name": quote.company_name,
        "org_number": quote.org_number,
        "created_at": _when(quote.created_at),
        "updated_at": _when(quote.updated_at),
        "signed_at": _when(quote.signed_at),
        "valid": totals.valid if totals else None,
        "totals": {
            "one_time": money_or_none(totals.one_time) if totals else None,
            "monthly": money_or_none(totals.monthly) if totals else None,
            "contract_value": money_or_none(totals.contract_value) if totals else None,
        },
        "url": api_url("api-quote", quote.pk),
    }
