"""The customer's side: the offer behind an unguessable link, no account needed.

The customer reads the offer (a web page rendered from the frozen snapshot, and the
stored PDF), reads the terms, then accepts with name, title and a tick that the terms
are accepted, or declines with a reason. An unknown or altered token is a 404. The link
stops accepting at the end of the valid-until day, Swedish time.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from ..access import may_see
from ..errors import QuoteNotAnswerable
from ..events import client_ip
from ..models import Quote
from ..choices import DEFAULT_CHOICE, Choice, signed_choice_from, signed_choice_label
from ..offer.document import offer_choice_document, offer_document
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


def _choice_for(quote: Quote, data) -> tuple[Choice, str | None]:
    """The choice asked for (GET ``?alternativ=1&tillval=call_recording``, or the accept
    form), or the first alternative without options and why."""
    try:
        return signed_choice_from(quote.snapshot, data), None
    except ValueError:
        return DEFAULT_CHOICE, _("Valet finns inte i offerten; här är offertens första alternativ utan tillval.")


def _choice_panel(quote: Quote, choice: Choice, result, error: str | None) -> dict:
    """What the customer's "Välj alternativ och tillval" shows: the alternatives with
    their totals, the options with what each adds to the chosen alternative, and the
    engine's totals (and rule errors) of exactly the choice."""
    choices = quote.snapshot["choices"]
    alternatives = choices["alternatives"]
    at = choice.alternative if alternatives else 0
    return {
        "choice": choice,
        "label": signed_choice_label(quote.snapshot, choice),
        "alternatives": [
            {
                "index": i, "name": a["name"], "checked": i == choice.alternative,
                "one_time": Decimal(a["totals"]["one_time"]), "monthly": Decimal(a["totals"]["monthly"]),
                "contract_value": Decimal(a["totals"]["contract_value"]),
            }
            for i, a in enumerate(alternatives)
        ],
        "options": [
            {
                "code": o["code"], "name": o["name"], "quantity": o["quantity"], "checked": o["code"] in choice.options,
                "one_time": Decimal(o["prices"][at]["one_time"]), "monthly": Decimal(o["prices"][at]["monthly"]),
                "adds": o["prices"][at].get("adds") or [],
            }
            for o in choices["options"]
        ],
        "totals": result.totals,
        "problems": [p.message for p in result.errors],
        "error": error,
    }


def _page(request: HttpRequest, quote: Quote, *, accept_form=None, decline_form=None, status=200,
          choice_data=None):
    effective = quote_effective_status(quote)
    panel = None
    if (quote.snapshot or {}).get("choices") and not quote.accepted_pricing:
        choice, error = _choice_for(quote, choice_data if choice_data is not None else request.GET)
        document, result = offer_choice_document(quote, choice)
        panel = _choice_panel(quote, choice, result, error)
    else:
        document = offer_document(quote)
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
        "panel": panel,
    }
    if panel is not None and getattr(request, "htmx", False) and request.method == "GET":
        # The choice changed: its totals, the options' prices, the document and what
        # the accept form accepts (never the inputs the customer is using).
        return _no_store(render(request, "quotes/customer/_choice_update.html", context, status=status))
    return _no_store(render(request, "quotes/customer/offer.html", context, status=status))


@require_GET
@vary_on_headers("HX-Request")
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
        return _page(request, quote, accept_form=form, status=400, choice_data=request.POST)
    choice = DEFAULT_CHOICE
    if (quote.snapshot or {}).get("choices"):
        choice, error = _choice_for(quote, request.POST)
        problems = [] if error else offer_choice_document(quote, choice)[1].errors
        if error or problems:  # what was typed stays; the panel says what is wrong
            form.add_error(None, error or _("Valet går inte att beställa: %(problem)s") % {"problem": problems[0].message})
            return _page(request, quote, accept_form=form, status=400, choice_data=request.POST)
    try:
        quote_accept(
            quote=quote,
            name=form.cleaned_data["name"],
            title=form.cleaned_data["title"],
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            document_sha256=form.cleaned_data["document_sha256"],
            request=request,
            choice=choice,
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
