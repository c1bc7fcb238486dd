"""The overview's figures, read with a fixed number of aggregate queries.

What the figures mean (the page says it in its help text; the quote list filters by the
same conditions, so a figure and the list it links to always agree):

- **Offered** in a period: signed (signing sends the offer) in that period, Swedish time.
  A revision that was replaced by a newer one (status "superseded") no longer counts:
  the newer revision counts when it is signed, so a deal is counted once.
- **Won**: accepted by the customer in the period.
- **Decided**: won, declined, or expired (the midnight after its last valid day) in the
  period. **Win rate** = won / decided, of the offers decided in the period.
- **Median days to acceptance**: from signing to acceptance, of the offers won in the
  period.
- **Expiring soon**: sent or opened offers whose last valid day is today or within the
  next six days (they expire within seven days).
- A sent or opened offer past its last valid day counts as expired even before anything
  has marked it so (as ``quotes.offer.services.quote_effective_status`` shows it).

The money figures are the signed totals kept in columns (``Quote.monthly_total``,
``contract_value``), excl. VAT; drafts have none. An offer with alternatives or options
("Tillval") counts its first alternative until the customer accepts, then what they chose
(``quotes.customer.services.quote_accept``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Case, CharField, Count, DecimalField, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum,
    Value, When,
)
from django.db.models.functions import Coalesce

from ..models import Quote
from ..offer.services import ANSWERABLE
from .periods import Period, last_months, quarter_of, this_month

Status = Quote.Status
EXPIRING_DAYS = 7
EXPIRING_SHOWN = 10
TREND_MONTHS = 6
TOP_SELLERS = 5
ZERO = Decimal("0.00")
# The statuses the overview counts (superseded revisions are history, not offers).
STATUSES = (Status.DRAFT, Status.SENT, Status.OPENED, Status.ACCEPTED, Status.DECLINED, Status.EXPIRED)


# --- What the figures count: one definition, used by the figures and by the list ------


def _within(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__gte": period.start_at, f"{field_name}__lt": period.end_at})


def expired_by(today: date) -> Q:
    """Expired, or sent/opened and past its last valid day."""
    return Q(status=Status.EXPIRED) | Q(status__in=ANSWERABLE, valid_until__lt=today)


def offered_in(period: Period, today: date | None = None) -> Q:
    return _within("signed_at", period) & ~Q(status=Status.SUPERSEDED)


def won_in(period: Period, today: date | None = None) -> Q:
    return Q(status=Status.ACCEPTED) & _within("accepted_at", period)


def declined_in(period: Period, today: date | None = None) -> Q:
    return Q(status=Status.DECLINED) & _within("declined_at", period)


def expired_in(period: Period, today: date) -> Q:
    """Its validity ran out in the period: the midnight after ``valid_until`` falls in it."""
    return expired_by(today) & Q(
        valid_until__gte=period.start - timedelta(days=1), valid_until__lt=period.end - timedelta(days=1)
    )


def decided_in(period: Period, today: date) -> Q:
    return won_in(period) | declined_in(period) | expired_in(period, today)


def expiring_soon(today: date) -> Q:
    return Q(status__in=ANSWERABLE, valid_until__gte=today, valid_until__lt=today + timedelta(days=EXPIRING_DAYS))


STAGES = {"offered": offered_in, "won": won_in, "decided": decided_in}


def effective_status(today: date) -> Case:
    return Case(
        When(status__in=ANSWERABLE, valid_until__lt=today, then=Value(Status.EXPIRED.value)),
        default=F("status"),
        output_field=CharField(),
    )


# --- Whose quotes --------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    id: int
    name: str


def person(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def team_members(user) -> list[Member] | None:
    """The sellers a sales manager sees: the members of the teams they lead (edited by
    admins under *Team*). An admin who leads no team sees every seller: ``None``. A
    manager without a team sees nobody until an admin gives them one (figures of "every
    seller" would be read as their team's)."""
    rows = (
        get_user_model().objects.filter(sales_teams__manager=user)
        .distinct().order_by("first_name", "last_name", "username")
        .values_list("pk", "first_name", "last_name", "username")
    )
    members = [Member(pk, person(first, last, username)) for pk, first, last, username in rows]
    if not members and user.is_staff:
        return None
    return members


def scoped(owner_ids) -> QuerySet:
    """Every quote (``None``) or those of these sellers; as the list, no untouched or
    archived draft."""
    qs = Quote.objects.listed()
    return qs if owner_ids is None else qs.filter(owner_id__in=list(owner_ids))


# --- The figures ---------------------------------------------------------------------


def win_rate(won: int, decided: int) -> int | None:
    """Per cent of the decided offers that were won (None when none was decided)."""
    if not decided:
        return None
    return int((Decimal(won * 100) / decided).quantize(Decimal("1"), ROUND_HALF_UP))


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    offered: int
    offered_monthly: Decimal
    offered_contract: Decimal
    won: int
    won_monthly: Decimal
    won_contract: Decimal
    decided: int
    median_days: Decimal | None = None

    @property
    def win_rate(self) -> int | None:
        return win_rate(self.won, self.decided)


@dataclass(frozen=True)
class MonthValue:
    period: Period
    offered_monthly: Decimal
    won_monthly: Decimal


@dataclass(frozen=True)
class SellerFigures:
    id: int
    name: str
    offered: int = 0
    won: int = 0
    won_monthly: Decimal = ZERO
    won_contract: Decimal = ZERO
    decided: int = 0

    @property
    def win_rate(self) -> int | None:
        return win_rate(self.won, self.decided)


@dataclass(frozen=True)
class Overview:
    today: date
    by_status: dict[str, int]
    month: PeriodFigures
    quarter: PeriodFigures
    trend: list[MonthValue]
    expiring_count: int
    expiring: list[Quote]
    sellers: list[SellerFigures] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def top_sellers(self) -> list[SellerFigures]:
        ranked = [s for s in self.sellers if s.won_contract or s.won]
        return sorted(ranked, key=lambda s: (-s.won_contract, -s.won, s.name))[:TOP_SELLERS]


def _money_sum(column: str, condition: Q) -> Coalesce:
    return Coalesce(
        Sum(column, filter=condition), Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def _period_aggregates(prefix: str, period: Period, today: date) -> dict:
    offered, won = offered_in(period), won_in(period)
    return {
        f"{prefix}_offered": Count("pk", filter=offered),
        f"{prefix}_offered_monthly": _money_sum("monthly_total", offered),
        f"{prefix}_offered_contract": _money_sum("contract_value", offered),
        f"{prefix}_won": Count("pk", filter=won),
        f"{prefix}_won_monthly": _money_sum("monthly_total", won),
        f"{prefix}_won_contract": _money_sum("contract_value", won),
        f"{prefix}_decided": Count("pk", filter=decided_in(period, today)),
    }


def _median_days(qs: QuerySet, period: Period, won: int) -> Decimal | None:
    """The median of signing → acceptance of the ``won`` offers won in ``period``, in
    days with one decimal: one query, also when none was won (the page's query count
    stays the same), reading the middle one or two rows in that order."""
    took = ExpressionWrapper(F("accepted_at") - F("signed_at"), output_field=DurationField())
    middle = max((won - 1) // 2, 0)
    rows = list(
        qs.filter(won_in(period), signed_at__isnull=False)
        .annotate(took=took).order_by("took", "pk")
        .values_list("took", flat=True)[middle:middle + 2 - won % 2]
    )
    if not rows:
        return None
    seconds = sum(Decimal(str(d.total_seconds())) for d in rows) / len(rows)
    return (seconds / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP)


def overview(*, owner_ids, today: date, members: list[Member] | None = None, per_seller: bool = False) -> Overview:
    """The figures of the quotes of ``owner_ids`` (``None``: every seller's), counted as of
    ``today`` (Swedish date). A fixed number of queries however many quotes there are:
    statuses, one aggregate for both periods and the trend, a median per period with
    won offers, the offers expiring soon, and per seller (``per_seller``) one more."""
    qs = scoped(owner_ids)
    month, quarter = this_month(today), quarter_of(today)
    months = last_months(today, TREND_MONTHS)

    by_status = dict.fromkeys(STATUSES, 0)
    counted = (
        qs.exclude(status=Status.SUPERSEDED).annotate(shown=effective_status(today))
        .values("shown").annotate(n=Count("pk")).order_by()
    )
    for row in counted:
        by_status[row["shown"]] = row["n"]

    aggregates = {**_period_aggregates("month", month, today), **_period_aggregates("quarter", quarter, today)}
    for i, m in enumerate(months):
        aggregates[f"trend{i}_offered"] = _money_sum("monthly_total", offered_in(m))
        aggregates[f"trend{i}_won"] = _money_sum("monthly_total", won_in(m))
    aggregates["expiring"] = Count("pk", filter=expiring_soon(today))
    totals = qs.aggregate(**aggregates)

    def figures(prefix: str, period: Period) -> PeriodFigures:
        values = {k[len(prefix) + 1:]: v for k, v in totals.items() if k.startswith(prefix + "_")}
        return PeriodFigures(
            period=period, **values, median_days=_median_days(qs, period, values["won"])
        )

    expiring = list(
        qs.filter(expiring_soon(today)).select_related("owner")
        .only("company_name", "number", "revision", "valid_until", "status",
              "owner__first_name", "owner__last_name", "owner__username")
        .order_by("valid_until", "pk")[:EXPIRING_SHOWN]
    )
    return Overview(
        today=today,
        by_status=by_status,
        month=figures("month", month),
        quarter=figures("quarter", quarter),
        trend=[MonthValue(m, totals[f"trend{i}_offered"], totals[f"trend{i}_won"]) for i, m in enumerate(months)],
        expiring_count=totals["expiring"],
        expiring=expiring,
        sellers=_sellers(qs, quarter, today, members) if per_seller else [],
    )


def _sellers(qs: QuerySet, quarter: Period, today: date, members: list[Member] | None) -> list[SellerFigures]:
    """This quarter's figures per seller: a team's members (those without quotes too),
    or every seller with quotes."""
    won = won_in(quarter)
    rows = (
        qs.values("owner_id", "owner__first_name", "owner__last_name", "owner__username")
        .annotate(
            offered=Count("pk", filter=offered_in(quarter)),
            won=Count("pk", filter=won),
            won_monthly=_money_sum("monthly_total", won),
            won_contract=_money_sum("contract_value", won),
            decided=Count("pk", filter=decided_in(quarter, today)),
        )
        .order_by()
    )
    found = {
        r["owner_id"]: SellerFigures(
            id=r["owner_id"],
            name=person(r["owner__first_name"], r["owner__last_name"], r["owner__username"]),
            offered=r["offered"], won=r["won"], won_monthly=r["won_monthly"],
            won_contract=r["won_contract"], decided=r["decided"],
        )
        for r in rows
    }
    if members is not None:
        sellers = [found.get(m.id) or SellerFigures(id=m.id, name=m.name) for m in members]
    else:
        sellers = list(found.values())
    return sorted(sellers, key=lambda s: s.name.lower())
