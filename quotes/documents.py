"""The quote as a document: signing, sending, revisions, the customer's answer, expiry.

Lifecycle: draft → (seller signs: ``quote_sign``) sent → (customer opens the link)
opened → accepted | declined | expired. Changing a sent, declined or expired offer makes
a new draft revision (``quote_revise``) and the old one becomes superseded; an expired
offer is reissued in one step (``quote_reissue``: new revision, signed at once).

Signing freezes the quote: the snapshot (``quotes.snapshot``) holds what was offered,
the PDF is rendered once from it, signed (PAdES) and stored with its SHA-256. Every
download serves that stored file. ``quotes.signals`` refuses any later change to a
signed quote's content, whoever tries.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from configurator.pricing import InvalidConfiguration
from configurator.selectors import catalog_for, price_list_in_force

from .events import quote_event_record
from .models import Quote, QuoteEvent, new_token
from .numbering import STOCKHOLM, next_revision, number_year, quote_number_next, signing_lock
from .pdf import acceptance_pdf_render, offer_pdf_render, pdf_append
from .selectors import quote_pricing
from .signing import ACCEPTANCE_FIELD, SELLER_FIELD, pdf_sign
from .snapshot import offer_document, snapshot_build

logger = logging.getLogger(__name__)
Status = Quote.Status
Kind = QuoteEvent.Kind

ANSWERABLE = (Status.SENT, Status.OPENED)
REVISABLE = (Status.SENT, Status.OPENED, Status.DECLINED, Status.EXPIRED)
REQUIRED_CUSTOMER_FIELDS = (
    ("company_name", "Företagsnamn"),
    ("org_number", "Organisationsnummer"),
    ("contact_name", "Kontaktperson"),
    ("contact_email", "Kontaktpersonens e-post"),
)


class DocumentError(Exception):
    """A document action that cannot be done; the message is for the user (Swedish)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class QuoteNotSignable(DocumentError):
    pass


class QuoteNotAnswerable(DocumentError):
    """The customer can no longer accept or decline (answered, expired, superseded)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_bytes(field_file) -> bytes:
    with field_file.storage.open(field_file.name, "rb") as f:
        return f.read()


def quote_pdf_bytes(quote: Quote) -> bytes:
    """The stored, signed offer, checked against the SHA-256 recorded when signing."""
    data = stored_bytes(quote.pdf)
    if sha256_hex(data) != quote.pdf_sha256:
        logger.error("Stored PDF of quote %s does not match its SHA-256", quote.pk)
        raise DocumentError(_("Den lagrade PDF:en stämmer inte med sin kontrollsumma. Kontakta support."))
    return data


def _pdf_name(quote: Quote, suffix: str = "") -> str:
    year = quote.number.split("-")[1] if quote.number.count("-") == 2 else str(timezone.now().year)
    return f"quotes/{year}/{quote.number}-{quote.revision}{suffix}.pdf"


def offer_filename(quote: Quote, suffix: str = "") -> str:
    return f"Offert-{quote.number}-{quote.revision}{suffix}.pdf"


class _StoredFiles:
    """Files saved during a transaction; deleted again if it fails."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def save(self, name: str, data: bytes) -> str:
        stored = default_storage.save(name, ContentFile(data))
        self.names.append(stored)
        return stored

    def discard(self) -> None:
        for name in self.names:
            try:
                default_storage.delete(name)
            except OSError:  # pragma: no cover - nothing more to do
                logger.exception("Could not delete %s after a failed transaction", name)


# --- Validity ---------------------------------------------------------------------------


def stockholm_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), STOCKHOLM).date()


def quote_expires_at(quote: Quote) -> datetime | None:
    """The first moment the offer no longer holds: midnight after ``valid_until``,
    Swedish time."""
    if quote.valid_until is None:
        return None
    return datetime.combine(quote.valid_until + timedelta(days=1), time.min, tzinfo=STOCKHOLM)


def quote_is_past_validity(quote: Quote, now: datetime | None = None) -> bool:
    expires = quote_expires_at(quote)
    return expires is not None and (now or timezone.now()) >= expires


def quote_effective_status(quote: Quote, now: datetime | None = None) -> str:
    """The status to show: a sent or opened offer past its day is expired, even before
    anything has marked it so."""
    if quote.status in ANSWERABLE and quote_is_past_validity(quote, now):
        return Status.EXPIRED
    return quote.status


def quote_expire_if_due(*, quote: Quote, now: datetime | None = None) -> bool:
    """Mark ``quote`` expired when its validity has run out; True if it did now."""
    if quote.status not in ANSWERABLE or not quote_is_past_validity(quote, now):
        return False
    updated = Quote.objects.filter(pk=quote.pk, status__in=ANSWERABLE).update(
        status=Status.EXPIRED, updated_at=timezone.now()
    )
    quote.status = Status.EXPIRED
    if updated:
        quote_event_record(
            quote=quote,
            kind=Kind.EXPIRED,
            detail=_("Giltig till och med %(date)s") % {"date": quote.valid_until.isoformat()},
        )
    return bool(updated)


def quotes_expire_due(*, now: datetime | None = None) -> int:
    """Mark every sent or opened offer past its validity expired (the list calls this;
    so can a scheduled ``manage.py quote_expire``). One query when nothing is due."""
    today = stockholm_today(now)
    due = list(Quote.objects.filter(status__in=ANSWERABLE, valid_until__lt=today))
    return sum(quote_expire_if_due(quote=q, now=now) for q in due)


# --- Signing ----------------------------------------------------------------------------


def quote_sign_problems(*, quote: Quote, result=None) -> list[str]:
    """Why ``quote`` cannot be signed yet (empty when it can)."""
    problems: list[str] = []
    if not quote.is_draft:
        return [_("Offerten är redan signerad.")]
    for field, label in REQUIRED_CUSTOMER_FIELDS:
        if not (getattr(quote, field) or "").strip():
            problems.append(_("%(field)s saknas (steget Kund).") % {"field": _(label)})
    try:
        result = result or quote_pricing(quote)
    except InvalidConfiguration:
        problems.append(_("Konfigurationen har ogiltiga värden — gå igenom stegen igen."))
        return problems
    problems.extend(p.message for p in result.errors)
    if not result.totals.one_time and not result.totals.monthly:
        problems.append(_("Offerten innehåller inga tjänster med pris."))
    return problems


def quote_sign(*, quote: Quote, user, now: datetime | None = None, request: HttpRequest | None = None) -> Quote:
    """The seller signs a valid draft: number, snapshot, validity, token, the signed
    PDF stored with its SHA-256; status "sent". All or nothing: if any step fails,
    nothing is saved and the stored file is removed."""
    files = _StoredFiles()
    try:
        with signing_lock(), transaction.atomic():
            q = Quote.objects.select_for_update().get(pk=quote.pk)
            if not (user.is_staff or q.owner_id == user.pk):
                raise QuoteNotSignable(_("Bara offertens säljare eller en administratör kan signera den."))
            if not q.is_draft:
                raise QuoteNotSignable(_("Offerten är redan signerad."))
            try:
                result = quote_pricing(q)
            except InvalidConfiguration:
                result = None
            problems = quote_sign_problems(quote=q, result=result)
            if problems:
                raise QuoteNotSignable(_("Offerten kan inte signeras än."), problems)
            if not q.number:
                q.number = quote_number_next(year=number_year(now))
            # Taken after the number (whose row lock queues parallel signings), so the
            # signing times follow the numbers.
            now = now or timezone.now()
            q.snapshot = snapshot_build(quote=q, result=result, signer=user, signed_at=now)
            q.signed_at = now
            q.signed_by = user
            q.valid_until = stockholm_today(now) + timedelta(days=q.validity_days)
            q.token = new_token()
            q.status = Status.SENT
            signed = pdf_sign(
                offer_pdf_render(quote=q),
                field_name=SELLER_FIELD,
                reason=_("Offert %(ref)s") % {"ref": q.reference},
                name=user.get_full_name() or user.get_username(),
                location=settings.SELLER_COMPANY.get("name", ""),
            )
            q.pdf = files.save(_pdf_name(q), signed)
            q.pdf_sha256 = sha256_hex(stored_bytes(q.pdf))
            q.save()
            quote_event_record(
                quote=q, kind=Kind.SIGNED, actor=user, request=request,
                detail=f"{q.reference} · SHA-256 {q.pdf_sha256}",
            )
    except BaseException:
        files.discard()
        raise
    return q


# --- Sending ----------------------------------------------------------------------------


def quote_send(*, quote: Quote, user, link: str, request: HttpRequest | None = None) -> None:
    """E-mail the offer to the customer's contact: Swedish text, the stored PDF
    attached, the link to read and accept it."""
    if quote.status not in ANSWERABLE or quote_is_past_validity(quote):
        raise DocumentError(_("Bara en skickad offert som fortfarande gäller kan skickas."))
    if not quote.contact_email:
        raise DocumentError(_("Kunden saknar e-postadress."))
    document = offer_document(quote)
    data = quote_pdf_bytes(quote)
    context = {"doc": document, "quote": quote, "link": link, "company": document.seller.get("company", {})}
    with translation.override("sv"):
        subject = " ".join(render_to_string("quotes/email/offer_subject.txt", context).split())
        body = render_to_string("quotes/email/offer_body.txt", context)
    seller_email = document.seller.get("email")
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[quote.contact_email],
        reply_to=[seller_email] if seller_email else None,
    )
    message.attach(offer_filename(quote), data, "application/pdf")
    message.send()
    now = timezone.now()
    Quote.objects.filter(pk=quote.pk).update(sent_at=now)
    quote.sent_at = now
    quote_event_record(
        quote=quote, kind=Kind.SENT, request=request, actor=user,
        detail=_("E-post till %(email)s") % {"email": quote.contact_email},
    )


# --- Revisions --------------------------------------------------------------------------

COPIED_FIELDS = (
    "owner_id", "company_name", "org_number", "contact_name", "contact_email",
    "contact_phone", "customer_address", "items", "manual_prices", "traffic",
    "on_site_training", "travel_cost", "contract_months", "validity_days", "customer_note",
)


@dataclass(frozen=True)
class Revision:
    quote: Quote
    dropped: tuple[str, ...]  # item codes the price list in force no longer has


def quote_revise(*, quote: Quote, user, request: HttpRequest | None = None) -> Revision:
    """A new draft revision (next letter, same number) with the configuration and the
    customer of ``quote``, priced with the price list in force; ``quote`` becomes
    superseded (it stays readable, its link stops accepting)."""
    with transaction.atomic():
        old = Quote.objects.select_for_update().get(pk=quote.pk)
        if not (user.is_staff or old.owner_id == user.pk):
            raise DocumentError(_("Bara offertens säljare eller en administratör kan ändra den."))
        if old.status not in REVISABLE:
            raise DocumentError(_("En offert med status %(status)s kan inte ändras.") % {"status": old.get_status_display()})
        if Quote.objects.filter(previous=old).exists():
            raise DocumentError(_("Det finns redan en nyare revision av offerten."))
        price_list = price_list_in_force() or old.price_list
        values = {name: getattr(old, name) for name in COPIED_FIELDS}
        dropped: tuple[str, ...] = ()
        if price_list.pk != old.price_list_id:
            known = set(catalog_for(price_list).items)
            dropped = tuple(code for code in values["items"] if code not in known)
            values["items"] = {c: n for c, n in values["items"].items() if c in known}
            values["manual_prices"] = {c: p for c, p in values["manual_prices"].items() if c in known}
        new = Quote.objects.create(
            **values,
            number=old.number,
            revision=next_revision(old.revision),
            previous=old,
            price_list=price_list,
            status=Status.DRAFT,
            current_step="sammanstallning",
        )
        old.status = Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        quote_event_record(
            quote=old, kind=Kind.REISSUED, request=request, actor=user,
            detail=_("Ersatt av revision %(rev)s") % {"rev": new.revision},
        )
        quote_event_record(
            quote=new, kind=Kind.CREATED, request=request, actor=user,
            detail=_("Revision %(rev)s av %(number)s (från revision %(old)s)")
            % {"rev": new.revision, "number": new.number, "old": old.revision},
        )
    return Revision(quote=new, dropped=dropped)


def quote_reissue(*, quote: Quote, user, request: HttpRequest | None = None,
                  now: datetime | None = None) -> Quote:
    """One click for an expired offer: a new revision, signed at once with a new
    validity. Nothing changes if signing the new revision fails."""
    quote_expire_if_due(quote=quote, now=now)
    if quote.status != Status.EXPIRED:
        raise DocumentError(_("Bara en utgången offert kan förnyas direkt."))
    with transaction.atomic():
        revision = quote_revise(quote=quote, user=user, request=request)
        if revision.dropped:
            raise DocumentError(
                _("Prislistan har ändrats: %(codes)s finns inte längre. Ändra offerten i stället.")
                % {"codes": ", ".join(revision.dropped)}
            )
        return quote_sign(quote=revision.quote, user=user, now=now, request=request)


# --- The customer's answer --------------------------------------------------------------


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
) -> Quote:
    """The customer accepts: name, title, time, IP, user agent and the SHA-256 of the
    stored offer are recorded; an acceptance page is appended to a copy of the signed
    offer, and that new document is signed and stored as ``accepted_pdf``."""
    now = now or timezone.now()
    if quote_expire_if_due(quote=quote, now=now):
        raise QuoteNotAnswerable(_("Offerten har gått ut."))
    files = _StoredFiles()
    try:
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
                name=settings.SELLER_COMPANY.get("name", ""),
            )
            q.accepted_pdf = files.save(_pdf_name(q, "-godkand"), signed)
            q.save()
            quote_event_record(
                quote=q, kind=Kind.ACCEPTED, request=request,
                detail=f"{q.accepted_name}, {q.accepted_title} · SHA-256 {digest}",
            )
    except BaseException:
        files.discard()
        raise
    return q


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
    return q
