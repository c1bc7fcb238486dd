"""The audit trail the seller sees: a quote walked through its whole life by real
requests, and every event shows on the seller's page of that quote — what, when, who,
and from which IP."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quotes.offer.services import quote_expire_if_due
from quotes.models import Quote, QuoteEvent

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import VALID_CUSTOMER
from .queue_support import tasks_run

Kind = QuoteEvent.Kind
SELLER_IP, CUSTOMER_IP = "198.51.100.7", "203.0.113.9"


def events_on_page(client, quote: Quote) -> list[str]:
    """The lines of the "Händelser" list on the seller's page of ``quote``, as text."""
    quote.refresh_from_db()
    if quote.is_draft:  # a draft's page is its step form; the panel is on the summary step
        url = reverse("quotes:step", args=[quote.pk, "sammanstallning"])
    else:
        url = reverse("quotes:detail", args=[quote.pk])
    html = client.get(url).content.decode()
    section = html.split('<details class="events">', 1)[1].split("</details>", 1)[0]
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", li)).split()) for li in re.findall(r"<li>(.*?)</li>", section, re.S)]


def expected_line(event: QuoteEvent) -> str:
    when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
    who = event.actor_label or ("automatiskt" if event.is_automatic else "kunden")
    ip = f" · IP {event.ip}" if event.ip else ""
    return f"{when} · {event.get_kind_display()} · {who}{ip}"


def assert_every_event_shown(client, quote: Quote, kinds: set[str]) -> None:
    events = list(quote.events.all())
    assert {e.kind for e in events} == kinds
    lines = events_on_page(client, quote)
    assert len(lines) == len(events)
    for event in events:
        line = expected_line(event)
        assert any(shown.startswith(line) for shown in lines), f"{line!r} not in {lines}"


@pytest.mark.django_db
def test_every_event_of_a_quotes_life_is_on_the_sellers_page(doc_env, seller, price_list):
    seller_client, customer = Client(REMOTE_ADDR=SELLER_IP), Client(REMOTE_ADDR=CUSTOMER_IP)
    seller_client.force_login(seller)

    # Revision A: created, filled in, signed and sent, opened and declined, then changed.
    seller_client.post(reverse("quotes:create"))
    a = Quote.objects.get()
    seller_client.post(reverse("quotes:step", args=[a.pk, "kund"]), {**VALID_CUSTOMER, "org_number": "556430-0142", "nav": "next"})
    seller_client.post(reverse("quotes:step", args=[a.pk, "anvandare"]), {"mobile_user": "10", "nav": "next"})
    seller_client.post(reverse("quotes:sign", args=[a.pk]))
    tasks_run()  # the worker sends the offer
    a.refresh_from_db()
    customer.get(reverse("quote-customer:offer", args=[a.token]))
    customer.post(reverse("quote-customer:decline", args=[a.token]), {"reason": "För dyrt"})
    tasks_run()  # and tells the seller (opened, declined)
    seller_client.post(reverse("quotes:revise", args=[a.pk]))
    assert_every_event_shown(
        seller_client, a,
        {Kind.CREATED, Kind.STEP_SAVED, Kind.NUMBERED, Kind.SIGNED, Kind.SENT, Kind.OPENED, Kind.MAIL_SENT,
         Kind.DECLINED, Kind.REISSUED},
    )
    signed = a.events.get(kind=Kind.SIGNED)
    assert (signed.actor, signed.ip) == (seller, SELLER_IP)  # signing records the IP too
    assert a.events.get(kind=Kind.DECLINED).ip == CUSTOMER_IP

    # Revision B: signed and sent, never answered, expired, reissued in one click.
    b = Quote.objects.get(previous=a)
    seller_client.post(reverse("quotes:sign", args=[b.pk]))
    tasks_run()
    b.refresh_from_db()
    assert quote_expire_if_due(quote=b, now=timezone.now() + timedelta(days=b.validity_days + 2))
    seller_client.post(reverse("quotes:revise", args=[b.pk]))
    tasks_run()  # the reissued revision's offer
    assert_every_event_shown(
        seller_client, b, {Kind.CREATED, Kind.SIGNED, Kind.SENT, Kind.EXPIRED, Kind.REISSUED}
    )

    # Revision C (the reissue): opened and accepted by the customer.
    c = Quote.objects.get(previous=b)
    assert c.status == Quote.Status.SENT
    customer.get(reverse("quote-customer:offer", args=[c.token]))
    customer.post(
        reverse("quote-customer:accept", args=[c.token]),
        {"name": "Erik Lind", "title": "Vd", "accept_terms": "on", "document_sha256": c.pdf_sha256},
    )
    tasks_run()  # the seller's notices, the customer's confirmation
    assert_every_event_shown(
        seller_client, c,
        {Kind.CREATED, Kind.SIGNED, Kind.SENT, Kind.OPENED, Kind.MAIL_SENT, Kind.ACCEPTED},
    )
    accepted = c.events.get(kind=Kind.ACCEPTED)
    assert accepted.ip == CUSTOMER_IP and "Erik Lind, Vd" in accepted.detail
    # Together the three revisions show every kind of event there is, but the mail server's
    # failures and the reminders (on this page in tests/test_notifications.py), a damaged
    # stored document (tests/test_nothing_lost.py), a discount's approval (below) and
    # archiving a draft (tests/test_quote_starts.py).
    assert {e.kind for q in (a, b, c) for e in q.events.all()} == set(Kind.values) - {
        Kind.MAIL_RETRY, Kind.MAIL_FAILED, Kind.REMINDER, Kind.DOCUMENT_ERROR,
        Kind.APPROVAL_REQUESTED, Kind.APPROVED, Kind.REJECTED, Kind.ARCHIVED, Kind.RESTORED}


@pytest.mark.django_db
def test_a_discounts_approval_is_on_the_sellers_page(seller, price_list):
    """Asked, rejected, asked again, approved: each with who, when and the comments."""
    from configurator.roles import ensure_sales_managers_group
    from quotes.approval.services import approval_decide, approval_request
    from quotes.models import Team

    from .factories import QuoteFactory, UserFactory

    manager = UserFactory(username="maja", first_name="Maja", last_name="Chef")
    manager.groups.add(ensure_sales_managers_group())
    Team.objects.create(name="Syd", manager=manager).members.add(seller)
    quote = QuoteFactory(owner=seller, discounts={"monthly_percent": "25"})
    first = approval_request(quote=quote, user=seller, comment="Konkurrent")
    approval_decide(approval=first, user=manager, approve=False, comment="För mycket")
    second = approval_request(quote=quote, user=seller, comment="Tre års avtal")
    approval_decide(approval=second, user=manager, approve=True, comment="OK")
    seller_client = Client(REMOTE_ADDR=SELLER_IP)
    seller_client.force_login(seller)
    assert_every_event_shown(
        seller_client, quote, {Kind.APPROVAL_REQUESTED, Kind.APPROVED, Kind.REJECTED}
    )
    lines = events_on_page(seller_client, quote)
    assert any("Rabatt avslagen · Maja Chef" in line and "Kommentar: För mycket" in line for line in lines)
    assert any("Skickad för godkännande · Sara Säljare" in line and "Kommentar: Tre års avtal" in line for line in lines)


def test_a_long_trail_is_shown_in_full(doc_env, seller, price_list, client):
    """Autosave records a step event per change: none of them drops off the page."""
    client.force_login(seller)
    client.post(reverse("quotes:create"))
    quote = Quote.objects.get()
    for n in range(1, 16):
        client.post(reverse("quotes:step", args=[quote.pk, "anvandare"]), {"mobile_user": str(n)},
                    HTTP_HX_REQUEST="true")
    assert quote.events.count() == 16
    lines = events_on_page(client, quote)
    assert len(lines) == 16 and lines[-1].split(" · ")[1] == "Skapad"
