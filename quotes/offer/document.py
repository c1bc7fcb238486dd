"""The one presentation model of an offer: sections, lines, subtotals, totals, VAT,
contract value, traffic, terms and the references lines make to them, and the
commercial terms (supplier, payment, renewal, general terms: ``quotes.offer.terms``).

Every screen and the PDF render an ``OfferDocument``: the summary step and a draft's page
(live prices), the signed quote's page, the customer's page, the e-mail and the PDF
(the frozen snapshot). Both ways in go through the snapshot schema
(``quotes.offer.snapshot``): a draft is described with ``snapshot_build`` from its live
pricing, a signed quote has it stored, and ``document_read`` turns either into the
document. Grouping, numbering and references are written here once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from configurator.pricing import NPS_SURVEY, NPS_TRAFFIC, PriceResult, Totals, TrafficLine

from ..pricing import quote_pricing
from ..choices import Choice, signed_choice_pricing
from .snapshot import DISCOUNT_TOTALS_FIELDS, TOTALS_FIELDS, snapshot_build, snapshot_check, snapshot_for_choice
from .changes import RevisionChanges, revision_changes
from .terms import COMMERCIAL_FIELDS, terms_snapshot

USER, COMPANY, DELIVERY = "user", "company", "delivery"
SECTION_ORDER = (USER, COMPANY, DELIVERY)
SECTION_TITLES = {
    USER: (
        N_("Användartjänster"),
        N_("Per användare och månad – faktureras som tillägg på mobilabonnemangen"),
    ),
    COMPANY: (N_("Företagstjänster"), N_("Faktureras företaget")),
    DELIVERY: (N_("Leverans och utbildning"), N_("Engångsavgifter – faktureras företaget")),
}
TARIFF_UNITS = {
    "sms_domestic": N_("per sms"),
    "sms_foreign": N_("per sms"),
    "nps_sms_domestic": N_("per sms"),
    "nps_sms_foreign": N_("per sms"),
    "call_opening": N_("per samtal"),
    "call_minute": N_("per påbörjad 60-sekundersperiod"),
}


def _d(value) -> Decimal:
    return Decimal(value) if value not in (None, "") else Decimal("0.00")


def _percent(value) -> Decimal | None:
    """A negotiated percentage as the offer writes it: "10 %", "12,5 %"."""
    if value in (None, ""):
        return None
    return Decimal(str(value)).normalize()


@dataclass(frozen=True)
class DocLine:
    code: str
    name: str
    quantity: int
    monthly_quantity: int
    one_time_unit: Decimal
    monthly_unit: Decimal
    one_time: Decimal
    monthly: Decimal
    billed_to: str
    auto_added: bool
    reason: str | None
    manual: bool
    term_number: int | None  # the number of the term (footnote) in this offer's terms
    one_time_list: Decimal = Decimal("0.00")
    monthly_list: Decimal = Decimal("0.00")
    one_time_discount: Decimal = Decimal("0.00")
    monthly_discount: Decimal = Decimal("0.00")
    one_time_discount_percent: Decimal | None = None  # as negotiated, when a percentage
    monthly_discount_percent: Decimal | None = None
    option: bool = False  # an option ("Tillval") the choice shown has ticked

    @property
    def discounted(self) -> bool:
        return bool(self.one_time_discount or self.monthly_discount)

    @property
    def per_user_monthly(self) -> bool:
        """API Access: the monthly fee counts every user, not the line's quantity."""
        return self.monthly_unit > 0 and self.monthly_quantity != self.quantity


@dataclass(frozen=True)
class DocSection:
    key: str
    title: str
    subtitle: str
    lines: tuple[DocLine, ...]
    one_time: Decimal
    monthly: Decimal

    @property
    def per_user(self) -> bool:
        """The users' section: its lines are priced per user."""
        return self.key == USER

    @property
    def has_one_time(self) -> bool:
        return self.key == DELIVERY or any(l.one_time_unit or l.one_time for l in self.lines)

    @property
    def has_monthly(self) -> bool:
        return any(l.monthly_unit or l.monthly for l in self.lines)


@dataclass(frozen=True)
class DocTrafficLine(TrafficLine):
    unit: str = ""
    term_number: int | None = None

    @property
    def free(self) -> int:
        return self.quantity - self.billable_quantity


@dataclass(frozen=True)
class DocTariff:
    code: str
    name: str
    unit_price: Decimal | None
    unit: str
    free_quota: int | None


@dataclass(frozen=True)
class DocTerm:
    number: int
    ref: str
    title: str
    text: str


@dataclass(frozen=True)
class DocCommercialTerms:
    """The terms of the deal from the admin's *Offertvillkor*, as the snapshot keeps them."""

    payment_terms: str
    invoicing_period: str
    contract_start: str
    renewal: str
    notice_period: str
    delivery_time: str
    general_terms_name: str
    general_terms_url: str


def _commercial(data: dict[str, Any] | None) -> DocCommercialTerms | None:
    """None for a snapshot signed before the terms were kept (it never shows today's)."""
    if not data:
        return None
    general = data.get("general_terms") or {}
    return DocCommercialTerms(
        **{name: data.get(name, "") for name in COMMERCIAL_FIELDS},
        general_terms_name=general.get("name", ""),
        general_terms_url=general.get("url", ""),
    )


@dataclass(frozen=True)
class DocTotals(Totals):
    monthly_quote_percent: Decimal = Decimal("0")
    one_time_quote_percent: Decimal = Decimal("0")

    @property
    def vat_percent(self) -> Decimal:
        return (self.vat_rate * 100).normalize()

    @property
    def discount_percent(self) -> Decimal:
        """The total discount as a share of the list contract value, in percent (one decimal)."""
        return (self.discount_share * 100).quantize(Decimal("0.1"))

    @property
    def months_charged(self) -> int:
        return self.contract_months - self.free_months


@dataclass(frozen=True)
class DocAlternative:
    index: int
    name: str
    one_time: Decimal
    monthly: Decimal
    contract_value: Decimal
    shown: bool  # the alternative the lines and totals of the document are


@dataclass(frozen=True)
class DocOptionPrice:
    alternative: str  # its name, "" when the offer has no alternatives
    one_time: Decimal
    monthly: Decimal
    contract_value: Decimal
    adds: tuple[str, ...]  # lines the engine brings along (an implementation)


@dataclass(frozen=True)
class DocOption:
    code: str
    name: str
    quantity: int
    ticked: bool
    prices: tuple[DocOptionPrice, ...]

    @property
    def same_price(self) -> bool:
        """The option costs the same whichever alternative is chosen."""
        first = self.prices[0]
        return all(
            (p.one_time, p.monthly, p.adds) == (first.one_time, first.monthly, first.adds) for p in self.prices
        )

    @property
    def price(self) -> DocOptionPrice:
        return self.prices[0]


@dataclass(frozen=True)
class DocComparisonRow:
    name: str
    quantities: tuple[int | None, ...]  # per alternative; None: not in it


@dataclass(frozen=True)
class DocChoices:
    """What the customer chooses between: the alternatives (their totals, what each
    contains) and the options ("Tillval") with what each adds."""

    alternatives: tuple[DocAlternative, ...]
    options: tuple[DocOption, ...]
    rows: tuple[DocComparisonRow, ...]
    discounted: bool = False  # the quote's discounts apply to whichever choice is made

    @property
    def shown_alternative(self) -> DocAlternative | None:
        return next((a for a in self.alternatives if a.shown), None)

    @property
    def ticked(self) -> tuple[DocOption, ...]:
        return tuple(o for o in self.options if o.ticked)


def choices_read(choices: dict[str, Any] | None, *, discounts: dict[str, Any] | None = None) -> DocChoices | None:
    """The ``choices`` of a snapshot (absent on an offer without them, and on every
    snapshot written before they existed)."""
    if not choices:
        return None
    shown = choices.get("shown") or {}
    alternatives = tuple(
        DocAlternative(
            index=i,
            name=a["name"],
            one_time=_d(a["totals"]["one_time"]),
            monthly=_d(a["totals"]["monthly"]),
            contract_value=_d(a["totals"]["contract_value"]),
            shown=shown.get("alternative") == i,
        )
        for i, a in enumerate(choices.get("alternatives", []))
    )
    names = [a.name for a in alternatives] or [""]
    ticked = set(shown.get("options") or [])
    options = tuple(
        DocOption(
            code=o["code"],
            name=o["name"],
            quantity=int(o["quantity"]),
            ticked=o["code"] in ticked,
            prices=tuple(
                DocOptionPrice(
                    alternative=names[i] if i < len(names) else "",
                    one_time=_d(p["one_time"]),
                    monthly=_d(p["monthly"]),
                    contract_value=_d(p["contract_value"]),
                    adds=tuple(p.get("adds") or ()),
                )
                for i, p in enumerate(o["prices"])
            ),
        )
        for o in choices.get("options", [])
    )
    # What each alternative contains, in the price list's order (the frozen catalog's).
    order = {item["code"]: i for i, item in enumerate((choices.get("catalog") or {}).get("items", []))}
    contents: dict[str, dict[int, int]] = {}
    line_names: dict[str, str] = {}
    for i, a in enumerate(choices.get("alternatives", [])):
        for line in a.get("lines", []):
            contents.setdefault(line["code"], {})[i] = int(line["quantity"])
            line_names[line["code"]] = line["name"]
    rows = tuple(
        DocComparisonRow(
            name=line_names[code],
            quantities=tuple(contents[code].get(i) for i in range(len(alternatives))),
        )
        for code in sorted(contents, key=lambda c: order.get(c, len(order)))
    )
    discounted = any(v not in (None, "", "0", 0, {}) and str(v) not in ("0.00", "0.0") for v in (discounts or {}).values())
    return DocChoices(alternatives=alternatives, options=options, rows=rows, discounted=discounted)


@dataclass(frozen=True)
class OfferDocument:
    number: str
    revision: str
    signed_at: datetime | None  # None: a draft, priced live
    valid_until: date | None
    validity_days: int
    price_list_name: str
    price_list_valid_from: str | None
    customer: dict[str, str]
    seller: dict[str, Any]
    contract_months: int
    customer_note: str
    sections: tuple[DocSection, ...]
    traffic: tuple[DocTrafficLine, ...]
    tariffs: tuple[DocTariff, ...]
    terms: tuple[DocTerm, ...]
    totals: DocTotals
    # Revision B or later: what changed since the previous revision (quotes.offer.changes).
    changes: RevisionChanges | None = None
    commercial: DocCommercialTerms | None = None
    choices: DocChoices | None = None  # alternatives and options the customer chooses

    @property
    def is_draft(self) -> bool:
        return self.signed_at is None

    @property
    def reference(self) -> str:
        return f"{self.number} {self.revision}" if self.number else ""

    @property
    def company(self) -> dict[str, str]:
        return self.seller.get("company", {})

    @property
    def lines(self) -> tuple[DocLine, ...]:
        return tuple(l for s in self.sections for l in s.lines)

    @property
    def auto_added(self) -> tuple[DocLine, ...]:
        return tuple(l for l in self.lines if l.auto_added)


def document_read(snapshot: dict[str, Any], *, quote) -> OfferDocument:
    """The document a snapshot (schema 2) describes; ``quote`` gives its number,
    revision and validity."""
    snap = snapshot_check(snapshot)
    terms = tuple(
        DocTerm(number=i, ref=t["ref"], title=t.get("title", ""), text=t["text"])
        for i, t in enumerate(snap["terms"], start=1)
    )
    term_number = {t.ref: t.number for t in terms}
    by_section: dict[str, list[DocLine]] = {key: [] for key in SECTION_ORDER}
    negotiated = snap.get("discounts") or {}
    line_percents = negotiated.get("lines") or {}
    ticked = set(((snap.get("choices") or {}).get("shown") or {}).get("options") or ())
    for l in snap["lines"]:
        percents = line_percents.get(l["code"]) or {}
        by_section[l["section"]].append(
            DocLine(
                code=l["code"],
                name=l["name"],
                quantity=int(l["quantity"]),
                monthly_quantity=int(l["monthly_quantity"]),
                one_time_unit=_d(l["one_time_unit"]),
                monthly_unit=_d(l["monthly_unit"]),
                one_time=_d(l["one_time"]),
                monthly=_d(l["monthly"]),
                billed_to=l["billed_to"],
                auto_added=bool(l["auto_added"]),
                reason=l["reason"],
                manual=bool(l["manual"]),
                term_number=term_number.get(l["footnote"]),
                option=l["code"] in ticked,
                # A snapshot from before discounts: the list amount is the amount.
                one_time_list=_d(l.get("one_time_list", l["one_time"])),
                monthly_list=_d(l.get("monthly_list", l["monthly"])),
                one_time_discount=_d(l.get("one_time_discount")),
                monthly_discount=_d(l.get("monthly_discount")),
                one_time_discount_percent=_percent(percents.get("one_time_percent")),
                monthly_discount_percent=_percent(percents.get("monthly_percent")),
            )
        )
    sections = tuple(
        DocSection(
            key=key,
            title=_(SECTION_TITLES[key][0]),
            subtitle=_(SECTION_TITLES[key][1]),
            lines=tuple(lines),
            one_time=sum((l.one_time for l in lines), Decimal("0.00")),
            monthly=sum((l.monthly for l in lines), Decimal("0.00")),
        )
        for key, lines in by_section.items()
        if lines
    )
    traffic = tuple(
        DocTrafficLine(
            code=tl["code"],
            name=tl["name"],
            quantity=int(tl["quantity"]),
            billable_quantity=int(tl["billable_quantity"]),
            unit_price=_d(tl["unit_price"]),
            amount=_d(tl["amount"]),
            footnote=tl["footnote"],
            unit=_(TARIFF_UNITS[tl["code"]]) if tl["code"] in TARIFF_UNITS else "",
            term_number=term_number.get(tl["footnote"]),
        )
        for tl in snap["traffic"]
    )
    # The annex lists the tariffs that apply to this offer: NPS survey SMS only with
    # the NPS survey (footnote 9).
    codes = {l["code"] for l in snap["lines"]}
    tariffs = tuple(
        DocTariff(
            code=tf["code"],
            name=tf["name"],
            unit_price=_d(tf["unit_price"]) if tf.get("unit_price") is not None else None,
            unit=_(TARIFF_UNITS.get(tf["code"], N_("per st"))),
            free_quota=tf.get("free_quota"),
        )
        for tf in snap["tariffs"]
        if tf["code"] not in NPS_TRAFFIC or NPS_SURVEY in codes
    )
    t = snap["totals"]
    # A snapshot from before discounts: list figures are the net ones, no discount.
    without_discounts = {
        "one_time_list": t["one_time"],
        "monthly_list": t["monthly"],
        "contract_value_list": t["contract_value"],
        "free_months": 0,
        "discount_share": "0.0000",
    }
    discount_totals = {name: t.get(name, without_discounts.get(name)) for name in DISCOUNT_TOTALS_FIELDS}
    totals = DocTotals(
        **{name: _d(t[name]) for name in TOTALS_FIELDS if name != "contract_months"},
        **{name: _d(v) for name, v in discount_totals.items() if name != "free_months"},
        free_months=int(discount_totals["free_months"] or 0),
        vat_rate=_d(t["vat_rate"]),
        contract_months=int(t["contract_months"]),
        monthly_quote_percent=_d(negotiated.get("monthly_percent")),
        one_time_quote_percent=_d(negotiated.get("one_time_percent")),
    )
    price_list = snap["price_list"]
    return OfferDocument(
        number=quote.number,
        revision=quote.revision,
        signed_at=datetime.fromisoformat(snap["signed_at"]) if snap["signed_at"] else None,
        valid_until=quote.valid_until,
        validity_days=quote.validity_days,
        price_list_name=price_list["name"],
        price_list_valid_from=price_list["valid_from"],
        customer=snap["customer"],
        seller=snap["seller"],
        contract_months=int(snap["contract_months"]),
        customer_note=snap["customer_note"],
        sections=sections,
        traffic=traffic,
        tariffs=tariffs,
        terms=terms,
        totals=totals,
        commercial=_commercial(snap.get("commercial")),
        choices=choices_read(snap.get("choices"), discounts=snap.get("discounts")),
    )


def offer_document(quote, *, result: PriceResult | None = None) -> OfferDocument:
    """The offer ``quote`` makes: the configuration the customer accepted (frozen when
    they did), a signed quote's frozen snapshot (never the live catalog), or a draft
    priced now (``result`` when the caller has priced it already, e.g. with unsaved
    values during a live recalculation)."""
    if quote.accepted_pricing:
        document = document_read(quote.accepted_pricing, quote=quote)
    elif quote.snapshot:
        document = document_read(quote.snapshot, quote=quote)
    else:
        if result is None:
            result = quote_pricing(quote)
        snapshot = snapshot_build(quote=quote, result=result, terms=terms_snapshot())  # today's terms
        document = document_read(snapshot, quote=quote)
    return _with_changes(document, quote)


def _with_changes(document: OfferDocument, quote) -> OfferDocument:
    """``document`` with what changed since the quote's previous revision, read from that
    revision's frozen snapshot (a revision is made from a signed one only)."""
    previous = quote.previous if getattr(quote, "previous_id", None) else None
    if previous is None or not previous.snapshot:
        return document
    changes = revision_changes(document_read(previous.snapshot, quote=previous), document)
    return replace(document, changes=changes) if changes else document


def offer_choice_snapshot(quote, choice: Choice) -> tuple[dict[str, Any], PriceResult]:
    """A signed offer as ``choice`` makes it: its lines and totals priced by the engine
    with the offer's frozen prices (``quotes.choices.signed_choice_pricing``)."""
    result = signed_choice_pricing(quote, choice)
    return snapshot_for_choice(quote.snapshot, result=result, choice=choice), result


def offer_choice_document(quote, choice: Choice) -> tuple[OfferDocument, PriceResult]:
    """The document of a signed offer with alternatives or options, for ``choice``."""
    snapshot, result = offer_choice_snapshot(quote, choice)
    return _with_changes(document_read(snapshot, quote=quote), quote), result
