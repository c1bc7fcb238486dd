"""The customer's side: the offer behind an unguessable link, no account needed.

The customer reads the offer (a web page rendered from the frozen snapshot, and the
stored PDF), reads the terms, then accepts with name, title and a tick that the terms
are accepted, or declines with a reason. An unknown or altered token is a 404. The link
stops accepting at the end of the valid-until day, Swedish time.
"""

from __future__ import annotations

import logging
import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from ..access import may_see
from ..errors import QuoteNotAnswerable
from ..events import client_ip
from ..models import Quote
from ..offer.document import offer_document
from ..offer.services import quote_effective_status, quote_expire_if_due, quote_expires_at
from ..offer.views import pdf_download
from .forms import AcceptForm, DeclineForm
from .services import quote_accept, quote_decline, quote_mark_opened

logger = logging.getLogger(__name__)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _quote_for_token(token: str) -> Quote:
    """The signed quote with exactly this token, or 404."""
    if not TOKEN_RE.match(token or ""):
        raise Http404
    quote = Quote.objects.select_related("owner").filter(token=token, signed_at__isnull=False).first()
    if quote is None or quote.token != token:  # exact, case-sensitive on every database
        raise Http404
    return quote


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _is_seller_view(request: HttpRequest) -> bool:
    return may_see(request.user)


def _refuse_answer(request: HttpRequest, quote: Quote) -> HttpResponse | None:
    """Why this request may not answer the offer (as a redirect with a message), or None."""
    if _is_seller_view(request):
        messages.error(request, _("Du är inloggad som säljare. Kunden besvarar offerten själv via länken."))
    elif quote_effective_status(quote) == Quote.Status.EXPIRED:
        quote_expire_if_due(quote=quote)
        messages.error(request, _("Offerten har gått ut."))
    elif quote.status not in (Quote.Status.SENT, Quote.Status.OPENED):
        messages.error(request, _("Offerten är redan besvarad eller ersatt och kan inte besvaras igen."))
    else:
        return None
    return redirect("quote-customer:offer", token=quote.token)


def _page(request: HttpRequest, quote: Quote, *, accept_form=None, decline_form=None, status=200):
    document = offer_document(quote)
    effective = quote_effective_status(quote)
    seller_view = _is_seller_view(request)
    context = {
        "quote": quote,
        "doc": document,
        "status": effective,
        "expires_at": quote_expires_at(quote),
        "answerable": effective in (Quote.Status.SENT, Quote.Status.OPENED) and not seller_view,
        "seller_view": seller_view,
        "accept_form": accept_form or AcceptForm(initial={"document_sha256": quote.pdf_sha256}),
        "decline_form": decline_form or DeclineForm(),
        "newer": Quote.objects.filter(previous=quote).exists(),
    }
    return _no_store(render(request, "quotes/customer/offer.html", context, status=status))


@require_GET
def offer_view(request: HttpRequest, token: str) -> HttpResponse:
    quote = _quote_for_token(token)
    quote_expire_if_due(quote=quote)
    if not _is_seller_view(request):  # the seller's own look does not count as opened
        quote_mark_opened(quote=quote, request=request)
    return _page(request, quote)


@require_GET
def offer_pdf_view(request: HttpRequest, token: str) -> HttpResponse:
    quote = _quote_for_token(token)
    if not _is_seller_view(request):
        quote_mark_opened(quote=quote, request=request)
    return _no_store(pdf_download(request, quote))


@require_GET
def accepted_pdf_view(request: HttpRequest, token: str) -> HttpResponse:
    quote = _quote_for_token(token)
    return _no_store(pdf_download(request, quote, accepted=True))


@require_POST
def accept_view(request: HttpRequest, token: str) -> HttpResponse:
    quote = _quote_for_token(token)
    if refused := _refuse_answer(request, quote):
        return refused
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _page(request, quote, accept_form=form, status=400)
    try:
        quote_accept(
            quote=quote,
            name=form.cleaned_data["name"],
            title=form.cleaned_data["title"],
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            document_sha256=form.cleaned_data["document_sha256"],
            request=request,
        )
    except QuoteNotAnswerable as error:
        messages.error(request, error.message)
        return redirect("quote-customer:offer", token=token)
    except Exception:  # rendering or signing the accepted offer failed: nothing is saved
        logger.exception("Accepting quote %s failed", quote.pk)
        messages.error(
            request,
            _("Godkännandet kunde inte sparas på grund av ett tekniskt fel. Offerten är inte "
              "godkänd än; försök igen om en stund."),
        )
        return redirect("quote-customer:offer", token=token)
    messages.success(request, _("Tack! Offerten är godkänd. En bekräftelse finns nedan."))
    return redirect("quote-customer:offer", token=token)


@require_POST
def decline_view(request: HttpRequest, token: str) -> HttpResponse:
    quote = _quote_for_token(token)
    if refused := _refuse_answer(request, quote):
        return refused
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _page(request, quote, decline_form=form, status=400)
    try:
        quote_decline(quote=quote, reason=form.cleaned_data["reason"], request=request)
    except QuoteNotAnswerable as error:
        messages.error(request, error.message)
        return redirect("quote-customer:offer", token=token)
    messages.success(request, _("Tack för ditt svar. Säljaren har fått beskedet."))
    return redirect("quote-customer:offer", token=token)
