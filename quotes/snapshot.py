"""The frozen offer: what a signed quote says, independent of the live catalog.

``snapshot_build`` runs once, when the seller signs: it stores the engine's priced result
(``configurator.api.result_as_json``), the price-list version, the words and titles of the
terms that apply, the traffic tariffs (the annex), the customer and the seller. After
that the PDF, the customer's page and the e-mail read only the snapshot, through
``offer_document``, which turns its strings back into ``Decimal`` for the money filters.
A later change of prices in the admin therefore never reaches a signed quote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from configurator.api import money, result_as_json
from configurator.pricing import MOBILE, PriceResult, Totals
from configurator.selectors import footnote_titles

SNAPSHOT_VERSION = 1
USER, COMPANY, DELIVERY = "user", "company", "delivery"


def snapshot_build(*, quote, result: PriceResult, signer, signed_at: datetime) -> dict[str, Any]:
    """Everything the offer document shows, as JSON (amounts as strings in öre)."""
    data = result_as_json(result)
    titles = footnote_titles(quote.price_list)
    catalog = result.catalog
    data["version"] = SNAPSHOT_VERSION
    data["price_list"]["vat_rate"] = str(catalog.vat_rate)
    data["terms"] = [
        {"ref": ref, "title": titles.get(ref, ""), "text": catalog.footnotes[ref]}
        for ref in result.terms
    ]
    data["tariffs"] = [
        {
            "code": item.code,
            "name": item.name,
            "unit_price": money(item.usage_price) if item.usage_price is not None else None,
            "free_quota": item.free_quota,
            "footnote": item.footnote,
        }
        for item in catalog.items.values()
        if item.section == "traffic"
    ]
    data["customer"] = {
        "company_name": quote.company_name,
        "org_number": quote.org_number,
        "contact_name": quote.contact_name,
        "contact_email": quote.contact_email,
        "contact_phone": quote.contact_phone,
        "address": quote.customer_address,
    }
    data["seller"] = {
        "name": signer.get_full_name() or signer.get_username(),
        "email": signer.email,
        "company": dict(settings.SELLER_COMPANY),
    }
    data["signed_at"] = signed_at.isoformat()
    data["contract_months"] = quote.contract_months
    data["customer_note"] = quote.customer_note
    data["on_site_training"] = quote.on_site_training
    return data


# --- Reading a snapshot ------------------------------------------------------------------


def _d(value) -> Decimal:
    return Decimal(value) if value not in (None, "") else Decimal("0.00")


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
    def has_one_time(self) -> bool:
        return any(l.one_time_unit or l.one_time for l in self.lines) or self.key == DELIVERY

    @property
    def has_monthly(self) -> bool:
        return any(l.monthly_unit or l.monthly for l in self.lines)


@dataclass(frozen=True)
class DocTrafficLine:
    code: str
    name: str
    quantity: int
    billable_quantity: int
    unit_price: Decimal
    amount: Decimal
    unit: str = ""

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
class DocTotals(Totals):
    """The engine's totals as frozen in the snapshot."""

    @property
    def vat_percent(self) -> Decimal:
        return (self.vat_rate * 100).normalize()


@dataclass(frozen=True)
class OfferDocument:
    """What the PDF and the customer's page show, read from a quote's snapshot."""

    number: str
    revision: str
    signed_at: datetime
    valid_until: date | None
    price_list_name: str
    price_list_valid_from: str | None
    customer: dict[str, str]
    seller: dict[str, Any]
    contract_months: int
    customer_note: str
    sections: tuple[DocSection, ...]
    auto_added: tuple[DocLine, ...]
    traffic: tuple[DocTrafficLine, ...]
    tariffs: tuple[DocTariff, ...]
    terms: tuple[DocTerm, ...]
    totals: DocTotals
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        return f"{self.number} {self.revision}"

    @property
    def lines(self) -> tuple[DocLine, ...]:
        return tuple(l for s in self.sections for l in s.lines)


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


def offer_document(quote) -> OfferDocument:
    """The offer of a signed quote, read from its snapshot (never the live catalog)."""
    snap = quote.snapshot
    if not snap:
        raise ValueError("Quote %s has no snapshot: it has not been signed." % quote.pk)
    terms = tuple(
        DocTerm(number=i, ref=t["ref"], title=t.get("title", ""), text=t["text"])
        for i, t in enumerate(snap.get("terms", []), start=1)
    )
    term_number = {t.ref: t.number for t in terms}
    lines = [
        DocLine(
            code=l["code"],
            name=l["name"],
            quantity=int(l["quantity"]),
            monthly_quantity=int(l.get("monthly_quantity", l["quantity"])),
            one_time_unit=_d(l["one_time_unit"]),
            monthly_unit=_d(l["monthly_unit"]),
            one_time=_d(l["one_time"]),
            monthly=_d(l["monthly"]),
            billed_to=l["billed_to"],
            auto_added=bool(l.get("auto_added")),
            reason=l.get("reason"),
            manual=bool(l.get("manual")),
            term_number=term_number.get(l.get("footnote")),
        )
        for l in snap["lines"]
    ]
    section_of = {l["code"]: l.get("section") or (USER if l["billed_to"] == MOBILE else COMPANY) for l in snap["lines"]}
    sections = []
    for key in (USER, COMPANY, DELIVERY):
        in_section = tuple(l for l in lines if section_of[l.code] == key)
        if not in_section:
            continue
        title, subtitle = SECTION_TITLES[key]
        sections.append(
            DocSection(
                key=key,
                title=_(title),
                subtitle=_(subtitle),
                lines=in_section,
                one_time=sum((l.one_time for l in in_section), Decimal("0.00")),
                monthly=sum((l.monthly for l in in_section), Decimal("0.00")),
            )
        )
    t = snap["totals"]
    totals = DocTotals(
        one_time=_d(t["one_time"]),
        monthly=_d(t["monthly"]),
        monthly_mobile=_d(t["monthly_mobile"]),
        monthly_company=_d(t["monthly_company"]),
        traffic_monthly=_d(t["traffic_monthly"]),
        vat_rate=_d(t["vat_rate"]),
        one_time_vat=_d(t["one_time_vat"]),
        monthly_vat=_d(t["monthly_vat"]),
        one_time_incl_vat=_d(t["one_time_incl_vat"]),
        monthly_incl_vat=_d(t["monthly_incl_vat"]),
        contract_months=int(t["contract_months"]),
        contract_value=_d(t["contract_value"]),
    )
    traffic = tuple(
        DocTrafficLine(
            code=tl["code"],
            name=tl["name"],
            quantity=int(tl["quantity"]),
            billable_quantity=int(tl.get("billable_quantity", tl["quantity"])),
            unit_price=_d(tl["unit_price"]),
            amount=_d(tl["amount"]),
            unit=_(TARIFF_UNITS[tl["code"]]) if tl["code"] in TARIFF_UNITS else "",
        )
        for tl in snap.get("traffic", [])
    )
    tariffs = tuple(
        DocTariff(
            code=tf["code"],
            name=tf["name"],
            unit_price=_d(tf["unit_price"]) if tf.get("unit_price") is not None else None,
            unit=_(TARIFF_UNITS.get(tf["code"], "per st")),
            free_quota=tf.get("free_quota"),
        )
        for tf in snap.get("tariffs", [])
    )
    price_list = snap.get("price_list", {})
    return OfferDocument(
        number=quote.number,
        revision=quote.revision,
        signed_at=datetime.fromisoformat(snap["signed_at"]),
        valid_until=quote.valid_until,
        price_list_name=price_list.get("name", ""),
        price_list_valid_from=price_list.get("valid_from"),
        customer=snap["customer"],
        seller=snap["seller"],
        contract_months=int(snap.get("contract_months", totals.contract_months)),
        customer_note=snap.get("customer_note", ""),
        sections=tuple(sections),
        auto_added=tuple(l for l in lines if l.auto_added),
        traffic=traffic,
        tariffs=tariffs,
        terms=terms,
        totals=totals,
    )
