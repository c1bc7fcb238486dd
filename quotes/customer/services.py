"""The customer's side of an offer: open the link, accept (a new signed document with
the acceptance page appended), or decline with a reason. Each tells the seller by
e-mail, and an acceptance is confirmed to the customer with the accepted PDF, through
the task queue once the change commits (``quotes.notifications``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import DEFAULT_CHOICE, Choice, signed_choice_label
from ..errors import QuoteNotAnswerable
from ..events import quote_event_record
from ..models import TOTAL_COLUMNS, Quote, QuoteEvent
from ..notifications import acceptance_confirmation_enqueue, seller_notice_enqueue
from ..offer.document import offer_choice_snapshot
from ..offer.pdf import acceptance_pdf_render, pdf_append
from ..offer.services import ANSWERABLE, quote_expire_if_due, quote_is_past_validity
from ..offer.signing import ACCEPTANCE_FIELD, pdf_sign
from ..offer.storage import document_save, offer_filename, pdf_name, quote_pdf_bytes, sha256_hex

Status = Quote.Status
Kind = QuoteEvent.Kind


def quote_mark_opened(*, quote: Quote, request: HttpRequest | None = None) -> bool:
    """The customer opened the link for the first time (sent → opened)."""
    if quote.status != Status.SENT:
        return False
    now = timezone.now()
    updated = Quote.objects.filter(pk=quote.pk, status=Status.SENT).update(
        status=Status.OPENED, opened_at=now, updated_at=now
    )
    if updated:
        quote.status, quote.opened_at = Status.OPENED, now
        quote_event_record(quote=quote, kind=Kind.OPENED, request=request)
        seller_notice_enqueue(quote=quote, about="opened")
    return bool(updated)


def _answerable(quote: Quote, now: datetime | None) -> Quote:
    """Lock the quote and check the customer may still answer it."""
    q = Quote.objects.select_for_update().get(pk=quote.pk)
    if q.status in ANSWERABLE and quote_is_past_validity(q, now):
        raise QuoteNotAnswerable(_("Offerten har gått ut."))
    if q.status not in ANSWERABLE:
        raise QuoteNotAnswerable(
            _("Offerten kan inte längre besvaras (status: %(status)s).") % {"status": q.get_status_display()}
        )
    return q


def quote_accept(
    *,
    quote: Quote,
    name: str,
    title: str,
    ip: str | None,
    user_agent: str,
    document_sha256: str | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
    choice: Choice = DEFAULT_CHOICE,
) -> Quote:
    """The customer accepts: name, title, time, IP, user agent and the SHA-256 of the
    stored offer are recorded; an acceptance page is appended to a copy of the signed
    offer, and that new document is signed and stored as ``accepted_pdf``.

    An offer with alternatives or options is accepted as ``choice``: that configuration,
    priced by the engine with the offer's frozen prices, is frozen on the quote
    (``accepted_pricing``, ``accepted_alternative``, ``accepted_options``), shown on the
    acceptance page and named in the audit trail. A choice the offer does not have, or
    one the price list's rules refuse, is refused and nothing is saved."""
    now = now or timezone.now()
    if quote_expire_if_due(quote=quote, now=now):
        raise QuoteNotAnswerable(_("Offerten har gått ut."))
    with transaction.atomic():
        q = _answerable(quote, now)
        original = quote_pdf_bytes(q)
        digest = sha256_hex(original)
        if document_sha256 is not None and document_sha256 != digest:
            raise QuoteNotAnswerable(_("Offerten har ändrats sedan du öppnade sidan. Ladda om sidan."))
        q.accepted_at = now
        q.accepted_name = name.strip()
        q.accepted_title = title.strip()
        q.accepted_ip = ip or None
        q.accepted_user_agent = (user_agent or "")[:1000]
        q.accepted_sha256 = digest
        chosen = ""
        if (q.snapshot or {}).get("choices"):
            try:
                q.accepted_pricing, result = offer_choice_snapshot(q, choice)
            except ValueError:
                raise QuoteNotAnswerable(_("Valet finns inte i offerten. Ladda om sidan och välj igen."))
            if result.errors:
                raise QuoteNotAnswerable(
                    _("Valet går inte att beställa: %(problem)s") % {"problem": result.errors[0].message}
                )
            alternatives = q.snapshot["choices"]["alternatives"]
            q.accepted_alternative = alternatives[choice.alternative]["name"] if alternatives else ""
            q.accepted_options = list(choice.options)
            chosen = signed_choice_label(q.snapshot, choice)
            # The deal is the choice: the overview's won figures sum these columns.
            for field, key in TOTAL_COLUMNS:
                setattr(q, field, Decimal(q.accepted_pricing["totals"][key]))
        q.status = Status.ACCEPTED
        combined = pdf_append(
            original=original,
            extra=acceptance_pdf_render(quote=q),
            attachment_name=offer_filename(q, "-signerad"),
        )
        signed = pdf_sign(
            combined,
            field_name=ACCEPTANCE_FIELD,
            reason=_("Kundens godkännande av offert %(ref)s") % {"ref": q.reference},
            name=q.snapshot["seller"]["company"]["name"],  # the supplier the signed offer names
        )
        q.accepted_pdf = document_save(pdf_name(q, "-godkand"), signed)
        q.save()
        quote_event_record(
            quote=q, kind=Kind.ACCEPTED, request=request,
            detail=_event_detail(f"{q.accepted_name}, {q.accepted_title}", chosen, f"SHA-256 {digest}"),
        )
        # Sent by the task queue once this commits: the seller is told, the customer
        # gets the accepted offer.
        seller_notice_enqueue(quote=q, about="accepted")
        acceptance_confirmation_enqueue(quote=q)
    return q


def _event_detail(who: str, chosen: str, digest: str) -> str:
    """Who accepted, what they chose and the document's SHA-256, within the event's 500
    characters (the choice is shortened if it must be)."""
    room = 500 - len(who) - len(digest) - 6
    if len(chosen) > room:
        chosen = chosen[: max(room - 1, 0)] + "…"
    return " · ".join(part for part in (who, chosen, digest) if part)


def quote_decline(
    *, quote: Quote, reason: str, request: HttpRequest | None = None, now: datetime | None = None
) -> Quote:
    """The customer declines, with a reason."""
    now = now or timezone.now()
    if quote_expire_if_due(quote=quote, now=now):
        raise QuoteNotAnswerable(_("Offerten har gått ut."))
    with transaction.atomic():
        q = _answerable(quote, now)
        q.declined_at = now
        q.declined_reason = reason.strip()
        q.status = Status.DECLINED
        q.save(update_fields=["declined_at", "declined_reason", "status", "updated_at"])
        quote_event_record(quote=q, kind=Kind.DECLINED, request=request, detail=q.declined_reason)
        seller_notice_enqueue(quote=q, about="declined")
    return q

