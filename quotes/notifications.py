"""E-mail about offers, sent by the task queue's worker (``quotes.queue``), never in a
request.

| mail | to | when | in the audit trail |
| --- | --- | --- | --- |
| the offer: signed PDF attached, the link | the customer's contact | signed, reissued, "Skicka igen" | Skickad |
| the customer opened / accepted / declined | the quote's seller | the customer's action commits | E-post skickad |
| confirmation, the accepted PDF attached | the customer's contact | the acceptance commits | E-post skickad |
| a discount to approve (what is asked, the seller's comment, the link) | every approver of the request | the seller sends the quote for approval | E-post skickad |
| the discount approved / rejected, the approver's comment | the quote's seller | the approver decides | E-post skickad |
| reminder before the offer expires | the seller; the customer when ``QUOTE_CUSTOMER_REMINDER`` | the daily job (``quotes.daily``), once per quote | Påminnelse skickad |

Each mail is a retried task: a failed attempt is recorded as "E-post misslyckades, nytt
försök" with the error and when it is tried again, the last one as "E-post kunde inte
skickas". A mail whose reason has gone (the offer was answered or replaced meanwhile)
is not sent. Mails are written in Swedish; replies to the customer's mails go to the
seller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .approval.rules import approvers_for
from .errors import DocumentError
from .events import quote_event_record
from .models import DiscountApproval, Quote, QuoteEvent, QuoteReminder
from .offer.document import offer_document
from .offer.services import ANSWERABLE, customer_link, quote_is_past_validity, quote_send_problem, stockholm_today
from .offer.storage import document_bytes, offer_filename, quote_pdf_bytes
from .queue import Failure, PermanentFailure, enqueue_on_commit, retried_task, task_attempts

Kind = QuoteEvent.Kind
SELLER_NOTICES = ("opened", "accepted", "declined")


# --- Helpers ----------------------------------------------------------------------------


def _quote(quote_id: int) -> Quote:
    try:
        return Quote.objects.select_related("owner").get(pk=quote_id)
    except Quote.DoesNotExist:
        raise PermanentFailure(_("Offerten finns inte längre.")) from None


def _render(name: str, context: dict) -> tuple[str, str]:
    """Subject (one line) and body of ``templates/quotes/offer/email/<name>_*.txt``."""
    with translation.override("sv"):
        subject = " ".join(render_to_string(f"quotes/offer/email/{name}_subject.txt", context).split())
        body = render_to_string(f"quotes/offer/email/{name}_body.txt", context)
    return subject, body


def seller_page(quote: Quote) -> str:
    return settings.SITE_URL + reverse("quotes:detail", args=[quote.pk])


def _seller_email(quote: Quote) -> str:
    email = (quote.owner.email or "").strip()
    if not email:
        raise PermanentFailure(
            _("Säljaren %(name)s har ingen e-postadress.")
            % {"name": quote.owner.get_full_name() or quote.owner.get_username()}
        )
    return email


def _customer_email(quote: Quote) -> str:
    if not quote.contact_email:
        raise PermanentFailure(_("Kunden saknar e-postadress."))
    return quote.contact_email


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _failure_recorder(label: Callable[..., str]) -> Callable[..., None]:
    """``on_failure`` for a mail task: the failed attempt in the quote's audit trail, with
    what was being sent, the error and what happens next."""

    def record(failure: Failure, *, quote_id: int, **kwargs) -> None:
        quote = Quote.objects.select_related("owner").filter(pk=quote_id).first()
        if quote is None:
            return
        what = label(quote, **kwargs)
        if failure.retry_at is not None:
            detail = _("%(what)s: %(error)s · försök %(n)s av %(of)s, nästa %(when)s") % {
                "what": what, "error": failure.error_text, "n": failure.attempt,
                "of": failure.attempts, "when": _when(failure.retry_at),
            }
            kind = Kind.MAIL_RETRY
        else:
            detail = _("%(what)s: %(error)s · försök %(n)s av %(of)s, inga fler försök") % {
                "what": what, "error": failure.error_text, "n": failure.attempt, "of": failure.attempts,
            }
            kind = Kind.MAIL_FAILED
        quote_event_record(quote=quote, kind=kind, detail=detail)

    return record


# --- The offer ---------------------------------------------------------------------------


def _offer_label(quote: Quote, **kwargs) -> str:
    return _("Offerten till %(email)s") % {"email": quote.contact_email or "–"}


@retried_task(on_failure=_failure_recorder(_offer_label))
def offer_mail_send(*, quote_id: int, user_id: int | None = None, queued_at: str | None = None,
                    attempt: int = 1) -> str:
    """E-mail the offer to the customer's contact: the stored, signed PDF attached and
    the link to read and accept it. Records "Skickad" (by the seller who sent it). A
    retry is dropped when the offer went out meanwhile ("Skicka igen" while it waited)."""
    quote = _quote(quote_id)
    if attempt > 1 and queued_at and quote.sent_at and quote.sent_at > datetime.fromisoformat(queued_at):
        return "not sent: the offer went out meanwhile"
    problem = quote_send_problem(quote)
    if problem:
        raise PermanentFailure(problem)
    document = offer_document(quote)
    try:
        data = quote_pdf_bytes(quote)
    except DocumentError as error:
        raise PermanentFailure(error.message) from error
    subject, body = _render("offer", {"doc": document, "quote": quote, "link": customer_link(quote)})
    seller_email = document.seller["email"]
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[quote.contact_email], reply_to=[seller_email] if seller_email else None,
    )
    message.attach(offer_filename(quote), data, "application/pdf")
    message.send()
    now = timezone.now()
    Quote.objects.filter(pk=quote.pk).update(sent_at=now)
    user = quote.owner if user_id in (None, quote.owner_id) else get_user_model().objects.filter(pk=user_id).first()
    quote_event_record(
        quote=quote, kind=Kind.SENT, actor=user,
        detail=_("E-post till %(email)s") % {"email": quote.contact_email},
    )
    return f"offer sent to {quote.contact_email}"


def offer_mail_enqueue(*, quote: Quote, user) -> None:
    """Queue the offer's e-mail (when the current transaction commits)."""
    enqueue_on_commit(offer_mail_send, quote_id=quote.pk, user_id=getattr(user, "pk", None),
                      queued_at=timezone.now().isoformat())


@dataclass(frozen=True)
class MailStatus:
    state: str  # "queued" | "retrying" (waits for its next attempt) | "failed" (given up)
    retry_at: datetime | None = None


def offer_mail_status(quote: Quote) -> MailStatus | None:
    """Where the offer's latest e-mail is, for the seller's page; None once it is sent
    (or when none was queued)."""
    latest = task_attempts(offer_mail_send, quote_id=quote.pk).first()
    if latest is None or latest.status == "SUCCESSFUL":
        return None
    if latest.status == "FAILED":
        return MailStatus("failed")
    if latest.args_kwargs["kwargs"].get("attempt", 1) > 1:
        return MailStatus("retrying", retry_at=latest.run_after)
    return MailStatus("queued")


# --- To the seller: the customer opened, accepted or declined ---------------------------


def _seller_notice_label(quote: Quote, *, about: str = "", **kwargs) -> str:
    return _("Meddelande till säljaren %(email)s") % {"email": quote.owner.email or "–"}


@retried_task(on_failure=_failure_recorder(_seller_notice_label))
def seller_notice_send(*, quote_id: int, about: str) -> str:
    """Tell the quote's seller that the customer opened, accepted or declined it."""
    if about not in SELLER_NOTICES:
        raise PermanentFailure(f"Unknown notice {about!r}")
    quote = _quote(quote_id)
    email = _seller_email(quote)
    context = {"quote": quote, "about": about, "link": seller_page(quote), "doc": offer_document(quote)}
    subject, body = _render("seller_notice", context)
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email]).send()
    what = {
        "opened": _("kunden har öppnat offerten"),
        "accepted": _("kunden har godkänt offerten"),
        "declined": _("kunden har avböjt offerten"),
    }[about]
    quote_event_record(
        quote=quote, kind=Kind.MAIL_SENT,
        detail=_("Till säljaren %(email)s: %(what)s") % {"email": email, "what": what},
    )
    return f"seller notice {about} sent to {email}"


def seller_notice_enqueue(*, quote: Quote, about: str) -> None:
    """Queue the seller's notice (when the customer's change commits). The customer's
    action has committed by then and must not look failed: an error while enqueuing is
    logged."""
    enqueue_on_commit(seller_notice_send, robust=True, quote_id=quote.pk, about=about)


# --- To the customer: the accepted offer -------------------------------------------------


def _confirmation_label(quote: Quote, **kwargs) -> str:
    return _("Bekräftelse till %(email)s") % {"email": quote.contact_email or "–"}


@retried_task(on_failure=_failure_recorder(_confirmation_label))
def acceptance_confirmation_send(*, quote_id: int) -> str:
    """Confirm the acceptance to the customer's contact, the accepted offer (the signed
    offer with the signed acceptance page) attached."""
    quote = _quote(quote_id)
    if quote.status != Quote.Status.ACCEPTED or not quote.accepted_pdf:
        raise PermanentFailure(_("Offerten är inte godkänd."))
    email = _customer_email(quote)
    try:
        data = document_bytes(quote.accepted_pdf)
    except DocumentError as error:
        raise PermanentFailure(error.message) from error
    document = offer_document(quote)
    subject, body = _render("acceptance", {"quote": quote, "doc": document, "link": customer_link(quote)})
    seller_email = document.seller["email"]
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email], reply_to=[seller_email] if seller_email else None,
    )
    message.attach(offer_filename(quote, "-godkand"), data, "application/pdf")
    message.send()
    quote_event_record(
        quote=quote, kind=Kind.MAIL_SENT,
        detail=_("Bekräftelse med den godkända offerten till %(email)s") % {"email": email},
    )
    return f"confirmation sent to {email}"


def acceptance_confirmation_enqueue(*, quote: Quote) -> None:
    enqueue_on_commit(acceptance_confirmation_send, robust=True, quote_id=quote.pk)


# --- Reminders before expiry --------------------------------------------------------------


def _reminder_label(quote: Quote, *, audience: str = "", **kwargs) -> str:
    if audience == QuoteReminder.Audience.CUSTOMER:
        return _("Påminnelse till kunden %(email)s") % {"email": quote.contact_email or "–"}
    return _("Påminnelse till säljaren %(email)s") % {"email": quote.owner.email or "–"}


@retried_task(on_failure=_failure_recorder(_reminder_label))
def expiry_reminder_send(*, quote_id: int, audience: str) -> str:
    """Remind the seller (or the customer) that an unanswered offer is about to expire.
    Not sent once the offer is answered, replaced or expired."""
    quote = _quote(quote_id)
    if quote.status not in ANSWERABLE or quote_is_past_validity(quote):
        return f"not sent: the offer is {quote.status}"
    to_customer = audience == QuoteReminder.Audience.CUSTOMER
    email = _customer_email(quote) if to_customer else _seller_email(quote)
    document = offer_document(quote)
    days_left = (quote.valid_until - stockholm_today()).days
    context = {
        "quote": quote, "doc": document, "days_left": days_left,
        "link": customer_link(quote) if to_customer else seller_page(quote),
    }
    subject, body = _render("reminder_customer" if to_customer else "reminder_seller", context)
    seller_email = document.seller["email"]
    EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email],
        reply_to=[seller_email] if to_customer and seller_email else None,
    ).send()
    quote_event_record(
        quote=quote, kind=Kind.REMINDER,
        detail=(_("Till kunden %(email)s: offerten gäller till och med %(date)s") if to_customer
                else _("Till säljaren %(email)s: offerten gäller till och med %(date)s"))
        % {"email": email, "date": quote.valid_until.isoformat()},
    )
    return f"reminder sent to {email}"


def expiry_reminder_enqueue(*, quote: Quote, audience: str) -> None:
    enqueue_on_commit(expiry_reminder_send, quote_id=quote.pk, audience=audience)


# --- Discount approval (quotes.approval) -------------------------------------------------


def _approval(approval_id: int):
    try:
        return DiscountApproval.objects.select_related("quote", "quote__owner", "requested_by", "decided_by").get(
            pk=approval_id
        )
    except DiscountApproval.DoesNotExist:
        raise PermanentFailure(_("Begäran om godkännande finns inte längre.")) from None


def _approval_request_label(quote: Quote, **kwargs) -> str:
    return _("Begäran om godkännande av rabatten")


@retried_task(on_failure=_failure_recorder(_approval_request_label))
def approval_request_mail_send(*, quote_id: int, approval_id: int) -> str:
    """Tell every approver of an open request what is asked, with the link to decide."""
    approval = _approval(approval_id)
    if approval.status != approval.Status.PENDING:
        raise PermanentFailure(_("Begäran är redan besvarad eller ersatt."))
    emails = sorted({(u.email or "").strip() for u in approvers_for(approval)} - {""})
    if not emails:
        raise PermanentFailure(_("Ingen med e-postadress kan godkänna rabatten."))
    link = settings.SITE_URL + reverse("quotes:approval", args=[approval.pk])
    subject, body = _render("approval_request", {"approval": approval, "quote": approval.quote, "link": link})
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=emails).send()
    quote_event_record(
        quote=approval.quote, kind=Kind.MAIL_SENT,
        detail=_("Begäran om godkännande till %(emails)s") % {"emails": ", ".join(emails)},
    )
    return f"approval request sent to {', '.join(emails)}"


def approval_request_mail_enqueue(*, approval) -> None:
    enqueue_on_commit(approval_request_mail_send, robust=True, quote_id=approval.quote_id, approval_id=approval.pk)


def _approval_decision_label(quote: Quote, **kwargs) -> str:
    return _("Beslut om rabatten till säljaren %(email)s") % {"email": quote.owner.email or "–"}


@retried_task(on_failure=_failure_recorder(_approval_decision_label))
def approval_decision_mail_send(*, quote_id: int, approval_id: int) -> str:
    """Tell the quote's seller that the discount was approved or rejected, and why."""
    approval = _approval(approval_id)
    email = _seller_email(approval.quote)
    link = seller_page(approval.quote)
    subject, body = _render("approval_decision", {"approval": approval, "quote": approval.quote, "link": link})
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email]).send()
    quote_event_record(
        quote=approval.quote, kind=Kind.MAIL_SENT,
        detail=_("Till säljaren %(email)s: rabatten %(what)s")
        % {"email": email, "what": approval.get_status_display().lower()},
    )
    return f"approval decision sent to {email}"


def approval_decision_mail_enqueue(*, approval) -> None:
    enqueue_on_commit(approval_decision_mail_send, robust=True, quote_id=approval.quote_id, approval_id=approval.pk)


__all__ = [
    "approval_decision_mail_enqueue",
    "approval_decision_mail_send",
    "approval_request_mail_enqueue",
    "approval_request_mail_send",
    "MailStatus",
    "offer_mail_status",
    "acceptance_confirmation_enqueue",
    "acceptance_confirmation_send",
    "expiry_reminder_enqueue",
    "expiry_reminder_send",
    "offer_mail_enqueue",
    "offer_mail_send",
    "seller_notice_enqueue",
    "seller_notice_send",
]


def quote_send(*, quote: Quote, user, request=None) -> None:
    """Queue the offer's e-mail to the customer's contact (Swedish text, the stored PDF
    attached, the link to read and accept it): the task queue's worker sends it once the
    current transaction commits, retries it with back-off and records it in the audit
    trail (``offer_mail_send``). The request never waits on a mail server."""
    problem = quote_send_problem(quote)
    if problem:
        raise DocumentError(problem)
    offer_mail_enqueue(quote=quote, user=user)
