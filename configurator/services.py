"""Writes to the catalog: copying and publishing price lists."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from .models import Footnote, PriceItem, PriceList


@transaction.atomic
def price_list_copy(*, price_list: PriceList, name: str | None = None) -> PriceList:
    """A new draft with every footnote and item of ``price_list``."""
    copy = PriceList.objects.create(
        name=name or f"{price_list.name} (kopia)",
        status=PriceList.Status.DRAFT,
        vat_rate=price_list.vat_rate,
        copied_from=price_list,
    )
    notes = {}
    for f in price_list.footnotes.all():
        notes[f.pk] = Footnote.objects.create(
            price_list=copy, ref=f.ref, text=f.text, term_title=f.term_title
        )
    for item in price_list.items.all():
        item.pk = None
        item.price_list = copy
        item.footnote = notes.get(item.footnote_id)
        item.save()
    return copy


@transaction.atomic
def price_list_publish(*, price_list: PriceList, valid_from: date) -> PriceList:
    """Publish a draft from ``valid_from``; quotes made before keep their own prices."""
    if price_list.status != PriceList.Status.DRAFT:
        raise ValueError("Only a draft price list can be published.")
    price_list.status = PriceList.Status.PUBLISHED
    price_list.valid_from = valid_from
    price_list.published_at = timezone.now()
    price_list.save(update_fields=["status", "valid_from", "published_at"])
    return price_list
