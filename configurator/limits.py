"""The limits of input: one place for the JSON API, the step forms and the engine.

Quantities follow rule 1 of the price list (whole numbers from 0 to 100 000). Amounts
(agreed prices, travel cost) and traffic volumes have the app's own bounds. Amounts are
kronor in öre: at most two decimals, and "-0" is 0, never stored or answered as "-0.00".
Pure: no database, no request.
"""

from __future__ import annotations

from decimal import Decimal

MAX_QUANTITY = 100_000  # rule 1
MAX_TRAFFIC = 10_000_000  # per month, any traffic field
MAX_AMOUNT = Decimal("10000000")  # kronor, an agreed price or a travel cost
ORE = Decimal("0.01")
CONTRACT_TERMS = (12, 24, 36)  # months
DEFAULT_CONTRACT_MONTHS = 36
MAX_PERCENT = Decimal("100")  # a discount in percent: 0 to 100, at most two decimals
MAX_FREE_MONTHS = max(CONTRACT_TERMS) - 1  # free months are fewer than the contract term
MIN_VALIDITY_DAYS, MAX_VALIDITY_DAYS = 1, 365
DEFAULT_VALIDITY_DAYS = 30


def amount_in_range(amount: Decimal) -> bool:
    return amount.is_finite() and 0 <= amount <= MAX_AMOUNT


def percent_in_range(percent: Decimal) -> bool:
    """A discount percentage: 0–100 with at most two decimals (spec "Discounts")."""
    return percent.is_finite() and 0 <= percent <= MAX_PERCENT and percent == percent.quantize(ORE)


def amount_has_ore_only(amount: Decimal) -> bool:
    """At most two decimals."""
    return amount == amount.quantize(ORE)


def amount_normalise(amount: Decimal) -> Decimal:
    """A valid amount as stored and answered: two decimals, "-0" is 0."""
    amount = amount.quantize(ORE)
    return abs(amount) if amount.is_zero() else amount
