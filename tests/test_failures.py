"""Nothing is lost when a part fails: a failure injected into the PDF rendering, into
pyHanko's signing or into the e-mail, through the seller's real views (and the customer's
acceptance), leaves the quote a draft — its reserved number kept for the retry, no
document stored — tells the user in plain Swedish, and works when tried again."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError

from quotes.customer import services as customer_services
from quotes.offer import services as offer_services
from quotes.offer.services import quote_sign
from quotes.models import Quote, QuoteCounter, QuoteEvent, StoredDocument

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteFactory
from .queue_support import tasks_pending, tasks_run

Status = Quote.Status
SIGN_FAILED = "Något gick fel när offerten skulle signeras. Inget har sparats; försök igen."


@pytest.fixture
def draft(doc_env, seller, price_list):
    return QuoteFactory(owner=seller)


def stored_documents() -> list[str]:
    """The signed PDFs stored (in the database, beside their quotes), by name."""
    return sorted(StoredDocument.objects.values_list("name", flat=True))


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
    after = row(draft)
    # Still a draft: no token, snapshot or PDF. Its number was reserved before the PDF was
    # made (signing in three steps, quote_sign) and stays with it for the retry: no gap.
    assert after["status"] == "draft" and not after["token"] and after["snapshot"] is None and not after["pdf"]
    assert after["number"].endswith("-00001") and {k: v for k, v in after.items() if k not in ("number", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("number", "updated_at")}
    assert counters() == [(int(after["number"].split("-")[1]), 1)]
    kinds = list(QuoteEvent.objects.order_by("id").values_list("kind", flat=True)[events:])
    assert kinds == [QuoteEvent.Kind.NUMBERED] and not mail.outbox
    assert stored_documents() == []  # no document without its signed quote

    monkeypatch.undo()
    response = client.post(reverse("quotes:sign", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.SENT and draft.number == after["number"]  # the reserved number
    assert f"Offert {draft.reference} är signerad. E-postmeddelandet till" in messages_of(response)[0]
    tasks_run()
    assert len(mail.outbox) == 1
    assert [name.rsplit("/", 1)[-1] for name in stored_documents()] == [f"{draft.number}-A.pdf"]


def test_a_failure_after_the_file_is_stored_removes_it(draft, client, seller, settings, monkeypatch):
    """The PDF is stored, then the transaction fails (the "signed" event cannot be written)."""
    record = offer_services.quote_event_record

    def failing_on_signed(**kwargs):
        if kwargs["kind"] == QuoteEvent.Kind.SIGNED:
            raise RuntimeError("database went away")
        return record(**kwargs)

    monkeypatch.setattr(offer_services, "quote_event_record", failing_on_signed)
    client.force_login(seller)
    response = client.post(reverse("quotes:sign", args=[draft.pk]), follow=True)
    assert SIGN_FAILED in messages_of(response)
    after = row(draft)
    assert after["status"] == "draft" and not after["pdf"] and stored_documents() == []
    assert counters() == [(int(after["number"].split("-")[1]), 1)]  # reserved, kept for the retry


def test_a_failing_e_mail_while_signing_keeps_the_signed_offer_and_says_so(draft, client, seller, settings, monkeypatch):
    """Signing and sending are two steps: the signed offer stays (its link works); the
    worker tries the e-mail again with back-off, every failure in the audit trail, and it
    is not recorded as sent; "Skicka igen" sends it once the mail works."""
    settings.TASK_RETRY_DELAYS = [0, 0]  # three attempts, at once
    monkeypatch.setattr(EmailMessage, "send", broken(smtplib.SMTPServerDisconnected("Connection unexpectedly closed")))
    client.force_login(seller)
    response = client.post(reverse("quotes:sign", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert f"Offert {draft.reference} är signerad. E-postmeddelandet till {draft.contact_email} är på väg." in messages_of(response)
    assert [t.status for t in tasks_run()] == ["FAILED", "FAILED", "FAILED"]
    assert tasks_pending() == []  # given up after the last attempt
    draft.refresh_from_db()
    assert draft.status == Status.SENT and draft.sent_at is None
    assert not draft.events.filter(kind=QuoteEvent.Kind.SENT).exists()
    trail = [(e.kind, e.detail) for e in draft.events.filter(kind__startswith="mail_")]
    assert [kind for kind, _detail in trail] == ["mail_retry", "mail_retry", "mail_failed"]
    assert all("SMTPServerDisconnected: Connection unexpectedly closed" in detail for _kind, detail in trail)
    page = client.get(reverse("quotes:detail", args=[draft.pk])).content.decode()
    assert "E-post kunde inte skickas" in page and "försök 3 av 3, inga fler försök" in page

    monkeypatch.undo()
    client.post(reverse("quotes:send", args=[draft.pk]))
    tasks_run()
    draft.refresh_from_db()
    assert draft.sent_at is not None and len(mail.outbox) == 1
    assert draft.events.filter(kind=QuoteEvent.Kind.SENT).count() == 1


def test_a_failing_e_mail_on_send_again_changes_nothing(draft, client, seller, settings, monkeypatch):
    settings.TASK_RETRY_DELAYS = []  # one attempt
    signed = quote_sign(quote=draft, user=seller)
    monkeypatch.setattr(EmailMessage, "send", broken(smtplib.SMTPException("451 try later")))
    before, events = row(signed), QuoteEvent.objects.count()
    client.force_login(seller)
    response = client.post(reverse("quotes:send", args=[signed.pk]), follow=True)
    assert f"E-postmeddelandet till {signed.contact_email} är på väg." in messages_of(response)
    tasks_run()
    assert row(signed) == before  # not recorded as sent
    assert list(QuoteEvent.objects.order_by("id").values_list("kind", flat=True)[events:]) == ["mail_failed"]

    monkeypatch.undo()
    client.post(reverse("quotes:send", args=[signed.pk]), follow=True)
    tasks_run()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [signed.contact_email]
    assert Quote.objects.get(pk=signed.pk).sent_at is not None


@pytest.mark.parametrize("where", ["rendering", "pyhanko"])
def test_a_failure_while_accepting_keeps_the_offer_open_for_the_customer(
    where, draft, client, seller, settings, monkeypatch
):
    signed = quote_sign(quote=draft, user=seller)
    files = stored_documents()
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
    assert stored_documents() == files  # no half-made accepted PDF left behind
    assert 'name="accept_terms"' in response.content.decode()  # the customer can try again

    monkeypatch.undo()
    response = client.post(reverse("quote-customer:accept", args=[signed.token]), data, follow=True)
    signed.refresh_from_db()
    assert signed.status == Status.ACCEPTED and signed.accepted_pdf
    assert any(m.startswith("Tack! Offerten är godkänd.") for m in messages_of(response))
