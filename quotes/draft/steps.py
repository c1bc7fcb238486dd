"""The seller's step form: the steps in order, and where each item code is edited.

The pricing engine reports rule errors and warnings with the item codes involved
(``Problem.items``). ``FIELD_OF_ITEM`` says on which step and next to which form field an
item is edited, so a problem is shown next to the field that causes it, in the totals
panel, and on the stepper (with a link to the step where it is fixed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from configurator.pricing import (
    ANSWERING_SERVICE_PREFIX,
    DELIVERY_OPTIONS,
    IMPLEMENTATIONS,
    TRAVEL_COST,
    Problem,
)

from ..models import FIRST_STEP, SUMMARY_STEP


# The seller negotiates at the end: the discounts come after the configuration, before
# the summary (quotes.draft.forms.DiscountsForm).
DISCOUNT_STEP = "rabatter"


def discount_field(code: str, fee: str) -> str:
    """The discount step's field of ``code``'s ``fee`` ("monthly" / "one_time")."""
    return f"{code}-{fee}"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise
    number: int

    @property
    def template(self) -> str:
        return f"quotes/draft/steps/{self.slug}.html"


STEPS: tuple[Step, ...] = tuple(
    Step(slug, title, n)
    for n, (slug, title) in enumerate(
        [
            (FIRST_STEP, _("Kund")),
            ("anvandare", _("Användare")),
            ("nummer", _("Nummer")),
            ("integrationer", _("Integrationer")),
            ("leverans", _("Leverans och utbildning")),
            ("trafik", _("Trafik")),
            (DISCOUNT_STEP, _("Rabatter")),
            (SUMMARY_STEP, _("Sammanställning")),
        ],
        start=1,
    )
)
STEP_BY_SLUG = {s.slug: s for s in STEPS}


def step_for(slug: str) -> Step | None:
    return STEP_BY_SLUG.get(slug)


def neighbour(slug: str, offset: int) -> Step:
    """The step ``offset`` places from ``slug``, kept within the first and last steps."""
    index = [s.slug for s in STEPS].index(slug)
    return STEPS[max(0, min(len(STEPS) - 1, index + offset))]


# item code -> (step slug, form field name)
FIELD_OF_ITEM: dict[str, tuple[str, str]] = {
    "mobile_user": ("anvandare", "mobile_user"),
    "fixed_number": ("anvandare", "fixed_number"),
    "softphone": ("anvandare", "softphone"),
    "function_number": ("nummer", "function_number"),
    "number_series_10": ("nummer", "number_series_10"),
    "number_series_100": ("nummer", "number_series_100"),
    "number_series_1000": ("nummer", "number_series_1000"),
    "calendar": ("integrationer", "calendar"),
    "teams_status": ("integrationer", "teams_status"),
    "teams_voice": ("integrationer", "teams_voice"),
    "ad": ("integrationer", "ad"),
    "call_recording": ("integrationer", "call_recording"),
    "api_access": ("integrationer", "api_access"),
    "nps_survey": ("integrationer", "nps_survey"),
    "extra_config": ("leverans", "extra_config"),
    "training_half_day": ("leverans", "training_half_day"),
    "training_full_day": ("leverans", "training_full_day"),
    TRAVEL_COST: ("leverans", "travel_cost"),
}
FIELD_OF_ITEM.update({code: ("leverans", "delivery") for code in DELIVERY_OPTIONS})
# Implementations are added by the engine (footnote 4/8); they are changed through the
# user add-ons on the same step.
FIELD_OF_ITEM.update({impl: ("integrationer", addons[0]) for impl, addons in IMPLEMENTATIONS.items()})


def field_of(code: str, problem_code: str = "") -> tuple[str, str] | None:
    """Where ``code`` is edited. A Svarsservice package is chosen in one select; its
    agreed price (rule 7, ``price_on_request``) has a field of its own."""
    if code.startswith(ANSWERING_SERVICE_PREFIX):
        if problem_code == "price_on_request":
            return ("nummer", "answering_service_price")
        return ("nummer", "answering_service")
    return FIELD_OF_ITEM.get(code)


@dataclass(frozen=True)
class PlacedProblem:
    """A rule error or warning with the steps and fields it concerns."""

    problem: Problem
    severity: str  # "error" / "warning"
    places: tuple[tuple[str, str], ...]  # (step slug, field name)

    @property
    def message(self) -> str:
        return self.problem.message

    @property
    def steps(self) -> list[Step]:
        seen: list[Step] = []
        for slug, _field in self.places:
            step = STEP_BY_SLUG[slug]
            if step not in seen:
                seen.append(step)
        return sorted(seen, key=lambda s: s.number)


def discount_places(problem: Problem, exceeding: dict[str, list[str]] | None) -> list[tuple[str, str]]:
    """Where a discount problem of the engine is fixed: a discount larger than its line
    next to the fee's field (``exceeding``: item code -> the fees whose amount is larger
    than the line), free months next to the free months."""
    if problem.code == "free_months_exceed_term":
        return [(DISCOUNT_STEP, "free_months")]
    if problem.code in ("discount_exceeds_line", "discount_without_line"):
        places = []
        for code in problem.items:
            fees = (exceeding or {}).get(code) or ["monthly", "one_time"]
            places.extend((DISCOUNT_STEP, discount_field(code, fee)) for fee in fees)
        return places
    return []


def place_problems(errors, warnings, *, exceeding: dict[str, list[str]] | None = None) -> list[PlacedProblem]:
    placed = []
    for severity, problems in (("error", errors), ("warning", warnings)):
        for p in problems:
            places: list[tuple[str, str]] = discount_places(p, exceeding)
            if places:
                placed.append(PlacedProblem(p, severity, tuple(places)))
                continue
            for code in p.items:
                where = field_of(code, p.code)
                if where and where not in places:
                    places.append(where)
            placed.append(PlacedProblem(p, severity, tuple(places)))
    return placed


def problems_by_field(placed: list[PlacedProblem], step: str) -> dict[str, list[PlacedProblem]]:
    """The problems to show next to each field of ``step``."""
    out: dict[str, list[PlacedProblem]] = {}
    for pp in placed:
        for slug, field in pp.places:
            if slug == step:
                out.setdefault(field, []).append(pp)
    return out


def steps_with_errors(placed: list[PlacedProblem]) -> set[str]:
    return {slug for pp in placed if pp.severity == "error" for slug, _f in pp.places}


def field_is_invalid(errors, problems: list[PlacedProblem]) -> bool:
    """A field is invalid (``aria-invalid``, the error frame) while the form refuses its
    value or a rule of the price list reports an error on it."""
    return bool(errors) or any(p.severity == "error" for p in problems)


def discounts_exceeding(result, discounts: dict | None) -> dict[str, list[str]]:
    """The fees whose discount in kronor is larger than their line (item code -> fees),
    so the engine's ``discount_exceeds_line`` is shown next to that fee's field."""
    from decimal import Decimal, InvalidOperation

    lines = {line.code: line for line in result.lines}
    out: dict[str, list[str]] = {}
    for code, wanted in ((discounts or {}).get("lines") or {}).items():
        line = lines.get(code)
        if line is None or not isinstance(wanted, dict):
            continue
        for fee in ("monthly", "one_time"):
            try:
                amount = Decimal(str(wanted.get(f"{fee}_amount")))
            except (InvalidOperation, ValueError):
                continue
            if amount.is_finite() and amount > getattr(line, f"{fee}_list"):
                out.setdefault(code, []).append(fee)
    return out
