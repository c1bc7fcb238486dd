""""Översikt": the seller's figures, the sales manager's team, and the list's exports.

Every figure links to the quote list filtered to what it counts (``filters``). The pages
read a fixed number of queries however many quotes there are (``selectors.overview``);
nothing here writes (an offer past its day counts as expired without being marked).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from configurator.roles import is_sales_manager

from ..access import seller_required
from ..models import Quote, Team
from ..offer.services import quotes_expire_due, stockholm_today
from ..templatetags.money import format_money, format_number
from .charts import BarSpec, bar_chart
from .exports import quotes_csv, quotes_xlsx
from .filters import EXPIRING, OWNER, PERIOD, TEAM, quote_list_query
from .selectors import STATUSES, Overview, PeriodFigures, SellerFigures, overview, team_members

Status = Quote.Status


def may_see_team(user) -> bool:
    return user.is_staff or is_sales_manager(user)


class Links:
    """URLs of the quote list filtered to one figure, within the page's sellers."""

    def __init__(self, owner: str):
        self.owner = owner
        self.base = reverse("quotes:list")

    def __call__(self, *, status: str = "", period: str = "", owner: str | None = None) -> str:
        owner = self.owner if owner is None else owner
        params = [(k, v) for k, v in (("status", status), (OWNER, owner), (PERIOD, period)) if v]
        return f"{self.base}?{urlencode(params)}" if params else self.base


@dataclass(frozen=True)
class Cell:
    text: str
    href: str
    note: str = ""


@dataclass(frozen=True)
class FigureRow:
    label: str
    cells: list[Cell]
    help: str = ""


@dataclass(frozen=True)
class SellerRow:
    """A seller's line in the team's table: this quarter's figures and their lists."""

    figures: SellerFigures
    all: str
    offered: str
    won: str
    decided: str
    win_rate: str

    @classmethod
    def of(cls, s: SellerFigures, link: Links) -> SellerRow:
        owner = str(s.id)
        return cls(
            figures=s,
            all=link(owner=owner),
            offered=link(owner=owner, period="offered-quarter"),
            won=link(owner=owner, period="won-quarter"),
            decided=link(owner=owner, period="decided-quarter"),
            win_rate=_percent(s.win_rate),
        )


def _days(value: Decimal | None) -> str:
    if value is None:
        return "–"
    shown = format_number(value, 0 if value == value.to_integral_value() else 1)  # "2", "4,5"
    return ngettext("%(n)s dag", "%(n)s dagar", 1 if value == 1 else 2) % {"n": shown}


def _percent(value: int | None) -> str:
    if value is None:
        return "–"
    return _("%(n)s %%") % {"n": value}


def figure_rows(o: Overview, link: Links) -> list[FigureRow]:
    """The key figures, this month beside this quarter, each linked to its list."""
    def cells(make) -> list[Cell]:
        return [make(f, key) for f, key in ((o.month, "month"), (o.quarter, "quarter"))]

    def won_note(f: PeriodFigures) -> str:
        return _("%(won)s av %(decided)s") % {"won": f.won, "decided": f.decided} if f.decided else ""

    return [
        FigureRow(_("Offererade offerter"), cells(lambda f, k: Cell(format_number(f.offered), link(period=f"offered-{k}")))),
        FigureRow(_("Offererat månadsvärde"), cells(lambda f, k: Cell(format_money(f.offered_monthly), link(period=f"offered-{k}")))),
        FigureRow(_("Offererat avtalsvärde"), cells(lambda f, k: Cell(format_money(f.offered_contract), link(period=f"offered-{k}")))),
        FigureRow(_("Vunna offerter"), cells(lambda f, k: Cell(format_number(f.won), link(period=f"won-{k}")))),
        FigureRow(_("Vunnet månadsvärde"), cells(lambda f, k: Cell(format_money(f.won_monthly), link(period=f"won-{k}")))),
        FigureRow(_("Vunnet avtalsvärde"), cells(lambda f, k: Cell(format_money(f.won_contract), link(period=f"won-{k}")))),
        FigureRow(_("Vinstandel"), cells(lambda f, k: Cell(_percent(f.win_rate), link(period=f"decided-{k}"), won_note(f)))),
        FigureRow(_("Median, skickad till accepterad"), cells(lambda f, k: Cell(_days(f.median_days), link(period=f"won-{k}")))),
    ]


def status_chart(o: Overview, link: Links):
    labels = dict(Status.choices)
    groups = []
    for status in STATUSES:
        n = o.by_status[status]
        text = ngettext("%(n)s offert", "%(n)s offerter", n) % {"n": format_number(n)}
        groups.append((str(labels[status]), [BarSpec(n, format_number(n), f"{labels[status]}: {text}", link(status=status))]))
    return bar_chart(id="chart-status", title=_("Offerter per status"), groups=groups)


def trend_chart(o: Overview, link: Links):
    offered, won = _("Offererat"), _("Vunnet")
    groups = []
    for m in o.trend:
        name = m.period.name
        bars = []
        for what, amount, stage in ((offered, m.offered_monthly, "offered"), (won, m.won_monthly, "won")):
            text = f"{what} {format_money(amount)}"
            # The link's name starts with the bar's text (WCAG 2.5.3, label in name).
            label = _("%(text)s per månad, %(when)s") % {"text": text, "when": name}
            bars.append(BarSpec(amount, text, label, link(period=f"{stage}-{m.period.key}"), stage))
        groups.append((name, bars))
    return bar_chart(
        id="chart-trend", title=_("Månadsvärde offererat och vunnet, per månad"), groups=groups,
        legend=[("offered", offered), ("won", won)],
    )


def sellers_chart(o: Overview, link: Links):
    groups = []
    for s in o.top_sellers:
        won = ngettext("%(n)s vunnen", "%(n)s vunna", s.won) % {"n": s.won}
        text = f"{format_money(s.won_contract)} ({won})"
        label = _("%(name)s: %(text)s, vunnet avtalsvärde detta kvartal") % {"name": s.name, "text": text}
        groups.append((s.name, [BarSpec(s.won_contract, text, label, link(owner=str(s.id), period="won-quarter"))]))
    return bar_chart(id="chart-sellers", title=_("Toppsäljare detta kvartal (vunnet avtalsvärde)"), groups=groups)


def _render(request, *, o: Overview, link: Links, team: bool, heading: str, scope: str, members=None):
    context = {
        "o": o,
        "team": team,
        "heading": heading,
        "scope": scope,
        "rows": figure_rows(o, link),
        "status_chart": status_chart(o, link),
        "trend_chart": trend_chart(o, link),
        "sellers_chart": sellers_chart(o, link) if team else None,
        "link_all": link(),
        "link_expiring": link(period=EXPIRING),
        "seller_rows": [SellerRow.of(s, link) for s in o.sellers],
        "may_see_team": may_see_team(request.user),
        "no_team": members == [],
        "updated": timezone.localtime(),
    }
    return render(request, "quotes/overview/overview.html", context)


@seller_required
@require_GET
def overview_seller(request: HttpRequest) -> HttpResponse:
    """The seller's own quotes."""
    o = overview(owner_ids=[request.user.pk], today=stockholm_today())
    return _render(
        request, o=o, link=Links(str(request.user.pk)), team=False,
        heading=_("Din översikt"), scope=_("Dina offerter"),
    )


@seller_required
@require_GET
def overview_team(request: HttpRequest) -> HttpResponse:
    """A sales manager's team (the members of the teams they lead); an admin who leads no
    team sees every seller."""
    if not may_see_team(request.user):
        raise PermissionDenied
    members = team_members(request.user)
    owner_ids = None if members is None else [m.id for m in members]
    o = overview(owner_ids=owner_ids, today=stockholm_today(), members=members, per_seller=True)
    if members is None:
        scope = _("Alla säljare")
    else:
        teams = ", ".join(Team.objects.filter(manager=request.user).values_list("name", flat=True))
        scope = ngettext("%(teams)s: %(n)s säljare", "%(teams)s: %(n)s säljare", len(members)) % {
            "teams": teams or _("Inget team"), "n": len(members),
        }
    return _render(
        request, o=o, link=Links("" if members is None else TEAM), team=True,
        heading=_("Teamets översikt"), scope=scope, members=members,
    )


# --- Exports -------------------------------------------------------------------------


def _export(request: HttpRequest, body: bytes, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    name = f"offerter-{stockholm_today().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@seller_required
@require_GET
def quote_export_csv(request: HttpRequest) -> HttpResponse:
    """The quote list with its filters, as CSV (all pages)."""
    quotes_expire_due()  # as the list: a status filter sees offers past their day as expired
    quotes = quote_list_query(request).quotes
    return _export(request, quotes_csv(quotes), "text/csv; charset=utf-8", "csv")


@seller_required
@require_GET
def quote_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The quote list with its filters, as an Excel workbook (all pages)."""
    quotes_expire_due()
    quotes = quote_list_query(request).quotes
    return _export(
        request, quotes_xlsx(quotes),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
    )
