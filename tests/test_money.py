from decimal import Decimal as D

import pytest
from django.utils import translation

from quotes.templatetags.money import kr, num

NBSP = "\u00a0"


@pytest.mark.parametrize(
    "value, expected",
    [
        (D("1990"), f"1{NBSP}990{NBSP}kr"),
        (D("1990.00"), f"1{NBSP}990{NBSP}kr"),
        (D("0.69"), f"0,69{NBSP}kr"),
        (D("156471.5"), f"156{NBSP}471,50{NBSP}kr"),
        (D("0"), f"0{NBSP}kr"),
        (D("-3500.5"), f"−3{NBSP}500,50{NBSP}kr"),
        (D("1234567"), f"1{NBSP}234{NBSP}567{NBSP}kr"),
    ],
)
def test_swedish_money(value, expected):
    with translation.override("sv"):
        assert kr(value) == expected


def test_one_rule_whole_kronor_or_ore_and_plain_numbers():
    with translation.override("sv"):
        assert kr(D("4965.00")) == f"4{NBSP}965{NBSP}kr"  # totals too: no ",00"
        assert kr(D("16848.75")) == f"16{NBSP}848,75{NBSP}kr"
        assert num(100000) == f"100{NBSP}000"
    with translation.override("en"):
        assert kr(D("1990.5")) == f"1,990.50{NBSP}kr"


def test_garbage_renders_nothing():
    assert kr("abc") == "" and kr(None) == ""


def test_percentages_and_discounts_read_the_swedish_way():
    from quotes.templatetags.money import kr_off, pct

    assert [pct(v) for v in (D("10.00"), D("12.50"), D("13.9"), D("0.25"))] == [
        "10", "12,5", "13,9", "0,25"
    ]
    assert kr_off(D("1995.00")) == "−1\u00a0995\u00a0kr"
    assert kr_off(D("72.50")) == "−72,50\u00a0kr"
