"""The Smart Connect pricing engine: one pure function, ``price(catalog, configuration)``.

What the prices are: SEK excluding VAT (moms), as in Telia's Smart Connect price list.
Amounts are ``Decimal`` end to end and exact in öre; ``to_ore`` is the one rounding
helper, used only where VAT is taken. VAT is the price list's rate.

What is left out: traffic is an *estimate*, shown apart and never added to the fixed
fees or the contract value; calls abroad (separate price list), premium-rate numbers and
charged SMS are not priced here (they are terms of the offer). Travel cost for on-site
training is whatever the seller agreed, entered as a manual line.

This module never touches the database or the request. ``configurator.selectors`` loads
a price list into the frozen ``Catalog`` below; the step form, the JSON API and the PDF
all price through ``price``. The rules follow the price list top to bottom; search for a
footnote's number ("footnote 6") to find its rule. Rule numbers are those of
``shared/spec/catalog-and-pricing.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from datetime import date
import math

from django.utils.translation import gettext as _

from .limits import CONTRACT_TERMS, DEFAULT_CONTRACT_MONTHS, MAX_QUANTITY, ORE, percent_in_range

ZERO = Decimal("0.00")

MOBILE = "mobile"
COMPANY = "company"

USERS = "mobile_user"
# Rule 2: per-user add-ons count the users that have them.
PER_USER_ADDONS = (
    "fixed_number",
    "softphone",
    "calendar",
    "teams_status",
    "teams_voice",
    "ad",
    "call_recording",
)
# Rule 3 (footnote 4; footnote 8 for call recording): implementation <- user add-ons.
IMPLEMENTATIONS = {
    "impl_calendar": ("calendar",),
    "impl_teams": ("teams_status", "teams_voice"),
    "impl_ad": ("ad",),
    "impl_call_recording": ("call_recording",),
}
API_ACCESS = "api_access"
NPS_SURVEY = "nps_survey"
NPS_TRAFFIC = ("nps_sms_domestic", "nps_sms_foreign")  # footnote 9: the survey's SMS
ANSWERING_SERVICE_PREFIX = "answering_service_"
DELIVERY_OPTIONS = ("self_config", "startup_help", "guided_delivery")
SELF_CONFIG, STARTUP_HELP, GUIDED_DELIVERY = DELIVERY_OPTIONS
EXTRA_CONFIG = "extra_config"
TRAINING_DAYS = ("training_half_day", "training_full_day")
TRAVEL_COST = "training_travel"  # manual line, not a catalog item (rule 9)
# Premium numbers excluded, 60-second intervals, calls abroad apart, internal traffic free.
CALLS_TERMS = ("calls-1", "calls-2", "calls-abroad", "traffic")

TRAFFIC_FIELDS = (
    "sms_domestic",
    "sms_foreign",
    "nps_sms_domestic",
    "nps_sms_foreign",
    "calls",
    "avg_call_seconds",
)


def to_ore(amount: Decimal) -> Decimal:
    """The one rounding helper: to whole öre, half up (as Swedish invoices round)."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def _kronor(amount: Decimal) -> str:
    """An amount in a rule message, the Swedish way: "1 990" or "0,69"."""
    text = f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",")
    return text[:-3] if text.endswith(",00") else text


# --- Input ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogItem:
    code: str
    name: str
    section: str  # user / company / delivery / traffic
    billed_to: str  # mobile / company
    one_time: Decimal | None = None
    monthly: Decimal | None = None
    usage_price: Decimal | None = None
    free_quota: int | None = None
    price_on_request: bool = False
    footnote: str | None = None
    sort_order: int = 0

    @property
    def needs_agreed_price(self) -> bool:
        """Rule 7: priced on request until an admin gives it a list price."""
        return self.price_on_request and self.monthly is None and self.one_time is None


@dataclass(frozen=True)
class Catalog:
    price_list_id: int | None
    name: str
    valid_from: date | None
    vat_rate: Decimal
    items: Mapping[str, CatalogItem]  # in the price list's order
    footnotes: Mapping[str, str] = field(default_factory=dict)
    term_titles: Mapping[str, str] = field(default_factory=dict)  # footnote ref -> heading in the offer

    def __post_init__(self) -> None:
        # Indexes built once, when the list is loaded: pricing a quote looks codes up and
        # never walks the whole catalog (a list of 5 000 items prices like one of 36).
        object.__setattr__(self, "position", {code: i for i, code in enumerate(self.items)})
        object.__setattr__(
            self, "packages", tuple(c for c in self.items if c.startswith(ANSWERING_SERVICE_PREFIX))
        )
        object.__setattr__(self, "codes_sellable", frozenset(c for c, i in self.items.items() if i.section != "traffic"))
        object.__setattr__(self, "traffic_codes", tuple(c for c, i in self.items.items() if i.section == "traffic"))

    def sellable(self) -> list[CatalogItem]:
        return [self.items[c] for c in self.items if c in self.codes_sellable]


@dataclass(frozen=True)
class ManualPrice:
    one_time: Decimal | None = None
    monthly: Decimal | None = None


@dataclass(frozen=True)
class TrafficEstimate:
    sms_domestic: int = 0
    sms_foreign: int = 0
    nps_sms_domestic: int = 0
    nps_sms_foreign: int = 0
    calls: int = 0
    avg_call_seconds: int = 0

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f) for f in TRAFFIC_FIELDS)


@dataclass(frozen=True)
class LineDiscount:
    """A negotiated discount on one line: for each fee a percentage or an amount in
    kronor (per month / once), never both (spec "Discounts")."""

    monthly_percent: Decimal | None = None
    monthly_amount: Decimal | None = None
    one_time_percent: Decimal | None = None
    one_time_amount: Decimal | None = None

    def __post_init__(self) -> None:
        for fee in ("monthly", "one_time"):
            if getattr(self, f"{fee}_percent") is not None and getattr(self, f"{fee}_amount") is not None:
                raise InvalidConfiguration(f"{fee}: a percentage or an amount, not both")
        for name in ("monthly_percent", "one_time_percent"):
            value = getattr(self, name)
            if value is not None and not percent_in_range(value):
                raise InvalidConfiguration(f"{name} must be 0-100 with at most two decimals")
        for name in ("monthly_amount", "one_time_amount"):
            value = getattr(self, name)
            if value is not None and not (value.is_finite() and value >= 0 and value == value.quantize(ORE)):
                raise InvalidConfiguration(f"{name} must be an amount >= 0 in öre")


@dataclass(frozen=True)
class Discounts:
    """What was negotiated: line discounts, a quote discount on each total (percent,
    after the line discounts) and free months on the monthly fee."""

    lines: Mapping[str, LineDiscount] = field(default_factory=dict)
    monthly_percent: Decimal = ZERO
    one_time_percent: Decimal = ZERO
    free_months: int = 0

    def __post_init__(self) -> None:
        for name in ("monthly_percent", "one_time_percent"):
            if not percent_in_range(getattr(self, name)):
                raise InvalidConfiguration(f"{name} must be 0-100 with at most two decimals")
        if isinstance(self.free_months, bool) or not isinstance(self.free_months, int) or self.free_months < 0:
            raise InvalidConfiguration("free_months must be a whole number >= 0")

    @property
    def is_empty(self) -> bool:
        return not (self.lines or self.monthly_percent or self.one_time_percent or self.free_months)


NO_DISCOUNTS = Discounts()


@dataclass(frozen=True)
class Configuration:
    items: Mapping[str, int]
    manual_prices: Mapping[str, ManualPrice] = field(default_factory=dict)
    traffic: TrafficEstimate | None = None
    contract_months: int = DEFAULT_CONTRACT_MONTHS
    on_site_training: bool = False
    travel_cost: Decimal | None = None
    discounts: Discounts = NO_DISCOUNTS

    def qty(self, code: str) -> int:
        return self.items.get(code, 0)


class InvalidConfiguration(ValueError):
    """Bad input (rule 1, unknown codes): callers validate before pricing."""


# --- Output -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A priced line. ``one_time`` and ``monthly`` are the line's NET amounts: the list
    amount (unit × quantity) less the line's discount."""

    code: str
    name: str
    section: str
    billed_to: str
    quantity: int
    one_time_unit: Decimal
    monthly_unit: Decimal
    one_time: Decimal
    monthly: Decimal
    monthly_quantity: int  # how many units the monthly fee counts (API Access: all users)
    auto_added: bool = False
    reason: str | None = None
    footnote: str | None = None
    manual: bool = False  # an agreed price entered by the seller
    one_time_list: Decimal = ZERO
    monthly_list: Decimal = ZERO
    one_time_discount: Decimal = ZERO
    monthly_discount: Decimal = ZERO

    @property
    def discounted(self) -> bool:
        return bool(self.one_time_discount or self.monthly_discount)


@dataclass(frozen=True)
class TrafficLine:
    code: str
    name: str
    quantity: int
    billable_quantity: int
    unit_price: Decimal
    amount: Decimal
    footnote: str | None = None


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Totals:
    """``one_time``, ``monthly`` (and its split) and ``contract_value`` are net of every
    discount; the ``*_list`` figures are the price list's. VAT is on the net amounts."""

    one_time: Decimal
    monthly: Decimal
    monthly_mobile: Decimal
    monthly_company: Decimal
    traffic_monthly: Decimal
    vat_rate: Decimal
    one_time_vat: Decimal
    monthly_vat: Decimal
    one_time_incl_vat: Decimal
    monthly_incl_vat: Decimal
    contract_months: int
    contract_value: Decimal
    one_time_list: Decimal = ZERO
    monthly_list: Decimal = ZERO
    contract_value_list: Decimal = ZERO
    one_time_line_discount: Decimal = ZERO  # the lines' discounts, summed
    monthly_line_discount: Decimal = ZERO
    one_time_quote_discount: Decimal = ZERO  # the quote discount, after the line discounts
    monthly_quote_discount: Decimal = ZERO
    free_months: int = 0
    discount_total: Decimal = ZERO  # over the contract
    discount_share: Decimal = Decimal("0.0000")  # of the list contract value, 0–1

    @property
    def has_discount(self) -> bool:
        return bool(self.discount_total)

    @property
    def one_time_discount(self) -> Decimal:
        return self.one_time_line_discount + self.one_time_quote_discount

    @property
    def monthly_discount(self) -> Decimal:
        return self.monthly_line_discount + self.monthly_quote_discount


@dataclass(frozen=True)
class PriceResult:
    catalog: Catalog
    lines: tuple[Line, ...]
    traffic: tuple[TrafficLine, ...]
    totals: Totals
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    terms: tuple[str, ...]  # footnote refs that apply to this quote, in the list's order

    @property
    def valid(self) -> bool:
        return not self.errors

    def problems_for(self, code: str) -> list[Problem]:
        return [p for p in (*self.errors, *self.warnings) if code in p.items]


# --- The engine -------------------------------------------------------------------------


def price(catalog: Catalog, config: Configuration) -> PriceResult:
    """Price ``config`` with ``catalog``. Rule errors never stop the totals."""
    return _Pricing(catalog, config).run()


class _Pricing:
    def __init__(self, catalog: Catalog, config: Configuration) -> None:
        self.catalog = catalog
        self.config = config
        self.lines: dict[str, Line] = {}
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.extra_terms: list[str] = []
        self._check_input()
        self.users = config.qty(USERS)

    def run(self) -> PriceResult:
        self.user_services()
        self.company_services()
        self.delivery_and_training()
        self.line_discounts()
        traffic = self.traffic()
        lines = self.ordered_lines()
        return PriceResult(
            catalog=self.catalog,
            lines=lines,
            traffic=traffic,
            totals=self.totals(lines, traffic),
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
            terms=self.terms(lines, traffic),
        )

    # Rule 1: whole numbers from 0 to 100 000, known codes only.
    def _check_input(self) -> None:
        for code, qty in self.config.items.items():
            item = self.catalog.items.get(code)
            if item is None or item.section == "traffic":
                raise InvalidConfiguration(f"unknown item {code!r}")
            if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= MAX_QUANTITY:
                raise InvalidConfiguration(f"bad quantity for {code!r}: {qty!r}")
        if self.config.contract_months not in CONTRACT_TERMS:
            raise InvalidConfiguration(f"contract_months must be one of {CONTRACT_TERMS}")

    # -- helpers --

    def item(self, code: str) -> CatalogItem | None:
        return self.catalog.items.get(code)

    def name(self, code: str) -> str:
        item = self.item(code)
        return item.name if item else code

    def add(
        self,
        code: str,
        quantity: int,
        *,
        monthly_quantity: int | None = None,
        auto_added: bool = False,
        reason: str | None = None,
    ) -> None:
        item = self.catalog.items[code]
        one_time_unit = item.one_time or ZERO
        monthly_unit = item.monthly or ZERO
        manual = False
        agreed = self.config.manual_prices.get(code)
        if item.needs_agreed_price:
            if agreed and (agreed.monthly is not None or agreed.one_time is not None):
                one_time_unit = agreed.one_time or ZERO
                monthly_unit = agreed.monthly or ZERO
                manual = True
            else:
                self.error(
                    "price_on_request",
                    _("%(name)s har pris på förfrågan — ange det överenskomna månadspriset.")
                    % {"name": item.name},
                    code,
                )
        elif agreed is not None:
            self.warn(
                "manual_price_ignored",
                _("%(name)s har ett listpris; det angivna priset används inte.") % {"name": item.name},
                code,
            )
        monthly_quantity = quantity if monthly_quantity is None else monthly_quantity
        one_time = one_time_unit * quantity
        monthly = monthly_unit * monthly_quantity
        self.lines[code] = Line(
            code=code,
            name=item.name,
            section=item.section,
            billed_to=item.billed_to,
            quantity=quantity,
            one_time_unit=one_time_unit,
            monthly_unit=monthly_unit,
            one_time=one_time,
            monthly=monthly,
            monthly_quantity=monthly_quantity,
            auto_added=auto_added,
            reason=reason,
            footnote=item.footnote,
            manual=manual,
            one_time_list=one_time,
            monthly_list=monthly,
        )

    def add_as_asked(self, code: str) -> None:
        qty = self.config.qty(code)
        if qty:
            self.add(code, qty)

    def at_most_one(self, code: str) -> int:
        """Implementations, API Access, NPS, delivery and packages are 0 or 1."""
        qty = self.config.qty(code)
        if qty > 1:
            self.error(
                "at_most_one",
                _("%(name)s kan bara väljas en gång.") % {"name": self.name(code)},
                code,
            )
            return 1
        return qty

    def error(self, code: str, message: str, *items: str) -> None:
        self.errors.append(Problem(code, message, tuple(items)))

    def warn(self, code: str, message: str, *items: str) -> None:
        self.warnings.append(Problem(code, message, tuple(items)))

    # -- Användartjänster -------------------------------------------------------------

    def user_services(self) -> None:
        """Per-user services; footnote 3: billed as add-ons on the mobile subscriptions."""
        self.add_as_asked(USERS)
        # Rule 2: each add-on counts users that have it, at most U.
        for code in PER_USER_ADDONS:
            qty = self.config.qty(code)
            if qty > self.users:
                self.error(
                    "exceeds_users",
                    _(
                        "%(name)s: %(qty)s användare, men offerten har bara %(users)s "
                        "användare — minska antalet eller öka antalet användare."
                    )
                    % {"name": self.name(code), "qty": qty, "users": self.users},
                    code,
                    USERS,
                )
            self.add_as_asked(code)

    # -- Företagstjänster -------------------------------------------------------------

    def company_services(self) -> None:
        # Footnote 5: function numbers (menu choices or queues), 99 each a month.
        self.add_as_asked("function_number")
        for code in ("number_series_10", "number_series_100", "number_series_1000"):
            self.add_as_asked(code)
        self.answering_service()
        self.integration_implementations()
        self.api_access()
        self.nps_survey()

    def answering_service(self) -> None:
        """Footnote 6 (rule 7): Telia Svarsservice needs Vägledd leverans; one package."""
        packages = [code for code in self.catalog.packages if self.config.qty(code)]
        if len(packages) > 1:
            self.error(
                "multiple_answering_service",
                _("Välj ett paket av Telia Svarsservice, inte flera."),
                *packages,
            )
        for code in packages:
            self.add(code, self.at_most_one(code))
        if packages and not self.config.qty(GUIDED_DELIVERY):
            self.error(
                "requires_guided_delivery",
                _(
                    "Telia Svarsservice kräver Vägledd leverans — välj Vägledd leverans "
                    "i steget Leverans och utbildning."
                ),
                *packages,
                GUIDED_DELIVERY,
            )

    def integration_implementations(self) -> None:
        """Footnote 4 (and 8 for call recording), rule 3: a company-level implementation
        goes with user-level add-ons. The engine adds it once when any user has one; an
        implementation without users is an error."""
        for impl, addons in IMPLEMENTATIONS.items():
            if impl not in self.catalog.items:
                continue
            asked = self.at_most_one(impl)
            users_with = [a for a in addons if self.config.qty(a)]
            if users_with:
                if asked:
                    self.add(impl, 1)
                else:
                    # Said to the customer; the line's footnote (4, or 8 for call
                    # recording) is cited by the offer as a numbered term.
                    self.add(
                        impl,
                        1,
                        auto_added=True,
                        reason=_(
                            "Ingår eftersom %(addons)s kräver implementering på företagsnivå."
                        )
                        % {"addons": _(" och ").join(self.name(a) for a in users_with)},
                    )
            elif asked:
                self.add(impl, asked)
                self.error(
                    "implementation_without_users",
                    _(
                        "%(impl)s kräver att minst en användare har %(addons)s — lägg till "
                        "tjänsten för användarna eller ta bort implementeringen."
                    )
                    % {
                        "impl": self.name(impl),
                        "addons": _(" eller ").join(self.name(a) for a in addons),
                    },
                    impl,
                    *addons,
                )

    def api_access(self) -> None:
        """Footnote 7 (rule 4): API Access always covers all users, billed to the company,
        one-time fee once plus the monthly fee per user."""
        if not self.at_most_one(API_ACCESS):
            return
        self.add(API_ACCESS, 1, monthly_quantity=self.users)
        if not self.users:
            self.error(
                "implementation_without_users",
                _("API Access omfattar alla användare — lägg till användare först."),
                API_ACCESS,
                USERS,
            )

    def nps_survey(self) -> None:
        """Footnote 9 (rule 5): NPS Enkät once; unlimited surveys, its SMS are traffic."""
        if self.at_most_one(NPS_SURVEY):
            self.add(NPS_SURVEY, 1)

    # -- Leverans- och utbildningstjänster ------------------------------------------

    def delivery_and_training(self) -> None:
        self.delivery()
        self.extra_config()
        self.training()

    def delivery(self) -> None:
        """Rule 6: exactly one delivery option; none given means Egen konfiguration."""
        chosen = [c for c in DELIVERY_OPTIONS if self.config.qty(c)]
        if not chosen and SELF_CONFIG in self.catalog.items:
            self.add(
                SELF_CONFIG,
                1,
                auto_added=True,
                reason=_("Ingen leverans vald: egen konfiguration med digitala guider."),
            )
        if len(chosen) > 1:
            self.error(
                "multiple_delivery",
                _("Välj ett leveranssätt, inte flera."),
                *chosen,
            )
        for code in chosen:
            self.add(code, self.at_most_one(code))

    def extra_config(self) -> None:
        """Footnote 1 (rule 8): Uppstartshjälp covers up to 90 minutes of configuration;
        further configuration is 899 SEK per case and belongs to Uppstartshjälp."""
        if not self.config.qty(EXTRA_CONFIG):
            return
        self.add_as_asked(EXTRA_CONFIG)
        if not self.config.qty(STARTUP_HELP):
            self.error(
                "requires_startup_help",
                _(
                    "Ytterligare konfiguration hör till Uppstartshjälp med tekniker — välj "
                    "Uppstartshjälp i steget Leverans och utbildning eller ta bort ärendena."
                ),
                EXTRA_CONFIG,
                STARTUP_HELP,
            )

    def training(self) -> None:
        """Footnote 2 (rule 9): training is remote via Teams (3 h half day, 6 h full day).
        On site, travel time and travel costs are added: the offer carries the term and
        the seller enters the agreed travel cost as a manual one-time line."""
        days = 0
        for code in TRAINING_DAYS:
            days += self.config.qty(code)
            self.add_as_asked(code)
        if not self.config.on_site_training:
            return
        self.extra_terms.append("2")
        if not days:
            self.warn(
                "on_site_without_training",
                _("Utbildning på plats är vald men ingen utbildningsdag — lägg till halvdag eller heldag."),
                *TRAINING_DAYS,
            )
        cost = self.config.travel_cost
        if cost is None:
            self.warn(
                "travel_cost_missing",
                _("Utbildning på plats: ange överenskommen resekostnad (restid och resor tillkommer)."),
                TRAVEL_COST,
            )
            return
        self.lines[TRAVEL_COST] = Line(
            code=TRAVEL_COST,
            name=_("Resekostnad, utbildning på plats (överenskommen)"),
            section="delivery",
            billed_to=COMPANY,
            quantity=1,
            one_time_unit=cost,
            monthly_unit=ZERO,
            one_time=cost,
            monthly=ZERO,
            monthly_quantity=0,
            footnote="2",
            manual=True,
            one_time_list=cost,
        )

    # -- Rabatter (negotiated discounts; spec "Discounts") ---------------------------

    def line_discounts(self) -> None:
        """A line's discount: a percentage of its amount or an amount in kronor, per fee,
        rounded to öre (half up); never more than the line (the net never below 0).
        Automatically added implementations are discounted like any line."""
        for code, wanted in self.config.discounts.lines.items():
            line = self.lines.get(code)
            if line is None:
                # Kept, not lost: the item may come back in the step form.
                self.warn(
                    "discount_without_line",
                    _("Rabatten på %(name)s används inte: artikeln finns inte i offerten.")
                    % {"name": self.name(code)},
                    code,
                )
                continue
            one_time_discount = self._discount(line, "one_time", wanted.one_time_percent, wanted.one_time_amount)
            monthly_discount = self._discount(line, "monthly", wanted.monthly_percent, wanted.monthly_amount)
            self.lines[code] = replace(
                line,
                one_time=line.one_time_list - one_time_discount,
                monthly=line.monthly_list - monthly_discount,
                one_time_discount=one_time_discount,
                monthly_discount=monthly_discount,
            )

    def _discount(self, line: Line, fee: str, percent: Decimal | None, amount: Decimal | None) -> Decimal:
        listed = getattr(line, f"{fee}_list")
        if percent is not None:
            return to_ore(listed * percent / 100)
        if amount is None:
            return ZERO
        if amount > listed:
            self.error(
                "discount_exceeds_line",
                (
                    _("Rabatten på %(name)s (%(amount)s kr i månaden) är större än raden (%(line)s kr).")
                    if fee == "monthly"
                    else _("Rabatten på %(name)s (%(amount)s kr engångs) är större än raden (%(line)s kr).")
                )
                % {"name": line.name, "amount": _kronor(amount), "line": _kronor(listed)},
                line.code,
            )
            return listed
        return amount

    def free_months(self) -> int:
        """N months without the monthly fee: 0 ≤ N < the contract term."""
        n = self.config.discounts.free_months
        months = self.config.contract_months
        if n >= months:
            self.error(
                "free_months_exceed_term",
                _("%(n)s fria månader går inte med %(months)s månaders avtalstid — högst %(most)s.")
                % {"n": n, "months": months, "most": months - 1},
            )
            return months - 1
        return n

    # -- Trafik (an estimate, apart) ------------------------------------------------

    def traffic(self) -> tuple[TrafficLine, ...]:
        t = self.config.traffic
        if t is None or t.is_empty:
            return ()
        lines = []

        def usage(code: str, quantity: int, billable: int) -> None:
            item = self.item(code)
            if item is None or not quantity:
                return
            unit = item.usage_price or ZERO
            lines.append(
                TrafficLine(code, item.name, quantity, billable, unit, unit * billable, item.footnote)
            )

        # SMS center: the first 500 domestic SMS a month are free (its free quota).
        sms = self.item("sms_domestic")
        free = (sms.free_quota or 0) if sms else 0
        usage("sms_domestic", t.sms_domestic, max(0, t.sms_domestic - free))
        usage("sms_foreign", t.sms_foreign, t.sms_foreign)
        # Footnote 9: NPS survey SMS are charged from the first one.
        usage("nps_sms_domestic", t.nps_sms_domestic, t.nps_sms_domestic)
        usage("nps_sms_foreign", t.nps_sms_foreign, t.nps_sms_foreign)
        if (t.nps_sms_domestic or t.nps_sms_foreign) and not self.config.qty(NPS_SURVEY):
            self.warn(
                "nps_traffic_without_survey",
                _("Trafikuppskattningen har NPS-sms men offerten saknar NPS Enkät."),
                NPS_SURVEY,
            )
        # Calls: an opening fee per call, and the minute rate per started 60-second
        # interval (calls footnote 2).
        usage("call_opening", t.calls, t.calls)
        intervals = t.calls * math.ceil(t.avg_call_seconds / 60)
        usage("call_minute", intervals, intervals)
        return tuple(lines)

    # -- Totals and terms -----------------------------------------------------------

    def ordered_lines(self) -> tuple[Line, ...]:
        order = self.catalog.position
        after_training = order.get(TRAINING_DAYS[-1], len(order)) + 0.5
        return tuple(
            sorted(self.lines.values(), key=lambda l: order.get(l.code, after_training))
        )

    def totals(self, lines: tuple[Line, ...], traffic: tuple[TrafficLine, ...]) -> Totals:
        """Totals after the line discounts, then the quote discount (a percentage of each
        total, rounded to öre; on the monthly total split in proportion between the
        mobile subscriptions and the company, the rounding öre going to the company),
        then free months on the contract value. VAT is taken on the net amounts."""
        discounts = self.config.discounts
        one_time_list = to_ore(sum((l.one_time_list for l in lines), ZERO))
        monthly_list = to_ore(sum((l.monthly_list for l in lines), ZERO))
        one_time_lines = to_ore(sum((l.one_time for l in lines), ZERO))
        mobile_lines = to_ore(sum((l.monthly for l in lines if l.billed_to == MOBILE), ZERO))
        company_lines = to_ore(sum((l.monthly for l in lines if l.billed_to != MOBILE), ZERO))
        monthly_lines = mobile_lines + company_lines

        one_time_quote_discount = to_ore(one_time_lines * discounts.one_time_percent / 100)
        monthly_quote_discount = to_ore(monthly_lines * discounts.monthly_percent / 100)
        mobile_quote_discount = (
            to_ore(monthly_quote_discount * mobile_lines / monthly_lines) if monthly_lines else ZERO
        )
        one_time = one_time_lines - one_time_quote_discount
        monthly_mobile = mobile_lines - mobile_quote_discount
        monthly_company = company_lines - (monthly_quote_discount - mobile_quote_discount)
        monthly = monthly_mobile + monthly_company

        rate = self.catalog.vat_rate
        one_time_vat = to_ore(one_time * rate)
        monthly_vat = to_ore(monthly * rate)
        months = self.config.contract_months
        free = self.free_months()
        contract_value = one_time + monthly * (months - free)
        contract_value_list = one_time_list + monthly_list * months
        discount_total = contract_value_list - contract_value
        share = discount_total / contract_value_list if contract_value_list else ZERO
        return Totals(
            one_time=one_time,
            monthly=monthly,
            monthly_mobile=monthly_mobile,
            monthly_company=monthly_company,
            traffic_monthly=to_ore(sum((t.amount for t in traffic), ZERO)),
            vat_rate=rate,
            one_time_vat=one_time_vat,
            monthly_vat=monthly_vat,
            one_time_incl_vat=one_time + one_time_vat,
            monthly_incl_vat=monthly + monthly_vat,
            contract_months=months,
            contract_value=contract_value,
            one_time_list=one_time_list,
            monthly_list=monthly_list,
            contract_value_list=contract_value_list,
            one_time_line_discount=one_time_list - one_time_lines,
            monthly_line_discount=monthly_list - monthly_lines,
            one_time_quote_discount=one_time_quote_discount,
            monthly_quote_discount=monthly_quote_discount,
            free_months=free,
            discount_total=discount_total,
            discount_share=share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        )

    def terms(self, lines: tuple[Line, ...], traffic: tuple[TrafficLine, ...]) -> tuple[str, ...]:
        """The footnotes that apply: those of the quote's items (rule 10: call recording
        carries footnote 8), on-site training (rule 9), and the call terms, which apply
        to every Smart Connect solution."""
        wanted = {l.footnote for l in lines if l.footnote}
        wanted |= {t.footnote for t in traffic if t.footnote}
        wanted |= set(self.extra_terms) | set(CALLS_TERMS)
        return tuple(ref for ref in self.catalog.footnotes if ref in wanted)
