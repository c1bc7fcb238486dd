"""The quotes API: ``/api/v1/quotes`` (list, create), ``/api/v1/quotes/<id>`` (read,
PATCH a draft) and the stored PDFs, mounted by ``configurator/urls.py`` on the one API
(``configurator.api_v1``: token or session authentication, sellers only, the
``{"errors": [...]}`` format).

Who sees what (``quotes.access.quotes_for_api``): what the quote list shows (sellers and
admins every quote, colleagues' read-only; ``mine=true`` for one's own). Changing one
follows ``quotes.access.may_change`` (its seller or an admin: 403 for anyone else); a quote
that is no longer a draft is 409. Bodies follow the step form's rules (``quotes.api.inputs``).
"""

from __future__ import annotations

import math
from datetime import datetime, time

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from ninja import Query, Router

from configurator.api_v1 import ApiError, Errors, field_error, json_body, parameter_schemas, request_body

from ..access import may_change, quotes_for_api
from ..draft.selectors import quote_list_totals, quotes_search
from ..errors import DocumentError
from ..models import Quote
from ..offer.delivery_order import DeliveryOrderUnavailable, delivery_order
from ..offer.storage import offer_download_bytes, offer_filename, pdf_response
from .answers import api_url, quote_json, summary_json
from .schemas import QuoteIn, QuoteOut, QuotePage
from .services import quote_api_create, quote_api_update

router = Router(tags=["quotes"])

PAGE_SIZE, MAX_PAGE_SIZE = 25, 100
REFUSED = {401: Errors, 403: Errors}
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _visible(request: HttpRequest):
    return quotes_for_api(request.auth).select_related("owner", "price_list")


# --- List ---------------------------------------------------------------------------------


@router.get(
    "",
    url_name="api-quotes",
    response={200: QuotePage, 400: Errors, 404: Errors, **REFUSED},
    summary="List quotes",
    description=(
        "The quotes the caller sees (a seller their own, a sales manager also their teams', an admin all), "
        "newest change first, a page at a time. Filters combine."
    ),
    openapi_extra=parameter_schemas(
        status={"type": "string", "enum": list(Quote.Status.values)},
        mine={"type": "boolean"},
        owner={"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["me"]}]},
        updated_since={"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]},
        search={"type": "string", "maxLength": 100},
        page={"type": "integer", "minimum": 1, "default": 1},
        page_size={"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE},
    ),
)
def quote_list(
    request: HttpRequest,
    status: str | None = Query(None, description=f"Only this status: {', '.join(Quote.Status.values)}."),
    mine: str | None = Query(None, description="`true`: only the caller's own quotes."),
    owner: str | None = Query(None, description="Only this seller's quotes: a user id, or `me`."),
    updated_since: str | None = Query(
        None, description="Changed at or after this time: ISO 8601 (`2026-11-01T08:00:00+01:00`) or a date (from midnight, Swedish time)."
    ),
    search: str | None = Query(None, description="The customer's company name or org.nr contains this (org.nr with or without the dash)."),
    page: str | None = Query(None, description="Page number, from 1."),
    page_size: str | None = Query(
        None, description=f"Quotes per page, 1–{MAX_PAGE_SIZE} (default {PAGE_SIZE})."
    ),
):
    errors: list[dict[str, str]] = []
    quotes = _visible(request).filter(untouched=False).order_by("-updated_at", "-id")  # as the app's list
    if status:
        if status in Quote.Status.values:
            quotes = quotes.filter(status=status)
        else:
            errors.append(field_error("status", "invalid_choice", f"Okänd status; en av {', '.join(Quote.Status.values)}."))
    if mine is not None:
        if mine.lower() in TRUE:
            quotes = quotes.filter(owner_id=request.auth.pk)
        elif mine.lower() not in FALSE:
            errors.append(field_error("mine", "wrong_type", "Ska vara true eller false."))
    if owner:
        if owner == "me":
            quotes = quotes.filter(owner_id=request.auth.pk)
        elif owner.isdigit():
            quotes = quotes.filter(owner_id=int(owner))
        else:
            errors.append(field_error("owner", "wrong_type", 'Ska vara ett användar-id eller "me".'))
    if updated_since:
        since = _moment(updated_since)
        if since is None:
            errors.append(field_error(
                "updated_since", "not_datetime", "Ska vara en tidpunkt (ISO 8601, t.ex. 2026-11-01T08:00:00+01:00) eller ett datum."
            ))
        else:
            quotes = quotes.filter(updated_at__gte=since)
    if search:
        if len(search) > 100:
            errors.append(field_error("search", "too_long", "Högst 100 tecken."))
        quotes = quotes_search(quotes, search)
    number = _whole(page, "page", 1, None, errors)
    size = _whole(page_size, "page_size", 1, MAX_PAGE_SIZE, errors)
    if errors:
        raise ApiError(400, errors)
    number, size = number or 1, size or PAGE_SIZE

    count = quotes.count()
    pages = max(1, math.ceil(count / size))
    if number > pages:
        raise ApiError.one(404, "page", "out_of_range", f"Sidan finns inte; sista sidan är {pages}.")
    rows = list(quotes[(number - 1) * size: number * size])
    totals = quote_list_totals(rows)
    return _json({
        "count": count,
        "page": number,
        "page_size": size,
        "pages": pages,
        "next": _page_url(request, number + 1) if number < pages else None,
        "previous": _page_url(request, number - 1) if number > 1 else None,
        "results": [summary_json(q, totals.get(q.pk)) for q in rows],
    })


def _whole(value: str | None, field: str, lower: int, upper: int | None, errors: list) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or not lower <= int(value) <= (upper or int(value)):
        bounds = f"från {lower} till {upper}" if upper else f"från {lower}"
        errors.append(field_error(field, "invalid", f"Ska vara ett heltal {bounds}."))
        return None
    return int(value)


def _moment(value: str) -> datetime | None:
    """An ISO 8601 time (naive: Swedish time) or a date (its midnight, Swedish time)."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{settings.SITE_URL}{request.path}?{query.urlencode()}"


# --- Create, read, change -------------------------------------------------------------


@router.post(
    "",
    url_name="api-quote-create",
    response={201: QuoteOut, 400: Errors, **REFUSED, 503: Errors},
    summary="Create a draft quote",
    description="A new draft of the caller on the price list in force, with its customer and configuration. "
    "Checked as the step form checks it; nothing is stored unless all of it is valid.",
    openapi_extra=request_body(QuoteIn),
)
def quote_create_view(request: HttpRequest):
    quote = quote_api_create(owner=request.auth, data=json_body(request), request=request)
    quote = _visible(request).get(pk=quote.pk)
    response = _json(quote_json(quote, user=request.auth), status=201)
    response["Location"] = api_url("api-quote", quote.pk)
    return response


@router.get(
    "/{int:quote_id}",
    url_name="api-quote",
    response={200: QuoteOut, 404: Errors, **REFUSED},
    summary="Read a quote",
    description="Status, customer, configuration, lines and totals (a signed quote's as signed, an accepted one's as "
    "accepted: the customer's choice of alternatives and options), "
    "the signed PDF's URL and SHA-256, number and revision.",
)
def quote_read(request: HttpRequest, quote_id: int):
    quote = get_object_or_404(_visible(request), pk=quote_id)
    return _json(quote_json(quote, user=request.auth))


@router.patch(
    "/{int:quote_id}",
    url_name="api-quote-update",
    response={200: QuoteOut, 400: Errors, 404: Errors, 409: Errors, **REFUSED},
    summary="Change a draft quote",
    description="Only the keys given change (inside `customer` each field; inside `configuration` each key "
    "replaces the stored one). The quote's seller or an admin; a signed quote is 409.",
    openapi_extra=request_body(QuoteIn),
)
def quote_update_view(request: HttpRequest, quote_id: int):
    quote = get_object_or_404(_visible(request), pk=quote_id)
    if not may_change(request.auth, quote):
        raise ApiError.one(403, "user", "not_owner", "Bara offertens säljare eller en administratör kan ändra den.")
    data = json_body(request)
    quote_api_update(quote=quote, data=data, user=request.auth, request=request)
    return _json(quote_json(_visible(request).get(pk=quote.pk), user=request.auth))


# --- The stored documents -----------------------------------------------------------------


PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}, "description": "The PDF."}


@router.get(
    "/{int:quote_id}/pdf",
    url_name="api-quote-pdf",
    response={404: Errors, 409: Errors, **REFUSED},
    summary="The signed offer (PDF)",
    description="The stored file as signed (its SHA-256 is the quote's `pdf.sha256`); 404 for a draft.",
    openapi_extra={"responses": {"200": PDF}},
)
def quote_pdf(request: HttpRequest, quote_id: int):
    return _download(request, get_object_or_404(_visible(request), pk=quote_id), accepted=False)


@router.get(
    "/{int:quote_id}/accepted-pdf",
    url_name="api-quote-accepted-pdf",
    response={404: Errors, 409: Errors, **REFUSED},
    summary="The accepted offer (PDF)",
    description="The signed offer with the customer's signed acceptance page; 404 until accepted.",
    openapi_extra={"responses": {"200": PDF}},
)
def quote_accepted_pdf(request: HttpRequest, quote_id: int):
    return _download(request, get_object_or_404(_visible(request), pk=quote_id), accepted=True)


@router.get(
    "/{int:quote_id}/delivery-order",
    url_name="api-quote-delivery-order",
    response={404: Errors, **REFUSED},
    summary="The delivery order of an accepted quote",
    description="What the delivery team needs (customer and contact, users and services, numbers, integrations, "
    "Svarsservice, delivery and training, contract start and term, agreed prices and discounts, the accepted "
    "PDF's SHA-256): the same JSON as the `quote.accepted` webhook and the seller's download "
    "(`quotes.offer.delivery_order`). 404 until the customer has accepted.",
    openapi_extra={"responses": {"200": {"description": "The delivery order (schema 1).",
                                         "content": {"application/json": {"schema": {"type": "object"}}}}}},
)
def quote_delivery_order(request: HttpRequest, quote_id: int):
    quote = get_object_or_404(_visible(request), pk=quote_id)
    try:
        return _json(delivery_order(quote))
    except DeliveryOrderUnavailable as error:
        raise ApiError.one(404, "delivery_order", "not_accepted", str(error))


def _download(request: HttpRequest, quote: Quote, *, accepted: bool):
    if not (quote.accepted_pdf if accepted else quote.pdf):
        raise ApiError.one(404, "pdf", "not_signed", "Offerten har inget sådant dokument (ännu).")
    try:
        data = offer_download_bytes(quote, accepted=accepted, request=request, actor=request.auth)
    except DocumentError as error:
        raise ApiError.one(409, "pdf", "document_error", error.message)
    return pdf_response(data, filename=offer_filename(quote, "-godkand" if accepted else ""))
