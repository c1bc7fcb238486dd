"""Asking for and deciding a discount approval (issue 11, part 2): the writes.

- the seller sends the quote for approval with a comment (``approval_request``); the
  approvers (``quotes.approval.rules.may_approve``) see it in "Godkännanden" and get an
  e-mail;
- an approver approves or rejects it with a comment (``approval_decide``).

Every step is in the quote's audit trail (Skickad för godkännande, Rabatt godkänd,
Rabatt avslagen); the e-mails go through the task queue (``quotes.notifications``). The
limits, the fingerprint and who may decide are in ``quotes.approval.rules``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import DocumentError
from ..events import quote_event_record
from ..locking import serialized_writes
from ..models import DiscountApproval, Quote, QuoteEvent
from ..notifications import approval_decision_mail_enqueue, approval_request_mail_enqueue
from ..pricing import quote_pricing
from .rules import Asked, approval_state, may_approve, quote_fingerprint

Status = DiscountApproval.Status
Kind = QuoteEvent.Kind


# --- Writes ----------------------------------------------------------------------------


class ApprovalError(DocumentError):
    """A request or a decision that cannot be made (the message says why)."""


def approval_request(*, quote: Quote, user, comment: str, request: HttpRequest | None = None) -> DiscountApproval:
    """The seller sends ``quote`` for approval of its discounts, with a comment. The
    quote is locked and priced as stored now; an open request of an earlier version is
    replaced. The approvers get an e-mail (queued when this commits)."""

    comment = (comment or "").strip()
    if not comment:
        raise ApprovalError(_("Skriv en kommentar till den som ska godkänna rabatten."))
    with serialized_writes(), transaction.atomic():
        stored = Quote.objects.select_for_update().select_related("price_list", "owner").get(pk=quote.pk)
        if not (user.is_staff or stored.owner_id == user.pk):
            raise ApprovalError(_("Bara offertens säljare eller en administratör kan skicka den för godkännande."))
        if not stored.is_draft:
            raise ApprovalError(_("Offerten är redan signerad."))
        result = quote_pricing(stored)
        state = approval_state(stored, result)
        if state is None or not state.needs_approval:
            raise ApprovalError(_("Rabatten ryms inom säljarens gräns: offerten kan signeras utan godkännande."))
        if state.approved is not None:
            raise ApprovalError(_("Rabatten är redan godkänd: offerten kan signeras."))
        if state.pending_current:
            raise ApprovalError(_("Offerten väntar redan på godkännande."))
        if result.errors:
            raise ApprovalError(_("Rätta felen i offerten innan den skickas för godkännande."))
        DiscountApproval.objects.filter(quote=stored, status=Status.PENDING).update(status=Status.WITHDRAWN)
        asked = state.asked
        try:
            with transaction.atomic():
                approval = DiscountApproval.objects.create(
                    quote=stored, requested_by=user, comment=comment[:2000],
                    fingerprint=quote_fingerprint(stored, result),
                    contract_value_list=asked.contract_value_list, contract_value=asked.contract_value,
                    discount_total=asked.discount_total, discount_share=asked.discount_share,
                    free_months=asked.free_months,
                )
        except IntegrityError:  # another request won the race
            raise ApprovalError(_("Offerten väntar redan på godkännande.")) from None
        quote_event_record(
            quote=stored, kind=Kind.APPROVAL_REQUESTED, request=request, actor=user,
            detail=_("%(asked)s. Kommentar: %(comment)s") % {"asked": asked.describe(), "comment": comment},
        )
        approval_request_mail_enqueue(approval=approval)
    return approval


def approval_decide(
    *, approval: DiscountApproval, user, approve: bool, comment: str, request: HttpRequest | None = None
) -> DiscountApproval:
    """An approver approves or rejects an open request, with a comment (required to
    reject). Refused for anyone ``may_approve`` refuses, for a request already answered
    or replaced, and when the quote changed since it was asked. The seller is told by
    e-mail and on the quote's page."""

    comment = (comment or "").strip()
    if not approve and not comment:
        raise ApprovalError(_("Skriv varför rabatten avslås."))
    with serialized_writes(), transaction.atomic():
        quote = Quote.objects.select_for_update().select_related("price_list", "owner").get(pk=approval.quote_id)
        stored = DiscountApproval.objects.select_for_update().select_related("quote").get(pk=approval.pk)
        stored.quote = quote
        if not may_approve(user, stored):
            raise ApprovalError(_("Du kan inte besluta om den här rabatten."))
        if stored.status != Status.PENDING:
            raise ApprovalError(
                _("Begäran är redan besvarad (%(status)s).") % {"status": stored.get_status_display()}
            )
        if not quote.is_draft:
            raise ApprovalError(_("Offerten är redan signerad: begäran kan inte längre besvaras."))
        if quote_fingerprint(quote, quote_pricing(quote)) != stored.fingerprint:
            raise ApprovalError(
                _("Offerten har ändrats sedan den skickades för godkännande. Säljaren får skicka den igen.")
            )
        stored.status = Status.APPROVED if approve else Status.REJECTED
        stored.decided_by = user
        stored.decided_at = timezone.now()
        stored.decision_comment = comment[:2000]
        stored.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
        asked = Asked(stored.contract_value_list, stored.contract_value, stored.discount_total,
                      stored.discount_share, stored.free_months)
        detail = asked.describe() + (". " + _("Kommentar: %(comment)s") % {"comment": comment} if comment else "")
        quote_event_record(
            quote=quote, kind=Kind.APPROVED if approve else Kind.REJECTED, request=request, actor=user, detail=detail,
        )
        approval_decision_mail_enqueue(approval=stored)
    return stored

