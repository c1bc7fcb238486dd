"""Quote numbers under parallel signings, against the real database of the run.

CI runs the suite on SQLite and on PostgreSQL. On PostgreSQL the year's counter row is
locked with SELECT … FOR UPDATE; on SQLite (one writer at a time) signings of a process
queue on ``signing_lock``. Both paths are exercised here, none is skipped.
"""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from configurator import seed
from configurator.models import Footnote, PriceItem, PriceList
from configurator.selectors import price_list_in_force
from quotes.offer.services import quote_sign, stockholm_today
from quotes.models import Quote, QuoteCounter
from quotes.numbering import _sqlite_lock, next_revision, quote_number_next, signing_lock

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteFactory

PARALLEL = 8 if connection.vendor == "postgresql" else 4


@pytest.fixture
def seed_price_list(transactional_db):
    """A transactional test's flush removes the migration's seed: put it back."""
    return price_list_in_force() or seed.load(PriceList, Footnote, PriceItem)


def run_in_threads(target, args_list):
    barrier = threading.Barrier(len(args_list))
    results, errors = {}, []

    def worker(i, *args):
        try:
            barrier.wait(timeout=30)
            results[i] = target(*args)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, *args)) for i, args in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_signings_get_unique_consecutive_numbers(doc_env, seed_price_list, seller):
    quotes = [
        QuoteFactory(owner=seller, price_list=seed_price_list, company_name=f"Kund {i} AB")
        for i in range(PARALLEL)
    ]

    def sign(quote):
        return quote_sign(quote=quote, user=seller).number

    results = run_in_threads(sign, [(q,) for q in quotes])
    year = stockholm_today().year
    numbers = sorted(results.values())
    assert numbers == [f"SC-{year}-{n:05d}" for n in range(1, PARALLEL + 1)]
    assert QuoteCounter.objects.get(year=year).last == PARALLEL
    signed = list(Quote.objects.filter(pk__in=[q.pk for q in quotes]).order_by("number"))
    assert all(q.status == Quote.Status.SENT and q.pdf for q in signed)
    # In order: the signing times follow the numbers.
    times = [q.signed_at for q in signed]
    assert times == sorted(times)


@pytest.mark.django_db(transaction=True)
def test_a_second_signer_waits_for_the_first_to_commit():
    year = 2031
    taken: dict[str, object] = {}
    first_has_number = threading.Event()
    release = threading.Event()

    def first():
        with signing_lock(), transaction.atomic():
            taken["first"] = quote_number_next(year=year)
            first_has_number.set()
            release.wait(10)

    def second():
        first_has_number.wait(10)
        started = time.monotonic()
        with signing_lock(), transaction.atomic():
            taken["second"] = quote_number_next(year=year)
        taken["waited"] = time.monotonic() - started

    def run(fn):
        try:
            fn()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in (first, second)]
    for t in threads:
        t.start()
    first_has_number.wait(10)
    time.sleep(0.6)
    assert "second" not in taken  # blocked on the first signer's lock
    release.set()
    for t in threads:
        t.join(timeout=30)
    assert (taken["first"], taken["second"]) == (f"SC-{year}-00001", f"SC-{year}-00002")
    assert taken["waited"] >= 0.5


@pytest.mark.django_db
def test_the_counter_row_is_locked_for_update():
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert quote_number_next(year=2032) == "SC-2032-00001"
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    if connection.features.has_select_for_update:  # PostgreSQL: the row lock queues signers
        assert "FOR UPDATE" in sql
        assert isinstance(signing_lock(), nullcontext)
    else:  # SQLite: no row locks; signings of the process queue on one lock instead
        assert "FOR UPDATE" not in sql
        got = []
        with signing_lock():
            other = threading.Thread(target=lambda: got.append(_sqlite_lock.acquire(timeout=0.2)))
            other.start()
            other.join()
        assert got == [False]


@pytest.mark.django_db(transaction=True)
def test_numbers_need_the_signing_transaction():
    with pytest.raises(RuntimeError):
        quote_number_next(year=2033)


@pytest.mark.parametrize("letter, following", [("A", "B"), ("B", "C"), ("Y", "Z"), ("Z", "AA"), ("AZ", "BA")])
def test_revision_letters(letter, following):
    assert next_revision(letter) == following
