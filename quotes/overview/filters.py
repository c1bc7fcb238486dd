"""The quote list's filters beyond search and status: the seller ("saljare": a user's id,
or "team" for the sellers of the teams one leads) and the period ("period": offered,
won or decided this month, this quarter or in a named month; or expiring soon).

The overview links every figure to the list with these filters, and the figures count
by the very conditions the list filters by (``quotes.overview.selectors``), so a figure
and its list always agree. The CSV and XLSX exports take the same filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from configurator.roles import ROLES

from ..draft.forms import QuoteSearchForm
from ..draft.selectors import quotes_for_list
from ..models import Quote, Team
from ..offer.services import stockholm_today
from .periods import period_for
from .selectors import STAGES, expiring_soon, person, team_members

OWNER, PERIOD = "saljare", "period"
TEAM = "team"
EXPIRING = "expiring"
SPANS = ("month", "quarter")
STAGE_LABELS = {
    "offered": gettext_lazy("Offererade"),
    "won": gettext_lazy("Vunna"),
    "decided": gettext_lazy("Avgjorda"),
}


def period_label(value: str, today: date) -> str | None:
    """"Vunna denna månad", "Offererade mars 2026", "Går ut inom 7 dagar"; None when
    ``value`` is no period filter."""
    if value == EXPIRING:
        return _("Går ut inom 7 dagar")
    stage, _sep, span = value.partition("-")
    period = period_for(span, today) if stage in STAGES else None
    if period is None:
        return None
    if span == "month":
        return _("%(stage)s denna månad") % {"stage": STAGE_LABELS[stage]}
    if span == "quarter":
        return _("%(stage)s detta kvartal") % {"stage": STAGE_LABELS[stage]}
    return f"{STAGE_LABELS[stage]} {period.name}"


def period_condition(value: str, today: date) -> Q | None:
    if value == EXPIRING:
        return expiring_soon(today)
    stage, _sep, span = value.partition("-")
    period = period_for(span, today) if stage in STAGES else None
    return STAGES[stage](period, today) if period else None


def sellers_to_choose():
    """Everyone who sells (the seller and sales manager groups) or owns a quote."""
    owns = Exists(Quote.objects.filter(owner_id=OuterRef("pk")))
    return (
        get_user_model().objects.filter(Q(groups__name__in=ROLES) | owns)
        .distinct().order_by("first_name", "last_name", "username")
        .values_list("pk", "first_name", "last_name", "username")
    )


class ListFilterForm(forms.Form):
    saljare = forms.ChoiceField(label=gettext_lazy("Säljare"), required=False)
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)

    def __init__(self, data=None, *, user, today: date):
        super().__init__(data)
        self.user, self.today = user, today
        owners = [("", _("Alla säljare"))]
        if Team.objects.filter(manager=user).exists():
            owners.append((TEAM, _("Ditt team")))
        for pk, first, last, username in sellers_to_choose():
            owners.append((str(pk), _("Du") if pk == user.pk else person(first, last, username)))
        self.fields["saljare"].choices = owners
        periods = [("", _("Alla"))] + [
            (f"{stage}-{span}", period_label(f"{stage}-{span}", today)) for stage in STAGES for span in SPANS
        ] + [(EXPIRING, period_label(EXPIRING, today))]
        asked = (data or {}).get(PERIOD, "")
        if asked and asked not in dict(periods) and period_label(asked, today):
            periods.append((asked, period_label(asked, today)))  # a month of the overview's chart
        self.fields["period"].choices = periods
        self.is_valid()

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name) or ""

    @property
    def params(self) -> list[tuple[str, str]]:
        return [(name, self.value(name)) for name in (OWNER, PERIOD) if self.value(name)]

    def apply(self, quotes: QuerySet) -> QuerySet:
        owner = self.value(OWNER)
        if owner == TEAM:
            members = team_members(self.user)
            if members is not None:
                quotes = quotes.filter(owner_id__in=[m.id for m in members])
        elif owner:
            quotes = quotes.filter(owner_id=int(owner))
        condition = period_condition(self.value(PERIOD), self.today)
        if condition is not None:
            quotes = quotes.filter(condition)
        return quotes


@dataclass(frozen=True)
class ListQuery:
    """The quote list as the request asks for it: the list page and its exports."""

    form: QuoteSearchForm
    filters: ListFilterForm
    quotes: QuerySet
    query: str  # the active filters, URL-encoded (pages and export links keep them)
    filtered: bool


def quote_list_query(request) -> ListQuery:
    form = QuoteSearchForm(request.GET or None)
    search = status = ""
    if form.is_bound and form.is_valid():
        search, status = form.cleaned_data["q"], form.cleaned_data["status"]
    filters = ListFilterForm(request.GET, user=request.user, today=stockholm_today())
    quotes = filters.apply(quotes_for_list(request.user, search=search, status=status))
    params = [(k, v) for k, v in (("q", search), ("status", status)) if v] + filters.params
    return ListQuery(form, filters, quotes, urlencode(params), bool(params))
