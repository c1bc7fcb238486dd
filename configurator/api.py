"""JSON pricing API: ``POST /api/v1/price`` (a router of the API v1, ``configurator.api_v1``).

Signed-in users authenticate with their session (and CSRF token); integrations send
``Authorization: Token <key>`` with a per-user key created in the admin (both in
``api_v1``, for every endpoint). A well-formed request gets 200 with the priced quote,
rule errors included; a malformed one gets 400 with ``errors`` naming each bad field.
Nothing is stored. ``parse_configuration`` is also the quotes API's reader of a
configuration (``quotes.api.inputs``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router

from .limits import (
    CONTRACT_TERMS,
    DEFAULT_CONTRACT_MONTHS,
    MAX_QUANTITY,
    MAX_TRAFFIC,
    amount_has_ore_only,
    amount_in_range,
    amount_normalise,
)
from .api_schemas import PriceAnswer, PriceRequest
from .api_v1 import MAX_BODY, ApiError, Errors, field_error, json_body, request_body
from .discounts import parse_discounts
from .pricing import (
    TRAFFIC_FIELDS,
    Catalog,
    Configuration,
    ManualPrice,
    PriceResult,
    TrafficEstimate,
    price,
)
from .selectors import catalog_for, price_list_in_force

__all__ = ["MAX_BODY", "TOP_LEVEL", "BadRequest", "parse_configuration", "result_as_json", "router"]

TOP_LEVEL = {"items", "manual_prices", "traffic", "contract_months", "on_site_training", "travel_cost", "discounts"}


class BadRequest(Exception):
    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors


def _whole_number(value: Any, field: str, errors: list, upper: int = MAX_QUANTITY) -> int | None:
    """Rule 1: a whole number from 0 to 100 000 (JSON integers only, no 2.0, no "2")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors.append(field_error(field, "wrong_type", "Ska vara ett heltal."))
        return None
    if isinstance(value, float):
        errors.append(field_error(field, "not_whole", "Ska vara ett heltal, inte ett decimaltal."))
        return None
    if value < 0:
        errors.append(field_error(field, "negative", "Får inte vara negativt."))
        return None
    if value > upper:
        errors.append(field_error(field, "too_large", f"Får vara högst {upper}."))
        return None
    return value


def _amount(value: Any, field: str, errors: list) -> Decimal | None:
    """A money amount: a decimal string (or number) with at most two decimals, >= 0."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        errors.append(field_error(field, "wrong_type", 'Ska vara ett belopp, t.ex. "7900.00".'))
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors.append(field_error(field, "not_amount", 'Ska vara ett belopp, t.ex. "7900.00".'))
        return None
    if not amount_in_range(amount):
        errors.append(field_error(field, "out_of_range", "Beloppet måste vara mellan 0 och 10 000 000."))
        return None
    if not amount_has_ore_only(amount):
        errors.append(field_error(field, "too_many_decimals", "Högst två decimaler (öre)."))
        return None
    return amount_normalise(amount)


def parse_configuration(data: Any, catalog: Catalog) -> Configuration:
    """Validate a request body into a ``Configuration``; raises ``BadRequest``."""
    errors: list[dict[str, str]] = []
    if not isinstance(data, dict):
        raise BadRequest([field_error("body", "wrong_type", "Ska vara ett JSON-objekt.")])
    for key in sorted(set(data) - TOP_LEVEL):
        errors.append(field_error(key, "unknown_field", "Okänt fält."))

    sellable = catalog.codes_sellable
    items: dict[str, int] = {}
    raw_items = data.get("items")
    if "items" not in data:
        errors.append(field_error("items", "required", "Fältet items krävs."))
    elif not isinstance(raw_items, dict):
        errors.append(field_error("items", "wrong_type", "Ska vara ett objekt med kod: antal."))
    else:
        for code, qty in raw_items.items():
            field = f"items.{code}"
            if code not in sellable:
                errors.append(field_error(field, "unknown_item", "Okänd artikelkod."))
                continue
            value = _whole_number(qty, field, errors)
            if value is not None:
                items[code] = value

    manual: dict[str, ManualPrice] = {}
    raw_manual = data.get("manual_prices", {})
    if not isinstance(raw_manual, dict):
        errors.append(field_error("manual_prices", "wrong_type", "Ska vara ett objekt."))
    else:
        for code, prices in raw_manual.items():
            field = f"manual_prices.{code}"
            if code not in sellable:
                errors.append(field_error(field, "unknown_item", "Okänd artikelkod."))
                continue
            if not isinstance(prices, dict) or not prices or set(prices) - {"one_time", "monthly"}:
                errors.append(field_error(field, "wrong_type", 'Ska vara {"monthly": "…"} och/eller {"one_time": "…"}.'))
                continue
            parsed = {k: _amount(v, f"{field}.{k}", errors) for k, v in prices.items()}
            manual[code] = ManualPrice(**parsed)

    traffic = None
    raw_traffic = data.get("traffic")
    if raw_traffic is not None:
        if not isinstance(raw_traffic, dict):
            errors.append(field_error("traffic", "wrong_type", "Ska vara ett objekt."))
        else:
            values = {}
            for key, value in raw_traffic.items():
                if key not in TRAFFIC_FIELDS:
                    errors.append(field_error(f"traffic.{key}", "unknown_field", "Okänt fält."))
                    continue
                parsed = _whole_number(value, f"traffic.{key}", errors, upper=MAX_TRAFFIC)
                if parsed is not None:
                    values[key] = parsed
            traffic = TrafficEstimate(**values)

    months = data.get("contract_months", DEFAULT_CONTRACT_MONTHS)
    if isinstance(months, bool) or not isinstance(months, int) or months not in CONTRACT_TERMS:
        errors.append(field_error("contract_months", "invalid_choice", "Avtalstid ska vara 12, 24 eller 36 månader."))

    on_site = data.get("on_site_training", False)
    if not isinstance(on_site, bool):
        errors.append(field_error("on_site_training", "wrong_type", "Ska vara true eller false."))
    travel_cost = None
    if data.get("travel_cost") is not None:
        travel_cost = _amount(data["travel_cost"], "travel_cost", errors)

    discounts, discount_errors = parse_discounts(
        data.get("discounts"), catalog, contract_months=months if months in CONTRACT_TERMS else None
    )
    errors.extend(discount_errors)

    if errors:
        raise BadRequest(errors)
    return Configuration(
        items=items,
        manual_prices=manual,
        traffic=traffic,
        contract_months=months,
        on_site_training=on_site,
        travel_cost=travel_cost,
        discounts=discounts,
    )


def discounts_over_lines(config: Configuration, result: PriceResult) -> list[dict[str, str]]:
    """Spec "Discounts": an amount larger than its line is a bad request, named by field
    (the step form shows the engine's ``discount_exceeds_line`` error instead)."""
    errors = []
    lines = {line.code: line for line in result.lines}
    for code, wanted in config.discounts.lines.items():
        line = lines.get(code)
        if line is None:
            continue
        for fee in ("monthly", "one_time"):
            amount = getattr(wanted, f"{fee}_amount")
            if amount is not None and amount > getattr(line, f"{fee}_list"):
                errors.append(
                    field_error(
                        f"discounts.lines.{code}.{fee}_amount",
                        "exceeds_line",
                        f"Rabatten är större än radens belopp ({money(getattr(line, f'{fee}_list'))}).",
                    )
                )
    return errors


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def money_or_none(amount: Decimal | None) -> str | None:
    """``money``, and ``None`` for no amount (a price on request, an unset travel cost)."""
    return money(amount) if amount is not None else None


def result_as_json(result: PriceResult) -> dict[str, Any]:
    t = result.totals
    return {
        "valid": result.valid,
        "price_list": {
            "id": result.catalog.price_list_id,
            "name": result.catalog.name,
            "valid_from": result.catalog.valid_from.isoformat() if result.catalog.valid_from else None,
        },
        "lines": [
            {
                "code": l.code,
                "name": l.name,
                "section": l.section,
                "quantity": l.quantity,
                "monthly_quantity": l.monthly_quantity,
                "one_time_unit": money(l.one_time_unit),
                "monthly_unit": money(l.monthly_unit),
                "one_time": money(l.one_time),
                "monthly": money(l.monthly),
                "one_time_list": money(l.one_time_list),
                "one_time_discount": money(l.one_time_discount),
                "monthly_list": money(l.monthly_list),
                "monthly_discount": money(l.monthly_discount),
                "billed_to": l.billed_to,
                "auto_added": l.auto_added,
                "reason": l.reason,
                "manual": l.manual,
                "footnote": l.footnote,
            }
            for l in result.lines
        ],
        "traffic": [
            {
                "code": tl.code,
                "name": tl.name,
                "quantity": tl.quantity,
                "billable_quantity": tl.billable_quantity,
                "unit_price": money(tl.unit_price),
                "amount": money(tl.amount),
            }
            for tl in result.traffic
        ],
        "totals": {
            "one_time": money(t.one_time),
            "monthly": money(t.monthly),
            "monthly_mobile": money(t.monthly_mobile),
            "monthly_company": money(t.monthly_company),
            "traffic_monthly": money(t.traffic_monthly),
            "vat_rate": str(t.vat_rate.normalize()),
            "one_time_vat": money(t.one_time_vat),
            "monthly_vat": money(t.monthly_vat),
            "one_time_incl_vat": money(t.one_time_incl_vat),
            "monthly_incl_vat": money(t.monthly_incl_vat),
            "contract_months": t.contract_months,
            "contract_value": money(t.contract_value),
            "one_time_list": money(t.one_time_list),
            "monthly_list": money(t.monthly_list),
            "contract_value_list": money(t.contract_value_list),
            "one_time_quote_discount": money(t.one_time_quote_discount),
            "monthly_quote_discount": money(t.monthly_quote_discount),
            "free_months": t.free_months,
            "discount_total": money(t.discount_total),
            "discount_share": f"{t.discount_share:.4f}",
        },
        "errors": [{"code": p.code, "message": p.message, "items": list(p.items)} for p in result.errors],
        "warnings": [{"code": p.code, "message": p.message, "items": list(p.items)} for p in result.warnings],
        "terms": [{"ref": ref, "text": result.catalog.footnotes[ref]} for ref in result.terms],
    }


router = Router(tags=["pricing"])


@router.post(
    "/price",
    url_name="api-price",
    response={200: PriceAnswer, 400: Errors, 401: Errors, 403: Errors, 503: Errors},
    summary="Price a configuration",
    description="The same engine as the step form; rule errors are a 200 with `valid: false`, a malformed "
    "request a 400 naming every bad field. Nothing is stored.",
    openapi_extra=request_body(PriceRequest),
)
def price_view(request: HttpRequest) -> JsonResponse:
    data = json_body(request)
    price_list = price_list_in_force()
    if price_list is None:
        raise ApiError.one(503, "price_list", "none_in_force", "Ingen prislista gäller.")
    catalog = catalog_for(price_list)
    try:
        config = parse_configuration(data, catalog)
    except BadRequest as bad:
        raise ApiError(400, bad.errors)
    result = price(catalog, config)
    over = discounts_over_lines(config, result)
    if over:
        raise ApiError(400, over)
    return JsonResponse(result_as_json(result), json_dumps_params={"ensure_ascii": False})
