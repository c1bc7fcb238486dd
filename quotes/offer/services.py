"""The offer's lifecycle as the seller drives it: sign, send, revise, reissue, expire.

Lifecycle: draft → (seller signs: ``quote_sign``) sent → (customer opens the link)
opened → accepted | declined | expired (the customer's side: ``quotes.customer.services``).
Changing a sent, declined or expired offer makes a new draft revision (``quote_revise``)
and the old one becomes superseded; an expired offer is reissued in one step
(``quote_reissue``: new revision, signed at once).

Signing freezes the quote: the snapshot (``quotes.offer.snapshot``) holds what was
offered, the PDF is rendered once from it, signed (PAdES) and stored with its SHA-256.
Every download serves that stored file. ``quotes.signals`` refuses any later change to a
signed quote's content, whoever tries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from stdnum.se import orgnr

from configurator.pricing import InvalidConfiguration
from configurator.selectors import catalog_for, price_list_in_force

from ..access import may_change
from ..approval.rules import approval_sign_problem
from ..errors import DocumentError, QuoteNotSignable
from ..events import quote_event_record
from ..models import SUMMARY_STEP, Quote, QuoteEvent, new_token
from ..numbering import STOCKHOLM, next_revision, number_year, quote_number_next, signing_lock
from ..draft.selectors import price_list_superseded
from ..choices import DEFAULT_CHOICE, choice_pricing, choice_sign_problems, has_choices
from ..pricing import choices_on_catalog, items_on_catalog, quote_pricing
from .pdf import offer_pdf_render
from .signing import SELLER_FIELD, pdf_sign
from .snapshot import person_name, snapshot_build
from .terms import terms_snapshot
from .storage import document_save, pdf_name, sha256_hex

logger = logging.getLogger(__name__)
Status = Quote.Status
Kind = QuoteEvent.Kind

ANSWERABLE = (Status.SENT, Status.OPENED)
REVISABLE = (Status.SENT, Status.OPENED, Status.DECLINED, Status.EXPIRED)
REQUIRED_CUSTOMER_FIELDS = (
    ("company_name", N_("Företagsnamn")),
    ("org_number", N_("Organisationsnummer")),
    ("contact_name", N_("Kontaktperson")),
    ("contact_email", N_("Kontaktpersonens e-post")),
)


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
    if quote.is_archived:
        problems.append(_("Utkastet är arkiverat: återställ det först."))
    for field, label in REQUIRED_CUSTOMER_FIELDS:
        if not (getattr(quote, field) or "").strip():
            problems.append(_("%(field)s saknas (steget Kund).") % {"field": _(label)})
    if quote.org_number and not orgnr.is_valid(quote.org_number):  # a value stored before the check
        problems.append(_("Organisationsnumret %(number)s är inte giltigt (steget Kund).") % {"number": quote.org_number})
    try:
        result = result or quote_pricing(quote)
    except InvalidConfiguration:
        problems.append(_("Konfigurationen har ogiltiga värden — gå igenom stegen igen."))
        return problems
    problems.extend(p.message for p in result.errors)
    above_limit = approval_sign_problem(quote, result)  # a discount above the seller's limit
    if above_limit:
        problems.append(above_limit)
    if not result.totals.one_time and not result.totals.monthly:
        problems.append(_("Offerten innehåller inga tjänster med pris."))
    if has_choices(quote):  # every alternative, with its options, follows the rules too
        try:
            problems.extend(choice_sign_problems(quote, catalog=result.catalog))
        except InvalidConfiguration:
            problems.append(_("Ett alternativ eller tillval har ogiltiga värden — gå igenom dem igen."))
    in_force = price_list_superseded(quote)
    if in_force is not None:
        problems.append(
            _("Prislistan %(old)s har ersatts av %(new)s: välj «Använd prislistan som gäller» först.")
            % {"old": quote.price_list.name, "new": in_force.name}
        )
    return problems


def _signable(user, pk: int):
    """Lock the draft and check it can be signed; its pricing."""
    q = Quote.objects.select_for_update().select_related("price_list").get(pk=pk)
    if not may_change(user, q):
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
    return q, result


SIGN_ATTEMPTS = 3


def quote_sign(*, quote: Quote, user, now: datetime | None = None, request: HttpRequest | None = None) -> Quote:
    """The seller signs a valid draft: number, snapshot, validity, token, the signed
    PDF stored with its SHA-256; status "sent".

    In three steps, so that signings of different quotes run side by side instead of
    queueing behind one PDF render each:
    1. a short transaction locks the draft, checks it, and reserves its number (the
       year's counter row is locked only that long). The number stays with the draft:
       a failure later leaves no gap, the retry signs under the same number, and the
       reservation is in the audit trail;
    2. the PDF is rendered and signed with no lock held;
    3. a short transaction stores it with the quote, if the draft is still as it was in
       step 1 (otherwise it starts again with the new content).
    Step 3 is all or nothing: a quote is never signed without its document, and a
    document never exists without its signed quote (both are in the database)."""
    for _attempt in range(SIGN_ATTEMPTS):
        with signing_lock(), transaction.atomic():
            q, result = _signable(user, quote.pk)
            if not q.number:
                q.number = quote_number_next(year=number_year(now))
                q.save(update_fields=["number", "updated_at"])
                quote_event_record(
                    quote=q, kind=Kind.NUMBERED, actor=user, request=request,
                    detail=_("Nummer %(number)s reserverat vid signering") % {"number": q.number},
                )
            as_locked = q.updated_at
            # Taken while the number's order is fixed, so the signing times follow the numbers.
            signed_at = now or timezone.now()
        shown = None
        if has_choices(q):  # the offer shows its first alternative, without options
            shown = DEFAULT_CHOICE
            result = choice_pricing(q, shown, catalog=result.catalog)
        # The offer terms as they are now are frozen with it (quotes.offer.terms).
        q.snapshot = snapshot_build(
            quote=q, result=result, signer=user, signed_at=signed_at, terms=terms_snapshot(), shown=shown
        )
        q.signed_at = signed_at
        q.signed_by = user
        q.valid_until = stockholm_today(signed_at) + timedelta(days=q.validity_days)
        q.token = new_token()
        q.status = Status.SENT
        signed = pdf_sign(
            offer_pdf_render(quote=q),
            field_name=SELLER_FIELD,
            reason=_("Offert %(ref)s") % {"ref": q.reference},
            name=person_name(user),
            location=q.snapshot["seller"]["company"]["name"],  # the supplier the offer names
        )
        with signing_lock(), transaction.atomic():
            stored = Quote.objects.select_for_update().get(pk=q.pk)
            if not stored.is_draft:
                raise QuoteNotSignable(_("Offerten är redan signerad."))
            if stored.updated_at != as_locked:
                continue  # changed while the PDF was made: sign what it says now
            q.pdf = document_save(pdf_name(q), signed)
            q.pdf_sha256 = sha256_hex(signed)
            q.save()
            quote_event_record(
                quote=q, kind=Kind.SIGNED, actor=user, request=request,
                detail=f"{q.reference} · SHA-256 {q.pdf_sha256}",
            )
            return q
    raise QuoteNotSignable(_("Offerten ändrades medan den signerades. Försök igen."))


# --- Sending ----------------------------------------------------------------------------


def customer_link(quote: Quote) -> str:
    """The customer's link, on the configured site address (``SITE_URL``), never on the
    Host header of whatever request is signing or sending."""
    return settings.SITE_URL + reverse("quote-customer:offer", args=[quote.token])



def quote_send_problem(quote: Quote) -> str | None:
    """Why the offer cannot be e-mailed now (None when it can)."""
    if quote.status not in ANSWERABLE or quote_is_past_validity(quote):
        return _("Bara en skickad offert som fortfarande gäller kan skickas.")
    if not quote.contact_email:
        return _("Kunden saknar e-postadress.")
    return None


# --- Revisions --------------------------------------------------------------------------

COPIED_FIELDS = (
    "owner_id", "company_name", "org_number", "contact_name", "contact_email",
    "contact_phone", "customer_address", "items", "manual_prices", "traffic",
    "on_site_training", "travel_cost", "contract_months", "validity_days", "customer_note",
    "alternatives", "alternative_index", "options", "discounts",
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
        if not may_change(user, old):
            raise DocumentError(_("Bara offertens säljare eller en administratör kan ändra den."))
        if old.status not in REVISABLE:
            raise DocumentError(_("En offert med status %(status)s kan inte ändras.") % {"status": old.get_status_display()})
        if Quote.objects.filter(previous=old).exists():
            raise DocumentError(_("Det finns redan en nyare revision av offerten."))
        price_list = price_list_in_force() or old.price_list
        values = {name: getattr(old, name) for name in COPIED_FIELDS}
        dropped: tuple[str, ...] = ()
        if price_list.pk != old.price_list_id:
            catalog = catalog_for(price_list)
            values["items"], values["manual_prices"], dropped = items_on_catalog(
                catalog, values["items"], values["manual_prices"]
            )
            values["alternatives"], values["options"], dropped_too = choices_on_catalog(
                catalog, values["alternatives"], values["options"]
            )
            dropped = tuple(dict.fromkeys(dropped + dropped_too))
        new = Quote.objects.create(
            **values,
            number=old.number,
            revision=next_revision(old.revision),
            previous=old,
            price_list=price_list,
            status=Status.DRAFT,
            current_step=SUMMARY_STEP,
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


