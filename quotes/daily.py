"""The daily jobs: offers past their day are marked expired, reminders of unanswered
offers about to expire are handed to the task queue, and untouched drafts nobody saved
for a day are deleted (``quotes.draft.services.drafts_untouched_delete``).

``daily_jobs`` is a task; ``manage.py quote_daily`` enqueues it (or runs it at once with
``--now``). Production runs that command once a day from cron or a systemd timer (README,
"Bakgrundsjobb"); ``make run`` runs it when it starts. Running it twice, or more often,
changes nothing more: expiry is a no-op for an expired offer, and a reminder is handed to
the queue once per quote and audience (the unique ``QuoteReminder`` row).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from .draft.services import drafts_untouched_delete
from .models import Quote, QuoteReminder
from .notifications import expiry_reminder_enqueue
from .offer.services import ANSWERABLE, quotes_expire_due, stockholm_today
from .queue import retried_task

Audience = QuoteReminder.Audience


def reminder_audiences() -> list[str]:
    return [Audience.SELLER] + ([Audience.CUSTOMER] if settings.QUOTE_CUSTOMER_REMINDER else [])


def quotes_to_remind(*, today: date) -> list[Quote]:
    """Unanswered offers whose last valid day is within ``QUOTE_REMINDER_DAYS`` from
    ``today`` (today included: a day missed by the schedule is caught up)."""
    days = settings.QUOTE_REMINDER_DAYS
    if days <= 0:
        return []
    return list(
        Quote.objects.filter(
            status__in=ANSWERABLE, valid_until__gte=today, valid_until__lte=today + timedelta(days=days)
        ).order_by("valid_until", "pk")
    )


def reminders_enqueue(*, now: datetime | None = None) -> int:
    """Hand the due reminders to the task queue, once per quote and audience; how many."""
    queued = 0
    audiences = reminder_audiences()
    for quote in quotes_to_remind(today=stockholm_today(now)):
        for audience in audiences:
            try:
                with transaction.atomic():
                    _reminder, created = QuoteReminder.objects.get_or_create(quote=quote, audience=audience)
                    if created:
                        expiry_reminder_enqueue(quote=quote, audience=audience)
            except IntegrityError:  # another run took it meanwhile
                created = False
            queued += created
    return queued


def daily_jobs_run(*, now: datetime | None = None) -> dict[str, int]:
    """Expire what is due, queue the reminders, delete the untouched drafts."""
    return {
        "expired": quotes_expire_due(now=now),
        "reminders": reminders_enqueue(now=now),
        "untouched_drafts_deleted": drafts_untouched_delete(now=now),
    }


@retried_task()
def daily_jobs() -> dict[str, int]:
    """The daily jobs as a task of the queue (retried with back-off if the database
    hiccups)."""
    return daily_jobs_run()
