"""Writes to one quote queue behind each other.

PostgreSQL: ``SELECT … FOR UPDATE`` locks the quote's row (and the number counter's) until
the transaction commits; any number of processes and servers queue on it. SQLite has no
row locks, and in the test suite's shared in-memory database a second writer fails at
once instead of waiting: ``serialized_writes`` queues the writers of this process there
(SQLite is the one-process development database; production is PostgreSQL).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager, nullcontext

from django.db import connection

_sqlite_lock = threading.RLock()


def serialized_writes():
    """A context for a read-modify-write of a quote, around its transaction."""
    if connection.features.has_select_for_update:
        return nullcontext()
    return _locked()


@contextmanager
def _locked():
    with _sqlite_lock:
        yield
