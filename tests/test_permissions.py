"""Who may do what, URL by URL: one table, every actor, every route of the app.

Seller side: anonymous, the quote's seller (owner), another seller, a signed-in user who
is not a seller, an admin (staff). Customer side: the link with the right token, a wrong
token, and the offer expired, declined, accepted or superseded. A refused request that
would change something (a POST) is checked to have changed nothing: no quote row, event,
quote number, e-mail or stored file.

``test_every_url_pattern_has_a_rule`` walks the URL resolver: a new route without a row
here fails the suite. The admin's own patterns are covered by a few admin rows.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from quotes.customer import services as customer_services
from quotes.offer import services as offer_services
from quotes.customer.services import quote_accept, quote_decline
from quotes.offer.services import quote_expire_if_due, quote_revise, quote_sign
from quotes.approval.services import approval_request
from quotes.draft.services import quote_archive, quote_create
from quotes.models import DiscountApproval, Quote, QuoteCounter, QuoteEvent, QuoteTemplate
from quotes.draft.steps import STEPS

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteFactory, UserFactory
from .queue_support import queued_work, tasks_run
from .test_steps import EMPTY

# Expected outcomes besides a plain status code.
LOGIN = "login"  # refused: 302 to the log-in page
ADMIN_LOGIN = "admin-login"  # refused: 302 to the admin's log-in page
KEPT = "kept"  # refused: 302 back to the offer page with a message, nothing changed
DETAIL = "detail"  # refused: 302 to the seller's page of the quote with a message, nothing changed
REFUSED = {401, 403, 404, 405, 409, LOGIN, ADMIN_LOGIN, KEPT, DETAIL}

ACTORS = ("anonymous", "owner", "other_seller", "non_seller", "admin")
STEP_SLUGS = [s.slug for s in STEPS]

# (url name, method, quote it acts on, extra url kwargs) -> one outcome per actor, in ACTORS order.
SELLER_RULES: list[tuple[str, str, str | None, dict, tuple]] = [
    ("quotes:list", "GET", None, {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:create", "POST", None, {}, (LOGIN, 302, 302, 403, 302)),
    ("quotes:create", "GET", None, {}, (LOGIN, 405, 405, 403, 405)),
    # A draft opens in the step form for whoever may edit it, read-only for colleagues.
    ("quotes:detail", "GET", "draft", {}, (LOGIN, 302, 200, 403, 302)),
    ("quotes:detail", "GET", "signed", {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:detail", "GET", "missing", {}, (LOGIN, 404, 404, 403, 404)),
    *[("quotes:step", "GET", "draft", {"step": s}, (LOGIN, 200, 403, 403, 200)) for s in STEP_SLUGS],
    *[("quotes:step", "POST", "draft", {"step": s}, (LOGIN, 302, 403, 403, 302)) for s in STEP_SLUGS],
    ("quotes:step", "GET", "draft", {"step": "okant-steg"}, (LOGIN, 404, 404, 403, 404)),
    ("quotes:step", "GET", "missing", {"step": "kund"}, (LOGIN, 404, 404, 403, 404)),
    *[("quotes:recalculate", "POST", "draft", {"step": s}, (LOGIN, 200, 403, 403, 200)) for s in STEP_SLUGS],
    ("quotes:recalculate", "GET", "draft", {"step": "kund"}, (405, 405, 405, 405, 405)),
    ("quotes:sign", "POST", "draft", {}, (LOGIN, 302, 403, 403, 302)),
    ("quotes:sign", "GET", "draft", {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:send", "POST", "signed", {}, (LOGIN, 302, 403, 403, 302)),
    ("quotes:send", "GET", "signed", {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:revise", "POST", "signed", {}, (LOGIN, 302, 403, 403, 302)),
    ("quotes:revise", "POST", "expired", {}, (LOGIN, 302, 403, 403, 302)),  # reissue
    ("quotes:revise", "GET", "signed", {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:pdf", "GET", "signed", {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:pdf", "GET", "draft", {}, (LOGIN, 404, 404, 403, 404)),
    ("quotes:accepted-pdf", "GET", "accepted", {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:accepted-pdf", "GET", "signed", {}, (LOGIN, 404, 404, 403, 404)),
    # The delivery order (read-only, as the PDFs): every seller and admin, once accepted.
    ("quotes:delivery-order-json", "GET", "accepted", {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:delivery-order-json", "GET", "signed", {}, (LOGIN, 404, 404, 403, 404)),
    ("quotes:delivery-order-xlsx", "GET", "accepted", {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:delivery-order-xlsx", "GET", "draft", {}, (LOGIN, 404, 404, 403, 404)),
    # Discount approval: the owner (or an admin) asks; the queue and a request's page are
    # for approvers only (tests/test_approval.py and APPROVER_RULES below): none of these
    # five, the owner least of all, can see or decide a request, also not by a crafted POST.
    ("quotes:approval-request", "POST", "above_limit", {}, (LOGIN, 302, 403, 403, 302)),
    ("quotes:approval-request", "GET", "above_limit", {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:approvals", "GET", None, {}, (LOGIN, 403, 403, 403, 403)),
    ("quotes:approvals", "POST", None, {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:approval", "GET", "pending", {}, (LOGIN, 403, 403, 403, 403)),
    ("quotes:approval", "GET", "missing", {}, (LOGIN, 404, 404, 403, 404)),
    ("quotes:approval-decide", "POST", "pending", {}, (LOGIN, 403, 403, 403, 403)),
    ("quotes:approval-decide", "GET", "pending", {}, (LOGIN, 405, 405, 403, 405)),
    ("admin:quotes_discountlimit_changelist", "GET", None, {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    ("admin:quotes_discountapproval_changelist", "GET", None, {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    # Templates and copies: any quote a seller sees can be copied or kept as a template;
    # shared templates are everyone's to use and admins' to change, one's own only one's own.
    ("quotes:copy", "POST", "draft", {}, (LOGIN, 302, 302, 403, 302)),
    ("quotes:copy", "POST", "signed", {}, (LOGIN, 302, 302, 403, 302)),
    ("quotes:copy", "GET", "draft", {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:save-template", "GET", "signed", {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:save-template", "POST", "draft", {}, (LOGIN, 302, 302, 403, 302)),
    ("quotes:templates", "GET", None, {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:templates", "POST", None, {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:create-from-template", "POST", "shared_template", {}, (LOGIN, 302, 302, 403, 302)),
    ("quotes:create-from-template", "POST", "own_template", {}, (LOGIN, 302, 404, 403, 404)),
    ("quotes:create-from-template", "GET", "shared_template", {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:template-rename", "GET", "own_template", {}, (LOGIN, 200, 404, 403, 404)),
    ("quotes:template-rename", "POST", "own_template", {}, (LOGIN, 302, 404, 403, 404)),
    ("quotes:template-rename", "POST", "shared_template", {}, (LOGIN, 403, 403, 403, 302)),
    ("quotes:template-delete", "GET", "own_template", {}, (LOGIN, 200, 404, 403, 404)),
    ("quotes:template-delete", "POST", "own_template", {}, (LOGIN, 302, 404, 403, 404)),
    ("quotes:template-delete", "POST", "shared_template", {}, (LOGIN, 403, 403, 403, 302)),
    # Archive, restore, delete: the draft's seller and admins; a signed quote never goes,
    # and a draft with a history is archived, never deleted.
    ("quotes:archive", "GET", "draft", {}, (LOGIN, 200, 403, 403, 200)),
    ("quotes:archive", "POST", "draft", {}, (LOGIN, 302, 403, 403, 302)),
    ("quotes:archive", "POST", "signed", {}, (LOGIN, DETAIL, 403, 403, DETAIL)),
    ("quotes:restore", "POST", "archived", {}, (LOGIN, 302, 403, 403, 302)),
    ("quotes:restore", "POST", "signed", {}, (LOGIN, DETAIL, 403, 403, DETAIL)),
    ("quotes:restore", "GET", "archived", {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:delete", "GET", "untouched", {}, (LOGIN, 200, 403, 403, 200)),
    ("quotes:delete", "GET", "signed", {}, (LOGIN, 200, 403, 403, 200)),
    ("quotes:delete", "POST", "untouched", {}, (LOGIN, 302, 403, 403, 302)),
    ("quotes:delete", "POST", "draft", {}, (LOGIN, DETAIL, 403, 403, DETAIL)),
    ("quotes:delete", "POST", "signed", {}, (LOGIN, DETAIL, 403, 403, DETAIL)),
    # The overview: every seller their own; the team's for sales managers and admins only.
    ("quotes:overview", "GET", None, {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:overview", "POST", None, {}, (LOGIN, 405, 405, 403, 405)),
    ("quotes:overview-team", "GET", None, {}, (LOGIN, 403, 403, 403, 200)),
    ("quotes:export-csv", "GET", None, {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:export-xlsx", "GET", None, {}, (LOGIN, 200, 200, 403, 200)),
    ("quotes:export-csv", "POST", None, {}, (LOGIN, 405, 405, 403, 405)),
    ("api-price", "POST", None, {}, (401, 200, 200, 403, 200)),
    ("api-price", "GET", None, {}, (405, 405, 405, 405, 405)),
    # The quotes API: what the quote list shows, a seller reads (a colleague's quotes too,
    # read-only); what the step form lets them change, they change (a colleague's: 403).
    ("api-quotes", "GET", None, {}, (401, 200, 200, 403, 200)),
    ("api-quote-create", "POST", None, {}, (401, 201, 201, 403, 201)),
    ("api-quote", "GET", "draft", {}, (401, 200, 200, 403, 200)),
    ("api-quote", "GET", "signed", {}, (401, 200, 200, 403, 200)),
    ("api-quote", "GET", "missing", {}, (401, 404, 404, 403, 404)),
    ("api-quote-update", "PATCH", "draft", {}, (401, 200, 403, 403, 200)),
    ("api-quote-update", "PATCH", "signed", {}, (401, 409, 403, 403, 409)),
    ("api-quote-update", "POST", "draft", {}, (405, 405, 405, 405, 405)),
    ("api-quote-pdf", "GET", "signed", {}, (401, 200, 200, 403, 200)),
    ("api-quote-pdf", "GET", "draft", {}, (401, 404, 404, 403, 404)),
    ("api-quote-accepted-pdf", "GET", "accepted", {}, (401, 200, 200, 403, 200)),
    ("api-quote-accepted-pdf", "GET", "signed", {}, (401, 404, 404, 403, 404)),
    ("api-quote-delivery-order", "GET", "accepted", {}, (401, 200, 200, 403, 200)),
    ("api-quote-delivery-order", "GET", "signed", {}, (401, 404, 404, 403, 404)),
    # The API's schema and docs page are public; its root has no page.
    ("openapi-json", "GET", None, {}, (200, 200, 200, 200, 200)),
    ("openapi-view", "GET", None, {}, (200, 200, 200, 200, 200)),
    ("api-root", "GET", None, {}, (404, 404, 404, 404, 404)),
    ("admin:index", "GET", None, {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    ("admin:quotes_quote_changelist", "GET", None, {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    ("admin:quotes_quote_change", "GET", "draft", {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    ("admin:quotes_quote_change", "POST", "signed", {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403)),
    ("admin:quotes_quote_delete", "POST", "signed", {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403)),
    ("admin:quotes_quoteevent_changelist", "GET", None, {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    ("admin:quotes_team_changelist", "GET", None, {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    ("admin:quotes_quotetemplate_changelist", "GET", None, {}, (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    ("healthz", "GET", None, {}, (200, 200, 200, 200, 200)),
    ("healthz", "POST", None, {}, (405, 405, 405, 405, 405)),
    ("home", "GET", None, {}, (302, 302, 302, 302, 302)),
    ("login", "GET", None, {}, (200, 302, 302, 302, 302)),
    ("logout", "POST", None, {}, (302, 302, 302, 302, 302)),
    ("set_language", "POST", None, {}, (302, 302, 302, 302, 302)),
]

APPROVAL_URLS = ("quotes:approval", "quotes:approval-decide")

# The customer's link, anonymous: (url name, method) -> one outcome per token state.
TOKENS = ("right", "wrong", "expired", "declined", "accepted", "superseded")
CUSTOMER_RULES: list[tuple[str, str, tuple]] = [
    ("quote-customer:offer", "GET", (200, 404, 200, 200, 200, 200)),
    ("quote-customer:offer", "POST", (405, 405, 405, 405, 405, 405)),
    ("quote-customer:pdf", "GET", (200, 404, 200, 200, 200, 200)),
    ("quote-customer:accepted-pdf", "GET", (404, 404, 404, 404, 200, 404)),
    ("quote-customer:accept", "POST", (302, 404, KEPT, KEPT, KEPT, KEPT)),
    ("quote-customer:accept", "GET", (405, 405, 405, 405, 405, 405)),
    ("quote-customer:decline", "POST", (302, 404, KEPT, KEPT, KEPT, KEPT)),
    ("quote-customer:decline", "GET", (405, 405, 405, 405, 405, 405)),
]

# A seller signed in who opens the customer's link reads it but never answers for the customer.
SELLER_ON_CUSTOMER_LINK: list[tuple[str, str, tuple]] = [
    ("quote-customer:offer", "GET", (200, 200, 200, 200)),
    ("quote-customer:pdf", "GET", (200, 200, 200, 200)),
    ("quote-customer:accept", "POST", (KEPT, KEPT, 302, KEPT)),  # only the non-seller is a customer
    ("quote-customer:decline", "POST", (KEPT, KEPT, 302, KEPT)),
]
SIGNED_IN = ("owner", "other_seller", "non_seller", "admin")


# --- Fixtures ---------------------------------------------------------------------------

_RENDERED: dict[str, bytes] = {}


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    """Five users per test: hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fast_pdfs(doc_env, monkeypatch):
    """Render each kind of PDF once per session: these tests are about access, not the
    document (signing still runs on every quote)."""
    for module, name in ((offer_services, "offer_pdf_render"), (customer_services, "acceptance_pdf_render")):
        real = getattr(module, name)

        def cached(*, quote, _real=real, _name=name):
            if _name not in _RENDERED:
                _RENDERED[_name] = _real(quote=quote)
            return _RENDERED[_name]

        monkeypatch.setattr(module, name, cached)


@pytest.fixture
def users(seller, other_seller, admin_user):
    return {
        "owner": seller,
        "other_seller": other_seller,
        "non_seller": UserFactory(username="nils", first_name="Nils", last_name="Lagerarbetare"),
        "admin": admin_user,
    }


def quote_in_state(state: str, *, owner, price_list) -> Quote:
    """A quote of ``owner`` as the rules need it."""
    if state == "missing":
        return Quote(pk=999_999)
    if state in ("above_limit", "pending", "pending_small"):  # a discount above a seller's 10 %
        percent = "25" if state == "pending_small" else "40"  # within a sales manager's 30 % or not
        quote = QuoteFactory(owner=owner, price_list=price_list, discounts={"monthly_percent": percent})
        if state != "above_limit":
            approval_request(quote=quote, user=owner, comment="Konkurrent")
        return quote
    if state == "untouched":
        return quote_create(owner=owner, price_list=price_list)
    quote = QuoteFactory(owner=owner, price_list=price_list)
    if state == "draft":
        return quote
    if state == "archived":
        return quote_archive(quote=quote, user=owner)
    quote = quote_sign(quote=quote, user=owner)
    if state in ("signed", "right", "wrong"):
        return quote
    if state == "expired":
        assert quote_expire_if_due(quote=quote, now=timezone.now() + timedelta(days=400))
    elif state == "declined":
        quote_decline(quote=quote, reason="För dyrt")
    elif state == "accepted":
        quote = quote_accept(quote=quote, name="Erik Lind", title="Vd", ip="192.0.2.7", user_agent="Test")
    elif state == "superseded":
        quote_revise(quote=quote, user=owner)
    else:  # pragma: no cover - a typo in the table
        raise AssertionError(state)
    return Quote.objects.get(pk=quote.pk)


def log_in(client, actor: str, users) -> None:
    if actor != "anonymous":
        client.force_login(users[actor])


def stored_state(settings) -> tuple:
    """Everything a request could change."""
    media = Path(settings.MEDIA_ROOT)
    return (
        list(Quote.objects.order_by("pk").values()),
        list(QuoteEvent.objects.order_by("pk").values()),
        list(QuoteCounter.objects.order_by("pk").values()),
        list(DiscountApproval.objects.order_by("pk").values()),
        list(QuoteTemplate.objects.order_by("pk").values()),
        len(mail.outbox),
        queued_work(),  # e-mail and other tasks for the worker
        sorted(str(p) for p in media.rglob("*")) if media.exists() else [],
    )


def post_data(name: str, kwargs: dict, quote: Quote | None) -> tuple[dict | str, str | None]:
    """What a real form (or client) posts to ``name``; and its content type."""
    if name in ("quotes:step", "quotes:recalculate"):
        return {**EMPTY.get(kwargs["step"], {}), "nav": "next"}, None
    if name == "api-price":
        return json.dumps({"items": {"mobile_user": 5}}), "application/json"
    if name in ("api-quote-create", "api-quote-update"):
        return json.dumps({"customer_note": "Från API:t"}), "application/json"
    if name == "quotes:approval-request":
        return {"approval_comment": "Kunden har en konkurrerande offert"}, None
    if name == "quotes:approval-decide":
        return {"decision": "approve", "comment": "OK"}, None
    if name in ("quotes:save-template", "quotes:template-rename"):
        return {"name": "Ny mall"}, None
    if name == "set_language":
        return {"language": "en", "next": "/"}, None
    if name == "admin:quotes_quote_change":
        return {"company_name": "Ändrat AB", "status": "draft"}, None
    if name == "admin:quotes_quote_delete":
        return {"post": "yes"}, None
    if name == "quote-customer:accept":
        return {"name": "Erik Lind", "title": "Vd", "accept_terms": "on",
                "document_sha256": quote.pdf_sha256 if quote else ""}, None
    if name == "quote-customer:decline":
        return {"reason": "För dyrt"}, None
    return {}, None


def request(client, method: str, url: str, data, content_type):
    if method == "GET":
        return client.get(url)
    if method == "PATCH":
        return client.patch(url, data=data, content_type=content_type)
    if content_type:
        return client.post(url, data=data, content_type=content_type)
    return client.post(url, data)


def check(response, expected, *, url: str, offer_url: str = "") -> None:
    where = f"{response.request['REQUEST_METHOD']} {url}"
    if expected == LOGIN:
        assert response.status_code == 302, where
        assert response["Location"].startswith(reverse("login") + "?next="), where
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302, where
        assert response["Location"].startswith(reverse("admin:login") + "?next="), where
    elif expected in (KEPT, DETAIL):
        assert response.status_code == 302 and response["Location"] == offer_url, where
    else:
        assert response.status_code == expected, f"{where}: {response.status_code} != {expected}"


def _id(rule) -> str:
    name, method, target, kwargs = rule[:4]
    return "-".join(str(x) for x in (name, method, target, *kwargs.values()) if x)


# --- The seller's side and the rest of the app ------------------------------------------


@pytest.mark.parametrize("actor_index", range(len(ACTORS)), ids=ACTORS)
@pytest.mark.parametrize("rule", SELLER_RULES, ids=[_id(r) for r in SELLER_RULES])
def test_seller_side(rule, actor_index, client, users, price_list, fast_pdfs, settings):
    name, method, target, kwargs, outcomes = rule
    actor, expected = ACTORS[actor_index], outcomes[actor_index]
    if target in ("shared_template", "own_template"):
        template = QuoteTemplate.objects.create(
            name="Mall", owner=users["owner"] if target == "own_template" else None, items={"mobile_user": 5}
        )
        quote, url = None, reverse(name, kwargs={"template_pk": template.pk})
    else:
        quote = quote_in_state(target, owner=users["owner"], price_list=price_list) if target else None
        args = [quote.pk] if quote is not None else []
        if name in APPROVAL_URLS and quote is not None:  # a request's URL names the request
            approval = quote.approvals.first() if quote.pk != 999_999 else None
            args = [approval.pk if approval else 999_999]
        url = reverse(name, args=args, kwargs=None) if not kwargs else reverse(name, kwargs={"pk": quote.pk, **kwargs})
    log_in(client, actor, users)
    data, content_type = post_data(name, kwargs, quote)
    before = stored_state(settings)
    response = request(client, method, url, data, content_type)
    check(response, expected, url=url, offer_url=reverse("quotes:detail", args=[quote.pk]) if quote else "")
    if method in ("POST", "PATCH") and expected in REFUSED:
        assert stored_state(settings) == before, f"a refused {method} {url} changed something"


def test_an_allowed_action_really_acts(client, users, price_list, fast_pdfs):
    """The table's 302s for the owner are the actions themselves, not silent refusals."""
    quote = quote_in_state("draft", owner=users["owner"], price_list=price_list)
    log_in(client, "owner", users)
    client.post(reverse("quotes:sign", args=[quote.pk]))
    tasks_run()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and len(mail.outbox) == 1
    client.post(reverse("quotes:send", args=[quote.pk]))
    tasks_run()
    assert len(mail.outbox) == 2
    client.post(reverse("quotes:revise", args=[quote.pk]))
    assert Quote.objects.get(previous=quote).status == Quote.Status.DRAFT


# --- Approvers ------------------------------------------------------------------------

# The owner's sales manager, another team's manager, a sales director: a request above the
# seller's limit of 25 % (within a manager's 30 %) and of 40 % (a director's only).
APPROVERS = ("team_manager", "other_manager", "director")
APPROVER_RULES: list[tuple[str, str, str | None, tuple]] = [
    ("quotes:approvals", "GET", None, (200, 200, 200)),
    ("quotes:approval", "GET", "pending_small", (200, 403, 200)),
    ("quotes:approval-decide", "POST", "pending_small", (302, 403, 302)),
    ("quotes:approval", "GET", "pending", (403, 403, 200)),
    ("quotes:approval-decide", "POST", "pending", (403, 403, 302)),
    # Approvers decide; they never ask, sign or change a seller's quote.
    ("quotes:approval-request", "POST", "above_limit", (403, 403, 403)),
    ("quotes:sign", "POST", "pending_small", (403, 403, 403)),
    ("quotes:step", "POST", "pending_small", (403, 403, 403)),
]


@pytest.fixture
def approvers(users):
    from configurator.roles import ensure_sales_directors_group, ensure_sales_managers_group
    from quotes.models import Team

    made = {}
    for key, username in (("team_manager", "maja"), ("other_manager", "olle"), ("director", "dora")):
        made[key] = UserFactory(username=username)
        made[key].groups.add(ensure_sales_directors_group() if key == "director" else ensure_sales_managers_group())
    Team.objects.create(name="Syd", manager=made["team_manager"]).members.add(users["owner"])
    Team.objects.create(name="Norr", manager=made["other_manager"]).members.add(users["other_seller"])
    return made


@pytest.mark.parametrize("actor_index", range(len(APPROVERS)), ids=APPROVERS)
@pytest.mark.parametrize("rule", APPROVER_RULES, ids=[_id((*r[:3], {})) for r in APPROVER_RULES])
def test_approvers(rule, actor_index, client, users, approvers, price_list, fast_pdfs, settings):
    name, method, target, outcomes = rule
    actor, expected = APPROVERS[actor_index], outcomes[actor_index]
    quote = quote_in_state(target, owner=users["owner"], price_list=price_list) if target else None
    kwargs = {"step": "sammanstallning"} if name == "quotes:step" else {}
    if name in APPROVAL_URLS:
        url = reverse(name, args=[quote.approvals.get().pk])
    elif kwargs:
        url = reverse(name, kwargs={"pk": quote.pk, **kwargs})
    else:
        url = reverse(name, args=[quote.pk] if quote else [])
    client.force_login(approvers[actor])
    data, content_type = post_data(name, kwargs, quote)
    before = stored_state(settings)
    response = request(client, method, url, data, content_type)
    check(response, expected, url=url)
    if method == "POST" and expected in REFUSED:
        assert stored_state(settings) == before, f"a refused POST {url} changed something"
    if name == "quotes:approval-decide" and expected == 302:
        assert quote.approvals.get().status == DiscountApproval.Status.APPROVED


# --- The customer's link ----------------------------------------------------------------


def _token_url(name: str, quote: Quote, token_state: str) -> str:
    token = secrets.token_urlsafe(32) if token_state == "wrong" else quote.token
    return reverse(name, args=[token])


@pytest.mark.parametrize("state_index", range(len(TOKENS)), ids=TOKENS)
@pytest.mark.parametrize("rule", CUSTOMER_RULES, ids=[f"{n}-{m}" for n, m, _ in CUSTOMER_RULES])
def test_customer_link(rule, state_index, client, seller, price_list, fast_pdfs, settings):
    name, method, outcomes = rule
    state, expected = TOKENS[state_index], outcomes[state_index]
    quote = quote_in_state(state, owner=seller, price_list=price_list)
    url = _token_url(name, quote, state)
    data, content_type = post_data(name, {}, quote)
    before = stored_state(settings)
    response = request(client, method, url, data, content_type)
    check(response, expected, url=url, offer_url=reverse("quote-customer:offer", args=[quote.token]))
    if method == "POST" and expected in REFUSED:
        assert stored_state(settings) == before, f"a refused POST {url} changed something"
    if method == "POST" and expected == 302:
        quote.refresh_from_db()
        assert quote.status == {"quote-customer:accept": Quote.Status.ACCEPTED,
                                "quote-customer:decline": Quote.Status.DECLINED}[name]


@pytest.mark.parametrize("actor_index", range(len(SIGNED_IN)), ids=SIGNED_IN)
@pytest.mark.parametrize("rule", SELLER_ON_CUSTOMER_LINK, ids=[f"{n}-{m}" for n, m, _ in SELLER_ON_CUSTOMER_LINK])
def test_signed_in_users_on_the_customer_link(rule, actor_index, client, users, price_list, fast_pdfs, settings):
    name, method, outcomes = rule
    actor, expected = SIGNED_IN[actor_index], outcomes[actor_index]
    quote = quote_in_state("right", owner=users["owner"], price_list=price_list)
    log_in(client, actor, users)
    url = reverse(name, args=[quote.token])
    data, content_type = post_data(name, {}, quote)
    before = stored_state(settings)
    response = request(client, method, url, data, content_type)
    check(response, expected, url=url, offer_url=reverse("quote-customer:offer", args=[quote.token]))
    if method == "POST" and expected in REFUSED:
        assert stored_state(settings) == before, f"a refused POST {url} changed something"


# --- Every route has a rule -------------------------------------------------------------


def url_names(patterns, namespace: str = "", route: str = ""):
    """The name (with namespace) of every route, or its path when it has no name; the
    admin's own routes are left out (the admin rows above cover it)."""
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from url_names(p.url_patterns, ns, route + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else route + str(p.pattern)


def test_every_url_pattern_has_a_rule():
    routes = set(url_names(get_resolver().url_patterns))
    covered = {r[0] for r in SELLER_RULES} | {r[0] for r in CUSTOMER_RULES}
    missing = routes - covered
    assert not missing, f"routes without a rule in tests/test_permissions.py: {sorted(missing)}"
    assert "quotes:sign" in routes and "quote-customer:accept" in routes  # the walk finds them


def test_the_walk_notices_a_new_route(settings):
    """A route added later (here a throwaway urlconf) is reported as missing."""
    from django.urls import include, path

    from configurator import urls as root

    extra = [*root.urlpatterns, path("nytt/", include(([path("x/", lambda r: None, name="x")], "nytt")))]
    assert "nytt:x" in set(url_names(extra)) - {r[0] for r in SELLER_RULES}
