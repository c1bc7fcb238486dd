"""Negotiated discounts as JSON (spec "Discounts"): the API's ``discounts`` object, which
is also what a quote stores (``Quote.discounts``), read into the engine's ``Discounts``.

One reader for both: the JSON API answers its problems as 400s naming the field; the step
form shows the same messages next to its fields. Pure: no database, no request.

    {"lines": {"softphone": {"monthly_percent": "10"},
               "guided_delivery": {"one_time_amount": "1995.00"}},
     "monthly_percent": "5", "one_time_percent": "0", "free_months": 2}
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .limits import amount_has_ore_only, amount_in_range, amount_normalise, percent_in_range
from .pricing import NO_DISCOUNTS, ZERO, Catalog, Discounts, LineDiscount

LINE_FIELDS = ("monthly_percent", "monthly_amount", "one_time_percent", "one_time_amount")
TOP_FIELDS = {"lines", "monthly_percent", "one_time_percent", "free_months"}


def _problem(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _percent(value: Any, field: str, errors: list) -> Decimal | None:
    number = _decimal(value)
    if number is None:
        errors.append(_problem(field, "not_percent", _('Ska vara en procentsats, t.ex. "10" eller "12.5".')))
        return None
    if not percent_in_range(number):
        errors.append(_problem(field, "out_of_range", _("Rabatten ska vara 0–100 % med högst två decimaler.")))
        return None
    return amount_normalise(number)


def _amount(value: Any, field: str, errors: list) -> Decimal | None:
    number = _decimal(value)
    if number is None:
        errors.append(_problem(field, "not_amount", _('Ska vara ett belopp i kronor, t.ex. "1995.00".')))
        return None
    if not amount_in_range(number):
        errors.append(
            _problem(field, "out_of_range", _("Beloppet måste vara mellan 0 och %(max)s kr.") % {"max": "10 000 000"})
        )
        return None
    if not amount_has_ore_only(number):
        errors.append(_problem(field, "too_many_decimals", _("Högst två decimaler (öre).")))
        return None
    return amount_normalise(number)


def parse_discounts(data: Any, catalog: Catalog, *, contract_months: int | None = None) -> tuple[Discounts, list[dict]]:
    """``data`` (the JSON object, or None) as ``Discounts`` and the problems found, each
    ``{"field", "code", "message"}`` with ``field`` a path such as
    ``discounts.lines.softphone.monthly_percent``. What is wrong is left out of the
    result; the rest is kept."""
    errors: list[dict] = []
    if data in (None, {}):
        return NO_DISCOUNTS, errors
    if not isinstance(data, dict):
        return NO_DISCOUNTS, [_problem("discounts", "wrong_type", _("Ska vara ett objekt."))]
    for key in sorted(set(data) - TOP_FIELDS):
        errors.append(_problem(f"discounts.{key}", "unknown_field", _("Okänt fält.")))

    lines: dict[str, LineDiscount] = {}
    raw_lines = data.get("lines") or {}
    if not isinstance(raw_lines, dict):
        errors.append(_problem("discounts.lines", "wrong_type", _("Ska vara ett objekt med kod: rabatt.")))
        raw_lines = {}
    for code, raw in raw_lines.items():
        field = f"discounts.lines.{code}"
        if code not in catalog.codes_sellable:
            errors.append(_problem(field, "unknown_item", _("Okänd artikelkod.")))
            continue
        if not isinstance(raw, dict) or set(raw) - set(LINE_FIELDS):
            errors.append(
                _problem(field, "wrong_type", _("Ska vara ett objekt med %(fields)s.") % {"fields": ", ".join(LINE_FIELDS)})
            )
            continue
        values: dict[str, Decimal] = {}
        for name, value in raw.items():
            if value in (None, ""):
                continue
            parse = _percent if name.endswith("_percent") else _amount
            parsed = parse(value, f"{field}.{name}", errors)
            if parsed is not None:
                values[name] = parsed
        for fee in ("monthly", "one_time"):
            if f"{fee}_percent" in values and f"{fee}_amount" in values:
                errors.append(
                    _problem(f"{field}.{fee}_amount", "percent_and_amount", _("Ange procent eller belopp, inte båda."))
                )
                del values[f"{fee}_amount"]
        if any(values.values()):
            lines[code] = LineDiscount(**values)

    quote_percent = {}
    for name in ("monthly_percent", "one_time_percent"):
        value = data.get(name)
        parsed = _percent(value, f"discounts.{name}", errors) if value not in (None, "") else None
        quote_percent[name] = parsed if parsed is not None else ZERO

    free_months = 0
    raw_free = data.get("free_months")
    if raw_free not in (None, ""):
        if isinstance(raw_free, bool) or not isinstance(raw_free, int) or raw_free < 0:
            errors.append(_problem("discounts.free_months", "not_whole", _("Ska vara ett heltal, 0 eller mer.")))
        elif contract_months is not None and raw_free >= contract_months:
            errors.append(
                _problem(
                    "discounts.free_months",
                    "free_months_exceed_term",
                    _("Fria månader måste vara färre än avtalstiden (%(months)s månader).") % {"months": contract_months},
                )
            )
        else:
            free_months = raw_free
    return Discounts(lines=lines, free_months=free_months, **quote_percent), errors


def discounts_as_json(discounts: Discounts) -> dict[str, Any]:
    """The stored and answered form of ``discounts`` (empty parts left out)."""
    out: dict[str, Any] = {}
    if discounts.lines:
        out["lines"] = {
            code: {name: f"{getattr(d, name):.2f}" for name in LINE_FIELDS if getattr(d, name) is not None}
            for code, d in discounts.lines.items()
        }
    for name in ("monthly_percent", "one_time_percent"):
        if getattr(discounts, name):
            out[name] = f"{getattr(discounts, name):.2f}"
    if discounts.free_months:
        out["free_months"] = discounts.free_months
    return out

