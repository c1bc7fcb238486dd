"""The audit trail cannot be edited: not by code (save, delete, bulk update or delete), not
in the admin (no add, change or delete; read-only view)."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from quotes.events import quote_event_record
from quotes.models import QuoteEvent

from .factories import QuoteEventFactory, QuoteFactory


@pytest.fixture
def quote(seller):
    return QuoteFactory(owner=seller, company_name="Bergström AB")


@pytest.fixture
def event(quote, seller, rf):
    request = rf.post("/", REMOTE_ADDR="192.0.2.7")
    request.user = seller
    return quote_event_record(quote=quote, kind=QuoteEvent.Kind.CREATED, request=request)


def test_an_event_records_who_when_and_from_where(event, seller):
    event = QuoteEvent.objects.get(pk=event.pk)
    assert event.actor == seller and event.actor_label == "Sara Säljare"
    assert event.ip == "192.0.2.7" and event.at is not None


def test_a_saved_event_cannot_be_changed(event):
    event.kind = QuoteEvent.Kind.ACCEPTED
    with pytest.raises(QuoteEvent.Immutable):
        event.save()
    assert QuoteEvent.objects.get(pk=event.pk).kind == QuoteEvent.Kind.CREATED


def test_a_new_event_with_an_old_id_does_not_overwrite_it(event, quote):
    forged = QuoteEventFactory.build(pk=event.pk, quote=quote, kind=QuoteEvent.Kind.ACCEPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert QuoteEvent.objects.get(pk=event.pk).kind == QuoteEvent.Kind.CREATED


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(QuoteEvent.Immutable):
        event.delete()
    assert QuoteEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_and_delete_are_refused(event):
    with pytest.raises(QuoteEvent.Immutable):
        QuoteEvent.objects.filter(pk=event.pk).update(ip="10.0.0.1")
    with pytest.raises(QuoteEvent.Immutable):
        QuoteEvent.objects.all().delete()
    with pytest.raises(QuoteEvent.Immutable):
        event.quote.events.update(detail="ändrad")
    assert QuoteEvent.objects.get(pk=event.pk).ip == "192.0.2.7"


def test_a_quote_with_events_cannot_be_deleted(event, quote):
    with pytest.raises(ProtectedError):
        quote.delete()
    assert QuoteEvent.objects.count() == 1


def test_events_are_appended(event, quote, seller):
    quote_event_record(quote=quote, kind=QuoteEvent.Kind.STEP_SAVED, actor=seller, detail="kund")
    assert [e.kind for e in quote.events.all()] == ["created", "step_saved"]


def test_the_admin_shows_events_read_only(admin_client, event):
    url = f"/admin/quotes/quoteevent/{event.pk}/change/"
    listing = admin_client.get("/admin/quotes/quoteevent/")
    assert listing.status_code == 200 and url in listing.content.decode()
    assert "/admin/quotes/quoteevent/add/" not in listing.content.decode()

    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert f"{event.pk}/delete/" not in html
    assert "192.0.2.7" in html


def test_the_admin_refuses_add_change_and_delete(admin_client, event, quote):
    base = "/admin/quotes/quoteevent/"
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}add/", {"quote": quote.pk, "kind": "accepted"}).status_code == 403
    r = admin_client.post(f"{base}{event.pk}/change/", {"quote": quote.pk, "kind": "accepted", "ip": "10.0.0.1"})
    assert r.status_code == 403
    assert admin_client.get(f"{base}{event.pk}/delete/").status_code == 403
    assert admin_client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    # The list's "delete selected" action is not offered, and posting it deletes nothing.
    admin_client.post(base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    event.refresh_from_db()
    assert (event.kind, event.ip) == ("created", "192.0.2.7")
    assert QuoteEvent.objects.count() == 1
