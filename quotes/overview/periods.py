"""Calendar periods in Swedish time: this month, this quarter, a named month.

A period is a half-open range of Stockholm dates ``[start, end)``; ``start_at`` and
``end_at`` are its bounds as aware datetimes (midnight in Stockholm), so a quote signed at
23:30 on the last day of a month, Swedish time, belongs to that month whatever the
database's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import formats
from django.utils.translation import gettext as _

from ..numbering import STOCKHOLM

MONTH_KEY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    key: str  # "month", "quarter" or "2026-03"
    start: date
    end: date  # exclusive

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=STOCKHOLM)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=STOCKHOLM)

    @property
    def name(self) -> str:
        """"november 2026", "kvartal 4 2026" (in the active language)."""
        if self.end == _next_month(self.start):
            return formats.date_format(self.start, "F Y")
        return _("kvartal %(q)s %(year)s") % {"q": (self.start.month - 1) // 3 + 1, "year": self.start.year}


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_of(day: date, key: str | None = None) -> Period:
    start = day.replace(day=1)
    return Period(key or f"{start:%Y-%m}", start, _next_month(start))


def quarter_of(day: date) -> Period:
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    end = _next_month(_next_month(_next_month(start)))
    return Period("quarter", start, end)


def this_month(today: date) -> Period:
    return month_of(today, "month")


def last_months(today: date, count: int) -> list[Period]:
    """The ``count`` calendar months up to and including this one, oldest first."""
    periods = [month_of(today)]
    while len(periods) < count:
        periods.insert(0, month_of(periods[0].start - timedelta(days=1)))
    return periods


def period_for(key: str, today: date) -> Period | None:
    """"month", "quarter" (the current ones) or "YYYY-MM"; None for anything else."""
    if key == "month":
        return this_month(today)
    if key == "quarter":
        return quarter_of(today)
    match = MONTH_KEY.match(key)
    if match:
        return month_of(date(int(match[1]), int(match[2]), 1))
    return None
