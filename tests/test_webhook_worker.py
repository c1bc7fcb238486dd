"""Webhooks through the real worker: ``manage.py db_worker`` as a process of its own, on a
database of its own, sends to a real receiver that this test runs on loopback (plain
HTTP, allowed explicitly with ``WEBHOOK_ALLOW_INSECURE=1`` in the worker's environment).
The app's side runs in a second process (``tests/queue_driver.py``). The receiver is
killed while an event happens and started again: the worker's failed attempt is recorded,
the retry waits for its back-off, and the event arrives, signed, once."""

from __future__ import annotations

import time

import pytest
from standardwebhooks import Webhook

from .doc_support import signing_cert  # noqa: F401
from .scratch_db import scratch_database
from .test_task_worker import Stack
from .test_webhooks import Receiver

RETRY_SECONDS = 2


@pytest.fixture(scope="module")
def stack(signing_cert, tmp_path_factory):
    folder = tmp_path_factory.mktemp("webhook-worker")
    with scratch_database("smartconnect_webhooks", folder) as url:
        stack = Stack(url, *signing_cert, journal=folder / "mail", log=folder / "worker.log")
        stack.env.update(WEBHOOK_ALLOW_INSECURE="1", WEBHOOK_RETRY_DELAYS=",".join([str(RETRY_SECONDS)] * 6))
        stack.worker_start()
        yield stack
        assert stack.worker_stop() == 0, stack.log.read_text()[-3000:]


def deliveries_when(stack, done, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        found = stack.drive("webhook-deliveries")
        if done(found):
            return found
        assert time.monotonic() < deadline, f"{found}\nworker log:\n{stack.log.read_text()[-3000:]}"
        time.sleep(0.3)


def test_a_receiver_that_is_down_gets_the_event_later_through_the_real_worker(stack):
    receiver = Receiver()
    receiver.start()
    try:
        secret = stack.drive("webhook-endpoint", receiver.url)["secret"]
        pk = stack.drive("setup", "erik@kund.example.se", "Nordisk Logistik AB")["pk"]
        stack.drive("sign", pk)
        deliveries_when(stack, lambda ds: len(ds) == 2 and all(d["status"] == "delivered" for d in ds))
        assert receiver.events() == ["quote.signed", "quote.sent"]

        receiver.stop()  # the CRM is down when the customer opens the offer
        stack.drive("open", pk)
        found = deliveries_when(stack, lambda ds: len(ds) == 3 and ds[2]["attempts"])
        opened = found[2]
        assert opened["event_type"] == "quote.opened" and opened["status"] == "retrying"
        assert not opened["attempts"][0][1] and "Anslutningen nekades" in opened["attempts"][0][3]

        receiver.start()
        found = deliveries_when(stack, lambda ds: ds[2]["status"] == "delivered")
        attempts = found[2]["attempts"]
        assert attempts[0][1] is False and attempts[-1][1] is True and attempts[-1][2] == 204
        assert receiver.events() == ["quote.signed", "quote.sent", "quote.opened"]  # once, nothing lost
        request = receiver.requests[-1]
        body = Webhook(secret).verify(request["body"], request["headers"])
        assert body["data"]["quote"]["id"] == pk and body["data"]["quote"]["status"] == "opened"
        assert request["headers"]["webhook-id"] == found[2]["message_id"]
    finally:
        receiver.stop()
