"""Webhooks: quote events reach a real receiver (a plain-HTTP server on loopback, started
by the test and allowed explicitly with ``WEBHOOK_ALLOW_INSECURE``), signed the Standard
Webhooks way; a receiver that is down gets the event later; nothing is lost; no request
goes to plain HTTP or an internal address without an admin's explicit allowance."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from quotes.customer.services import quote_accept, quote_decline, quote_mark_opened
from quotes.events import quote_event_record
from quotes.models import Quote, QuoteEvent, WebhookDelivery, WebhookEndpoint
from quotes.notifications import quote_send
from quotes.offer.delivery_order import delivery_order
from quotes.offer.services import quote_expire_if_due, quote_sign
from quotes.webhooks import UnsafeWebhookUrl, webhook_target

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteFactory
from .queue_support import tasks_pending, tasks_run

Status = WebhookDelivery.Status
ALL_EVENTS = [e.value for e in WebhookEndpoint.Event]


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps every request (headers, body) and answers
    ``status``. ``stop()`` kills it (the port then refuses connections); ``start()``
    brings it back on the same port."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 204
        self.answer = b""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/offert?kalla=test"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def events(self) -> list[str]:
        return [json.loads(r["body"])["type"] for r in self.requests]


@pytest.fixture
def receiver():
    r = Receiver()
    r.start()
    yield r
    r.stop()


@pytest.fixture
def insecure_allowed(settings):
    """The test settings allow plain HTTP to loopback, explicitly."""
    settings.WEBHOOK_ALLOW_INSECURE = True
    return settings


@pytest.fixture
def endpoint(db, receiver, insecure_allowed):
    return WebhookEndpoint.objects.create(name="CRM", url=receiver.url, events=ALL_EVENTS)


def verified(endpoint, request) -> dict:
    """The body of ``request`` after Standard Webhooks verification with the secret."""
    return Webhook(endpoint.secret).verify(request["body"], request["headers"])


def make_due(delivery: WebhookDelivery) -> None:
    """The clock moves on to the delivery's next attempt."""
    DBTaskResult.objects.filter(
        status="READY", args_kwargs__kwargs__delivery_id=delivery.pk,
    ).update(run_after=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_signed_events_reach_the_receiver_and_a_receiver_that_is_down_gets_them_later(
    doc_env, seller, price_list, receiver, endpoint
):
    quote = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    quote_send(quote=quote, user=seller)  # "Signera och skicka" queues the e-mail
    # The delivery exists from the moment the event happens, before anything is sent.
    signed = WebhookDelivery.objects.get(event_type="quote.signed")
    assert signed.status == Status.PENDING and signed.quote_id == quote.pk and not receiver.requests
    tasks_run()  # the worker: the offer's e-mail (→ quote.sent), then the webhooks
    assert receiver.events() == ["quote.signed", "quote.sent"]
    body = verified(endpoint, receiver.requests[0])
    assert body["type"] == "quote.signed"
    assert body["data"]["quote"]["number"] == quote.number and body["data"]["quote"]["revision"] == "A"
    assert body["data"]["quote"]["totals"]["monthly"] == "4112.00"
    assert body["data"]["quote"]["urls"]["page"] == f"http://testserver/offerter/{quote.pk}/"
    headers = receiver.requests[0]["headers"]
    assert headers["webhook-id"] == signed.message_id and headers["webhook-signature"].startswith("v1,")
    assert receiver.requests[0]["path"] == "/hooks/offert?kalla=test"
    signed.refresh_from_db()
    assert signed.status == Status.DELIVERED and signed.attempts == 1
    attempt = signed.attempt_rows.get()
    assert attempt.ok and attempt.status_code == 204 and attempt.error == ""

    # The receiver goes down; the customer opens the offer meanwhile.
    receiver.stop()
    quote_mark_opened(quote=Quote.objects.get(pk=quote.pk))
    tasks_run()
    opened = WebhookDelivery.objects.get(event_type="quote.opened")
    assert opened.status == Status.RETRYING and opened.attempts == 1
    failed = opened.attempt_rows.get()
    assert not failed.ok and failed.status_code is None and "Anslutningen nekades" in failed.error
    assert opened.next_attempt_at > timezone.now() + timedelta(seconds=3)  # back-off: 5 s first
    retry = [t for t in tasks_pending() if t.args_kwargs["kwargs"].get("delivery_id") == opened.pk]
    assert len(retry) == 1 and retry[0].args_kwargs["kwargs"]["attempt"] == 2

    # Not before its time: nothing is sent while the retry waits.
    receiver.start()
    tasks_run()
    assert receiver.events() == ["quote.signed", "quote.sent"]

    # The receiver is back and the retry is due: the event arrives, signed, once.
    make_due(opened)
    tasks_run()
    assert receiver.events() == ["quote.signed", "quote.sent", "quote.opened"]
    body = verified(endpoint, receiver.requests[-1])
    assert body["data"]["quote"]["status"] == "opened"
    assert receiver.requests[-1]["headers"]["webhook-id"] == opened.message_id
    opened.refresh_from_db()
    assert opened.status == Status.DELIVERED and opened.attempts == 2
    assert [a.ok for a in opened.attempt_rows.order_by("number")] == [False, True]
    # Nothing lost: every event that receivers subscribe to has its delivery, delivered.
    kinds = {"signed", "sent", "opened"}
    assert QuoteEvent.objects.filter(quote=quote, kind__in=kinds).count() == 3
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {Status.DELIVERED}


@pytest.mark.django_db
def test_the_accepted_event_carries_the_delivery_order(doc_env, seller, price_list, receiver, endpoint):
    endpoint.events = ["quote.accepted"]
    endpoint.save()
    quote = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    quote = quote_accept(quote=quote, name="Erik Lind", title="Vd", ip="198.51.100.7", user_agent="Test")
    tasks_run()
    assert receiver.events() == ["quote.accepted"]
    body = verified(endpoint, receiver.requests[0])
    assert body["data"]["accepted"]["name"] == "Erik Lind"
    assert body["data"]["accepted"]["offer_sha256"] == quote.pdf_sha256
    assert body["data"]["delivery_order"] == json.loads(json.dumps(delivery_order(quote)))
    assert body["data"]["quote"]["urls"]["delivery_order_xlsx"].endswith(f"/offerter/{quote.pk}/leveransorder.xlsx")


@pytest.mark.django_db
def test_declined_and_expired_events(doc_env, seller, price_list, receiver, endpoint):
    declined = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    quote_decline(quote=declined, reason="För dyrt just nu")
    expiring = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    quote_expire_if_due(quote=expiring, now=timezone.now() + timedelta(days=60))
    tasks_run()
    bodies = {json.loads(r["body"])["type"]: verified(endpoint, r) for r in receiver.requests}
    assert bodies["quote.declined"]["data"]["declined"]["reason"] == "För dyrt just nu"
    assert bodies["quote.expired"]["data"]["quote"]["id"] == expiring.pk


@pytest.mark.django_db
def test_a_receiver_only_gets_what_it_subscribes_to_and_nothing_when_inactive(
    doc_env, seller, price_list, receiver, endpoint
):
    endpoint.events = ["quote.declined"]
    endpoint.save()
    WebhookEndpoint.objects.create(name="Avstängd", url=receiver.url, events=ALL_EVENTS, active=False)
    quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    tasks_run()
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_a_tampered_body_or_another_secret_fails_verification(doc_env, seller, price_list, receiver, endpoint):
    quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    tasks_run()
    request = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request["body"].replace(b'"A"', b'"B"'), request["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(request["body"], request["headers"])


@pytest.mark.django_db
def test_an_error_answer_is_recorded_and_given_up_after_the_schedule_then_sent_again_by_an_admin(
    doc_env, seller, price_list, receiver, endpoint, settings, admin_user, client
):
    settings.WEBHOOK_RETRY_DELAYS = [5]  # two attempts in all
    endpoint.events = ["quote.signed"]
    endpoint.save()
    receiver.status, receiver.answer = 500, ("Internt fel " + "x" * 5000).encode()
    quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    tasks_run()
    delivery = WebhookDelivery.objects.get()
    make_due(delivery)
    tasks_run()
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and delivery.attempts == 2 and delivery.next_attempt_at is None
    attempts = list(delivery.attempt_rows.order_by("number"))
    assert [a.status_code for a in attempts] == [500, 500]
    assert attempts[0].response_body.startswith("Internt fel") and len(attempts[0].response_body) == 1000
    assert delivery.last_error == "HTTP 500"

    # The admin sees every attempt and sends it again once the receiver works.
    client.force_login(admin_user)
    page = client.get(reverse("admin:quotes_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "Gav upp" in page and "Internt fel" in page and page.count(">500<") == 2
    receiver.status = 200
    response = client.post(
        reverse("admin:quotes_webhookdelivery_changelist"),
        {"action": "redeliver", "_selected_action": [delivery.pk]}, follow=True,
    )
    assert "1 leverans skickas igen." in response.content.decode()
    tasks_run()
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.attempts == 3
    assert len(receiver.requests) == 3
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1  # one message, three attempts


@pytest.mark.django_db
def test_a_rolled_back_event_sends_nothing(doc_env, seller, price_list, receiver, endpoint):
    quote = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    tasks_run()
    before = WebhookDelivery.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        quote_event_record(quote=quote, kind=QuoteEvent.Kind.DECLINED, detail="aldrig")
        assert WebhookDelivery.objects.count() == before + 1  # with the event, in its transaction
        raise RuntimeError("the change fails")
    tasks_run()
    assert WebhookDelivery.objects.count() == before
    assert "quote.declined" not in receiver.events()


# --- Where requests may go ------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://93.184.216.34/hooks",            # public, but not HTTPS
    "https://127.0.0.1/hooks",               # loopback
    "https://localhost:8443/hooks",
    "https://10.1.2.3/hooks",                # private
    "https://192.168.0.10/hooks",
    "https://172.16.5.4/hooks",
    "https://169.254.169.254/latest/meta-data",  # link-local: cloud metadata
    "https://100.64.0.1/hooks",              # shared address space
    "https://[::1]/hooks",
    "https://[fe80::1]/hooks",
    "https://[::ffff:10.0.0.1]/hooks",       # IPv4-mapped private
    "https://0.0.0.0/hooks",
    "https://user:secret@93.184.216.34/hooks",
    "ftp://93.184.216.34/hooks",
])
def test_non_https_and_internal_addresses_are_refused_without_the_flag(url):
    with pytest.raises(UnsafeWebhookUrl):
        webhook_target(url, allow_insecure=False)


def test_a_public_https_address_is_allowed():
    assert webhook_target("https://93.184.216.34/hooks", allow_insecure=False) == (
        "https", "93.184.216.34", 443, ["93.184.216.34"],
    )


def test_a_host_name_is_judged_by_every_address_it_resolves_to():
    def resolve(host, port, type=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    with pytest.raises(UnsafeWebhookUrl, match="intern adress"):
        webhook_target("https://crm.example.se/hooks", allow_insecure=False, resolve=resolve)


@pytest.mark.django_db
def test_the_addresses_are_checked_again_when_sending(doc_env, seller, price_list, receiver, settings):
    """A receiver saved with a public host name that now resolves to loopback gets no
    request: the delivery is refused at send time and not retried."""
    settings.WEBHOOK_ALLOW_INSECURE = False
    endpoint = WebhookEndpoint.objects.create(
        name="CRM", url=f"https://crm.example.se:{receiver.port}/hooks", events=["quote.signed"],
    )
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "crm.example.se":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    with mock.patch("socket.getaddrinfo", rebinding):
        tasks_run()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert receiver.requests == []
    assert delivery.status == Status.FAILED and delivery.attempts == 1
    assert "crm.example.se pekar på en intern adress (127.0.0.1)" in delivery.last_error
    assert not [t for t in tasks_pending() if t.args_kwargs["kwargs"].get("delivery_id") == delivery.pk]


@pytest.mark.django_db
def test_the_per_endpoint_flag_allows_a_local_receiver(doc_env, seller, price_list, receiver, settings):
    settings.WEBHOOK_ALLOW_INSECURE = False
    WebhookEndpoint.objects.create(name="Lokal", url=receiver.url, events=["quote.signed"], allow_insecure=True)
    quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    tasks_run()
    assert receiver.events() == ["quote.signed"]


@pytest.mark.django_db
def test_the_admin_registers_a_receiver_with_a_generated_secret_and_refuses_unsafe_urls(
    admin_user, client, settings
):
    settings.WEBHOOK_ALLOW_INSECURE = False
    client.force_login(admin_user)
    add = reverse("admin:quotes_webhookendpoint_add")
    form = {"name": "CRM", "url": "http://127.0.0.1:9000/hooks", "events": ["quote.accepted"], "active": "on"}
    page = client.post(add, form).content.decode()
    assert "Bara https:// tillåts" in page and not WebhookEndpoint.objects.exists()
    page = client.post(add, {**form, "url": "https://10.0.0.5/hooks"}).content.decode()
    assert "pekar på en intern adress (10.0.0.5)" in page and not WebhookEndpoint.objects.exists()

    response = client.post(add, {**form, "url": "https://93.184.216.34/hooks"})
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["quote.accepted"] and endpoint.secret.startswith("whsec_")
    Webhook(endpoint.secret)  # a secret the Standard Webhooks libraries take as it is
    page = client.get(reverse("admin:quotes_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret in page

    # Explicitly allowed by the admin: plain HTTP to a local receiver.
    response = client.post(add, {**form, "name": "Test", "allow_insecure": "on"})
    assert response.status_code == 302 and WebhookEndpoint.objects.filter(allow_insecure=True).count() == 1


@pytest.mark.django_db
def test_a_host_name_that_does_not_resolve_now_is_tried_again(doc_env, seller, price_list, settings):
    settings.WEBHOOK_ALLOW_INSECURE = False
    WebhookEndpoint.objects.create(name="CRM", url="https://crm.nordisk.invalid/hooks", events=["quote.signed"])
    quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    tasks_run()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.RETRYING and "kunde inte slås upp" in delivery.last_error


@pytest.fixture
def concurrent_sqlite_readers():
    """Threads' connections to the suite's shared in-memory SQLite database read past a
    table another connection writes (as a file database would wait); writes still queue.
    PostgreSQL is left as it is (see tests/test_lost_updates.py)."""
    from django.db.backends.signals import connection_created

    def read_uncommitted(sender, connection, **kwargs):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(read_uncommitted, weak=False, dispatch_uid="webhooks-readers")
    yield
    connection_created.disconnect(dispatch_uid="webhooks-readers")


@pytest.mark.django_db(transaction=True)
def test_two_admins_sending_a_given_up_delivery_again_at_once_queue_it_once(
    seller, price_list, concurrent_sqlite_readers
):
    """Two admins click "Skicka igen" on the same given-up delivery at the same moment
    (threads, on SQLite and PostgreSQL), ten times: one new attempt is queued, not two."""
    from django.db import connection
    from django.test import Client

    from .factories import AdminFactory

    endpoint = WebhookEndpoint.objects.create(name="CRM", url="https://93.184.216.34/hooks", events=ALL_EVENTS)
    admins = [AdminFactory(username="anna"), AdminFactory(username="bo")]
    for trial in range(10):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, quote=QuoteFactory(owner=seller), event_type="quote.signed",
            payload={"type": "quote.signed"}, status=Status.FAILED, attempts=8,
        )
        clients = [Client(), Client()]
        for c, admin in zip(clients, admins):
            c.force_login(admin)
        barrier = threading.Barrier(2, timeout=60)
        answers = []

        def post(client):
            try:
                barrier.wait()
                response = client.post(reverse("admin:quotes_webhookdelivery_changelist"),
                                       {"action": "redeliver", "_selected_action": [delivery.pk]}, follow=True)
                answers.append(response.content.decode())
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(answers) == 2, trial
        assert sorted("1 leverans skickas igen." in a for a in answers) == [False, True], trial
        queued = DBTaskResult.objects.filter(args_kwargs__kwargs__delivery_id=delivery.pk)
        assert queued.count() == 1, trial
        assert WebhookDelivery.objects.get(pk=delivery.pk).status == Status.PENDING
