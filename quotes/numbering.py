"""Quote numbers: ``SC-2026-00042`` — the year of signing (Europe/Stockholm), then a
counter per year. Unique and gapless in signing order.

PostgreSQL: ``QuoteCounter``'s row for the year is locked with ``SELECT … FOR UPDATE``
until the signing transaction commits, so parallel signings queue on that one row and
take consecutive numbers; a signing that fails rolls its number back with it.
On SQLite ``signing_lock`` (``quotes.locking``) serialises the signings of one process.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from .locking import _sqlite_lock, serialized_writes  # noqa: F401 - _sqlite_lock for the tests
from .models import QuoteCounter

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PREFIX = "SC"


def number_year(when: datetime | None = None) -> int:
    """The year a signing at ``when`` belongs to, in Swedish time."""
    return timezone.localtime(when or timezone.now(), STOCKHOLM).year


def quote_number_next(*, year: int) -> str:
    """Take the next number of ``year``. Must run inside the signing transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("quote_number_next must run inside transaction.atomic()")
    # Make sure the year's row exists without a race: a concurrent insert of the same
    # year is ignored (ON CONFLICT DO NOTHING), then everyone locks the one row.
    QuoteCounter.objects.bulk_create([QuoteCounter(year=year, last=0)], ignore_conflicts=True)
    counter = QuoteCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{PREFIX}-{year}-{counter.last:05d}"


signing_lock = serialized_writes


def next_revision(letter: str) -> str:
    """A → B → … → Z → AA → AB …"""
    letters = list(letter)
    i = len(letters) - 1
    while i >= 0:
        if letters[i] != "Z":
            letters[i] = chr(ord(letters[i]) + 1)
            return "".join(letters)
        letters[i] = "A"
        i -= 1
    return "A" + "".join(letters)
