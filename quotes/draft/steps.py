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


def place_problems(errors, warnings) -> list[PlacedProblem]:
    placed = []
    for severity, problems in (("error", errors), ("warning", warnings)):
        for p in problems:
            places: list[tuple[str, str]] = []
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
