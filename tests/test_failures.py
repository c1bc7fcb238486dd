"""Nothing is lost when a part fails: a failure injected into the PDF rendering, into
pyHanko's signing or into the e-mail, through the seller's real views (and the customer's
acceptance), leaves the quote as it was — no number used, no file left in MEDIA_ROOT —
tells the user in plain Swedish, and works when tried again."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError

from quotes.customer import services as customer_services
from quotes.offer import services as offer_services
from quotes.offer.services import quote_sign
from quotes.models import Quote, QuoteCounter, QuoteEvent

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteFactory

Status = Quote.Status
SIGN_FAILED = "Något gick fel när offerten skulle signeras. Inget har sparats; försök igen."


@pytest.fixture
def draft(doc_env, seller, price_list):
    return QuoteFactory(owner=seller)


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def row(quote: Quote) -> dict:
    return Quote.objects.filter(pk=quote.pk).values().get()


def counters() -> list:
    return list(QuoteCounter.objects.values_list("year", "last"))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def broken(error: Exception):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.parametrize(
    "where",
    ["rendering", "pyhanko"],
)
def test_a_failure_while_signing_keeps_the_draft_and_the_number(where, draft, client, seller, settings, monkeypatch):
    if where == "rendering":
        monkeypatch.setattr(offer_services, "offer_pdf_render", broken(OSError("WeasyPrint: out of memory")))
    else:  # inside pyHanko itself, after the PDF was rendered
        monkeypatch.setattr(signers, "sign_pdf", broken(SigningError("HSM svarar inte")))
    before, events, numbers = row(draft), QuoteEvent.objects.count(), counters()
    client.force_login(seller)

    response = client.post(reverse("quotes:sign", args=[draft.pk]), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("quotes:step", args=[draft.pk, "sammanstallning"])
    assert SIGN_FAILED in messages_of(response)
    assert row(draft) == before  # still the same draft: no number, token, snapshot or PDF
    assert counters() == numbers  # the number handed out inside the transaction rolled back
    assert QuoteEvent.objects.count() == events and not mail.outbox
    assert media_files(settings) == []  # the stored file (pyHanko case: none yet) is gone

    monkeypatch.undo()
    response = client.post(reverse("quotes:sign", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.SENT and draft.number.endswith("-00001")  # the first number
    assert len(mail.outbox) == 1 and f"Offert {draft.reference} är signerad och skickad" in messages_of(response)[0]
    assert [p.name for p in media_files(settings)] == [f"{draft.number}-A.pdf"]


def test_a_failure_after_the_file_is_stored_removes_it(draft, client, seller, settings, monkeypatch):
    """The PDF is stored, then the transaction fails (the event cannot be written)."""
    monkeypatch.setattr(offer_services, "quote_event_record", broken(RuntimeError("database went away")))
    before, numbers = row(draft), counters()
    client.force_login(seller)
    response = client.post(reverse("quotes:sign", args=[draft.pk]), follow=True)
    assert SIGN_FAILED in messages_of(response)
    assert row(draft) == before and counters() == numbers and media_files(settings) == []


def test_a_failing_e_mail_while_signing_keeps_the_signed_offer_and_says_so(draft, client, seller, monkeypatch):
    """Signing and sending are two steps: the signed offer stays (its link works), the
    e-mail is not recorded as sent, and "Skicka igen" sends it once the mail works."""
    monkeypatch.setattr(EmailMessage, "send", broken(smtplib.SMTPServerDisconnected("Connection unexpectedly closed")))
    client.force_login(seller)
    response = client.post(reverse("quotes:sign", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.SENT and draft.sent_at is None
    assert not draft.events.filter(kind=QuoteEvent.Kind.SENT).exists()
    shown = messages_of(response)
    assert any("E-postmeddelandet kunde inte skickas" in m and "Skicka igen" in m for m in shown)
    assert f"Offert {draft.reference} är signerad." in shown

    monkeypatch.undo()
    client.post(reverse("quotes:send", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.sent_at is not None and len(mail.outbox) == 1
    assert draft.events.filter(kind=QuoteEvent.Kind.SENT).count() == 1


def test_a_failing_e_mail_on_send_again_changes_nothing(draft, client, seller, monkeypatch):
    signed = quote_sign(quote=draft, user=seller)
    monkeypatch.setattr(EmailMessage, "send", broken(smtplib.SMTPException("451 try later")))
    before, events = row(signed), QuoteEvent.objects.count()
    client.force_login(seller)
    response = client.post(reverse("quotes:send", args=[signed.pk]), follow=True)
    assert row(signed) == before and QuoteEvent.objects.count() == events
    assert any("E-postmeddelandet kunde inte skickas" in m for m in messages_of(response))

    monkeypatch.undo()
    response = client.post(reverse("quotes:send", args=[signed.pk]), follow=True)
    assert f"Offerten är skickad till {signed.contact_email}." in messages_of(response)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("where", ["rendering", "pyhanko"])
def test_a_failure_while_accepting_keeps_the_offer_open_for_the_customer(
    where, draft, client, seller, settings, monkeypatch
):
    signed = quote_sign(quote=draft, user=seller)
    files = media_files(settings)
    if where == "rendering":
        monkeypatch.setattr(customer_services, "acceptance_pdf_render", broken(OSError("WeasyPrint: out of memory")))
    else:
        monkeypatch.setattr(signers, "sign_pdf", broken(SigningError("HSM svarar inte")))
    offer = reverse("quote-customer:offer", args=[signed.token])
    client.get(offer)  # the customer opens the link
    before, events = row(signed), QuoteEvent.objects.count()
    data = {"name": "Erik Lind", "title": "Vd", "accept_terms": "on", "document_sha256": signed.pdf_sha256}

    response = client.post(reverse("quote-customer:accept", args=[signed.token]), data, follow=True)

    assert response.status_code == 200 and response.redirect_chain == [(offer, 302)]
    assert any("Godkännandet kunde inte sparas" in m and "försök igen" in m for m in messages_of(response))
    assert row(signed) == before and row(signed)["status"] == Status.OPENED
    assert QuoteEvent.objects.count() == events
    assert media_files(settings) == files  # no half-made accepted PDF left behind
    assert 'name="accept_terms"' in response.content.decode()  # the customer can try again

    monkeypatch.undo()
    response = client.post(reverse("quote-customer:accept", args=[signed.token]), data, follow=True)
    signed.refresh_from_db()
    assert signed.status == Status.ACCEPTED and signed.accepted_pdf
    assert any(m.startswith("Tack! Offerten är godkänd.") for m in messages_of(response))
