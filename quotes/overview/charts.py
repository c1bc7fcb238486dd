"""Bar charts as SVG, laid out here and drawn by ``templates/quotes/overview/_bar_chart.html``.

Why not a chart library: under this site's Content Security Policy (no inline style or
script) pygal's SVG loses its embedded ``<style>`` and its tooltips' script, and a chart
drawn in a fixed ``viewBox`` shrinks its text with the screen until it is unreadable at
390 px. These charts use no ``viewBox``: lengths across are percentages of the chart's
width and everything else is in CSS pixels, so the labels keep their size at any width
and the bars stretch. Colours and fonts come from ``static/css/overview.css``.

A chart is rows of groups: a group's label on a line of its own (a status, a month, a
seller), then its bars; each bar is a link to the quote list that the figure counts,
named for assistive technology ("Skickad: 12 offerter"), reachable with Tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

LABEL_HEIGHT = 20  # the group's label line
BAR_HEIGHT = 20
BAR_GAP = 4
GROUP_GAP = 12
TEXT_INSIDE_FROM = Decimal(50)  # a bar at least this long (per cent) carries its text inside


@dataclass(frozen=True)
class BarSpec:
    value: Decimal | int
    text: str  # shown at the bar's end: "12", "Vunnet 8 000 kr"
    label: str  # the link's accessible name
    href: str
    series: str = "main"  # CSS class: "main", "offered", "won"


@dataclass(frozen=True)
class Bar:
    spec: BarSpec
    y: int
    width: str  # per cent of the chart's width, "42.50"
    text_x: str
    text_y: int
    inside: bool


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    groups: list[Group]
    height: int
    legend: list[tuple[str, str]]  # (series, its name)
    empty: bool


def bar_chart(*, id: str, title: str, groups: list[tuple[str, list[BarSpec]]],
              legend: list[tuple[str, str]] | None = None) -> Chart:
    """Lay out ``groups`` ((label, bars) in order); bars scale to the largest value."""
    largest = max((Decimal(b.value) for _label, bars in groups for b in bars), default=Decimal(0))
    y = 0
    laid_out = []
    for label, specs in groups:
        label_y = y + LABEL_HEIGHT - 6
        y += LABEL_HEIGHT
        bars = []
        for spec in specs:
            share = Decimal(spec.value) / largest * 100 if largest > 0 else Decimal(0)
            if 0 < share < Decimal("0.5"):
                share = Decimal("0.5")  # a small figure stays visible
            inside = share >= TEXT_INSIDE_FROM
            bars.append(
                Bar(
                    spec=spec,
                    y=y,
                    width=f"{share:.2f}",
                    text_x=f"{share:.2f}",
                    text_y=y + BAR_HEIGHT - 6,
                    inside=inside,
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        laid_out.append(Group(label=label, label_y=label_y, bars=bars))
        y += GROUP_GAP
    return Chart(
        id=id, title=title, groups=laid_out, height=max(y - GROUP_GAP - BAR_GAP, 0) + 2,
        legend=legend or [], empty=largest <= 0,
    )
