"""Negotiated discounts (spec "Discounts"): line discounts, the quote discount, free
months; hand-computed with the seed price list's prices (users 89, softphone 29,
function number 99, guided delivery 9 995, calendar implementation 1 990 a month / once)."""

from decimal import Decimal as D

import pytest

from configurator.discounts import discounts_as_json, parse_discounts
from configurator.pricing import Discounts, InvalidConfiguration, LineDiscount, TrafficEstimate

from .test_pricing import CATALOG, line, run


def test_line_discounts_quote_discount_and_free_months_by_hand():
    r = run(
        {"mobile_user": 10, "softphone": 10, "guided_delivery": 1},
        discounts=Discounts(
            lines={
                "softphone": LineDiscount(monthly_percent=D("10")),
                "guided_delivery": LineDiscount(one_time_amount=D("1995.00")),
            },
            monthly_percent=D("5"),
            free_months=2,
        ),
    )
    assert r.valid
    soft = line(r, "softphone")
    # 10 × 29 = 290 a month; 10 % of it is 29,00.
    assert (soft.monthly_list, soft.monthly_discount, soft.monthly) == (D("290"), D("29.00"), D("261.00"))
    guided = line(r, "guided_delivery")
    assert (guided.one_time_list, guided.one_time_discount, guided.one_time) == (D("9995"), D("1995.00"), D("8000.00"))
    users = line(r, "mobile_user")
    assert (users.monthly_list, users.monthly_discount, users.monthly) == (D("890"), D("0.00"), D("890"))
    t = r.totals
    assert (t.monthly_list, t.one_time_list) == (D("1180.00"), D("9995.00"))
    # After the line discounts: 890 + 261 = 1 151; the quote's 5 % of it is 57,55.
    assert t.monthly_line_discount == D("29.00") and t.monthly_quote_discount == D("57.55")
    assert t.monthly == D("1093.45") and t.monthly_mobile == D("1093.45") and t.monthly_company == D("0.00")
    assert t.one_time == D("8000.00") and t.one_time_quote_discount == D("0.00")
    # VAT on the net amounts: 1 093,45 × 0,25 = 273,3625 → 273,36.
    assert (t.monthly_vat, t.monthly_incl_vat) == (D("273.36"), D("1366.81"))
    assert (t.one_time_vat, t.one_time_incl_vat) == (D("2000.00"), D("10000.00"))
    # Two free months: 8 000 + 1 093,45 × (36 − 2) = 45 177,30; list 9 995 + 1 180 × 36 = 52 475.
    assert t.free_months == 2
    assert t.contract_value == D("45177.30")
    assert t.contract_value_list == D("52475.00")
    # (9 995 − 8 000) + (1 180 × 36 − 1 093,45 × 34) = 1 995 + 5 302,70.
    assert t.discount_total == D("7297.70")
    assert t.discount_share == D("0.1391")  # 7 297,70 / 52 475 = 0,13907…


def test_quote_discount_is_split_in_proportion_and_the_rounding_ore_goes_to_the_company():
    # Mobile: 89 + 29 = 118; company: function number 99; after lines 217 a month.
    r = run(
        {"mobile_user": 1, "softphone": 1, "function_number": 1},
        discounts=Discounts(monthly_percent=D("12.5")),
    )
    t = r.totals
    assert t.monthly_quote_discount == D("27.13")  # 217 × 12,5 % = 27,125 → 27,13 (half up)
    # The mobile share 27,13 × 118 / 217 = 14,7527… → 14,75; the company takes the rest, 12,38.
    assert t.monthly_mobile == D("103.25")  # 118 − 14,75
    assert t.monthly_company == D("86.62")  # 99 − 12,38
    assert t.monthly == D("189.87") == t.monthly_mobile + t.monthly_company


def test_a_percentage_rounds_half_up_to_ore_per_line():
    r = run({"mobile_user": 1, "softphone": 1}, discounts=Discounts(lines={"softphone": LineDiscount(monthly_percent=D("12.5"))}))
    soft = line(r, "softphone")
    assert soft.monthly_discount == D("3.63") and soft.monthly == D("25.37")  # 3,625 → 3,63


def test_an_automatically_added_implementation_is_discounted_like_any_line():
    r = run({"mobile_user": 2, "calendar": 2}, discounts=Discounts(lines={"impl_calendar": LineDiscount(one_time_percent=D("50"))}))
    impl = line(r, "impl_calendar")
    assert impl.auto_added and impl.one_time_discount == D("995.00") and impl.one_time == D("995.00")


def test_a_line_is_never_below_zero():
    full = run({"mobile_user": 2}, discounts=Discounts(lines={"mobile_user": LineDiscount(monthly_percent=D("100"))}))
    assert line(full, "mobile_user").monthly == D("0.00") and full.valid
    exact = run({"mobile_user": 2}, discounts=Discounts(lines={"mobile_user": LineDiscount(monthly_amount=D("178.00"))}))
    assert line(exact, "mobile_user").monthly == D("0.00") and exact.valid
    over = run({"mobile_user": 2}, discounts=Discounts(lines={"mobile_user": LineDiscount(monthly_amount=D("200.00"))}))
    assert line(over, "mobile_user").monthly == D("0") and [e.code for e in over.errors] == ["discount_exceeds_line"]
    assert over.totals.monthly == D("0.00")


def test_traffic_is_never_discounted():
    traffic = TrafficEstimate(sms_domestic=1500)  # (1 500 − 500) × 0,69 = 690
    plain = run({"mobile_user": 1}, traffic=traffic)
    discounted = run({"mobile_user": 1}, traffic=traffic, discounts=Discounts(monthly_percent=D("50")))
    assert plain.totals.traffic_monthly == discounted.totals.traffic_monthly == D("690.00")
    assert discounted.totals.monthly == D("44.50")


def test_without_discounts_list_and_net_are_the_same():
    r = run({"mobile_user": 3, "guided_delivery": 1})
    t = r.totals
    assert (t.monthly_list, t.one_time_list, t.contract_value_list) == (t.monthly, t.one_time, t.contract_value)
    assert t.discount_total == D("0.00") and t.discount_share == D("0.0000") and not t.has_discount
    assert all(not l.discounted for l in r.lines)


def test_free_months_only():
    r = run({"mobile_user": 10}, contract_months=12, discounts=Discounts(free_months=11))
    # 890 a month, 11 months free of 12: the contract value is one month.
    assert r.valid and r.totals.contract_value == D("890.00")
    assert r.totals.discount_total == D("9790.00") and r.totals.discount_share == D("0.9167")
    assert r.totals.monthly == D("890.00")  # the monthly total stays the monthly net


def test_free_months_at_or_over_the_term_is_a_rule_error_that_still_prices():
    r = run({"mobile_user": 10}, contract_months=12, discounts=Discounts(free_months=14))
    assert [e.code for e in r.errors] == ["free_months_exceed_term"]
    assert r.totals.free_months == 11 and r.totals.contract_value == D("890.00")


def test_one_time_quote_discount():
    r = run({"mobile_user": 1, "guided_delivery": 1}, discounts=Discounts(one_time_percent=D("10")))
    assert r.totals.one_time_quote_discount == D("999.50") and r.totals.one_time == D("8995.50")


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(monthly_percent=D("100.01")),
        dict(monthly_percent=D("-1")),
        dict(one_time_percent=D("10.005")),
        dict(free_months=-1),
    ],
)
def test_the_engine_refuses_malformed_discounts(kwargs):
    with pytest.raises(InvalidConfiguration):
        Discounts(**kwargs)


def test_a_line_discount_is_a_percentage_or_an_amount_not_both():
    with pytest.raises(InvalidConfiguration):
        LineDiscount(monthly_percent=D("10"), monthly_amount=D("5"))


def test_the_json_form_reads_and_writes_back():
    data = {
        "lines": {"softphone": {"monthly_percent": "10"}, "guided_delivery": {"one_time_amount": "1995.00"}},
        "monthly_percent": "5",
        "one_time_percent": "0",
        "free_months": 2,
    }
    discounts, errors = parse_discounts(data, CATALOG, contract_months=36)
    assert errors == []
    assert discounts == Discounts(
        lines={
            "softphone": LineDiscount(monthly_percent=D("10")),
            "guided_delivery": LineDiscount(one_time_amount=D("1995.00")),
        },
        monthly_percent=D("5"),
        free_months=2,
    )
    assert discounts_as_json(discounts) == {
        "lines": {"softphone": {"monthly_percent": "10.00"}, "guided_delivery": {"one_time_amount": "1995.00"}},
        "monthly_percent": "5.00",
        "free_months": 2,
    }
    assert parse_discounts(discounts_as_json(discounts), CATALOG)[0] == discounts


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"monthly_percent": "101"}, "discounts.monthly_percent", "out_of_range"),
        ({"monthly_percent": "ten"}, "discounts.monthly_percent", "not_percent"),
        ({"lines": {"softphone": {"monthly_amount": "-5"}}}, "discounts.lines.softphone.monthly_amount", "out_of_range"),
        ({"lines": {"nope": {"monthly_percent": "5"}}}, "discounts.lines.nope", "unknown_item"),
        ({"lines": {"softphone": {"monthly_percent": "5", "monthly_amount": "1"}}},
         "discounts.lines.softphone.monthly_amount", "percent_and_amount"),
        ({"free_months": 36}, "discounts.free_months", "free_months_exceed_term"),
        ({"free_months": 1.5}, "discounts.free_months", "not_whole"),
        ({"bonus": 1}, "discounts.bonus", "unknown_field"),
    ],
)
def test_bad_discounts_name_their_field(data, field, code):
    _, errors = parse_discounts(data, CATALOG, contract_months=36)
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert all(e["message"] for e in errors)
