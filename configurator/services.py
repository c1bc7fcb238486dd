"""Writes to the catalog: copying, importing into and publishing price lists."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from .diff import FootnoteRow, ItemRow, list_diff, rows_of
from .models import Footnote, PriceItem, PriceList
from .signals import price_list_touch


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
def price_list_publish(*, price_list: PriceList, valid_from: date, expected_version: int | None = None) -> PriceList:
    """Publish a draft from ``valid_from``; quotes made before keep their own prices.
    ``expected_version``: the version the admin confirmed (the diff before publishing);
    refused (``PriceListNotChangeable``) if the draft changed since."""
    given, price_list = price_list, PriceList.objects.select_for_update().get(pk=price_list.pk)
    if price_list.status != PriceList.Status.DRAFT:
        raise ValueError("Only a draft price list can be published.")
    if expected_version is not None and price_list.version != expected_version:
        raise PriceListNotChangeable(
            _("Utkastet har ändrats sedan sammanställningen visades: granska ändringarna igen innan du publicerar.")
        )
    price_list.status = PriceList.Status.PUBLISHED
    price_list.valid_from = valid_from
    price_list.published_at = timezone.now()
    price_list.save(update_fields=["status", "valid_from", "published_at", "version"])
    for name in ("status", "valid_from", "published_at", "version"):  # the caller's copy too
        setattr(given, name, getattr(price_list, name))
    return price_list


class PriceListNotChangeable(Exception):
    """The write is refused; the message says why (shown to the admin as it is)."""


# ItemRow's fields → PriceItem's.
ITEM_MODEL_FIELDS = {
    "name": "name", "section": "section", "billed_to": "billed_to", "one_time": "one_time_fee",
    "monthly": "monthly_fee", "usage_price": "usage_price", "free_quota": "free_quota",
    "price_on_request": "price_on_request", "footnote": "footnote", "sort_order": "sort_order",
    "active": "active",
}


def price_list_import_refusal(price_list: PriceList) -> str | None:
    """Why a file cannot go into ``price_list`` (None: it can)."""
    if price_list.is_in_force:
        return _("Prislistan %(name)s gäller och kan inte ändras: kopiera den till ett nytt utkast "
                 "(åtgärden «Kopiera till nytt utkast» i listan över prislistor) och importera till utkastet.") % {"name": price_list.name}
    if price_list.status != PriceList.Status.DRAFT:
        return _("Prislistan %(name)s är publicerad: filer importeras bara till utkast.") % {"name": price_list.name}
    return None


@transaction.atomic
def price_list_import(
    *, price_list: PriceList, items: tuple[ItemRow, ...], footnotes: tuple[FootnoteRow, ...],
    expected_version: int, user=None,
) -> int:
    """Write a checked file (``configurator.sheets``) into the draft in one transaction:
    the changed items and footnotes, each change in the history with ``user``. Refused
    (``PriceListNotChangeable``, nothing written) when the list is no longer a draft or
    changed since the preview was made (``expected_version``). The number of changed
    items and footnotes."""
    locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
    refusal = price_list_import_refusal(locked)
    if refusal:
        raise PriceListNotChangeable(refusal)
    if locked.version != expected_version:
        raise PriceListNotChangeable(
            _("Prislistan har ändrats sedan förhandsvisningen: ladda upp filen igen och granska ändringarna.")
        )
    diff = list_diff(*rows_of(locked), items, footnotes)
    if diff.added or diff.removed or any(n.kind != "changed" for n in diff.footnotes):
        raise PriceListNotChangeable(_("Filen har andra artiklar eller fotnoter än prislistan."))
    notes = {n.ref: n for n in Footnote.objects.filter(price_list=locked)}
    changed_notes = []
    for change in diff.footnotes:
        note = notes[change.ref]
        for c in change.changes:
            setattr(note, c.field, c.new)
        changed_notes.append(note)
    stored = {i.code: i for i in PriceItem.objects.filter(price_list=locked)}
    changed_items, fields = [], set()
    for change in diff.changed:
        item = stored[change.code]
        for c in change.changes:
            name = ITEM_MODEL_FIELDS[c.field]
            setattr(item, name, notes[c.new] if name == "footnote" and c.new else (None if name == "footnote" else c.new))
            fields.add(name)
        changed_items.append(item)
    if changed_notes:
        bulk_update_with_history(changed_notes, Footnote, ["term_title", "text"], default_user=user,
                                 default_change_reason="import")
    if changed_items:
        bulk_update_with_history(changed_items, PriceItem, sorted(fields), default_user=user,
                                 default_change_reason="import")
    if changed_notes or changed_items:
        price_list_touch(locked.pk)  # bulk updates send no signals
    return len(changed_items) + len(changed_notes)
