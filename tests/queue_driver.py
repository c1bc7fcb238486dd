"""A separate process for tests/test_task_worker.py: what the app's requests do (sign and
send, the customer opens, accepts, declines), on a database of its own that the real
worker process (``manage.py db_worker``) also uses; and what is stored, as JSON. Run as
``python -m tests.queue_driver <action> [args]`` with DATABASE_URL set.

Actions: ``setup <contact e-mail> <company>`` (a draft ready to sign, of seller "sara"),
``sign <pk>`` (sign, then queue the e-mail, as "Signera och skicka" does), ``open <pk>``,
``accept <pk>``, ``decline <pk> <reason>``, ``valid-until <pk> <days from today>`` (time
passes), ``wait <pk> <kind>=<n> … [--timeout S]`` (until the quote's audit trail has at
least n events of each kind and no task for it is waiting or running; then its state),
``idle`` (until no task waits or runs; then the daily jobs' results);
``webhook-endpoint <url>`` (an admin registers a receiver of every event; its secret),
``webhook-deliveries`` (every webhook delivery with its attempts).
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "configurator.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from configurator.roles import ensure_sellers_group  # noqa: E402
from quotes.models import Quote  # noqa: E402
from quotes.offer.storage import sha256_hex, stored_bytes  # noqa: E402

from .factories import QuoteFactory  # noqa: E402


def state(pk: int) -> dict:
    quote = Quote.objects.get(pk=pk)
    tasks = DBTaskResult.objects.filter(args_kwargs__kwargs__quote_id=pk).order_by("enqueued_at")
    return {
        "status": quote.status,
        "reference": quote.reference,
        "token": quote.token,
        "valid_until": quote.valid_until.isoformat() if quote.valid_until else None,
        "sent_at": quote.sent_at.isoformat() if quote.sent_at else None,
        "pdf_sha256": quote.pdf_sha256,
        "accepted_pdf_sha256": sha256_hex(stored_bytes(quote.accepted_pdf)) if quote.accepted_pdf else None,
        "events": [[e.kind, e.detail, e.actor_label] for e in quote.events.all()],
        "tasks": [
            {"task": t.task_path.rsplit(".", 1)[1], "status": t.status,
             "attempt": t.args_kwargs["kwargs"].get("attempt", 1),
             "started_at": t.started_at.timestamp() if t.started_at else None,
             "run_after": t.run_after.timestamp(), "enqueued_at": t.enqueued_at.timestamp()}
            for t in tasks
        ],
    }


def wait(pk: int, wanted: dict[str, int], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        current = state(pk)
        kinds = [kind for kind, _detail, _actor in current["events"]]
        busy = [t for t in current["tasks"] if t["status"] in ("READY", "RUNNING")]
        if all(kinds.count(k) >= n for k, n in wanted.items()) and not busy:
            return current
        if time.monotonic() > deadline:
            current["timed_out"] = True
            return current
        time.sleep(0.2)


def main() -> None:
    action, args = sys.argv[1], sys.argv[2:]
    if action == "idle":  # every task run: the results of the daily jobs
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not finish its tasks within 60 s")
            time.sleep(0.2)
        jobs = DBTaskResult.objects.filter(task_path="quotes.daily.daily_jobs").order_by("enqueued_at")
        print(json.dumps({"daily_jobs": [[t.status, t.return_value] for t in jobs]}))
        return
    if action == "webhook-endpoint":
        from quotes.models import WebhookEndpoint

        endpoint = WebhookEndpoint.objects.create(
            name="CRM", url=args[0], events=[e.value for e in WebhookEndpoint.Event])
        print(json.dumps({"secret": endpoint.secret}))
        return
    if action == "webhook-deliveries":
        from quotes.models import WebhookDelivery

        print(json.dumps([
            {"event_type": d.event_type, "message_id": d.message_id, "status": d.status,
             "attempts": [[a.number, a.ok, a.status_code, a.error] for a in d.attempt_rows.order_by("number")]}
            for d in WebhookDelivery.objects.order_by("created_at", "id")
        ]))
        return
    if action == "setup":
        seller, created = get_user_model().objects.get_or_create(
            username="sara", defaults={"first_name": "Sara", "last_name": "Säljare", "email": "sara@example.com"})
        seller.groups.add(ensure_sellers_group())
        quote = QuoteFactory(owner=seller, contact_email=args[0], company_name=args[1])
        print(json.dumps({"pk": quote.pk}))
        return
    pk = int(args[0])
    quote = Quote.objects.select_related("owner").get(pk=pk)
    if action == "sign":
        from quotes.notifications import quote_send
        from quotes.offer.services import quote_sign

        quote = quote_sign(quote=quote, user=quote.owner)
        quote_send(quote=quote, user=quote.owner)
    elif action == "open":
        from quotes.customer.services import quote_mark_opened

        quote_mark_opened(quote=quote)
    elif action == "accept":
        from quotes.customer.services import quote_accept

        quote_accept(quote=quote, name="Erik Lind", title="Vd", ip="127.0.0.1", user_agent="queue-test",
                     document_sha256=quote.pdf_sha256)
    elif action == "decline":
        from quotes.customer.services import quote_decline

        quote_decline(quote=quote, reason=args[1])
    elif action == "valid-until":
        from quotes.offer.services import stockholm_today

        Quote.objects.filter(pk=pk).update(valid_until=stockholm_today() + timedelta(days=int(args[1])))
    elif action == "wait":
        timeout = 60.0
        wanted = {}
        rest = args[1:]
        while rest:
            item = rest.pop(0)
            if item == "--timeout":
                timeout = float(rest.pop(0))
            else:
                kind, _, n = item.partition("=")
                wanted[kind] = int(n)
        print(json.dumps(wait(pk, wanted, timeout)))
        return
    else:
        raise SystemExit(f"unknown action {action!r}")
    print(json.dumps(state(pk)))


if __name__ == "__main__":
    main()
