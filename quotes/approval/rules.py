"""Discount limits per role and who approves (issue 11, part 2): the rules, read-only.

A role's limit (``DiscountLimit``) is the largest share of the list contract value a
discount may take, and the most free months, that a quote of a seller in that role is
signed with without approval. A user's limit is the largest of their roles' (an admin in
no role has the seller's). Above the owner's limit, signing is refused
(``approval_sign_problem`` in ``quote_sign_problems``) until an approval of exactly this
quote stands: an approval is bound to the fingerprint of what was asked (priced lines,
totals, discounts, term, price list); any change afterwards no longer matches and needs
approval again.

Who decides (``may_approve``): never the quote's owner nor who asked, whoever they are
(also not by a crafted POST); only a user whose own limit covers the quote, a sales
manager for the sellers of their teams, a sales director for anyone.

The requests and decisions themselves are written by ``quotes.approval.services``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _, ngettext

from configurator.pricing import InvalidConfiguration, PriceResult
from configurator.roles import (
    SALES_DIRECTORS_GROUP, SALES_MANAGERS_GROUP, SELLERS_GROUP, is_sales_director, is_sales_manager, roles_of,
)

from ..choices import Choice, alternatives_of, choice_pricing, has_choices, options_of
from ..models import DiscountApproval, DiscountLimit, Quote, Team
from ..pricing import quote_pricing
from ..templatetags.money import format_money, pct, share_as_percent

Status = DiscountApproval.Status


# --- Limits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    share_percent: Decimal  # of the list contract value
    free_months: int
    role: str  # the role whose limit it is ("" when no limit is set)

    def covers(self, share_percent: Decimal, free_months: int) -> bool:
        return share_percent <= self.share_percent and free_months <= self.free_months

    def describe(self) -> str:
        months = ngettext("%(n)s fri månad", "%(n)s fria månader", self.free_months) % {"n": self.free_months}
        return _("%(share)s %% och %(months)s") % {"share": pct(self.share_percent), "months": months}


NO_LIMIT = Limit(Decimal("0"), 0, "")


def limit_of(user) -> Limit:
    """The largest limit among ``user``'s roles; an admin in no role has the seller's."""
    roles = roles_of(user) or ([SELLERS_GROUP] if user.is_authenticated and user.is_staff else [])
    limits = list(DiscountLimit.objects.filter(role__in=roles))
    if not limits:
        return NO_LIMIT
    best = max(limits, key=lambda lim: (lim.max_share_percent, lim.max_free_months))
    return Limit(
        share_percent=max(lim.max_share_percent for lim in limits),
        free_months=max(lim.max_free_months for lim in limits),
        role=best.role,
    )


# --- What is asked ---------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """A quote's discount as an approver weighs it."""

    contract_value_list: Decimal
    contract_value: Decimal
    discount_total: Decimal
    discount_share: Decimal  # 0–1
    free_months: int

    @property
    def share_percent(self) -> Decimal:
        return share_as_percent(self.discount_share)

    @property
    def has_discount(self) -> bool:
        return bool(self.discount_total or self.free_months)

    def describe(self) -> str:
        text = _("Rabatten är %(share)s %% av avtalsvärdet enligt prislistan (%(amount)s)") % {
            "share": pct(self.share_percent), "amount": format_money(self.discount_total),
        }
        if self.free_months:
            text += ngettext(" och %(n)s fri månad", " och %(n)s fria månader", self.free_months) % {"n": self.free_months}
        return text


def asked_of(result: PriceResult) -> Asked:
    t = result.totals
    return Asked(
        contract_value_list=t.contract_value_list,
        contract_value=t.contract_value,
        discount_total=t.discount_total,
        discount_share=t.discount_share,
        free_months=t.free_months,
    )


def choice_results(quote: Quote, result: PriceResult) -> list[PriceResult]:
    """The pricing of every choice the customer may make (``quotes.choices``): each
    alternative alone and with every option ticked; just ``result`` when there are none."""
    if not has_choices(quote):
        return [result]
    options = tuple(options_of(quote))
    results = [result]
    for index in range(max(len(alternatives_of(quote)), 1)):
        for ticked in ((), options) if options else ((),):
            try:
                results.append(choice_pricing(quote, Choice(index, ticked), catalog=result.catalog))
            except InvalidConfiguration:
                continue  # refused at signing by choice_sign_problems
    return results


def asked_of_quote(quote: Quote, result: PriceResult) -> Asked:
    """What the quote asks for: the largest discount share of any choice the customer may
    make (a discount in kronor weighs more on a smaller alternative)."""
    return max((asked_of(r) for r in choice_results(quote, result)),
               key=lambda a: (a.discount_share, a.free_months, a.discount_total))


def quote_fingerprint(quote: Quote, result: PriceResult) -> str:
    """SHA-256 of what an approval approves: every priced line (quantity, list price,
    discount, net), the totals, the discounts as stored, the term and the price list.
    The customer's details and the note are not part of it."""
    t = result.totals
    what = {
        "price_list": [quote.price_list_id, quote.price_list.version if quote.price_list_id else None],
        "contract_months": quote.contract_months,
        "discounts": quote.discounts or {},
        # The customer's choices (alternatives and options): what may be signed.
        "choices": [getattr(quote, "alternatives", None) or [], getattr(quote, "options", None) or {}],
        "lines": [
            [line.code, line.quantity, str(line.one_time_list), str(line.monthly_list),
             str(line.one_time_discount), str(line.monthly_discount), str(line.one_time), str(line.monthly)]
            for line in result.lines
        ],
        "totals": [str(t.one_time), str(t.monthly), str(t.contract_value), str(t.contract_value_list),
                   str(t.discount_total), t.free_months],
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


# --- A quote's approval state ---------------------------------------------------------


@dataclass(frozen=True)
class ApprovalState:
    asked: Asked
    limit: Limit  # the owner's
    needs_approval: bool  # above the owner's limit
    approved: DiscountApproval | None  # an approval of exactly this quote as it is now
    pending: DiscountApproval | None  # the open request (maybe of an earlier version)
    pending_current: bool  # the open request is of the quote as it is now
    latest: DiscountApproval | None  # the newest request, whatever its answer
    latest_current: bool

    @property
    def may_sign(self) -> bool:
        return not self.needs_approval or self.approved is not None

    @property
    def may_request(self) -> bool:
        return self.needs_approval and self.approved is None and not self.pending_current

    def sign_problem(self) -> str | None:
        if self.may_sign:
            return None
        base = _("%(asked)s; säljarens gräns (%(role)s) är %(limit)s.") % {
            "asked": self.asked.describe(), "role": self.limit.role or "–", "limit": self.limit.describe(),
        }
        if self.pending_current:
            return base + " " + _("Väntar på godkännande.")
        latest = self.latest
        if latest is not None and latest.status == Status.REJECTED and self.latest_current:
            return base + " " + _("Rabatten avslogs: ändra den eller skicka offerten för godkännande igen.")
        if latest is not None and latest.status == Status.APPROVED and not self.latest_current:
            return base + " " + _("Offerten har ändrats sedan rabatten godkändes: skicka den för godkännande igen.")
        return base + " " + _("Skicka offerten för godkännande.")


def approval_state(quote: Quote, result: PriceResult | None = None) -> ApprovalState | None:
    """None when the quote has no discount (nothing to approve: no query)."""
    result = result or quote_pricing(quote)
    asked = asked_of_quote(quote, result)
    if not asked.has_discount:
        return None
    limit = limit_of(quote.owner)
    needs = not limit.covers(asked.share_percent, asked.free_months)
    fingerprint = quote_fingerprint(quote, result)
    requests = list(quote.approvals.select_related("decided_by", "requested_by")[:20]) if quote.pk else []
    approved = next((a for a in requests if a.status == Status.APPROVED and a.fingerprint == fingerprint), None)
    pending = next((a for a in requests if a.status == Status.PENDING), None)
    latest = requests[0] if requests else None
    return ApprovalState(
        asked=asked,
        limit=limit,
        needs_approval=needs,
        approved=approved,
        pending=pending,
        pending_current=bool(pending and pending.fingerprint == fingerprint),
        latest=latest,
        latest_current=bool(latest and latest.fingerprint == fingerprint),
    )


def approval_sign_problem(quote: Quote, result: PriceResult) -> str | None:
    state = approval_state(quote, result)
    return state.sign_problem() if state else None


# --- Who approves ----------------------------------------------------------------------


def leads_team_of(manager, seller) -> bool:
    return Team.objects.filter(manager=manager, members=seller).exists()


def may_approve(user, approval: DiscountApproval) -> bool:
    """``user`` may decide ``approval``: never the quote's owner nor who asked; a sales
    director, or a sales manager leading a team of the owner; and the user's own limit
    covers what was asked."""
    quote = approval.quote
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk in (quote.owner_id, approval.requested_by_id):
        return False
    if not (is_sales_director(user) or (is_sales_manager(user) and leads_team_of(user, quote.owner))):
        return False
    share = share_as_percent(approval.discount_share)
    return limit_of(user).covers(share, approval.free_months)


def approvers_for(approval: DiscountApproval) -> list:
    """Every user who may decide ``approval`` (the e-mail's recipients)."""
    users = (
        get_user_model().objects.filter(is_active=True, groups__name__in=[SALES_MANAGERS_GROUP, SALES_DIRECTORS_GROUP])
        .exclude(pk__in=[approval.quote.owner_id, approval.requested_by_id])
        .distinct()
        .prefetch_related("groups")
    )
    return [u for u in users if may_approve(u, approval)]


def approvals_to_decide(user) -> list[DiscountApproval]:
    """The open requests ``user`` may decide (the queue), oldest first."""
    if not (is_sales_director(user) or is_sales_manager(user)):
        return []
    pending = (
        DiscountApproval.objects.filter(status=Status.PENDING, quote__status=Quote.Status.DRAFT)
        .exclude(Q(quote__owner=user) | Q(requested_by=user))
        .select_related("quote", "quote__owner", "quote__price_list", "requested_by")
        .order_by("requested_at", "id")
    )
    return [a for a in pending if may_approve(user, a)]


def approvals_decided_by(user, limit: int = 20) -> list[DiscountApproval]:
    return list(
        DiscountApproval.objects.filter(decided_by=user)
        .select_related("quote", "quote__owner")
        .order_by("-decided_at", "-id")[:limit]
    )
