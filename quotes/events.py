"""The audit trail: every quote event is appended here, never edited.

An event that receivers subscribe to (signed, sent, opened, accepted, declined,
expired) writes its webhook deliveries in the same transaction (``quotes.webhooks``):
the event and what tells the outside about it commit together or not at all.

The first event of an untouched draft (``Quote.untouched``: a new draft nobody has saved
anything in) touches it: its "Skapad" event, naming where it came from, is written just
before, in the caller's transaction, and the draft joins the lists. Whatever writes the
first change (a step, a move to today's price list, the API) goes through here."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from .models import Quote, QuoteEvent
from .webhooks import EVENT_OF_KIND, webhook_deliveries_create


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def quote_event_record(
    *,
    quote: Quote,
    kind: str,
    request: HttpRequest | None = None,
    actor=None,
    detail: str = "",
) -> QuoteEvent:
    """Record ``kind`` (a QuoteEvent.Kind) for ``quote``: who (the signed-in user, or a
    label such as the customer's name), when, from which IP."""
    if quote.untouched and kind != QuoteEvent.Kind.CREATED:
        _quote_touch(quote, request=request)
    user = actor
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    values = dict(
        quote=quote,
        kind=kind,
        actor=user,
        actor_label=(user.get_full_name() or user.get_username()) if user else "",
        ip=client_ip(request),
        detail=detail[:500],
    )
    if kind not in EVENT_OF_KIND:  # nothing goes out: no savepoint, no query more
        return QuoteEvent.objects.create(**values)
    with transaction.atomic():
        event = QuoteEvent.objects.create(**values)
        webhook_deliveries_create(event=event)
    return event


def _quote_touch(quote: Quote, *, request: HttpRequest | None) -> None:
    """An untouched draft's first event: it is a draft with a trail from now on. The
    conditional update makes it once, whoever comes first."""
    if Quote.objects.filter(pk=quote.pk, untouched=True).update(untouched=False):
        QuoteEvent.objects.create(
            quote=quote, kind=QuoteEvent.Kind.CREATED, actor=quote.owner,
            actor_label=quote.owner.get_full_name() or quote.owner.get_username(),
            ip=client_ip(request), detail=quote.origin[:500],
        )
    quote.untouched = False
