"""The pricing endpoint's request and answer as pydantic models, for the OpenAPI schema.

The endpoint reads its body itself (``configurator.api.parse_configuration``: every bad
field named, JSON types strictly) and writes its answer itself (``result_as_json``); these
models describe both, and the tests check every answer against them (``extra="forbid"``:
a field the code adds without describing it here fails).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from .limits import CONTRACT_TERMS, DEFAULT_CONTRACT_MONTHS, MAX_QUANTITY, MAX_TRAFFIC

Money = str  # kronor with two decimals, e.g. "7900.00"
MONEY = Field(pattern=r"^\d+\.\d{2}$", examples=["7900.00"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Request ------------------------------------------------------------------------------


class ManualPriceIn(Strict):
    monthly: Money | None = Field(None, description="Agreed monthly price.", examples=["7900.00"])
    one_time: Money | None = Field(None, description="Agreed one-time price.", examples=["0.00"])


class TrafficIn(Strict):
    sms_domestic: int = Field(0, ge=0, le=MAX_TRAFFIC, description="SMS to Swedish numbers per month.")
    sms_foreign: int = Field(0, ge=0, le=MAX_TRAFFIC, description="SMS to foreign numbers per month.")
    nps_sms_domestic: int = Field(0, ge=0, le=MAX_TRAFFIC, description="NPS survey SMS to Swedish numbers per month.")
    nps_sms_foreign: int = Field(0, ge=0, le=MAX_TRAFFIC, description="NPS survey SMS to foreign numbers per month.")
    calls: int = Field(0, ge=0, le=MAX_TRAFFIC, description="Outgoing external calls per month.")
    avg_call_seconds: int = Field(0, ge=0, le=MAX_TRAFFIC, description="Average call length in seconds.")


Decimalish = str | int | float  # the spec writes "10"; a JSON number is read too


class LineDiscountIn(Strict):
    """A line's discount: per fee a percentage or an amount in kronor, not both."""

    monthly_percent: Decimalish | None = Field(None, description="0–100, at most two decimals.", examples=["10"])
    monthly_amount: Decimalish | None = Field(None, description="Kronor per month, at most the line's monthly amount.")
    one_time_percent: Decimalish | None = Field(None, description="0–100, at most two decimals.")
    one_time_amount: Decimalish | None = Field(None, description="Kronor, at most the line's one-time amount.", examples=["1995.00"])


class DiscountsIn(Strict):
    """Negotiated discounts (spec "Discounts"): line discounts, then a quote discount in
    percent on each total, and free months."""

    lines: dict[str, LineDiscountIn] = Field(
        default_factory=dict, description="Item code → its discount.",
        examples=[{"softphone": {"monthly_percent": "10"}, "guided_delivery": {"one_time_amount": "1995.00"}}],
    )
    monthly_percent: Decimalish | None = Field(None, description="On the monthly total after line discounts.", examples=["5"])
    one_time_percent: Decimalish | None = Field(None, description="On the one-time total after line discounts.", examples=["0"])
    free_months: int | None = Field(None, ge=0, description="Months without the monthly fee, fewer than the term.", examples=[2])


class PriceRequest(Strict):
    """A configuration to price (the spec's "JSON pricing API")."""

    items: dict[str, int] = Field(
        description=f"Item code → quantity, a whole number from 0 to {MAX_QUANTITY} (rule 1). Traffic codes are not items.",
        examples=[{"mobile_user": 25, "teams_voice": 25, "guided_delivery": 1}],
    )
    manual_prices: dict[str, ManualPriceIn] = Field(
        default_factory=dict,
        description="Agreed prices for items priced on request (Svarsservice 20–100), by item code.",
        examples=[{"answering_service_20": {"monthly": "7900.00"}}],
    )
    traffic: TrafficIn | None = Field(None, description="The traffic estimate (priced, never discounted).")
    contract_months: Literal[CONTRACT_TERMS] = Field(DEFAULT_CONTRACT_MONTHS, description="Contract term.")  # type: ignore[valid-type]
    on_site_training: bool = Field(False, description="Training at the customer's site (footnote 2).")
    travel_cost: Money | None = Field(None, description="Agreed travel cost for on-site training (footnote 2).")
    discounts: DiscountsIn | None = Field(None, description="Negotiated discounts (spec \"Discounts\").")


# --- Answer -------------------------------------------------------------------------------


class PriceListRef(Strict):
    id: int
    name: str
    valid_from: date | None


class PriceLine(Strict):
    code: str
    name: str
    section: str = Field(description='"user", "company", "delivery", …: the offer\'s section.')
    quantity: int
    monthly_quantity: int = Field(description="Units the monthly fee counts (API Access: every user).")
    one_time_unit: Money
    monthly_unit: Money
    one_time: Money = Field(description="Net of the line's discount.")
    monthly: Money = Field(description="Net of the line's discount.")
    one_time_list: Money = Field(description="Before the line's discount.")
    one_time_discount: Money
    monthly_list: Money = Field(description="Before the line's discount.")
    monthly_discount: Money
    billed_to: Literal["mobile", "company"]
    auto_added: bool = Field(description="Added by a rule of the price list (an implementation, footnote 4).")
    reason: str | None = Field(description="Why an automatic line is there.")
    manual: bool = Field(description="An agreed price entered by the seller.")
    footnote: str | None


class TrafficLine(Strict):
    code: str
    name: str
    quantity: int
    billable_quantity: int
    unit_price: Money
    amount: Money


class Totals(Strict):
    one_time: Money = Field(description="Net, after every discount.")
    monthly: Money = Field(description="Net, after every discount.")
    monthly_mobile: Money = Field(description="The monthly total billed on the mobile subscriptions.")
    monthly_company: Money = Field(description="The monthly total billed to the company.")
    traffic_monthly: Money = Field(description="The traffic estimate per month (not in the totals above).")
    vat_rate: str = Field(examples=["0.25"])
    one_time_vat: Money
    monthly_vat: Money
    one_time_incl_vat: Money
    monthly_incl_vat: Money
    contract_months: int
    contract_value: Money = Field(description="One-time + monthly × (contract months − free months), net, excl. VAT.")
    one_time_list: Money = Field(description="Before any discount.")
    monthly_list: Money = Field(description="Before any discount.")
    contract_value_list: Money = Field(description="The contract value before any discount.")
    one_time_quote_discount: Money = Field(description="The quote discount on the one-time total.")
    monthly_quote_discount: Money = Field(description="The quote discount on the monthly total.")
    free_months: int
    discount_total: Money = Field(description="The discount over the contract: list contract value − net.")
    discount_share: str = Field(description="discount_total / contract_value_list, 0–1, four decimals.", examples=["0.1250"])


class Problem(Strict):
    code: str = Field(description='A rule of the price list, e.g. "requires_guided_delivery".')
    message: str
    items: list[str] = Field(description="The item codes involved.")


class Term(Strict):
    ref: str = Field(description="The footnote's number.")
    text: str


class PriceAnswer(Strict):
    valid: bool = Field(description="False when a rule of the price list is broken (see errors).")
    price_list: PriceListRef
    lines: list[PriceLine]
    traffic: list[TrafficLine]
    totals: Totals
    errors: list[Problem] = Field(description="Rule errors: the quote cannot be signed like this.")
    warnings: list[Problem]
    terms: list[Term] = Field(description="The footnotes that apply, in the price list's order.")
