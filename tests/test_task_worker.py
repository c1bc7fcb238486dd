"""The real worker: ``manage.py db_worker``, the command ``make run`` starts next to the
web server, as a process of its own, on a database of its own (SQLite file; PostgreSQL
when the suite runs on it) that a second process changes as the app's requests would
(``tests/queue_driver.py``). Mail: Django's locmem backend in the worker, each message
also written to a folder the test reads (``tests/mail_backends.py``), and a mail server
that refuses given addresses, to prove the retries with back-off and the audit trail.

The flows: the offer is sent; the seller is told when the customer opens and accepts; the
customer gets the accepted PDF; a refusing mail server is retried until it works, or
given up; ``manage.py quote_daily`` expires what is due and reminds the seller and the
customer once, however often it runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .doc_support import pdf_text, signing_cert  # noqa: F401
from .scratch_db import scratch_database

ROOT = Path(__file__).resolve().parent.parent
SITE = "https://offert.example.se"
FLAKY, DOWN = "flaky@kund.example.se", "down@kund.example.se"
RETRY_SECONDS = 1.0


class Stack:
    """The scratch database, the driver, and the worker process."""

    def __init__(self, url: str, cert: Path, key: Path, journal: Path, log: Path):
        self.journal, self.log = journal, log
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DJANGO_SETTINGS_MODULE")}
        self.env.update(
            DJANGO_DEBUG="1", DATABASE_URL=url, SITE_URL=SITE, SECRET_KEY=secrets.token_urlsafe(50),
            QUOTE_SIGNING_CERT=str(cert), QUOTE_SIGNING_KEY=str(key), QUOTE_SIGNING_PKCS12="",
            LOG_LEVEL="WARNING", EMAIL_BACKEND="tests.mail_backends.JournalBackend",
            MAIL_JOURNAL=str(journal), MAIL_REFUSE=f"{FLAKY}=2,{DOWN}=*",
            TASK_RETRY_DELAYS=",".join([str(RETRY_SECONDS)] * 3),
            QUOTE_REMINDER_DAYS="3", QUOTE_CUSTOMER_REMINDER="1",
        )
        self.manage("migrate", "--no-input")
        self.worker: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args, "-v0"], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def drive(self, *args) -> dict:
        result = subprocess.run([sys.executable, "-m", "tests.queue_driver", *map(str, args)], cwd=ROOT,
                                env=self.env, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def wait(self, pk: int, timeout: float = 60, **kinds: int) -> dict:
        """The quote's state once its trail has ``kinds`` and no task for it is pending."""
        state = self.drive("wait", pk, *(f"{k}={n}" for k, n in kinds.items()), "--timeout", timeout)
        assert not state.get("timed_out"), f"worker log:\n{self.log.read_text()[-3000:]}\nstate: {state}"
        return state

    def worker_start(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload",
             "-v", "1"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    def worker_stop(self) -> int | None:
        if self.worker is None:
            return None
        if self.worker.poll() is None:
            self.worker.send_signal(signal.SIGTERM)  # the worker stops cleanly between tasks
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait(timeout=10)
        return self.worker.returncode

    def mails(self, to: str | None = None) -> list[dict]:
        found = []
        for path in sorted(self.journal.glob("*.json")):
            mail = json.loads(path.read_text())
            if to is None or to in mail["to"]:
                found.append(mail)
        return found

    def attachment(self, mail: dict, index: int = 0) -> bytes:
        return (self.journal / mail["attachments"][index]["file"]).read_bytes()


@pytest.fixture(scope="module")
def scratch_url(tmp_path_factory):
    with scratch_database("smartconnect_queue", tmp_path_factory.mktemp("queue")) as url:
        yield url


@pytest.fixture(scope="module")
def stack(scratch_url, signing_cert, tmp_path_factory):
    folder = tmp_path_factory.mktemp("worker")
    stack = Stack(scratch_url, *signing_cert, journal=folder / "mail", log=folder / "worker.log")
    stack.worker_start()
    yield stack
    code = stack.worker_stop()
    assert code == 0, f"the worker did not stop cleanly ({code}):\n{stack.log.read_text()[-3000:]}"


def kinds(state: dict) -> list[str]:
    return [kind for kind, _detail, _actor in state["events"]]


def test_the_offer_the_sellers_notices_and_the_accepted_pdf_go_out_through_the_real_worker(stack):
    pk = stack.drive("setup", "erik@kund.example.se", "Nordisk Logistik AB")["pk"]
    signed = stack.drive("sign", pk)
    state = stack.wait(pk, sent=1)
    (offer,) = stack.mails("erik@kund.example.se")
    assert offer["subject"] == f"Offert {signed['reference']} på Smart Connect från Telia Sverige AB"
    assert f"{SITE}/offert/{signed['token']}/" in offer["body"]
    assert offer["reply_to"] == ["sara@example.com"]
    assert offer["attachments"][0]["sha256"] == signed["pdf_sha256"]  # the stored, signed PDF
    assert state["sent_at"] and [t["status"] for t in state["tasks"]] == ["SUCCESSFUL"]

    stack.drive("open", pk)
    stack.wait(pk, mail_sent=1)
    (opened,) = stack.mails("sara@example.com")
    assert opened["subject"] == f"Nordisk Logistik AB har öppnat offert {signed['reference']}"
    assert f"{SITE}/offerter/{pk}/" in opened["body"]

    stack.drive("accept", pk)
    state = stack.wait(pk, mail_sent=3)
    to_seller = stack.mails("sara@example.com")
    assert [m["subject"] for m in to_seller] == [
        f"Nordisk Logistik AB har öppnat offert {signed['reference']}",
        f"Nordisk Logistik AB har godkänt offert {signed['reference']}",
    ]
    confirmation = stack.mails("erik@kund.example.se")[-1]
    assert confirmation["subject"] == f"Bekräftelse: du har godkänt offert {signed['reference']} från Telia Sverige AB"
    (attachment,) = confirmation["attachments"]
    assert attachment["name"].endswith("-godkand.pdf") and attachment["mimetype"] == "application/pdf"
    data = stack.attachment(confirmation)
    assert hashlib.sha256(data).hexdigest() == state["accepted_pdf_sha256"]  # the stored accepted PDF
    assert "Erik Lind" in pdf_text(data)
    assert state["status"] == "accepted"
    assert kinds(state).count("sent") == 1 and kinds(state).count("mail_sent") == 3
    assert {t["status"] for t in state["tasks"]} == {"SUCCESSFUL"} and len(state["tasks"]) == 4


def test_a_refusing_mail_server_is_retried_with_back_off_until_it_works_or_given_up(stack):
    flaky = stack.drive("setup", FLAKY, "Flaky AB")["pk"]
    down = stack.drive("setup", DOWN, "Nere AB")["pk"]
    stack.drive("sign", flaky)
    stack.drive("sign", down)

    state = stack.wait(flaky, sent=1)
    assert kinds(state)[-3:] == ["mail_retry", "mail_retry", "sent"]
    retries = [detail for kind, detail, _actor in state["events"] if kind == "mail_retry"]
    assert all(d.startswith(f"Offerten till {FLAKY}: SMTPServerDisconnected: Connection unexpectedly closed")
               for d in retries)
    assert "försök 1 av 4, nästa" in retries[0] and "försök 2 av 4, nästa" in retries[1]
    attempts = state["tasks"]
    assert [(t["attempt"], t["status"]) for t in attempts] == [(1, "FAILED"), (2, "FAILED"), (3, "SUCCESSFUL")]
    for before, after in zip(attempts, attempts[1:]):  # each retry waited for its back-off
        assert after["started_at"] - before["started_at"] >= RETRY_SECONDS
    assert len(stack.mails(FLAKY)) == 1  # delivered once

    state = stack.wait(down, mail_failed=1)
    assert kinds(state)[-4:] == ["mail_retry", "mail_retry", "mail_retry", "mail_failed"]
    assert state["events"][-1][1].endswith("försök 4 av 4, inga fler försök")
    assert [t["status"] for t in state["tasks"]] == ["FAILED"] * 4
    assert state["sent_at"] is None and stack.mails(DOWN) == []


def test_the_daily_command_expires_and_reminds_once_through_the_real_worker(stack):
    due = stack.drive("setup", "due@kund.example.se", "Snart AB")["pk"]
    past = stack.drive("setup", "past@kund.example.se", "Sent AB")["pk"]
    for pk in (due, past):
        stack.drive("sign", pk)
        stack.wait(pk, sent=1)
    stack.drive("valid-until", due, 2)
    stack.drive("valid-until", past, -1)

    assert "Daily jobs queued for the worker" in stack.manage("quote_daily", "-v", "1")
    state = stack.wait(due, reminder=2)
    assert stack.wait(past, expired=1)["status"] == "expired"
    reminder = [m for m in stack.mails("sara@example.com") if m["subject"].startswith("Påminnelse")]
    assert [m["subject"] for m in reminder] == [
        f"Påminnelse: offert {state['reference']} till Snart AB gäller till och med {state['valid_until']}"]
    assert "2 dagar kvar." in reminder[0]["body"]
    to_customer = stack.mails("due@kund.example.se")[-1]
    assert to_customer["subject"].startswith(f"Påminnelse: offert {state['reference']} på Smart Connect")
    assert f"{SITE}/offert/{state['token']}/" in to_customer["body"]

    # Again (cron twice, a second server's timer): nobody is reminded twice.
    before = len(stack.mails())
    stack.manage("quote_daily")
    assert stack.drive("idle") == {"daily_jobs": [
        ["SUCCESSFUL", {"expired": 1, "reminders": 2, "untouched_drafts_deleted": 0}],
        ["SUCCESSFUL", {"expired": 0, "reminders": 0, "untouched_drafts_deleted": 0}]]}
    state = stack.wait(due, reminder=2)
    assert kinds(state).count("reminder") == 2 and len(stack.mails()) == before
