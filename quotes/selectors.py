"""Reads of quotes: a quote's configuration for the pricing engine, and its pricing."""

from __future__ import annotations

from decimal import Decimal

from configurator.pricing import (
    TRAFFIC_FIELDS,
    Configuration,
    ManualPrice,
    PriceResult,
    TrafficEstimate,
    price,
)
from configurator.selectors import catalog_for

from .models import Quote


def quote_configuration(quote: Quote) -> Configuration:
    """The quote's stored choices as the engine's input (only positive quantities)."""
    manual = {
        code: ManualPrice(
            one_time=Decimal(p["one_time"]) if p.get("one_time") not in (None, "") else None,
            monthly=Decimal(p["monthly"]) if p.get("monthly") not in (None, "") else None,
        )
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
    )


def quote_pricing(quote: Quote, config: Configuration | None = None) -> PriceResult:
    """Price a draft with the price list it was made with (``config`` overrides the
    stored choices, e.g. for a live recalculation that is not saved)."""
    return price(catalog_for(quote.price_list), config or quote_configuration(quote))
