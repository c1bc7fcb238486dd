"""Signed documents are stored atomically with their quote, proven with real faults:
SIGKILL of the signing or accepting process at random moments and right after the PDF is
written (before the commit), and a full database during both. Afterwards: no orphan, no
partial document, every number on exactly one document, numbers gapless, and the retry
succeeds once space is back. The faults hit separate processes on a database of their
own (PostgreSQL when the suite runs on it; the full-database test uses SQLite's page cap,
a real "database or disk is full")."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .doc_support import signing_cert  # noqa: F401
from .scratch_db import scratch_database

ROOT = Path(__file__).resolve().parent.parent
CLEAN = {"orphans": [], "missing": [], "partial": [], "sha_mismatch": [], "duplicate_numbers": 0,
         "numbers_without_document": [], "half_signed": [], "half_accepted": [], "gapless": True}


class Scratch:
    """A database of its own, migrated once, and the worker processes that use it."""

    def __init__(self, url: str, cert: Path, key: Path):
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST")}
        self.env.update(DJANGO_DEBUG="1", DATABASE_URL=url, QUOTE_SIGNING_CERT=str(cert),
                        QUOTE_SIGNING_KEY=str(key), QUOTE_SIGNING_PKCS12="", LOG_LEVEL="CRITICAL",
                        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        self.run("migrate", manage=True)

    def run(self, *args, manage=False, extra_env=None, check=True) -> subprocess.CompletedProcess:
        command = [sys.executable, "manage.py", *args, "--no-input", "-v0"] if manage else [
            sys.executable, "-m", "tests.crash_worker", *map(str, args)]
        result = subprocess.run(command, cwd=ROOT, env={**self.env, **(extra_env or {})},
                                capture_output=True, text=True, timeout=180)
        if check and result.returncode != 0:
            raise AssertionError(result.stderr[-3000:])
        return result

    def json(self, *args):
        return json.loads(self.run(*args).stdout.strip().splitlines()[-1])

    def invariants(self) -> dict:
        return self.json("check")

    def retry(self, action: str, pk: int) -> dict:
        """``action`` again, undisturbed, then the invariants (one process)."""
        return json.loads(self.run(action, pk, extra_env={"CHECK_AFTER": "1"}).stdout.strip().splitlines()[-1])

    def kill_during(self, action: str, pk: int, *, after_document: bool, rng: random.Random) -> str:
        """Start ``action`` on quote ``pk`` and SIGKILL it: right after the PDF is written, or
        at a random moment. Returns when it was killed."""
        env = {**self.env, **({"PAUSE_AFTER_DOCUMENT": "1"} if after_document else {})}
        proc = subprocess.Popen([sys.executable, "-m", "tests.crash_worker", action, str(pk)], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            wanted = "document-written" if after_document else "ready"
            deadline = time.monotonic() + 60
            line = ""
            while time.monotonic() < deadline and wanted not in line:
                ready, _w, _x = select.select([proc.stdout], [], [], 1)
                if ready:
                    line = proc.stdout.readline()
                    if not line and proc.poll() is not None:
                        break
            assert wanted in line, f"{action} {pk}: never printed {wanted!r}"
            moment = "after the document was written"
            if not after_document:
                delay = rng.uniform(0, 1.5)
                time.sleep(delay)
                moment = f"{delay:.2f} s after start"
            if proc.poll() is not None:
                return moment + " (finished before the kill)"
            os.kill(proc.pid, signal.SIGKILL)
            return moment
        finally:
            proc.kill()
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def scratch_url(tmp_path_factory):
    with scratch_database("smartconnect_crash", tmp_path_factory.mktemp("crash")) as url:
        yield url


@pytest.fixture(scope="module")
def scratch(scratch_url, signing_cert):
    return Scratch(scratch_url, *signing_cert)


def test_kill_9_while_signing_and_accepting_loses_nothing_and_leaves_nothing(scratch):
    rng = random.Random(2026)
    drafts = scratch.json("setup", 6)
    kills = []
    for i, pk in enumerate(drafts):
        after_document = i % 3 == 0
        kills.append(("sign", scratch.kill_during("sign", pk, after_document=after_document, rng=rng)))
        report = scratch.invariants()
        assert {k: report[k] for k in CLEAN} == CLEAN, (pk, kills[-1], report)
        if pk not in report["signed"]:
            report = scratch.retry("sign", pk)  # the retry succeeds
        assert pk in report["signed"] and {k: report[k] for k in CLEAN} == CLEAN
    for i, pk in enumerate(drafts):
        after_document = i % 3 == 1
        kills.append(("accept", scratch.kill_during("accept", pk, after_document=after_document, rng=rng)))
        report = scratch.invariants()
        assert {k: report[k] for k in CLEAN} == CLEAN, (pk, kills[-1], report)
        if pk not in report["accepted"]:
            report = scratch.retry("accept", pk)
        assert pk in report["accepted"] and {k: report[k] for k in CLEAN} == CLEAN
    print(f"\n{len(kills)} kills: " + "; ".join(f"{a} {m}" for a, m in kills))
    assert sum("after the document" in m for _a, m in kills) >= 4


@pytest.fixture
def sqlite_scratch(tmp_path, signing_cert):
    return Scratch(f"sqlite:///{tmp_path / 'full.sqlite3'}", *signing_cert)


def test_a_full_database_while_signing_and_accepting_leaves_nothing_and_the_retry_succeeds(sqlite_scratch):
    scratch = sqlite_scratch
    (pk,) = scratch.json("setup", 1)
    full = {"SQLITE_MAX_PAGES": str(int(scratch.run("pages").stdout.strip()))}
    failed = scratch.run("sign", pk, extra_env=full, check=False)
    assert failed.returncode != 0 and "database or disk is full" in failed.stderr
    report = scratch.invariants()
    assert {k: report[k] for k in CLEAN} == CLEAN and pk not in report["signed"]

    scratch.run("sign", pk)  # space is back: the retry succeeds
    full = {"SQLITE_MAX_PAGES": str(int(scratch.run("pages").stdout.strip()))}
    failed = scratch.run("accept", pk, extra_env=full, check=False)
    assert failed.returncode != 0 and "database or disk is full" in failed.stderr
    report = scratch.invariants()
    assert {k: report[k] for k in CLEAN} == CLEAN
    assert pk in report["signed"] and pk not in report["accepted"]

    scratch.run("accept", pk)
    report = scratch.invariants()
    assert {k: report[k] for k in CLEAN} == CLEAN and pk in report["accepted"]
