"""The bridge from a quote to the pricing engine: its stored choices as the engine's
``Configuration``, priced with the price list the quote was made with."""

from __future__ import annotations

import copy
from decimal import Decimal

from configurator.discounts import parse_discounts
from configurator.pricing import (
    TRAFFIC_FIELDS,
    Catalog,
    Configuration,
    ManualPrice,
    PriceResult,
    TrafficEstimate,
    price,
)
from configurator.selectors import catalog_for

from .models import Quote


def _amount(value) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None


def quote_configuration(quote: Quote, catalog: Catalog) -> Configuration:
    """The quote's stored choices as the engine's input (only positive quantities).
    Its discounts are stored as the API's ``discounts`` object; a part that no longer
    reads (an item gone from the list) is left out, never an exception."""
    manual = {
        code: ManualPrice(one_time=_amount(p.get("one_time")), monthly=_amount(p.get("monthly")))
        for code, p in (quote.manual_prices or {}).items()
    }
    traffic = {k: int(v) for k, v in (quote.traffic or {}).items() if k in TRAFFIC_FIELDS and v}
    return Configuration(
        items={code: int(q) for code, q in (quote.items or {}).items() if q},
        manual_prices=manual,
        traffic=TrafficEstimate(**traffic) if traffic else None,
        contract_months=quote.contract_months,
        on_site_training=quote.on_site_training,
        travel_cost=quote.travel_cost,
        discounts=parse_discounts(quote.discounts or None, catalog)[0],
    )


def quote_pricing(quote: Quote, *, catalog: Catalog | None = None) -> PriceResult:
    """Price a quote's stored (or previewed) choices with the price list it was made
    with (``catalog`` saves loading it again when the caller has it)."""
    if catalog is None:
        catalog = catalog_for(quote.price_list)
    return price(catalog, quote_configuration(quote, catalog))


def quote_preview(quote: Quote, changes: dict) -> Quote:
    """An unsaved copy of ``quote`` with ``changes`` applied (live recalculation)."""
    preview = copy.copy(quote)
    for name, value in changes.items():
        setattr(preview, name, value)
    return preview


def items_on_catalog(catalog: Catalog, items: dict, manual_prices: dict) -> tuple[dict, dict, tuple[str, ...]]:
    """A quote's items and agreed prices kept to what ``catalog`` sells, and the item codes
    it no longer has (moving a quote to another price list drops them)."""
    known = catalog.items
    dropped = tuple(code for code in items if code not in known)
    return (
        {code: n for code, n in items.items() if code in known},
        {code: p for code, p in manual_prices.items() if code in known},
        dropped,
    )


def choices_on_catalog(catalog: Catalog, alternatives: list, options: dict) -> tuple[list, dict, tuple[str, ...]]:
    """A quote's alternatives and options (``quotes.choices``) kept to what ``catalog``
    sells, and the item codes it no longer has."""
    dropped: list[str] = []
    kept_alternatives = []
    for alt in alternatives or []:
        items, manual, gone = items_on_catalog(catalog, alt.get("items") or {}, alt.get("manual_prices") or {})
        dropped.extend(gone)
        kept_alternatives.append({**alt, "items": items, "manual_prices": manual})
    kept_options = {code: q for code, q in (options or {}).items() if code in catalog.items}
    dropped.extend(code for code in (options or {}) if code not in catalog.items)
    return kept_alternatives, kept_options, tuple(dict.fromkeys(dropped))
