"""Offers at a known stage and date for the overview's tests: built in memory and saved
with ``bulk_create`` (10 000 in a few seconds), each with the signed totals the overview
sums. Not signed by ``quote_sign``: the overview reads only statuses, dates and the
totals' columns (``tests/test_overview.py`` signs one for real to check the columns)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count

from quotes.models import Quote
from quotes.numbering import STOCKHOLM

Status = Quote.Status
_numbers = count(1)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment on ``day``, Swedish time."""
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


def offer(owner, price_list, *, status: str = Status.SENT, signed: datetime | None = None,
          accepted: datetime | None = None, declined: datetime | None = None,
          valid_until: date | None = None, monthly: str = "1000", one_time: str = "5000",
          months: int = 36, company: str = "Kund AB") -> Quote:
    """An unsaved quote at ``status``; a signed one has its number and totals."""
    quote = Quote(owner=owner, price_list=price_list, status=status, company_name=company,
                  contract_months=months, items={"mobile_user": 1})
    if status != Status.DRAFT:
        signed = signed or at(date.today() - timedelta(days=3))
        quote.number = f"SC-2026-{next(_numbers):05d}"
        quote.signed_at = signed
        quote.sent_at = signed
        quote.signed_by = owner
        quote.valid_until = valid_until or (signed.astimezone(STOCKHOLM).date() + timedelta(days=30))
        quote.one_time_total = Decimal(one_time)
        quote.monthly_total = Decimal(monthly)
        quote.contract_value = Decimal(one_time) + Decimal(monthly) * months
        quote.accepted_at = accepted
        quote.declined_at = declined
    return quote


def save(quotes: list[Quote]) -> list[Quote]:
    return Quote.objects.bulk_create(quotes, batch_size=1000)


def many(owners, price_list, n: int, today: date) -> list[Quote]:
    """``n`` offers spread over the sellers, statuses and the last 200 days."""
    stages = (Status.DRAFT, Status.SENT, Status.OPENED, Status.ACCEPTED, Status.DECLINED, Status.EXPIRED,
              Status.SUPERSEDED)
    quotes = []
    for i in range(n):
        status = stages[i % len(stages)]
        signed = at(today - timedelta(days=i % 200), hour=9 + i % 8)
        quotes.append(offer(
            owners[i % len(owners)], price_list, status=status, signed=signed,
            accepted=signed + timedelta(days=1 + i % 9) if status == Status.ACCEPTED else None,
            declined=signed + timedelta(days=2) if status == Status.DECLINED else None,
            valid_until=signed.date() + timedelta(days=30 if status != Status.EXPIRED else 5),
            monthly=str(500 + i % 50 * 10), company=f"Kund {i} AB",
        ))
    return save(quotes)
