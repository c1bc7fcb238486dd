"""The task queue: work that talks to the outside world runs here, never in a request.

Mail (``quotes.notifications``), the daily jobs (``quotes.daily``) and later webhooks run
as tasks of Django's Tasks API (``django.tasks`` from Django 6; on Django 5.2 its
backport, the ``django-tasks`` package) on the database backend (``django-tasks-db``): a
task is a row in the app's own database (SQLite or PostgreSQL), so no new server is
needed, and ``manage.py db_worker`` runs the rows (``make run`` starts it next to the web
server; production: README, "Bakgrundsjobb").

How to add a task (a webhook, say)::

    from quotes.queue import PermanentFailure, enqueue_on_commit, retried_task

    def _webhook_failed(failure, *, quote_id, url):  # optional: the audit trail
        quote_event_record(quote=..., kind=..., detail=failure.describe())

    @retried_task(on_failure=_webhook_failed)
    def webhook_post(*, quote_id: int, url: str) -> str:
        ...                       # raise to fail this attempt; it is retried with back-off
        ...                       # raise PermanentFailure("…") when retrying cannot help
        return "posted"           # stored as the task's result

    enqueue_on_commit(webhook_post, quote_id=quote.pk, url=hook.url)

- Arguments are keyword-only and JSON (ids, strings, numbers): a task reads its objects
  from the database when it runs, so it sees them as they are then.
- ``enqueue_on_commit`` enqueues when the surrounding transaction commits (at once
  outside one): a rolled-back change enqueues nothing, and the worker never sees a row
  before it exists.
- A failed attempt is retried after ``settings.TASK_RETRY_DELAYS[n]`` seconds (back-off:
  1 min, 5 min, 30 min, 2 h, 6 h by default), then given up. Each attempt is its own task
  row (``DBTaskResult``, visible in the admin under *Tasks Database Backend*): a failed
  attempt is marked failed with its traceback, the retry is a new row that runs after its
  ``run_after``. ``on_failure`` is called in the same transaction that enqueues the retry,
  so the audit trail and the retry are written together.
- A task may run more than once only if it was enqueued more than once: a worker that
  dies in the middle of a task leaves it "running" and never repeats it (at most once).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

try:  # Django 6: the Tasks API is built in.
    from django.tasks import task
    from django.tasks.base import Task
except ImportError:  # Django 5.2: the backport.
    from django_tasks import task
    from django_tasks.base import Task

logger = logging.getLogger(__name__)

__all__ = ["Failure", "PermanentFailure", "Task", "enqueue_on_commit", "retried_task", "retry_delays", "task_attempts"]


class PermanentFailure(Exception):
    """Raised by a task when trying again cannot help (the quote is gone, no address):
    recorded like any failure, never retried."""


def retry_delays() -> list[float]:
    """Seconds to wait before the 2nd, 3rd, … attempt (``TASK_RETRY_DELAYS``)."""
    return [float(s) for s in settings.TASK_RETRY_DELAYS]


@dataclass(frozen=True)
class Failure:
    """One failed attempt of a task, as ``on_failure`` sees it."""

    error: BaseException
    attempt: int  # 1 for the first try
    attempts: int  # how many tries there are at most
    retry_at: datetime | None  # when the next attempt runs; None: given up

    @property
    def error_text(self) -> str:
        text = str(self.error).strip()
        if isinstance(self.error, PermanentFailure):
            return text
        return f"{type(self.error).__name__}: {text}" if text else type(self.error).__name__


def task_attempts(task_: Task, **kwargs):
    """The task rows (``DBTaskResult``, newest first) of ``task_`` enqueued with these
    keyword arguments, every attempt: what a page shows of work in the queue (queued,
    waiting for a retry, given up)."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=task_.module_path)
    for name, value in kwargs.items():
        rows = rows.filter(**{f"args_kwargs__kwargs__{name}": value})
    return rows.order_by("-enqueued_at")


def enqueue_on_commit(task_: Task, *, robust: bool = False, **kwargs) -> None:
    """Enqueue ``task_`` with ``kwargs`` once the current transaction commits (at once
    when there is none). Nothing is enqueued if the transaction rolls back. ``robust``:
    an error while enqueuing is logged instead of raised (for callers whose own change
    has committed and must not look failed, such as the customer's answer)."""
    transaction.on_commit(functools.partial(task_.enqueue, **kwargs), robust=robust)


def retried_task(
    *,
    on_failure: Callable[..., None] | None = None,
    priority: int = 0,
    queue_name: str = "default",
    delays: Callable[[], list[float]] = retry_delays,
) -> Callable[[Callable[..., object]], Task]:
    """Make a module-level function a task that is retried with back-off when it raises.

    The task takes the function's keyword arguments (plus ``attempt``, which the queue
    sets, and passes on to a function that has an ``attempt`` parameter). ``on_failure(failure, **kwargs)`` runs after every failed attempt, with a
    ``Failure`` that says whether and when it is tried again. ``delays`` gives the
    schedule of retries (``TASK_RETRY_DELAYS`` unless told otherwise: webhooks keep
    trying longer, ``WEBHOOK_RETRY_DELAYS``)."""

    def decorate(func: Callable[..., object]) -> Task:
        wants_attempt = "attempt" in inspect.signature(func).parameters

        @functools.wraps(func)
        def attempt_run(*, attempt: int = 1, **kwargs):
            try:
                return func(**kwargs, attempt=attempt) if wants_attempt else func(**kwargs)
            except Exception as error:
                schedule = delays()
                retry_at = None
                if not isinstance(error, PermanentFailure) and attempt <= len(schedule):
                    retry_at = timezone.now() + timedelta(seconds=schedule[attempt - 1])
                failure = Failure(error=error, attempt=attempt, attempts=len(schedule) + 1, retry_at=retry_at)
                with transaction.atomic():
                    if retry_at is not None:
                        the_task.using(run_after=retry_at).enqueue(attempt=attempt + 1, **kwargs)
                    if on_failure is not None:
                        on_failure(failure, **kwargs)
                logger.warning(
                    "Task %s attempt %s of %s failed (%s); %s", func.__name__, attempt,
                    failure.attempts, failure.error_text,
                    f"retry at {retry_at.isoformat()}" if retry_at else "given up",
                )
                raise  # the worker marks this attempt failed, with its traceback

        the_task = task(priority=priority, queue_name=queue_name)(attempt_run)
        return the_task

    return decorate
