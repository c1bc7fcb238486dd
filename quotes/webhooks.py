"""Webhooks: quote events to the receivers admins register, signed (Standard Webhooks),
sent by the task queue with retries and back-off.

| event | when (the audit trail's event) |
| --- | --- |
| ``quote.signed`` | the seller signed the offer (Signerad) |
| ``quote.sent`` | the offer's e-mail went to the customer (Skickad) |
| ``quote.opened`` | the customer opened the link the first time (Öppnad av kunden) |
| ``quote.accepted`` | the customer accepted; the payload carries the delivery order |
| ``quote.declined`` | the customer declined, with the reason |
| ``quote.expired`` | the offer's validity ran out (Utgången) |

Nothing is lost: ``webhook_deliveries_create`` runs inside ``quote_event_record``, so a
``WebhookDelivery`` row per subscribed receiver is written in the same transaction as
the event, with its body fixed then. The worker sends it once that commits
(``webhook_deliver``); a failed attempt (no answer, a non-2xx status, a timeout) is
recorded as a ``WebhookAttempt`` (status, the start of the body, the error, the time it
took) and tried again after ``WEBHOOK_RETRY_DELAYS`` (5 s, 5 min, 30 min, 2 h, 5 h,
10 h, 10 h: the schedule of the Standard Webhooks spec), then given up; an admin can send
a given-up delivery again from the admin.

Signing: ``webhook-id`` (the delivery's ``msg_…`` id, the same on every attempt),
``webhook-timestamp`` (the attempt's time, Unix seconds) and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``) with the receiver's ``whsec_…``
secret, made by the ``standardwebhooks`` package; receivers verify with any Standard
Webhooks library (README, "Webhooks").

Where requests may go: HTTPS only, and only to public addresses. The host's addresses are
checked when an admin saves the receiver and again at every attempt, and the request goes
to the address that was checked (no second lookup a DNS trick could change). Plain HTTP
and private, loopback, link-local or otherwise internal addresses only for a receiver with
"tillåt http och interna adresser" ticked, or everywhere with the setting
``WEBHOOK_ALLOW_INSECURE`` (tests, development). Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Quote, QuoteEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .locking import serialized_writes
from .queue import Failure, PermanentFailure, enqueue_on_commit, retried_task

logger = logging.getLogger(__name__)

Kind = QuoteEvent.Kind
Event = WebhookEndpoint.Event
EVENT_OF_KIND = {
    Kind.SIGNED: Event.SIGNED,
    Kind.SENT: Event.SENT,
    Kind.OPENED: Event.OPENED,
    Kind.ACCEPTED: Event.ACCEPTED,
    Kind.DECLINED: Event.DECLINED,
    Kind.EXPIRED: Event.EXPIRED,
}
RESPONSE_EXCERPT = 1000  # characters of a receiver's answer kept with the attempt
USER_AGENT = "SmartConnect-Webhooks/1"


def webhook_retry_delays() -> list[float]:
    """Seconds before the 2nd, 3rd, … attempt of a delivery (``WEBHOOK_RETRY_DELAYS``)."""
    return [float(s) for s in settings.WEBHOOK_RETRY_DELAYS]


# --- Where a request may go ---------------------------------------------------------------


class UnsafeWebhookUrl(ValueError):
    """The URL is not HTTPS or its host is (or resolves to) an internal address; or
    (``transient``) its host name could not be resolved just now."""

    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.message = message
        self.transient = transient


def insecure_allowed(endpoint: WebhookEndpoint | None = None) -> bool:
    return bool(settings.WEBHOOK_ALLOW_INSECURE or (endpoint is not None and endpoint.allow_insecure))


def address_is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Public unicast only: not private, loopback, link-local (cloud metadata),
    shared (100.64/10), reserved, multicast or unspecified; IPv6 forms of an IPv4
    address are judged by that address."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if mapped is not None:
            return address_is_public(mapped)
    return ip.is_global and not ip.is_multicast


def webhook_target(url: str, *, allow_insecure: bool, resolve=None) -> tuple[str, str, int, list[str]]:
    """Check ``url`` and resolve its host (``resolve``: ``socket.getaddrinfo``): (scheme,
    host, port, addresses to connect to). ``UnsafeWebhookUrl`` with a Swedish message when
    it may not be used."""
    resolve = resolve or socket.getaddrinfo
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeWebhookUrl(_("Adressen är inte en giltig URL.")) from None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in ("https", "http") or not host:
        raise UnsafeWebhookUrl(_("Adressen måste börja med https:// och ha ett värdnamn."))
    if parts.username or parts.password:
        raise UnsafeWebhookUrl(_("Adressen får inte innehålla användarnamn eller lösenord."))
    if scheme != "https" and not allow_insecure:
        raise UnsafeWebhookUrl(
            _("Bara https:// tillåts. Kryssa i «tillåt http och interna adresser» om mottagaren ska nås utan HTTPS.")
        )
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeWebhookUrl(_("Värdnamnet %(host)s kunde inte slås upp.") % {"host": host}, transient=True) from None
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not allow_insecure and not address_is_public(ip):
            raise UnsafeWebhookUrl(
                _("%(host)s pekar på en intern adress (%(ip)s). Bara publika adresser tillåts, "
                  "om inte «tillåt http och interna adresser» är ikryssat.") % {"host": host, "ip": ip}
            )
        if str(ip) not in addresses:
            addresses.append(str(ip))
    if not addresses:
        raise UnsafeWebhookUrl(_("Värdnamnet %(host)s kunde inte slås upp.") % {"host": host})
    return scheme, host, port, addresses


# --- The HTTP request ----------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the host name says now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # the certificate of the host name


@dataclass(frozen=True)
class PostResult:
    url: str
    at: datetime
    status_code: int | None = None
    response_body: str = ""
    error: str = ""
    duration_ms: int = 0
    refused: bool = False  # the URL may not be used: retrying cannot help

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error

    @property
    def summary(self) -> str:
        if self.error:
            return self.error
        return f"HTTP {self.status_code}"


def webhook_post(*, url: str, body: bytes, headers: dict[str, str], allow_insecure: bool) -> PostResult:
    """POST ``body`` to ``url`` once (no redirects followed): the status, the start of the
    answer or the error, and how long it took."""
    at = timezone.now()
    started = time.monotonic()

    def result(**kwargs) -> PostResult:
        return PostResult(url=url, at=at, duration_ms=int((time.monotonic() - started) * 1000), **kwargs)

    try:
        scheme, host, port, addresses = webhook_target(url, allow_insecure=allow_insecure)
    except UnsafeWebhookUrl as error:  # a name that does not resolve now may later: retried
        return result(error=error.message, refused=not error.transient)
    parts = urlsplit(url.strip())
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    error: Exception | None = None
    for address in addresses:  # the next address only when this one cannot be reached
        connection = connection_class(host, port, address=address, timeout=settings.WEBHOOK_TIMEOUT)
        try:
            connection.connect()
        except OSError as e:
            error = e
            connection.close()
            continue
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            excerpt = response.read(RESPONSE_EXCERPT * 4).decode("utf-8", errors="replace")[:RESPONSE_EXCERPT]
            return result(status_code=response.status, response_body=excerpt)
        except (OSError, http.client.HTTPException) as e:
            return result(error=_error_text(e))
        finally:
            connection.close()
    return result(error=_error_text(error) if error else _("Ingen adress att ansluta till."))


def _error_text(error: BaseException) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return _("Inget svar inom %(s)s sekunder.") % {"s": settings.WEBHOOK_TIMEOUT}
    if isinstance(error, ConnectionRefusedError):
        return _("Anslutningen nekades (%(error)s).") % {"error": error}
    text = str(error).strip()
    return (f"{type(error).__name__}: {text}" if text else type(error).__name__)[:500]


def webhook_headers(*, endpoint: WebhookEndpoint, message_id: str, body: str, now: datetime | None = None) -> dict[str, str]:
    """The Standard Webhooks headers for ``body`` (signed with the receiver's secret)."""
    from standardwebhooks import Webhook

    now = (now or datetime.now(dt_timezone.utc)).astimezone(dt_timezone.utc)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(msg_id=message_id, timestamp=now, data=body),
    }


def payload_body(payload: dict[str, Any]) -> str:
    """The body as sent (and signed): compact JSON, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


# --- Events → deliveries -------------------------------------------------------------------


def _site(path: str) -> str:
    return settings.SITE_URL + path


def quote_reference(quote: Quote) -> dict[str, Any]:
    """A quote as a webhook names it: identity, status, the frozen totals (of what the
    customer accepted, once accepted), links."""
    from .offer.delivery_order import accepted_snapshot

    frozen = accepted_snapshot(quote) if quote.status == Quote.Status.ACCEPTED else quote.snapshot
    totals = (frozen or {}).get("totals") or {}
    urls = {"page": _site(reverse("quotes:detail", args=[quote.pk]))}
    if quote.pdf:
        urls["pdf"] = _site(reverse("quotes:pdf", args=[quote.pk]))
    if quote.accepted_pdf:
        urls["accepted_pdf"] = _site(reverse("quotes:accepted-pdf", args=[quote.pk]))
    if quote.status == Quote.Status.ACCEPTED:
        urls["delivery_order_json"] = _site(reverse("quotes:delivery-order-json", args=[quote.pk]))
        urls["delivery_order_xlsx"] = _site(reverse("quotes:delivery-order-xlsx", args=[quote.pk]))
    return {
        "id": quote.pk,
        "number": quote.number,
        "revision": quote.revision,
        "reference": quote.reference,
        "status": quote.status,
        "company_name": quote.company_name,
        "org_number": quote.org_number,
        "signed_at": quote.signed_at.isoformat() if quote.signed_at else None,
        "valid_until": quote.valid_until.isoformat() if quote.valid_until else None,
        "pdf_sha256": quote.pdf_sha256 or None,
        "totals": {k: totals[k] for k in totals},
        "urls": urls,
    }


def webhook_payload(*, quote: Quote, event: QuoteEvent, event_type: str) -> dict[str, Any]:
    """The body of ``event_type`` for ``quote`` (Standard Webhooks' ``type``, ``timestamp``,
    ``data``); ``quote.accepted`` carries the delivery order."""
    from .offer.delivery_order import delivery_order

    data: dict[str, Any] = {"quote": quote_reference(quote), "event_id": event.pk}
    if event_type == Event.ACCEPTED:
        data["accepted"] = {
            "name": quote.accepted_name, "title": quote.accepted_title,
            "at": quote.accepted_at.isoformat() if quote.accepted_at else None,
            "offer_sha256": quote.accepted_sha256,
        }
        data["delivery_order"] = delivery_order(quote)
    elif event_type == Event.DECLINED:
        data["declined"] = {
            "reason": quote.declined_reason, "at": quote.declined_at.isoformat() if quote.declined_at else None,
        }
    elif event_type in (Event.SENT, Event.EXPIRED):
        data["detail"] = event.detail
    return {"type": str(event_type), "timestamp": event.at.isoformat(), "data": data}


def webhook_deliveries_create(*, event: QuoteEvent) -> list[WebhookDelivery]:
    """A delivery per active receiver that subscribes to ``event``'s type, written now (call
    inside the event's transaction: ``quote_event_record`` does); each is queued for the
    worker when that transaction commits."""
    event_type = EVENT_OF_KIND.get(event.kind)
    if event_type is None:
        return []
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if str(event_type) in (e.events or [])]
    if not endpoints:
        return []
    quote = Quote.objects.get(pk=event.quote_id)  # as this transaction has it now
    payload = webhook_payload(quote=quote, event=event, event_type=event_type)
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, quote=quote, event=event, event_type=event_type, payload=payload,
            next_attempt_at=timezone.now(),
        )
        # Robust: the event's own change has committed by then and must not look failed;
        # a delivery that could not be queued stays "pending" and is visible in the admin.
        enqueue_on_commit(webhook_deliver, robust=True, delivery_id=delivery.pk)
        deliveries.append(delivery)
    return deliveries


# --- The task --------------------------------------------------------------------------------


class DeliveryFailed(Exception):
    """An attempt that did not get a 2xx answer; retried with back-off."""

    def __init__(self, result: PostResult):
        super().__init__(result.summary)
        self.result = result


class DeliveryRefused(PermanentFailure):
    """The URL may not be used (not HTTPS, an internal address): not retried."""

    def __init__(self, result: PostResult):
        super().__init__(result.summary)
        self.result = result


def _attempt_record(delivery: WebhookDelivery, result: PostResult) -> WebhookAttempt:
    delivery.attempts += 1
    return WebhookAttempt.objects.create(
        delivery=delivery, number=delivery.attempts, at=result.at, url=result.url[:500],
        status_code=result.status_code, response_body=result.response_body, error=result.error[:500],
        duration_ms=result.duration_ms, ok=result.ok,
    )


def _delivery_failed(failure: Failure, *, delivery_id: int) -> None:
    """After a failed attempt, in the transaction that queues the retry: the attempt row,
    and the delivery's state (waiting for the next attempt, or given up)."""
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        return
    result = getattr(failure.error, "result", None)
    if result is None:  # not an HTTP failure (a bug, the database): still an attempt
        result = PostResult(url=delivery.endpoint.url, at=timezone.now(), error=failure.error_text[:500])
    _attempt_record(delivery, result)
    delivery.status = WebhookDelivery.Status.RETRYING if failure.retry_at else WebhookDelivery.Status.FAILED
    delivery.next_attempt_at = failure.retry_at
    delivery.last_error = result.summary[:500]
    delivery.save(update_fields=["attempts", "status", "next_attempt_at", "last_error"])


@retried_task(on_failure=_delivery_failed, delays=webhook_retry_delays)
def webhook_deliver(*, delivery_id: int) -> str:
    """Send one delivery: its fixed body, signed now, to the receiver's URL as it is now.
    A 2xx answer delivers it; anything else fails the attempt (retried with back-off)."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise PermanentFailure(_("Leveransen finns inte längre."))
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        return "already delivered"
    endpoint = delivery.endpoint
    if not endpoint.active:
        raise DeliveryRefused(PostResult(url=endpoint.url, at=timezone.now(), error=_("Mottagaren är inte aktiv."), refused=True))
    body = payload_body(delivery.payload)
    result = webhook_post(
        url=endpoint.url, body=body.encode("utf-8"),
        headers=webhook_headers(endpoint=endpoint, message_id=delivery.message_id, body=body),
        allow_insecure=insecure_allowed(endpoint),
    )
    if result.refused:
        raise DeliveryRefused(result)
    if not result.ok:
        raise DeliveryFailed(result)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        _attempt_record(delivery, result)
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = result.at
        delivery.next_attempt_at = None
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at", "last_error"])
    return f"delivered: HTTP {result.status_code}"


def webhook_redeliver(*, delivery: WebhookDelivery) -> bool:
    """An admin sends a given-up delivery again (the same body and ``webhook-id``), with a
    new retry schedule. False when it is not given up (or another admin was first: the
    update is conditional, so two clicks at once queue it once)."""
    with serialized_writes(), transaction.atomic():
        updated = WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.FAILED).update(
            status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now()
        )
        if updated:
            enqueue_on_commit(webhook_deliver, delivery_id=delivery.pk)
    return bool(updated)
