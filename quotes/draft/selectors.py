"""Reads of the seller's drafts: the list of quotes, and how a draft on a superseded
price list would price on the list in force."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.functional import cached_property

from configurator.models import PriceList
from configurator.pricing import InvalidConfiguration, PriceResult, Totals, price
from configurator.selectors import catalog_for, price_list_in_force

from ..models import Quote, QuoteTemplate
from ..pricing import items_on_catalog, quote_configuration, quote_preview, quote_pricing
from .forms import ARCHIVED


def quotes_for_list(user, *, search: str = "", status: str = ""):
    """The quotes a user sees in "Offerter": their own first, then colleagues', newest
    first; ``search`` matches the customer's name or org.nr (with or without the dash).
    Never an untouched draft; archived drafts only with ``status`` "arkiverade"."""
    base = Quote.objects.archived() if status == ARCHIVED else Quote.objects.listed()
    qs = (
        base.visible_to(user)
        .select_related("owner", "price_list")
        .annotate(mine=Case(When(owner_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("mine", "-updated_at", "-id")
    )
    qs = quotes_search(qs, search)
    if status and status != ARCHIVED:
        qs = qs.filter(status=status)
    return qs


def quotes_search(qs, search: str):
    """``qs`` narrowed to the customers whose name or org.nr contains ``search`` (the
    org.nr with or without its dash); all of ``qs`` for an empty search."""
    search = search.strip()
    if not search:
        return qs
    match = Q(company_name__icontains=search) | Q(org_number__icontains=search)
    digits = re.sub(r"\D", "", search)
    if len(digits) > 6 and digits == re.sub(r"[\s-]", "", search):
        match |= Q(org_number__icontains=f"{digits[:6]}-{digits[6:]}")
    return qs.filter(match)


class MineFirstPaginator(Paginator):
    """The quote list's pages, own quotes first, each part newest first, read through
    indexes: ``ORDER BY CASE mine …`` could not use one (every page sorted every quote).

    Two index-ordered queries instead, one for the seller's own quotes and one for the
    colleagues' (indexes quote_owner_updated and quote_updated), joined at the page that
    holds the boundary; a page nearer the end of a part is read backwards from its end, so
    the first and the last page each cost a few rows, not an OFFSET over 100 000."""

    def __init__(self, queryset, user, per_page: int):
        self.base = queryset.order_by()
        self.user_pk = user.pk
        self.own = self.base.filter(owner_id=user.pk)
        self.colleagues = self.base.exclude(owner_id=user.pk)
        super().__init__(queryset, per_page)

    @cached_property
    def counts(self) -> tuple[int, int]:
        """(own, colleagues') in one query."""
        n = self.base.aggregate(own=Count("pk", filter=Q(owner_id=self.user_pk)), all=Count("pk"))
        return n["own"], n["all"] - n["own"]

    @cached_property
    def count(self) -> int:
        return sum(self.counts)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        own, colleagues = self.counts
        rows = _slice(self.own, own, bottom, top, mine=0)
        rows += _slice(self.colleagues, colleagues, bottom - own, top - own, mine=1)
        return self._get_page(rows, number, self)


NEWEST_FIRST = ("-updated_at", "-id")
OLDEST_FIRST = ("updated_at", "id")


def _slice(queryset, total: int, bottom: int, top: int, *, mine: int) -> list[Quote]:
    bottom, top = max(bottom, 0), min(top, total)
    if bottom >= top:
        return []
    if bottom <= total - top:
        rows = list(queryset.order_by(*NEWEST_FIRST)[bottom:top])
    else:  # nearer the end: read the part backwards from its last row
        rows = list(queryset.order_by(*OLDEST_FIRST)[total - top: total - bottom])[::-1]
    for quote in rows:
        quote.mine = mine
    return rows


@dataclass(frozen=True)
class ListTotals:
    one_time: Decimal
    monthly: Decimal
    valid: bool
    contract_value: Decimal | None = None


def quote_list_totals(quotes) -> dict[int, ListTotals]:
    """One-time and monthly totals for a page of quotes: a signed quote's frozen totals,
    a draft priced with its own price list (each catalog loaded once)."""
    catalogs = {}
    out = {}
    for quote in quotes:
        frozen = (quote.snapshot or {}).get("totals") if quote.snapshot else None
        if frozen and "one_time" in frozen and "monthly" in frozen:
            contract = frozen.get("contract_value")
            out[quote.pk] = ListTotals(
                Decimal(str(frozen["one_time"])), Decimal(str(frozen["monthly"])), True,
                Decimal(str(contract)) if contract is not None else None,
            )
            continue
        if quote.price_list_id not in catalogs:
            catalogs[quote.price_list_id] = catalog_for(quote.price_list)
        try:
            catalog = catalogs[quote.price_list_id]
            result = price(catalog, quote_configuration(quote, catalog))
        except InvalidConfiguration:
            continue
        out[quote.pk] = ListTotals(
            result.totals.one_time, result.totals.monthly, result.valid, result.totals.contract_value
        )
    return out


# --- A draft on a superseded price list -------------------------------------------------


@dataclass(frozen=True)
class LineChange:
    """One line of a draft as its own price list and the list in force price it
    (``None``: the line is not on that side)."""

    code: str
    name: str
    old_one_time: Decimal | None
    new_one_time: Decimal | None
    old_monthly: Decimal | None
    new_monthly: Decimal | None

    @property
    def dropped(self) -> bool:
        return self.new_one_time is None and self.new_monthly is None

    @property
    def added(self) -> bool:
        return self.old_one_time is None and self.old_monthly is None


@dataclass(frozen=True)
class PriceListChange:
    """What moving a draft to the price list in force changes: the lines whose amounts
    move (line by line, old → new), the totals on both lists, the items the new list no
    longer has, and the rule errors the draft would have there."""

    old: PriceList
    new: PriceList
    lines: tuple[LineChange, ...]
    old_totals: Totals
    new_totals: Totals
    dropped: tuple[str, ...]  # names of the items that would be removed
    new_errors: tuple[str, ...]


def price_list_superseded(quote: Quote) -> PriceList | None:
    """The price list in force when ``quote`` is a draft on another (older) list, else
    None. One query."""
    if not quote.is_draft:
        return None
    in_force = price_list_in_force()
    if in_force is None or in_force.pk == quote.price_list_id:
        return None
    return in_force


def price_list_change(quote: Quote, *, result: PriceResult | None = None) -> PriceListChange | None:
    """How the draft ``quote`` prices on the list in force, beside its own (``result``:
    its pricing on its own list when the caller has it). None when the draft is on the
    list in force. Both sides through the engine."""
    new_list = price_list_superseded(quote)
    if new_list is None:
        return None
    new_catalog = catalog_for(new_list)
    items, manual, dropped = items_on_catalog(new_catalog, quote.items or {}, quote.manual_prices or {})
    try:
        old = result or quote_pricing(quote)
        new = quote_pricing(quote_preview(quote, {"items": items, "manual_prices": manual}), catalog=new_catalog)
    except InvalidConfiguration:
        return None
    old_lines = {line.code: line for line in old.lines}
    new_lines = {line.code: line for line in new.lines}
    changes = []
    for code in [*old_lines, *(c for c in new_lines if c not in old_lines)]:
        before, after = old_lines.get(code), new_lines.get(code)
        if before and after and (before.one_time, before.monthly) == (after.one_time, after.monthly):
            continue
        changes.append(LineChange(
            code=code,
            name=(after or before).name,
            old_one_time=before.one_time if before else None,
            new_one_time=after.one_time if after else None,
            old_monthly=before.monthly if before else None,
            new_monthly=after.monthly if after else None,
        ))
    return PriceListChange(
        old=quote.price_list,
        new=new_list,
        lines=tuple(changes),
        old_totals=old.totals,
        new_totals=new.totals,
        dropped=tuple(old.catalog.items[c].name if c in old.catalog.items else c for c in dropped),
        new_errors=tuple(p.message for p in new.errors),
    )


# --- Templates ---------------------------------------------------------------------------


def templates_for(user):
    """The templates a seller may start from: the shared ones, then their own."""
    return QuoteTemplate.objects.filter(Q(owner__isnull=True) | Q(owner_id=user.pk)).order_by(
        "owner_id", "name", "id"
    )


@dataclass(frozen=True)
class TemplateSummary:
    template: QuoteTemplate
    users: int
    one_time: Decimal | None  # priced on today's list (None: it cannot be priced there)
    monthly: Decimal | None
    contract_months: int
    missing: tuple[str, ...]  # item codes today's price list does not have
    discount_share: Decimal | None = None  # of the list contract value, 0–1, when it has discounts
    free_months: int = 0
    alternatives: tuple[str, ...] = ()  # the alternatives' names
    options: tuple[str, ...] = ()  # the options' item names


def template_summaries(templates, price_list: PriceList | None) -> list[TemplateSummary]:
    """Each template as it would start today: users, and its totals on the price list in
    force (through the engine; items that list lacks left out and named)."""
    catalog = catalog_for(price_list) if price_list else None
    out = []
    for template in templates:
        one_time = monthly = share = None
        free_months = 0
        missing: tuple[str, ...] = ()
        if catalog is not None:
            items, manual, missing = items_on_catalog(catalog, template.items or {}, template.manual_prices or {})
            try:
                preview = quote_preview(template, {"items": items, "manual_prices": manual})
                totals = price(catalog, quote_configuration(preview, catalog)).totals
                one_time, monthly, free_months = totals.one_time, totals.monthly, totals.free_months
                share = totals.discount_share if totals.discount_total else None
            except (InvalidConfiguration, ValueError, TypeError):
                pass
        names = catalog.items if catalog is not None else {}
        out.append(TemplateSummary(
            template=template, users=int((template.items or {}).get("mobile_user") or 0),
            one_time=one_time, monthly=monthly, contract_months=template.contract_months, missing=missing,
            discount_share=share, free_months=free_months,
            alternatives=tuple(a.get("name") or "" for a in template.alternatives or []),
            options=tuple(names[c].name if c in names else c for c in template.options or {}),
        ))
    return out
