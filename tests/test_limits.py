"""The limits of input (configurator/limits.py): amounts are kronor in öre, from 0 to
10 000 000, and "-0" is 0. No database."""

from decimal import Decimal as D

import pytest

from configurator.limits import MAX_AMOUNT, amount_has_ore_only, amount_in_range, amount_normalise


@pytest.mark.parametrize(
    "amount, ok",
    [(D("0"), True), (D("-0"), True), (D("0.01"), True), (D("10000000"), True), (D("10000000.00"), True),
     (D("10000000.01"), False), (D("-0.01"), False), (D("NaN"), False), (D("Infinity"), False),
     (D("-Infinity"), False)],
)
def test_amount_in_range(amount, ok):
    assert amount_in_range(amount) is ok


def test_the_largest_amount_is_ten_million():
    assert MAX_AMOUNT == D("10000000")


@pytest.mark.parametrize("amount, ok", [(D("7900"), True), (D("7900.5"), True), (D("7900.50"), True),
                                        (D("7900.001"), False), (D("0.005"), False)])
def test_amount_has_ore_only(amount, ok):
    assert amount_has_ore_only(amount) is ok


@pytest.mark.parametrize("amount, shown", [(D("-0"), "0.00"), (D("-0.00"), "0.00"), (D("0"), "0.00"),
                                           (D("7900"), "7900.00"), (D("0.5"), "0.50")])
def test_amount_normalise_two_decimals_and_no_minus_zero(amount, shown):
    assert str(amount_normalise(amount)) == shown
