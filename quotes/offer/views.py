"""The seller's offer: the quote's page and its document actions (sign and send, send
again, new revision / reissue, the stored PDFs). Every action is a plain form POST from
the document panel (``templates/quotes/offer/_document_panel.html``); permission checks
live here, through ``quotes.access``."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from configurator.error_views import error_page

from ..access import may_change, quote_to_change, seller_required
from ..errors import DocumentError, QuoteNotSignable
from ..models import SUMMARY_STEP, Quote
from ..notifications import quote_send
from .delivery_order import (
    DeliveryOrderUnavailable,
    delivery_order,
    delivery_order_filename,
    delivery_order_json,
    delivery_order_sections,
    delivery_order_xlsx,
)
from .document import offer_document
from .services import quote_expire_if_due, quote_reissue, quote_revise, quote_sign
from .signing import SigningNotConfigured
from .storage import offer_download_bytes, offer_filename, pdf_response

logger = logging.getLogger(__name__)


@seller_required
@require_GET
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A quote's page: the owner's draft opens in the step form; otherwise the offer as
    it stands (a signed quote's frozen snapshot, never re-priced; a colleague's draft
    priced now), with the document panel."""
    quote = get_object_or_404(Quote.objects.select_related("price_list", "owner", "owner__seller_profile"), pk=pk)
    if quote.is_draft and not quote.is_archived and may_change(request.user, quote):
        return redirect("quotes:step", pk=quote.pk, step=quote.current_step)
    context = {
        "quote": quote, "mine": quote.owner_id == request.user.pk, "may_change": may_change(request.user, quote),
        "doc": offer_document(quote),
    }
    if quote.status == Quote.Status.ACCEPTED:
        context["order_sections"] = delivery_order_sections(delivery_order(quote))
    return render(request, "quotes/offer/detail.html", context)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)


def _send(request: HttpRequest, quote: Quote) -> bool:
    """Queue the offer's e-mail: the task queue's worker sends it and retries it; a
    failure shows in the quote's audit trail. The signed offer stands either way."""
    try:
        quote_send(quote=quote, user=request.user, request=request)
    except DocumentError as error:
        messages.error(request, error.message)
        return False
    except Exception:
        logger.exception("Queueing the e-mail of quote %s failed", quote.pk)
        messages.warning(
            request,
            _("E-postmeddelandet kunde inte läggas i kö. Offerten är signerad och länken fungerar; "
              "försök igen med Skicka igen."),
        )
        return False
    return True


@seller_required
@require_POST
def quote_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """"Signera och skicka": sign a valid draft, then e-mail it to the customer."""
    quote = quote_to_change(request, pk)
    if not quote.is_draft:
        messages.info(request, _("Offerten är redan signerad."))
        return _redirect(request, resolve_url("quotes:detail", pk=quote.pk))
    try:
        quote = quote_sign(quote=quote, user=request.user, request=request)
    except QuoteNotSignable as error:
        messages.error(request, " ".join([error.message, *error.problems]))
        return _redirect(request, resolve_url("quotes:step", pk=quote.pk, step=SUMMARY_STEP))
    except SigningNotConfigured as error:
        logger.error("Signing certificate: %s", error)
        messages.error(request, _("Offerten kunde inte signeras: signeringscertifikatet saknas eller är fel. Inget har sparats. (%(detail)s)") % {"detail": error})
        return _redirect(request, resolve_url("quotes:step", pk=quote.pk, step=SUMMARY_STEP))
    except Exception:
        logger.exception("Signing quote %s failed", quote.pk)
        messages.error(request, _("Något gick fel när offerten skulle signeras. Inget har sparats; försök igen."))
        return _redirect(request, resolve_url("quotes:step", pk=quote.pk, step=SUMMARY_STEP))
    if _send(request, quote):
        messages.success(
            request,
            _("Offert %(ref)s är signerad. E-postmeddelandet till %(email)s är på väg.")
            % {"ref": quote.reference, "email": quote.contact_email},
        )
    else:
        messages.success(request, _("Offert %(ref)s är signerad.") % {"ref": quote.reference})
    return _redirect(request, resolve_url("quotes:detail", pk=quote.pk))


@seller_required
@require_POST
def quote_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    """"Skicka igen": e-mail the stored offer to the customer's contact once more."""
    quote = quote_to_change(request, pk)
    quote_expire_if_due(quote=quote)
    if _send(request, quote):
        messages.success(request, _("E-postmeddelandet till %(email)s är på väg.") % {"email": quote.contact_email})
    return _redirect(request, resolve_url("quotes:detail", pk=quote.pk))


@seller_required
@require_POST
def quote_revise_view(request: HttpRequest, pk: int) -> HttpResponse:
    """"Ändra offerten" makes a new draft revision; for an expired offer "Förnya
    offerten" makes the new revision and signs and sends it at once."""
    quote = quote_to_change(request, pk)
    quote_expire_if_due(quote=quote)
    if quote.status == Quote.Status.EXPIRED:
        try:
            new = quote_reissue(quote=quote, user=request.user, request=request)
        except QuoteNotSignable as error:
            messages.error(request, " ".join([_("Offerten kunde inte förnyas."), *error.problems]))
            return _redirect(request, resolve_url("quotes:detail", pk=quote.pk))
        except (DocumentError, SigningNotConfigured) as error:
            messages.error(request, _("Offerten kunde inte förnyas: %(error)s") % {"error": getattr(error, "message", error)})
            return _redirect(request, resolve_url("quotes:detail", pk=quote.pk))
        except Exception:
            logger.exception("Reissuing quote %s failed", quote.pk)
            messages.error(request, _("Något gick fel när offerten skulle förnyas. Inget har ändrats."))
            return _redirect(request, resolve_url("quotes:detail", pk=quote.pk))
        sent = _send(request, new)
        messages.success(
            request,
            _("Offerten är förnyad som %(ref)s, giltig till och med %(date)s%(sent)s.")
            % {
                "ref": new.reference,
                "date": new.valid_until.isoformat(),
                "sent": _("; e-postmeddelandet till kunden är på väg") if sent else "",
            },
        )
        return _redirect(request, resolve_url("quotes:detail", pk=new.pk))
    try:
        revision = quote_revise(quote=quote, user=request.user, request=request)
    except DocumentError as error:
        messages.error(request, error.message)
        return _redirect(request, resolve_url("quotes:detail", pk=quote.pk))
    messages.success(
        request,
        _("Revision %(rev)s är ett nytt utkast. Revision %(old)s är ersatt och kan inte längre godkännas av kunden.")
        % {"rev": revision.quote.revision, "old": quote.revision},
    )
    if revision.dropped:
        messages.warning(
            request,
            _("Prislistan har ändrats; de här artiklarna finns inte längre och togs bort: %(codes)s")
            % {"codes": ", ".join(revision.dropped)},
        )
    return _redirect(request, resolve_url("quotes:step", pk=revision.quote.pk, step=SUMMARY_STEP))


def pdf_download(request: HttpRequest, quote: Quote, *, accepted: bool = False) -> HttpResponse:
    """The stored offer (or the accepted offer) as it was signed, never a re-render. A
    missing or changed document is refused with a clear page, logged and recorded in the
    quote's audit trail."""
    if not (quote.accepted_pdf if accepted else quote.pdf):
        raise Http404
    try:
        data = offer_download_bytes(quote, accepted=accepted, request=request)
    except DocumentError as error:
        return error_page(request, 409, "document_error", _("Dokumentet kan inte visas"), error.message)
    return pdf_response(data, filename=offer_filename(quote, "-godkand" if accepted else ""))


@seller_required
@require_GET
def quote_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored, signed offer: for every seller and admin."""
    return pdf_download(request, get_object_or_404(Quote.objects.visible_to(request.user), pk=pk))


@seller_required
@require_GET
def quote_accepted_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The accepted offer: the signed offer plus the customer's acceptance page."""
    quote = get_object_or_404(Quote.objects.visible_to(request.user), pk=pk)
    return pdf_download(request, quote, accepted=True)


def _accepted_order(request: HttpRequest, pk: int) -> tuple[Quote, dict]:
    quote = get_object_or_404(Quote.objects.visible_to(request.user), pk=pk)
    try:
        return quote, delivery_order(quote)
    except DeliveryOrderUnavailable:
        raise Http404 from None


def _download(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@seller_required
@require_GET
def delivery_order_json_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The delivery order of an accepted quote as JSON (what the quote.accepted webhook
    carries); 404 before the customer has accepted."""
    quote, order = _accepted_order(request, pk)
    return _download(delivery_order_json(order), content_type="application/json; charset=utf-8",
                     filename=delivery_order_filename(quote, "json"))


@seller_required
@require_GET
def delivery_order_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The delivery order of an accepted quote as a workbook for the delivery team."""
    quote, order = _accepted_order(request, pk)
    return _download(
        delivery_order_xlsx(order),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=delivery_order_filename(quote, "xlsx"),
    )
