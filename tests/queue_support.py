"""The task queue inside a test: ``tasks_run()`` does what happens after a request in
production — its transaction commits (the ``on_commit`` callbacks run and enqueue their
tasks in the database) and the worker runs every task that is due.

The worker is django-tasks-db's own ``Worker`` (the loop ``manage.py db_worker`` runs:
claim a row, run the task, mark it successful or failed), in batch mode, in the test's
process and transaction: the test database of a normal test lives in that transaction
(and, on SQLite, in memory), where no other process can see it. The one change: the
loop's ``close_old_connections`` would end the test's transaction, so it is a no-op
here. ``tests/test_task_worker.py`` runs the real ``manage.py db_worker`` process on a
database of its own.
"""

from __future__ import annotations

from unittest import mock

from django.db import connections
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult


def commit_callbacks_run(using: str = "default") -> int:
    """Run the ``transaction.on_commit`` callbacks registered so far, as the commit that a
    test's rolled-back transaction never makes would (``captureOnCommitCallbacks`` does
    the same). Callbacks that enqueue more are run too. How many ran."""
    connection = connections[using]
    ran = 0
    while connection.run_on_commit:
        callbacks = list(connection.run_on_commit)
        connection.run_on_commit.clear()
        for _sids, func, _robust in callbacks:
            func()
            ran += 1
    return ran


def tasks_run(*, commit: bool = True) -> list[DBTaskResult]:
    """Commit (see ``commit_callbacks_run``), then let the worker run every task that is
    due now; the task rows it ran, oldest first."""
    before = set(DBTaskResult.objects.exclude(status="READY").values_list("id", flat=True))
    worker = db_worker.Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )
    if commit:
        commit_callbacks_run()
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        while True:
            worker.run()
            # A task's own transactions commit inside the test's: what they enqueue on
            # commit is enqueued now, and run in the next round.
            if not commit_callbacks_run():
                break
    return list(DBTaskResult.objects.exclude(status="READY").exclude(id__in=before).order_by("started_at"))


def tasks_pending() -> list[DBTaskResult]:
    """Task rows not yet run (also those waiting for their ``run_after``)."""
    return list(DBTaskResult.objects.filter(status="READY").order_by("run_after"))


def queued_work(using: str = "default") -> tuple[int, int]:
    """What is waiting for the worker: callbacks that enqueue at commit, and task rows."""
    return len(connections[using].run_on_commit), DBTaskResult.objects.count()
