"""Who is told what, by e-mail from the task queue's worker: the seller when the customer
opens, accepts or declines; the customer with the accepted PDF; reminders before an
offer expires (once); the daily expiry; a mail server that fails (retried with back-off,
every attempt in the quote's audit trail). The worker is django-tasks-db's own loop in
this process (``tests/queue_support.py``); ``tests/test_task_worker.py`` runs the same
flows with the real ``manage.py db_worker`` process. Mail: Django's locmem backend."""

from __future__ import annotations

import io
import re
import smtplib
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from quotes.customer.services import quote_accept, quote_decline
from quotes.daily import daily_jobs_run
from quotes.models import Quote, QuoteEvent, QuoteReminder
from quotes.notifications import offer_mail_enqueue
from quotes.offer.services import quote_sign, stockholm_today
from quotes.offer.storage import stored_bytes

from .doc_support import doc_env, pdf_text, signing_cert  # noqa: F401
from .factories import QuoteFactory
from .queue_support import commit_callbacks_run, queued_work, tasks_pending, tasks_run

Kind = QuoteEvent.Kind
CUSTOMER = "erik.lind@nordisklogistik.se"


@pytest.fixture
def signed(doc_env, seller, price_list):
    """A signed offer whose e-mail the worker has sent: the outbox starts empty."""
    quote = quote_sign(quote=QuoteFactory(owner=seller, validity_days=30), user=seller)
    offer_mail_enqueue(quote=quote, user=seller)
    tasks_run()
    mail.outbox.clear()
    return Quote.objects.get(pk=quote.pk)


def trail_on_page(client, quote: Quote) -> list[str]:
    """The "Händelser" lines of the seller's page of ``quote``, as text."""
    html = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    section = html.split('<details class="events">', 1)[1].split("</details>", 1)[0]
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", li)).split()) for li in re.findall(r"<li>(.*?)</li>", section, re.S)]


def broken_mail_server(monkeypatch, fail_times: int | None = None):
    """The mail server refuses (``SMTPServerDisconnected``) the next ``fail_times`` mails,
    every mail when None; after that it delivers to the outbox."""
    original = EmailMessage.send
    calls = {"n": 0}

    def send(self, *args, **kwargs):
        calls["n"] += 1
        if fail_times is None or calls["n"] <= fail_times:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    return calls


# --- The seller is told ---------------------------------------------------------------------


def test_the_seller_is_told_once_when_the_customer_opens_the_link(signed, client, seller):
    customer = Client()
    customer.get(reverse("quote-customer:offer", args=[signed.token]))
    customer.get(reverse("quote-customer:offer", args=[signed.token]))  # again: no second mail
    assert not mail.outbox  # nothing is sent inside the customer's request
    tasks_run()
    (message,) = mail.outbox
    assert message.to == ["sara@example.com"]
    assert message.subject == f"Nordisk Logistik AB har öppnat offert {signed.reference}"
    assert f"http://testserver/offerter/{signed.pk}/" in message.body
    assert "Erik Lind" in message.body and CUSTOMER in message.body
    client.force_login(seller)
    assert any(
        line.endswith(f"E-post skickad · automatiskt · Till säljaren sara@example.com: kunden har öppnat offerten")
        for line in trail_on_page(client, signed)
    )


def test_the_sellers_own_look_at_the_customer_page_tells_nobody(signed, client, seller):
    client.force_login(seller)
    client.get(reverse("quote-customer:offer", args=[signed.token]))
    tasks_run()
    assert not mail.outbox


def test_an_acceptance_tells_the_seller_and_confirms_to_the_customer_with_the_accepted_pdf(signed, seller):
    customer = Client()
    customer.post(
        reverse("quote-customer:accept", args=[signed.token]),
        {"name": "Erik Lind", "title": "Vd", "accept_terms": "on", "document_sha256": signed.pdf_sha256},
    )
    tasks_run()
    accepted = Quote.objects.get(pk=signed.pk)
    assert accepted.status == Quote.Status.ACCEPTED
    by_to = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2 and set(by_to) == {"sara@example.com", CUSTOMER}

    to_seller = by_to["sara@example.com"]
    assert to_seller.subject == f"Nordisk Logistik AB har godkänt offert {signed.reference}"
    assert "Erik Lind, Vd" in to_seller.body and "Avtalsvärde 36 månader:" in to_seller.body

    confirmation = by_to[CUSTOMER]
    assert confirmation.subject == f"Bekräftelse: du har godkänt offert {signed.reference} från Telia Sverige AB"
    assert confirmation.reply_to == ["sara@example.com"]
    (name, content, mimetype), = confirmation.attachments
    assert name == f"Offert-{signed.number}-A-godkand.pdf" and mimetype == "application/pdf"
    assert content == stored_bytes(accepted.accepted_pdf)  # the stored, signed accepted offer
    assert "Erik Lind" in pdf_text(content) and len(content) > len(stored_bytes(accepted.pdf))
    details = list(accepted.events.filter(kind=Kind.MAIL_SENT).values_list("detail", flat=True))
    assert sorted(details) == [
        f"Bekräftelse med den godkända offerten till {CUSTOMER}",
        "Till säljaren sara@example.com: kunden har godkänt offerten",
    ]


def test_a_decline_tells_the_seller_the_reason(signed):
    Client().post(reverse("quote-customer:decline", args=[signed.token]), {"reason": "För dyrt just nu"})
    tasks_run()
    (message,) = mail.outbox
    assert message.to == ["sara@example.com"]
    assert message.subject == f"Nordisk Logistik AB har avböjt offert {signed.reference}"
    assert "Anledning: För dyrt just nu" in message.body


def test_a_seller_without_an_e_mail_address_is_a_failure_in_the_trail_not_a_retry(signed, seller, settings):
    settings.TASK_RETRY_DELAYS = [0, 0]
    type(seller).objects.filter(pk=seller.pk).update(email="")
    quote_decline(quote=signed, reason="Nej tack")
    assert [t.status for t in tasks_run()] == ["FAILED"]  # tried once: retrying cannot help
    assert not mail.outbox and tasks_pending() == []
    event = signed.events.get(kind=Kind.MAIL_FAILED)
    assert event.detail == (
        "Meddelande till säljaren –: Säljaren Sara Säljare har ingen e-postadress. · försök 1 av 3, inga fler försök"
    )


def test_a_rolled_back_change_enqueues_nothing(signed):
    before = queued_work()
    with pytest.raises(RuntimeError), transaction.atomic():
        quote_decline(quote=signed, reason="Nej")
        raise RuntimeError("the transaction fails after the decline")
    assert queued_work() == before == (0, 1)  # only the offer's sent e-mail
    tasks_run()
    assert not mail.outbox and Quote.objects.get(pk=signed.pk).status == Quote.Status.SENT


# --- A mail server that fails ----------------------------------------------------------------


def test_a_failing_mail_server_is_retried_with_back_off_and_every_attempt_is_in_the_trail(
    signed, client, seller, settings, monkeypatch
):
    settings.TASK_RETRY_DELAYS = [60, 300]
    calls = broken_mail_server(monkeypatch, fail_times=2)
    quote_accept(quote=signed, name="Erik Lind", title="Vd", ip=None, user_agent="")
    started = timezone.now()

    ran = tasks_run()  # both mails fail once; their retries wait a minute
    assert [t.status for t in ran] == ["FAILED", "FAILED"] and not mail.outbox
    waiting = tasks_pending()
    assert len(waiting) == 2
    assert all(timedelta(seconds=59) <= t.run_after - started <= timedelta(seconds=65) for t in waiting)
    assert {t.args_kwargs["kwargs"]["attempt"] for t in waiting} == {2}

    # A minute later the server works again.
    DBTaskResult.objects.filter(pk__in=[t.pk for t in waiting]).update(run_after=timezone.now())
    assert [t.status for t in tasks_run()] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert calls["n"] == 4 and len(mail.outbox) == 2 and tasks_pending() == []

    kinds = list(signed.events.filter(kind__startswith="mail_").values_list("kind", flat=True))
    assert kinds == [Kind.MAIL_RETRY, Kind.MAIL_RETRY, Kind.MAIL_SENT, Kind.MAIL_SENT]
    client.force_login(seller)
    lines = [line for line in trail_on_page(client, signed) if "E-post misslyckades, nytt försök" in line]
    assert len(lines) == 2
    assert all("automatiskt" in line and "SMTPServerDisconnected: Connection unexpectedly closed" in line
               and "försök 1 av 3, nästa" in line for line in lines)


def test_a_mail_server_that_stays_down_is_given_up_after_the_last_attempt(signed, settings, monkeypatch):
    settings.TASK_RETRY_DELAYS = [0, 0, 0]
    broken_mail_server(monkeypatch)
    quote_decline(quote=signed, reason="Nej")
    assert [t.status for t in tasks_run()] == ["FAILED"] * 4
    assert tasks_pending() == [] and not mail.outbox
    kinds = list(signed.events.filter(kind__startswith="mail_").values_list("kind", flat=True))
    assert kinds == [Kind.MAIL_RETRY] * 3 + [Kind.MAIL_FAILED]
    assert signed.events.get(kind=Kind.MAIL_FAILED).detail.endswith("försök 4 av 4, inga fler försök")


# --- Reminders and the daily expiry ----------------------------------------------------------


def _valid_until(quote: Quote, days: int) -> Quote:
    """Time passes: the offer's last valid day is ``days`` from today."""
    Quote.objects.filter(pk=quote.pk).update(valid_until=stockholm_today() + timedelta(days=days))
    return Quote.objects.get(pk=quote.pk)


@pytest.fixture
def offers(doc_env, seller, price_list):
    """Four signed offers (e-mails sent): due for a reminder (3 days left), not yet (4 days),
    answered (3 days, accepted), past its day (yesterday)."""
    days = {"due": 3, "later": 4, "answered": 3, "past": -1}
    quotes = {
        name: quote_sign(quote=QuoteFactory(owner=seller, company_name=f"Kund {name} AB"), user=seller)
        for name in days
    }
    quote_accept(quote=quotes["answered"], name="Eva", title="Vd", ip=None, user_agent="")
    tasks_run()
    mail.outbox.clear()
    return {name: _valid_until(quote, days[name]) for name, quote in quotes.items()}


def test_the_daily_job_expires_what_is_due_and_reminds_the_seller_once(offers, client, seller, settings):
    settings.QUOTE_REMINDER_DAYS = 3
    assert daily_jobs_run() == {"expired": 1, "reminders": 1, "untouched_drafts_deleted": 0}
    tasks_run()
    assert Quote.objects.get(pk=offers["past"].pk).status == Quote.Status.EXPIRED
    (message,) = mail.outbox
    due = offers["due"]
    assert message.to == ["sara@example.com"]
    assert message.subject == (
        f"Påminnelse: offert {due.reference} till Kund due AB gäller till och med {due.valid_until.isoformat()}"
    )
    assert "3 dagar kvar." in message.body and "Kunden har inte öppnat offerten." in message.body
    assert f"http://testserver/offerter/{due.pk}/" in message.body
    client.force_login(seller)
    assert any(
        "Påminnelse skickad · automatiskt · Till säljaren sara@example.com: offerten gäller till och med "
        f"{due.valid_until.isoformat()}" in line for line in trail_on_page(client, due)
    )

    # The next day's run (and any extra run) reminds nobody twice.
    assert daily_jobs_run() == {"expired": 0, "reminders": 0, "untouched_drafts_deleted": 0}
    tasks_run()
    assert len(mail.outbox) == 1 and QuoteReminder.objects.count() == 1


def test_the_customer_is_reminded_too_when_the_setting_says_so(offers, settings):
    settings.QUOTE_REMINDER_DAYS = 3
    settings.QUOTE_CUSTOMER_REMINDER = True
    daily_jobs_run()
    tasks_run()
    due = offers["due"]
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"sara@example.com", CUSTOMER}
    to_customer = by_to[CUSTOMER]
    assert to_customer.subject == (
        f"Påminnelse: offert {due.reference} på Smart Connect gäller till och med {due.valid_until.isoformat()}"
    )
    assert f"http://testserver/offert/{due.token}/" in to_customer.body
    assert to_customer.reply_to == ["sara@example.com"]
    assert due.events.filter(kind=Kind.REMINDER).count() == 2


def test_a_reminder_for_an_offer_answered_meanwhile_is_not_sent(offers, settings):
    settings.QUOTE_REMINDER_DAYS = 3
    daily_jobs_run()
    commit_callbacks_run()  # the reminder is queued; the worker has not run yet
    due = quote_decline(quote=offers["due"], reason="Nej")
    tasks_run()
    assert [m.subject for m in mail.outbox] == [f"Kund due AB har avböjt offert {due.reference}"]
    assert not due.events.filter(kind=Kind.REMINDER).exists()


def test_reminders_off(offers, settings):
    settings.QUOTE_REMINDER_DAYS = 0
    assert daily_jobs_run()["reminders"] == 0


def test_the_management_command_hands_the_daily_jobs_to_the_worker(offers, settings):
    settings.QUOTE_REMINDER_DAYS = 3
    out = io.StringIO()
    call_command("quote_daily", stdout=out)
    assert "Daily jobs queued for the worker" in out.getvalue()
    (job,) = tasks_pending()
    assert job.task_path == "quotes.daily.daily_jobs"
    assert Quote.objects.get(pk=offers["past"].pk).status == Quote.Status.SENT  # not before the worker runs
    tasks_run()
    assert Quote.objects.get(pk=offers["past"].pk).status == Quote.Status.EXPIRED
    assert [m.to for m in mail.outbox] == [["sara@example.com"]]
    assert DBTaskResult.objects.get(pk=job.pk).return_value == {"expired": 1, "reminders": 1, "untouched_drafts_deleted": 0}


# --- The seller's page says where the offer's e-mail is --------------------------------------


def test_the_sellers_page_says_where_the_offers_e_mail_is(doc_env, client, seller, price_list, settings, monkeypatch):
    settings.TASK_RETRY_DELAYS = [600]
    draft = QuoteFactory(owner=seller)
    client.force_login(seller)

    def page() -> str:
        return " ".join(client.get(reverse("quotes:detail", args=[draft.pk])).content.decode().split())

    client.post(reverse("quotes:sign", args=[draft.pk]))
    commit_callbacks_run()
    assert "E-postmeddelandet är på väg" in page() and f"Offerten skickas till {CUSTOMER} inom kort." in page()

    broken_mail_server(monkeypatch)
    tasks_run()
    (retry,) = tasks_pending()
    shown = page()
    assert "E-postmeddelandet har inte gått fram än" in shown
    assert f"Nytt försök kl. {timezone.localtime(retry.run_after):%H:%M}." in shown

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # ten minutes later
    tasks_run()
    shown = page()
    assert "E-postmeddelandet kunde inte skickas" in shown and "Försök igen med Skicka igen." in shown

    monkeypatch.undo()
    client.post(reverse("quotes:send", args=[draft.pk]))
    commit_callbacks_run()
    assert "E-postmeddelandet är på väg" in page()
    tasks_run()
    shown = page()
    assert not any(text in shown for text in ("E-postmeddelandet är på väg", "E-postmeddelandet har inte gått fram",
                                            "E-postmeddelandet kunde inte skickas"))
    assert f"till {CUSTOMER}" in shown and len(mail.outbox) == 1


def test_a_retry_waiting_when_send_again_succeeds_sends_no_second_copy(signed, client, seller, settings, monkeypatch):
    settings.TASK_RETRY_DELAYS = [600]
    client.force_login(seller)
    broken_mail_server(monkeypatch, fail_times=1)
    client.post(reverse("quotes:send", args=[signed.pk]))
    tasks_run()
    (retry,) = tasks_pending()  # in ten minutes
    client.post(reverse("quotes:send", args=[signed.pk]))  # the seller does not wait
    tasks_run()
    assert len(mail.outbox) == 1

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    (ran,) = tasks_run()
    assert ran.status == "SUCCESSFUL" and ran.return_value == "not sent: the offer went out meanwhile"
    assert len(mail.outbox) == 1  # the customer gets the offer once
