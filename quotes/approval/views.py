"""The approval pages: "Skicka för godkännande" (the seller), the queue "Godkännanden"
and a request's page where an approver sees exactly what is asked and decides. Each
check is here, in the view, and again in the service (``may_approve``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from configurator.roles import may_approve_discounts

from ..access import quote_to_change, seller_required
from ..models import SUMMARY_STEP, DiscountApproval
from ..offer.document import offer_document
from ..pricing import quote_pricing
from .rules import approvals_decided_by, approvals_to_decide, limit_of, may_approve, quote_fingerprint
from .services import ApprovalError, approval_decide, approval_request


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)


@seller_required
@require_POST
def approval_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """"Skicka för godkännande": the quote as stored, with the seller's comment."""
    quote = quote_to_change(request, pk)
    back = resolve_url("quotes:step", pk=quote.pk, step=SUMMARY_STEP)
    if not quote.is_draft:
        messages.info(request, _("Offerten är redan signerad."))
        return _redirect(request, resolve_url("quotes:detail", pk=quote.pk))
    try:
        approval_request(quote=quote, user=request.user, comment=request.POST.get("approval_comment", ""),
                         request=request)
    except ApprovalError as error:
        messages.error(request, error.message)
        return _redirect(request, back)
    messages.success(request, _("Offerten är skickad för godkännande. Du får ett e-postmeddelande när den är besvarad."))
    return _redirect(request, back)


@seller_required
@require_GET
def approval_queue(request: HttpRequest) -> HttpResponse:
    """"Godkännanden": the open requests this user may decide, and their latest decisions."""
    if not may_approve_discounts(request.user):
        raise PermissionDenied
    context = {
        "pending": approvals_to_decide(request.user),
        "decided": approvals_decided_by(request.user),
        "limit": limit_of(request.user),
    }
    return render(request, "quotes/approval/queue.html", context)


def _approval_to_decide(request: HttpRequest, pk: int) -> DiscountApproval:
    approval = get_object_or_404(
        DiscountApproval.objects.select_related("quote", "quote__owner", "quote__price_list", "requested_by",
                                                "decided_by"),
        pk=pk,
    )
    if not may_approve(request.user, approval):
        raise PermissionDenied
    return approval


@seller_required
@require_GET
def approval_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What is asked: the figures, the seller's comment and the offer line by line."""
    approval = _approval_to_decide(request, pk)
    quote = approval.quote
    result = quote_pricing(quote)
    current = quote.is_draft and quote_fingerprint(quote, result) == approval.fingerprint
    context = {
        "approval": approval,
        "quote": quote,
        "current": current,
        "open": approval.status == DiscountApproval.Status.PENDING,
        "doc": offer_document(quote, result=result) if quote.is_draft else offer_document(quote),
        "limit": limit_of(quote.owner),
    }
    return render(request, "quotes/approval/detail.html", context)


@seller_required
@require_POST
def approval_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    approval = _approval_to_decide(request, pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Välj Godkänn eller Avslå."))
        return redirect("quotes:approval", pk=approval.pk)
    try:
        approval = approval_decide(
            approval=approval, user=request.user, approve=decision == "approve",
            comment=request.POST.get("comment", ""), request=request,
        )
    except ApprovalError as error:
        messages.error(request, error.message)
        return redirect("quotes:approval", pk=approval.pk)
    name = approval.quote.company_name or str(approval.quote)
    if approval.status == DiscountApproval.Status.APPROVED:
        messages.success(request, _("Rabatten i offerten till %(name)s är godkänd. Säljaren har fått besked.") % {"name": name})
    else:
        messages.success(request, _("Rabatten i offerten till %(name)s är avslagen. Säljaren har fått besked.") % {"name": name})
    return redirect("quotes:approvals")
