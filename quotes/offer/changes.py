"""What changed since the previous revision: the diff of two offer documents.

Negotiation runs in revisions (A, B, C…; ``quotes.offer.services.quote_revise``). For a
revision B or later, the offer shows what changed against the revision before it: lines
added, removed and changed (quantity, unit prices, line amounts, and the line's discount
in kronor and as negotiated in percent, where the offer has discounts), the contract term,
and the totals before → after (one-time, monthly, contract value; the quote discount's
percentages, free months and the total discount over the contract where present).

``revision_changes`` is pure: it compares two ``OfferDocument``s and touches neither the
database nor the request. ``quotes.offer.document.offer_document`` calls it with the
previous revision's frozen document (its snapshot) and this revision's document (its
snapshot, or a draft's live pricing through the same snapshot builder), and the one
partial ``templates/quotes/offer/_changes.html`` renders it on every screen and in the PDF.
Traffic is an estimate, not a price of the offer, and is not compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the documents are only read here; document.py calls this module
    from .document import DocLine, OfferDocument

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
ZERO = Decimal("0.00")

# The amounts a line is compared by; the discounts only when the offer carries them.
LINE_AMOUNTS = ("one_time_unit", "monthly_unit", "one_time", "monthly")
LINE_DISCOUNTS = ("one_time_discount", "monthly_discount")
LINE_PERCENTS = ("one_time_discount_percent", "monthly_discount_percent")  # None: an amount


@dataclass(frozen=True)
class Change:
    """One figure, before → after (a line's discount percentage: None on a side where the
    discount is an amount in kronor, or none)."""

    before: Decimal | int | None
    after: Decimal | int | None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def difference(self) -> Decimal | int:
        return (self.after or 0) - (self.before or 0)


@dataclass(frozen=True)
class LineChange:
    """A line added, removed or changed. An added line's ``before`` figures are 0, a
    removed line's ``after`` figures are 0. A discount is None when neither revision has
    that discount field (an offer without discounts)."""

    kind: str  # ADDED, REMOVED or CHANGED
    code: str
    name: str
    per_user: bool  # a user service: its quantity counts users
    quantity: Change
    one_time_unit: Change
    monthly_unit: Change
    one_time: Change
    monthly: Change
    one_time_discount: Change | None = None
    monthly_discount: Change | None = None
    one_time_discount_percent: Change | None = None
    monthly_discount_percent: Change | None = None

    @property
    def added(self) -> bool:
        return self.kind == ADDED

    @property
    def removed(self) -> bool:
        return self.kind == REMOVED

    @property
    def current(self) -> dict[str, Decimal | int | None]:
        """The figures the line has in the revision that has it (after, or before for
        a removed line)."""
        side = "before" if self.removed else "after"
        figures = {}
        for name in ("quantity", *LINE_AMOUNTS, *LINE_DISCOUNTS, *LINE_PERCENTS):
            change = getattr(self, name)
            figures[name] = getattr(change, side) if change is not None else None
        return figures


@dataclass(frozen=True)
class RevisionChanges:
    since: str  # the previous revision's letter: "Ändringar sedan revision A"
    lines: tuple[LineChange, ...]
    contract_months: Change
    one_time: Change
    monthly: Change
    contract_value: Change
    # None: neither revision has it (no quote discount, no free months, no discount).
    monthly_quote_percent: Change | None
    one_time_quote_percent: Change | None
    free_months: Change | None
    discount_total: Change | None

    @property
    def totals_changed(self) -> bool:
        figures = (
            self.one_time, self.monthly, self.contract_value, self.monthly_quote_percent,
            self.one_time_quote_percent, self.free_months, self.discount_total,
        )
        return any(f is not None and f.changed for f in figures)

    def __bool__(self) -> bool:
        return bool(self.lines) or self.contract_months.changed or self.totals_changed


def _figure(obj, name: str) -> Decimal | int | None:
    """A figure of a line or the totals; None when this code's documents do not have it
    (an offer from before discounts existed)."""
    return getattr(obj, name, None)


def _change(before, after, name: str, *, optional: bool = False) -> Change | None:
    """``name`` before → after; a missing line counts as 0. For an optional figure
    (discounts), None when neither side has it or both are nothing."""
    b = _figure(before, name) if before is not None else None
    a = _figure(after, name) if after is not None else None
    if optional and not b and not a:
        return None
    zero = 0 if isinstance(a if a is not None else b, int) else ZERO
    return Change(before=b if b is not None else zero, after=a if a is not None else zero)


def _percent_change(before: DocLine | None, after: DocLine | None, name: str) -> Change | None:
    """A discount as negotiated in percent; None when neither side is a percentage."""
    b = _figure(before, name) if before is not None else None
    a = _figure(after, name) if after is not None else None
    return None if b is None and a is None else Change(before=b, after=a)


def _line_change(kind: str, before: DocLine | None, after: DocLine | None, *, per_user: bool) -> LineChange:
    line = after or before
    return LineChange(
        kind=kind,
        code=line.code,
        name=line.name,
        per_user=per_user,
        quantity=_change(before, after, "quantity"),
        **{name: _change(before, after, name) for name in LINE_AMOUNTS},
        **{name: _change(before, after, name, optional=True) for name in LINE_DISCOUNTS},
        **{name: _percent_change(before, after, name) for name in LINE_PERCENTS},
    )


def _is_changed(change: LineChange) -> bool:
    figures = (change.quantity, *(getattr(change, n) for n in (*LINE_AMOUNTS, *LINE_DISCOUNTS, *LINE_PERCENTS)))
    return any(f is not None and f.changed for f in figures)


def _lines_by_code(document: OfferDocument) -> dict[str, tuple[DocLine, bool]]:
    return {
        line.code: (line, section.per_user)
        for section in document.sections
        for line in section.lines
    }


def revision_changes(before: OfferDocument, after: OfferDocument) -> RevisionChanges | None:
    """What changed from ``before`` (the previous revision) to ``after``; None when
    nothing a customer would notice did (no line, term or total changed).

    Lines are matched by item code and listed in the order of ``after``; a removed line
    stands after the line it followed in ``before``."""
    old = _lines_by_code(before)
    new = _lines_by_code(after)
    # Each removed line, keyed by the nearest earlier line of ``before`` that ``after``
    # still has (None: at the top).
    removed_after: dict[str | None, list[LineChange]] = {}
    anchor: str | None = None
    for code, (line, per_user) in old.items():
        if code in new:
            anchor = code
        else:
            removed_after.setdefault(anchor, []).append(_line_change(REMOVED, line, None, per_user=per_user))
    lines: list[LineChange] = list(removed_after.get(None, ()))
    for code, (line, per_user) in new.items():
        if code in old:
            change = _line_change(CHANGED, old[code][0], line, per_user=per_user)
            if _is_changed(change):
                lines.append(change)
        else:
            lines.append(_line_change(ADDED, None, line, per_user=per_user))
        lines.extend(removed_after.get(code, ()))
    changes = RevisionChanges(
        since=before.revision,
        lines=tuple(lines),
        contract_months=Change(before.contract_months, after.contract_months),
        one_time=_change(before.totals, after.totals, "one_time"),
        monthly=_change(before.totals, after.totals, "monthly"),
        contract_value=_change(before.totals, after.totals, "contract_value"),
        monthly_quote_percent=_change(before.totals, after.totals, "monthly_quote_percent", optional=True),
        one_time_quote_percent=_change(before.totals, after.totals, "one_time_quote_percent", optional=True),
        free_months=_change(before.totals, after.totals, "free_months", optional=True),
        discount_total=_change(before.totals, after.totals, "discount_total", optional=True),
    )
    return changes if changes else None
