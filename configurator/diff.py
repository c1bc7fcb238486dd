"""What differs between two price lists, item by item: the import's preview (the draft
against the file) and the diff before publishing (a draft against the list in force, or
any two versions).

Both sides are read into plain rows first (``rows_of`` for a list in the database,
``configurator.sheets`` for a file), then compared here without the database. Items are
matched by code, footnotes by reference. Money is Decimal; a change of a price gives the
difference in kronor and in percent of the old price (one decimal, half up; none when
the old price is missing or 0).

Which quotes a new list affects is the quotes' business (``configurator`` never imports
``quotes``): the quotes app registers a provider with ``impact_provider_register`` when
it starts, and ``price_list_impact`` asks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from django.utils.translation import gettext_lazy as _

from .models import Footnote, PriceItem, PriceList


@dataclass(frozen=True)
class ItemRow:
    code: str
    name: str
    section: str
    billed_to: str
    one_time: Decimal | None
    monthly: Decimal | None
    usage_price: Decimal | None
    free_quota: int | None
    price_on_request: bool
    footnote: str  # the footnote's reference, "" for none
    sort_order: int
    active: bool


@dataclass(frozen=True)
class FootnoteRow:
    ref: str
    term_title: str
    text: str


# The compared fields of an item, in the order a change is listed: (field, label, kind).
ITEM_FIELDS: tuple[tuple[str, object, str], ...] = (
    ("name", _("namn"), "text"),
    ("section", _("avsnitt"), "section"),
    ("billed_to", _("faktureras"), "billed_to"),
    ("one_time", _("startavgift"), "money"),
    ("monthly", _("månadsavgift"), "money"),
    ("usage_price", _("rörligt pris"), "money"),
    ("free_quota", _("fri mängd per månad"), "number"),
    ("price_on_request", _("pris på förfrågan"), "bool"),
    ("footnote", _("fotnot"), "text"),
    ("sort_order", _("sortering"), "number"),
    ("active", _("aktiv"), "bool"),
)
FOOTNOTE_FIELDS: tuple[tuple[str, object], ...] = (("term_title", _("villkorsrubrik")), ("text", _("text")))


def _clean(text: str) -> str:
    """Text as a spreadsheet keeps it: no surrounding blanks, "\n" line breaks."""
    return (text or "").replace("\r\n", "\n").strip()


def rows_of(price_list: PriceList) -> tuple[tuple[ItemRow, ...], tuple[FootnoteRow, ...]]:
    """The list's items (all, active or not, in its order) and footnotes as rows (2 queries)."""
    items = tuple(
        ItemRow(
            code=i.code, name=_clean(i.name), section=i.section, billed_to=i.billed_to,
            one_time=i.one_time_fee, monthly=i.monthly_fee, usage_price=i.usage_price,
            free_quota=i.free_quota, price_on_request=i.price_on_request,
            footnote=i.footnote.ref if i.footnote else "", sort_order=i.sort_order, active=i.active,
        )
        for i in PriceItem.objects.filter(price_list=price_list).select_related("footnote").order_by("sort_order", "id")
    )
    notes = tuple(
        FootnoteRow(ref=f.ref, term_title=_clean(f.term_title), text=_clean(f.text))
        for f in Footnote.objects.filter(price_list=price_list).order_by("id")
    )
    return items, notes


def percent_change(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    """(new − old) / old in percent, one decimal, half up; None without an old price > 0."""
    if old is None or new is None or old == 0:
        return None
    return ((new - old) * 100 / old).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    kind: str  # text, section, billed_to, money, number, bool
    old: object
    new: object

    @property
    def delta(self) -> Decimal | None:
        """The change in kronor of a price that is set on both sides."""
        if self.kind == "money" and self.old is not None and self.new is not None:
            return self.new - self.old
        return None

    @property
    def percent(self) -> Decimal | None:
        return percent_change(self.old, self.new) if self.kind == "money" else None


@dataclass(frozen=True)
class ItemChange:
    code: str
    name: str
    kind: str  # "added", "removed", "changed"
    changes: tuple[FieldChange, ...] = ()
    row: ItemRow | None = None  # the added or removed item


@dataclass(frozen=True)
class FootnoteChange:
    ref: str
    kind: str  # "added", "removed", "changed"
    changes: tuple[FieldChange, ...] = ()
    row: FootnoteRow | None = None


@dataclass(frozen=True)
class ListDiff:
    items: tuple[ItemChange, ...]
    footnotes: tuple[FootnoteChange, ...]

    @property
    def is_empty(self) -> bool:
        return not self.items and not self.footnotes

    def count(self, kind: str) -> int:
        return sum(1 for c in self.items if c.kind == kind)

    @property
    def changed(self) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.items if c.kind == "changed")

    @property
    def added(self) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.items if c.kind == "added")

    @property
    def removed(self) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.items if c.kind == "removed")


def _field_changes(old, new, fields) -> tuple[FieldChange, ...]:
    out = []
    for spec in fields:
        name, label = spec[0], spec[1]
        kind = spec[2] if len(spec) > 2 else "text"
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            out.append(FieldChange(field=name, label=str(label), kind=kind, old=before, new=after))
    return tuple(out)


def list_diff(
    old_items: tuple[ItemRow, ...], old_notes: tuple[FootnoteRow, ...],
    new_items: tuple[ItemRow, ...], new_notes: tuple[FootnoteRow, ...],
) -> ListDiff:
    """Every difference from the old rows to the new: changed items in the new list's
    order, then added ones, then removed ones; footnotes likewise."""
    old_by_code = {r.code: r for r in old_items}
    new_by_code = {r.code: r for r in new_items}
    changed, added = [], []
    for row in new_items:
        before = old_by_code.get(row.code)
        if before is None:
            added.append(ItemChange(code=row.code, name=row.name, kind="added", row=row))
            continue
        changes = _field_changes(before, row, ITEM_FIELDS)
        if changes:
            changed.append(ItemChange(code=row.code, name=row.name, kind="changed", changes=changes))
    removed = [
        ItemChange(code=r.code, name=r.name, kind="removed", row=r) for r in old_items if r.code not in new_by_code
    ]
    old_notes_by_ref = {n.ref: n for n in old_notes}
    new_refs = {n.ref for n in new_notes}
    notes = []
    for note in new_notes:
        before = old_notes_by_ref.get(note.ref)
        if before is None:
            notes.append(FootnoteChange(ref=note.ref, kind="added", row=note))
            continue
        changes = _field_changes(before, note, FOOTNOTE_FIELDS)
        if changes:
            notes.append(FootnoteChange(ref=note.ref, kind="changed", changes=changes))
    notes.extend(FootnoteChange(ref=n.ref, kind="removed", row=n) for n in old_notes if n.ref not in new_refs)
    return ListDiff(items=(*changed, *added, *removed), footnotes=tuple(notes))


def price_lists_diff(old: PriceList, new: PriceList) -> ListDiff:
    return list_diff(*rows_of(old), *rows_of(new))


# --- Which quotes a list affects (provided by the quotes app) ----------------------------


@dataclass(frozen=True)
class TotalsPair:
    """A quote's totals (excl. VAT) now and on the new list; ``after`` None when the
    configuration cannot be priced on it."""

    one_time: Decimal | None
    monthly: Decimal | None
    contract_value: Decimal | None


@dataclass(frozen=True)
class AffectedQuote:
    label: str  # "SC-2026-00042 A – Nordisk Logistik AB", "Utkast 17 – …"
    url: str
    price_list: str  # the list it is priced with now
    before: TotalsPair
    after: TotalsPair | None
    dropped: tuple[str, ...] = ()  # names of items the new list does not sell
    problems: tuple[str, ...] = ()  # the engine's errors on the new list


@dataclass(frozen=True)
class ImpactGroup:
    title: str
    explanation: str
    quotes: tuple[AffectedQuote, ...]
    total: int  # quotes in the group; ``quotes`` holds at most a page of them


@dataclass
class _Providers:
    providers: list[Callable[[PriceList], list[ImpactGroup]]] = field(default_factory=list)


_registry = _Providers()


def impact_provider_register(provider: Callable[[PriceList], list[ImpactGroup]]) -> None:
    """Called by an app's ``ready()``: ``provider(price_list)`` says which of its records
    the list would affect once in force."""
    if provider not in _registry.providers:
        _registry.providers.append(provider)


def price_list_impact(price_list: PriceList) -> list[ImpactGroup]:
    groups: list[ImpactGroup] = []
    for provider in _registry.providers:
        groups.extend(provider(price_list))
    return groups
