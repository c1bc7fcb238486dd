"""Who may see and who may change a quote: the one rule, and the one decorator.

- Sellers (the "Säljare" group) and admins see every quote; colleagues' read-only.
- Only the quote's seller (its owner) and admins change it, sign it, send it, revise
  it, or answer for it anywhere.
- Everyone else (anonymous users go to the log-in page) gets nothing.
- The API (``quotes.api``) follows the same rule (``quotes_for_api``): what the quote
  list shows, the API lists and reads; what the step form lets a user change, the API
  lets them change.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, resolve_url
from django_htmx.http import HttpResponseClientRedirect

from configurator.roles import is_seller

from .models import Quote


def may_see(user) -> bool:
    """Sellers and admins see every quote."""
    return is_seller(user)


def may_change(user, quote: Quote) -> bool:
    """The quote's own seller, or an admin. No group lookup: callers that come through
    ``seller_required`` have checked the role already (the live recalculation stays at
    a few queries)."""
    return bool(user and user.is_authenticated and (user.is_staff or quote.owner_id == user.pk))


def quotes_for_api(user) -> QuerySet:
    """The quotes ``user`` reads through the API: the same as the quote list shows them
    (a seller or an admin every quote, colleagues' read-only; ``editable`` says which).
    Changing one is ``may_change`` (its seller or an admin), as in the step form."""
    return Quote.objects.visible_to(user) if may_see(user) else Quote.objects.none()


def login_redirect(request: HttpRequest) -> HttpResponse:
    """To the log-in page and back; for htmx the whole page goes (the session ran out
    while the seller was typing)."""
    htmx = getattr(request, "htmx", None)
    if htmx:
        back = htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}")
    return redirect_to_login(request.get_full_path())


def seller_required(view):
    """Signed in and a seller or an admin; anonymous users go to the log-in page, other
    users get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        if not may_see(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def quote_to_change(request: HttpRequest, pk: int, *, with_owner: bool = True) -> Quote:
    """The quote behind a change: 404 when there is none, 403 when it is a colleague's
    (sellers see colleagues' quotes in the list, so its existence is no secret).
    ``with_owner=False`` leaves out the owner's rows (user, seller profile) for a caller
    that never reads them: the live recalculation of most steps."""
    related = ("price_list", "owner", "owner__seller_profile") if with_owner else ("price_list",)
    quote = get_object_or_404(Quote.objects.select_related(*related), pk=pk)
    if not may_change(request.user, quote):
        raise PermissionDenied
    return quote
