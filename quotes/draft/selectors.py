"""Reads for the seller's list of quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, Q, Value, When

from configurator.pricing import InvalidConfiguration, price
from configurator.selectors import catalog_for

from ..models import Quote
from ..pricing import quote_configuration


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
