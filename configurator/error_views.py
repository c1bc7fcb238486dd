"""Clear pages instead of Django's bare errors, for the seller and the customer.

400, 403, 404 and 500 get a page in the app's look (Swedish, or English when chosen),
and a database that does not answer gets 503 "try again in a moment" instead of a 500.
Under /api/ the same errors are JSON, as the API answers everything else. The pages
never touch the database (no user, no session): they must render when it is down.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def error_page(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse({"errors": [{"field": "server", "code": code, "message": message}]}, status=status)
    else:
        context = {
            "status": status,
            "title": title,
            "message": message,
            "customer": request.path.startswith("/offert/"),
            "retry": status == 503,
            "company_name": settings.SELLER_COMPANY.get("name", ""),
        }
        response = render(request, "errors/error.html", context, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request, exception=None):
    return error_page(request, 400, "bad_request", _("Felaktig begäran"),
                      _("Sidan kunde inte förstå begäran. Gå tillbaka och försök igen."))


def permission_denied(request, exception=None):
    return error_page(request, 403, "forbidden", _("Du har inte behörighet"),
                      _("Du har inte behörighet att se eller ändra det här. Är du inloggad med rätt konto?"))


def page_not_found(request, exception=None):
    return error_page(request, 404, "not_found", _("Sidan finns inte"),
                      _("Adressen finns inte, eller länken är inte längre giltig. Kontrollera adressen."))


def server_error(request):
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):
        logger.error("The database does not answer: %s", error)
        return database_unavailable(request)
    return error_page(request, 500, "server_error", _("Något gick fel"),
                      _("Ett oväntat fel uppstod. Det är loggat och vi tittar på det. Det du redan "
                        "har sparat finns kvar; försök igen om en stund."))


def database_unavailable(request):
    return error_page(request, 503, "unavailable", _("Tjänsten är tillfälligt otillgänglig"),
                      _("Vi kan inte nå databasen just nu. Inget av det som redan är sparat har gått "
                        "förlorat. Försök igen om en liten stund."))
