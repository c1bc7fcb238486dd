"""The document panel's context (``{% document_panel quote as panel %}``) and the status a
seller should see (``{{ quote|effective_status_label }}``: expired once the day is over,
even before anything has marked it)."""

from __future__ import annotations

from django import template

from ..access import may_change
from ..models import Quote
from ..notifications import offer_mail_status
from ..offer.services import (
    ANSWERABLE,
    REVISABLE,
    customer_link,
    quote_effective_status,
    quote_is_past_validity,
    quote_sign_problems,
)

register = template.Library()


@register.filter
def effective_status(quote: Quote) -> str:
    return quote_effective_status(quote)


@register.filter
def effective_status_label(quote: Quote) -> str:
    return Quote.Status(quote_effective_status(quote)).label


@register.simple_tag(takes_context=True)
def document_panel(context, quote: Quote) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    may_act = may_change(user, quote)
    status = quote_effective_status(quote)
    panel = {
        "status": status,
        "status_label": Quote.Status(status).label,
        "may_act": may_act,
        "is_draft": quote.is_draft,
        "problems": [],
        "customer_url": "",
        "revisions": [],
        "events": list(quote.events.order_by("-at", "-id")),  # all of them: the audit trail
    }
    if quote.is_draft:
        # The summary step has worked them out already (its action bar shows them too).
        problems = context.get("sign_problems")
        if problems is None:
            problems = quote_sign_problems(quote=quote, result=context.get("result"))
        panel["problems"] = problems
    else:
        if quote.token and may_act:  # the customer's key: its seller and admins only
            panel["customer_url"] = customer_link(quote)
        panel["can_resend"] = may_act and quote.status in ANSWERABLE and not quote_is_past_validity(quote)
        panel["offer_mail"] = offer_mail_status(quote) if panel["can_resend"] else None
        panel["can_revise"] = may_act and status in REVISABLE and status != Quote.Status.EXPIRED
        panel["can_reissue"] = may_act and status == Quote.Status.EXPIRED
    if quote.number:
        panel["revisions"] = list(
            Quote.objects.filter(number=quote.number).exclude(pk=quote.pk).order_by("revision")
        )
    return panel
