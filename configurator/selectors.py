"""Reads of the catalog. Load first, then compute: the pricing engine gets frozen data."""

from __future__ import annotations

import threading
from collections import OrderedDict
from types import MappingProxyType
from datetime import date

from django.utils import timezone

from .models import Footnote, PriceItem, PriceList
from .pricing import Catalog, CatalogItem


def price_list_in_force(on: date | None = None) -> PriceList | None:
    """The newest published price list whose valid_from is on or before ``on`` (today)."""
    return PriceList.objects.in_force(on or timezone.localdate())


_CACHE_SIZE = 16
_cache: OrderedDict[tuple[int, int], Catalog] = OrderedDict()
_cache_lock = threading.Lock()


def catalog_for(price_list: PriceList) -> Catalog:
    """The price list's active items and footnotes as a frozen ``Catalog``.

    Cached in the process by (id, version): the version moves with every change to the
    list (configurator/signals.py), and callers have just read it from the database, so
    a cached catalog is never stale. A miss costs 2 queries, a hit none.
    """
    key = (price_list.pk, price_list.version)
    with _cache_lock:
        catalog = _cache.get(key)
        if catalog is not None:
            _cache.move_to_end(key)
            return catalog
    catalog = catalog_load(price_list)
    with _cache_lock:
        _cache[key] = catalog
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return catalog


def catalog_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


def catalog_load(price_list: PriceList) -> Catalog:
    """Read the catalog from the database (2 queries)."""
    items = (
        PriceItem.objects.filter(price_list=price_list, active=True)
        .select_related("footnote")
        .order_by("sort_order", "id")
    )
    footnotes = Footnote.objects.filter(price_list=price_list).order_by("id")
    return Catalog(
        price_list_id=price_list.pk,
        name=price_list.name,
        valid_from=price_list.valid_from,
        vat_rate=price_list.vat_rate,
        items=MappingProxyType({
            i.code: CatalogItem(
                code=i.code,
                name=i.name,
                section=i.section,
                billed_to=i.billed_to,
                one_time=i.one_time_fee,
                monthly=i.monthly_fee,
                usage_price=i.usage_price,
                free_quota=i.free_quota,
                price_on_request=i.price_on_request,
                footnote=i.footnote.ref if i.footnote else None,
                sort_order=i.sort_order,
            )
            for i in items
        }),
        footnotes=MappingProxyType({f.ref: f.text for f in footnotes}),
        term_titles=MappingProxyType({f.ref: f.term_title for f in footnotes}),
    )
