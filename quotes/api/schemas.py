"""The quotes API's bodies and answers as pydantic models, for the OpenAPI schema.

The endpoints read bodies themselves (``quotes.api.inputs``) and write answers with
``quotes.api.answers``; the tests check every answer against these models
(``extra="forbid"``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from configurator.api_schemas import (
    DiscountsIn,
    ManualPriceIn,
    Money,
    PriceLine,
    PriceListRef,
    PriceRequest,
    Problem,
    Term,
    TrafficIn,
    TrafficLine,
    Totals,
)
from configurator.limits import MAX_QUANTITY, MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS

from ..choices import MAX_ALTERNATIVES, MAX_NAME, MAX_OPTIONS

from ..models import Quote

Status = Literal[tuple(Quote.Status.values)]  # type: ignore[valid-type]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Bodies -------------------------------------------------------------------------------


class CustomerIn(Strict):
    """The customer (the step "Kund"); every field optional, checked as the step form
    checks it (org.nr with its check digit, a valid phone number, an e-mail address) and
    stored as the form writes it ("556430-0142", "+46 70 123 45 67")."""

    company_name: str | None = Field(None, max_length=200, examples=["Exempelbolaget AB"])
    org_number: str | None = Field(None, max_length=20, examples=["556430-0142"])
    contact_name: str | None = Field(None, max_length=200, examples=["Erik Lind"])
    contact_email: str | None = Field(None, max_length=254, examples=["erik.lind@example.se"])
    contact_phone: str | None = Field(None, max_length=30, examples=["070-123 45 67"])
    address: str | None = Field(None, max_length=1000)


class ConfigurationIn(PriceRequest):
    """The pricing request's configuration, with the step form's choices: items set where
    the step form sets them (implementations are added by the rules), at most one
    Svarsservice package and one delivery (none given: "self_config", as the step form),
    api_access and nps_survey 0 or 1, an agreed price only as the monthly price of the
    chosen package priced on request. In a PATCH each key given replaces the stored one
    (``items`` is the whole set), and ``items`` may be left out."""

    items: dict[str, int] | None = Field(  # type: ignore[assignment]
        None, description="Item code → quantity (the whole set).",
        examples=[{"mobile_user": 25, "teams_voice": 25, "guided_delivery": 1}],
    )


class AlternativeIn(Strict):
    """One alternative of the offer: a name and its own items and agreed prices, read as
    ``configuration``'s are; everything else (traffic, term, training, discounts) is common
    to every alternative."""

    name: str = Field(max_length=MAX_NAME, examples=["Bas"])
    items: dict[str, int] = Field(examples=[{"mobile_user": 10, "guided_delivery": 1}])
    manual_prices: dict[str, ManualPriceIn] = Field(default_factory=dict)


class QuoteIn(Strict):
    """A new draft (``POST``) or the changes to a draft (``PATCH``: only the keys given
    change)."""

    customer: CustomerIn | None = None
    configuration: ConfigurationIn | None = Field(
        None, description="On a quote with alternatives, ``items`` and ``manual_prices`` are those of the "
        "alternative being edited (``choices.alternatives[].editing``).",
    )
    alternatives: list[AlternativeIn] | None = Field(
        None, max_length=MAX_ALTERNATIVES,
        description=f"Replaces the offer's alternatives the customer picks from: two to {MAX_ALTERNATIVES} "
        "(the draft then edits the first), or [] for none. Not together with configuration.items.",
        examples=[[{"name": "Bas", "items": {"mobile_user": 10}},
                   {"name": "Premium", "items": {"mobile_user": 10, "call_recording": 10}}]],
    )
    options: dict[str, int] | None = Field(
        None, description=f'Replaces the options ("Tillval") the customer may tick: item code → quantity '
        f"(1–{MAX_QUANTITY}), at most {MAX_OPTIONS}; {{}} for none. Not implementations or delivery.",
        examples=[{"call_recording": 10}],
    )
    validity_days: int | None = Field(
        None, ge=MIN_VALIDITY_DAYS, le=MAX_VALIDITY_DAYS, description="Days the offer is valid, from signing."
    )
    customer_note: str | None = Field(None, max_length=2000, description="Shown in the offer.")


# --- Answers ------------------------------------------------------------------------------


class Person(Strict):
    id: int
    username: str
    name: str


class Customer(Strict):
    company_name: str
    org_number: str
    contact_name: str
    contact_email: str
    contact_phone: str
    address: str


class ManualPrice(Strict):
    monthly: Money | None = None
    one_time: Money | None = None


class Configuration(Strict):
    items: dict[str, int]
    manual_prices: dict[str, ManualPrice]
    traffic: TrafficIn
    contract_months: int
    on_site_training: bool
    travel_cost: Money | None
    discounts: DiscountsIn = Field(description="As given (stored exactly as the API's object); {} for none.")


class Document(Strict):
    url: str = Field(description="Download (this API, same authentication): the stored file, as signed.")
    sha256: str | None = Field(description="SHA-256 of the file, hex.")


class AlternativeOut(Strict):
    index: int
    name: str
    editing: bool = Field(description="The alternative a draft's configuration (and the step form) edits now.")
    items: dict[str, int]
    manual_prices: dict[str, ManualPrice]
    totals: Totals


class OptionPrice(Strict):
    alternative: str | None = Field(description="With this alternative; null when the offer has none.")
    one_time: Money
    monthly: Money
    contract_value: Money
    adds: list[str] = Field(description="Lines the price list's rules bring along (an implementation).")


class OptionOut(Strict):
    code: str
    name: str
    quantity: int
    prices: list[OptionPrice] = Field(description="What ticking it adds, with each alternative.")


class Chosen(Strict):
    alternative: int | None
    options: list[str]


class Choices(Strict):
    alternatives: list[AlternativeOut]
    options: list[OptionOut]
    chosen: Chosen | None = Field(description="What the customer accepted; null until accepted.")
    problems: list[str] = Field(
        description="A draft's rule problems of the choices other than the one its configuration is "
        "(``valid`` and ``errors`` are that one's); signing waits until there are none.",
    )


class QuoteOut(Strict):
    id: int
    number: str | None = Field(description='"SC-2026-00042" once signed; null for a draft never signed.')
    revision: str = Field(description='"A", then "B", "C", … for each new revision of a sent offer.')
    reference: str | None = Field(description='Number and revision, "SC-2026-00042 A".')
    status: Status  # type: ignore[valid-type]
    status_label: str
    editable: bool = Field(description="A draft the caller may change (PATCH).")
    owner: Person
    url: str = Field(description="This quote in the API.")
    page_url: str = Field(description="The seller's page of the quote in the app.")
    created_at: datetime
    updated_at: datetime
    signed_at: datetime | None
    valid_until: date | None
    sent_at: datetime | None
    opened_at: datetime | None
    accepted_at: datetime | None
    declined_at: datetime | None
    price_list: PriceListRef
    customer: Customer
    configuration: Configuration
    validity_days: int
    customer_note: str
    valid: bool = Field(description="No rule of the price list is broken (always true once signed).")
    lines: list[PriceLine]
    traffic: list[TrafficLine]
    totals: Totals
    errors: list[Problem]
    warnings: list[Problem]
    terms: list[Term]
    choices: Choices | None = Field(description="Alternatives and options the customer picks from; null for none.")
    pdf: Document | None = Field(description="The signed offer (PDF); null for a draft.")
    accepted_pdf: Document | None = Field(description="The accepted offer with the acceptance page; null until accepted.")
    delivery_order_url: str | None = Field(description="The delivery order (JSON) once the customer has accepted.")


class QuoteTotals(Strict):
    one_time: Money | None
    monthly: Money | None
    contract_value: Money | None


class QuoteSummary(Strict):
    id: int
    number: str | None
    revision: str
    reference: str | None
    status: Status  # type: ignore[valid-type]
    owner: Person
    company_name: str
    org_number: str
    created_at: datetime
    updated_at: datetime
    signed_at: datetime | None
    valid: bool | None = Field(description="Null when the draft cannot be priced.")
    totals: QuoteTotals
    url: str


class QuotePage(Strict):
    count: int = Field(description="Quotes that match, on every page.")
    page: int
    page_size: int
    pages: int
    next: str | None = Field(description="The next page's URL, with the same filters.")
    previous: str | None
    results: list[QuoteSummary]
