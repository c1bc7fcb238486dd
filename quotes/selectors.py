"""Reads of quotes: a quote's configuration for the pricing engine, and its pricing."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, Q, Value, When

from configurator.pricing import (
    MOBILE,
    TRAFFIC_FIELDS,
    Catalog,
    Configuration,
    InvalidConfiguration,
    Line,
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


def quote_pricing(
    quote: Quote, config: Configuration | None = None, *, catalog: Catalog | None = None
) -> PriceResult:
    """Price a draft with the price list it was made with (``config`` overrides the
    stored choices, e.g. for a live recalculation that is not saved; ``catalog`` saves
    loading the price list again when the caller has it)."""
    if catalog is None:
        catalog = catalog_for(quote.price_list)
    return price(catalog, config or quote_configuration(quote))


# --- The step form and the quote list ---------------------------------------------------


def quote_preview(quote: Quote, changes: dict) -> Quote:
    """An unsaved copy of ``quote`` with ``changes`` applied (live recalculation)."""
    preview = copy.copy(quote)
    for name, value in changes.items():
        setattr(preview, name, value)
    return preview


def quotes_for_list(user, *, search: str = "", status: str = ""):
    """The quotes a user sees in "Offerter": their own first, then colleagues', newest
    first; ``search`` matches the customer's name or org.nr (with or without the dash)."""
    qs = (
        Quote.objects.visible_to(user)
        .select_related("owner", "price_list")
        .annotate(mine=Case(When(owner_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("mine", "-updated_at", "-id")
    )
    search = search.strip()
    if search:
        match = Q(company_name__icontains=search) | Q(org_number__icontains=search)
        digits = re.sub(r"\D", "", search)
        if len(digits) > 6 and digits == re.sub(r"[\s-]", "", search):
            match |= Q(org_number__icontains=f"{digits[:6]}-{digits[6:]}")
        qs = qs.filter(match)
    if status:
        qs = qs.filter(status=status)
    return qs


@dataclass(frozen=True)
class ListTotals:
    one_time: Decimal
    monthly: Decimal
    valid: bool


def quote_list_totals(quotes) -> dict[int, ListTotals]:
    """One-time and monthly totals for a page of quotes: a signed quote's frozen totals,
    a draft priced with its own price list (each catalog loaded once)."""
    catalogs = {}
    out = {}
    for quote in quotes:
        frozen = (quote.snapshot or {}).get("totals") if quote.snapshot else None
        if frozen and "one_time" in frozen and "monthly" in frozen:
            out[quote.pk] = ListTotals(Decimal(str(frozen["one_time"])), Decimal(str(frozen["monthly"])), True)
            continue
        if quote.price_list_id not in catalogs:
            catalogs[quote.price_list_id] = catalog_for(quote.price_list)
        try:
            result = price(catalogs[quote.price_list_id], quote_configuration(quote))
        except InvalidConfiguration:
            continue
        out[quote.pk] = ListTotals(result.totals.one_time, result.totals.monthly, result.valid)
    return out


@dataclass(frozen=True)
class Term:
    ref: str
    title: str
    text: str


@dataclass(frozen=True)
class QuoteLines:
    """A priced quote grouped as the customer sees it (the summary, the read-only page)."""

    result: PriceResult
    user_lines: tuple[Line, ...]  # per user, billed on the mobile subscriptions
    company_lines: tuple[Line, ...]  # monthly services billed to the company
    one_time_lines: tuple[Line, ...]  # delivery, training, numbers, implementations
    terms: tuple[Term, ...]

    @property
    def totals(self):
        return self.result.totals

    @property
    def traffic(self):
        return self.result.traffic


def quote_lines(result: PriceResult, titles: dict[str, str] | None = None) -> QuoteLines:
    titles = titles or {}
    users, company, one_time = [], [], []
    for line in result.lines:
        item = result.catalog.items.get(line.code)
        if line.billed_to == MOBILE:
            users.append(line)
        elif item is not None and item.section != "delivery" and (
            item.monthly is not None or item.price_on_request or line.monthly
        ):
            company.append(line)  # a monthly service (with or without a one-time fee)
        else:
            one_time.append(line)  # delivery, training, number series, implementations
    footnotes = result.catalog.footnotes
    terms = tuple(Term(ref, titles.get(ref, ""), footnotes[ref]) for ref in result.terms if ref in footnotes)
    return QuoteLines(result, tuple(users), tuple(company), tuple(one_time), terms)
