"""The pricing engine, rule by rule, in the price list's own cases. No database."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.utils import translation

from configurator import seed
from configurator.pricing import (
    Catalog,
    CatalogItem,
    Configuration,
    InvalidConfiguration,
    Line,
    ManualPrice,
    TrafficEstimate,
    TrafficLine,
    price,
    to_ore,
)


def seed_catalog() -> Catalog:
    items = {}
    for i, (code, name, section, billed, one_time, monthly, usage, free, on_request, ref) in enumerate(seed.ITEMS):
        items[code] = CatalogItem(
            code=code, name=name, section=section, billed_to=billed, one_time=one_time,
            monthly=monthly, usage_price=usage, free_quota=free, price_on_request=on_request,
            footnote=ref, sort_order=i,
        )
    return Catalog(
        price_list_id=1, name="Seed", valid_from=None, vat_rate=D("0.25"), items=items,
        footnotes={ref: text for ref, _, text in seed.FOOTNOTES},
    )


CATALOG = seed_catalog()
OPENING = "Öppningsavgift, talsamtal (fasta nät, Telia mobil, övriga mobilnät i Sverige)"


def run(items=None, **kwargs):
    return price(CATALOG, Configuration(items=items or {}, **kwargs))


def line(result, code):
    matches = [l for l in result.lines if l.code == code]
    assert matches, f"no line {code} in {[l.code for l in result.lines]}"
    return matches[0]


def codes(result):
    return [l.code for l in result.lines]


def error_codes(result):
    return [e.code for e in result.errors]


# --- Rule 1: whole numbers 0..100 000 ---------------------------------------------------

@pytest.mark.parametrize("qty", [-1, 100_001, 2.5, "3", True, None])
def test_rule_1_rejects_bad_quantities(qty):
    with pytest.raises(InvalidConfiguration):
        run({"mobile_user": qty})


def test_rule_1_rejects_unknown_and_traffic_codes():
    with pytest.raises(InvalidConfiguration):
        run({"no_such_item": 1})
    with pytest.raises(InvalidConfiguration):
        run({"sms_domestic": 10})  # traffic is an estimate, not an item


def test_rule_1_says_what_is_wrong():
    """Callers validate first; the engine's refusal still names the code and the value."""
    with pytest.raises(InvalidConfiguration, match=r"^unknown item 'gold_plan'$"):
        run({"gold_plan": 1})
    with pytest.raises(InvalidConfiguration, match=r"^bad quantity for 'softphone': -3$"):
        run({"mobile_user": 1, "softphone": -3})
    with pytest.raises(InvalidConfiguration, match=r"^contract_months must be one of \(12, 24, 36\)$"):
        run({}, contract_months=48)


def test_rule_1_accepts_the_bounds():
    assert line(run({"mobile_user": 100_000}), "mobile_user").monthly == D("8900000")
    assert "mobile_user" not in codes(run({"mobile_user": 0}))


# --- Användartjänster, footnote 3: billed on the mobile subscriptions -------------------

def test_footnote_3_user_services_are_billed_on_the_mobile_subscription():
    r = run({"mobile_user": 10, "fixed_number": 4, "softphone": 10})
    assert line(r, "mobile_user").monthly == D("890")
    assert line(r, "fixed_number").monthly == D("156")  # 4 × 39
    assert line(r, "softphone").monthly == D("290")  # 10 × 29
    assert {l.billed_to for l in r.lines if l.section == "user"} == {"mobile"}
    assert r.totals.monthly_mobile == D("1336.00")
    assert r.totals.monthly_company == D("0.00")


# --- Rule 2: add-ons count users that have them, at most U -------------------------------

@pytest.mark.parametrize(
    "addon", ["fixed_number", "softphone", "calendar", "teams_status", "teams_voice", "ad", "call_recording"]
)
def test_rule_2_addon_cannot_exceed_users(addon):
    r = run({"mobile_user": 5, addon: 6})
    assert error_codes(r) == ["exceeds_users"]
    assert addon in r.errors[0].items
    assert "5 användare" in r.errors[0].message
    # Rule errors never stop the totals.
    assert line(r, addon).quantity == 6
    assert r.totals.monthly > 0


def test_rule_2_addon_equal_to_users_is_fine():
    r = run({"mobile_user": 5, "softphone": 5, "guided_delivery": 1})
    assert r.valid


# --- Rule 3 / footnote 4 (and 8): implementations go with user add-ons -------------------

@pytest.mark.parametrize(
    "addon, impl",
    [
        ("calendar", "impl_calendar"),
        ("teams_status", "impl_teams"),
        ("teams_voice", "impl_teams"),
        ("ad", "impl_ad"),
        ("call_recording", "impl_call_recording"),
    ],
)
def test_footnote_4_implementation_added_automatically_once(addon, impl):
    r = run({"mobile_user": 12, addon: 7})
    impl_line = line(r, impl)
    assert impl_line.quantity == 1
    assert impl_line.one_time == D("1990")
    assert impl_line.auto_added is True
    # Said to the customer: why the line is there, naming the add-on that needs it.
    addon_name = next(i[1] for i in seed.ITEMS if i[0] == addon)
    assert impl_line.reason == f"Ingår eftersom {addon_name} kräver implementering på företagsnivå."
    assert r.valid


def test_footnote_4_teams_status_and_voice_share_one_implementation():
    r = run({"mobile_user": 10, "teams_status": 10, "teams_voice": 3})
    assert [l.code for l in r.lines].count("impl_teams") == 1
    assert r.totals.one_time == D("1990.00")


def test_footnote_4_implementation_asked_for_with_users_is_not_auto():
    r = run({"mobile_user": 3, "calendar": 3, "impl_calendar": 1})
    assert line(r, "impl_calendar").auto_added is False
    assert r.valid


@pytest.mark.parametrize("impl", ["impl_calendar", "impl_teams", "impl_ad", "impl_call_recording"])
def test_footnote_4_implementation_without_users_is_an_error(impl):
    r = run({"mobile_user": 10, impl: 1})
    assert error_codes(r) == ["implementation_without_users"]
    assert impl in r.errors[0].items
    assert line(r, impl).one_time == D("1990")  # still priced


def test_rule_3_implementation_is_zero_or_one():
    r = run({"mobile_user": 2, "calendar": 2, "impl_calendar": 2})
    assert error_codes(r) == ["at_most_one"]
    assert line(r, "impl_calendar").quantity == 1


# --- Rule 4 / footnote 7: API Access covers all users ------------------------------------

def test_footnote_7_api_access_is_priced_per_user_on_the_company():
    r = run({"mobile_user": 25, "api_access": 1})
    api = line(r, "api_access")
    assert api.one_time == D("1990")
    assert api.monthly == D("225")  # 9 × 25 users, all of them
    assert api.monthly_quantity == 25
    assert api.billed_to == "company"
    assert r.totals.monthly_company == D("225.00")
    assert r.valid


def test_footnote_7_api_access_without_users_is_an_error():
    r = run({"api_access": 1})
    assert error_codes(r) == ["implementation_without_users"]


# --- Rule 5 / footnote 9: NPS Enkät ------------------------------------------------------

def test_footnote_9_nps_survey_one_time_and_monthly():
    r = run({"mobile_user": 1, "nps_survey": 1})
    nps = line(r, "nps_survey")
    assert (nps.one_time, nps.monthly) == (D("1990"), D("499"))
    assert "9" in r.terms


def test_footnote_9_nps_sms_are_traffic_charged_from_the_first():
    r = run(
        {"mobile_user": 1, "nps_survey": 1},
        traffic=TrafficEstimate(nps_sms_domestic=100, nps_sms_foreign=10),
    )
    amounts = {t.code: t.amount for t in r.traffic}
    assert amounts == {"nps_sms_domestic": D("69.00"), "nps_sms_foreign": D("12.90")}
    assert r.totals.traffic_monthly == D("81.90")
    assert r.totals.monthly == D("588.00")  # 89 + 499: traffic is never added


# --- Rule 6: exactly one delivery option -------------------------------------------------

def test_rule_6_no_delivery_means_self_configuration():
    r = run({"mobile_user": 3})
    self_config = line(r, "self_config")
    assert self_config.auto_added and self_config.one_time == D("0")


def test_rule_6_more_than_one_delivery_is_an_error():
    r = run({"mobile_user": 3, "startup_help": 1, "guided_delivery": 1})
    assert error_codes(r) == ["multiple_delivery"]
    assert r.totals.one_time == D("12494.00")  # 2 499 + 9 995, still shown


@pytest.mark.parametrize("code, fee", [("startup_help", D("2499")), ("guided_delivery", D("9995"))])
def test_rule_6_chosen_delivery(code, fee):
    r = run({"mobile_user": 3, code: 1})
    assert "self_config" not in codes(r)
    assert r.totals.one_time == fee


# --- Rule 7 / footnote 6: Telia Svarsservice --------------------------------------------

def test_footnote_6_answering_service_requires_guided_delivery():
    r = run({"mobile_user": 5, "answering_service_10": 1})
    assert error_codes(r) == ["requires_guided_delivery"]
    assert r.errors[0].message == (
        "Telia Svarsservice kräver Vägledd leverans — välj Vägledd leverans i steget Leverans och utbildning."
    )
    ok = run({"mobile_user": 5, "answering_service_10": 1, "guided_delivery": 1})
    assert ok.valid
    assert line(ok, "answering_service_10").monthly == D("4710")
    assert "6" in ok.terms


def test_footnote_6_other_packages_need_an_agreed_price():
    r = run({"mobile_user": 5, "answering_service_20": 1, "guided_delivery": 1})
    assert error_codes(r) == ["price_on_request"]
    assert line(r, "answering_service_20").monthly == D("0")
    agreed = run(
        {"mobile_user": 5, "answering_service_20": 1, "guided_delivery": 1},
        manual_prices={"answering_service_20": ManualPrice(monthly=D("7900.00"))},
    )
    assert agreed.valid
    package = line(agreed, "answering_service_20")
    assert package.monthly == D("7900.00") and package.manual


def test_rule_7_a_list_price_makes_a_package_an_ordinary_item():
    items = dict(CATALOG.items)
    items["answering_service_40"] = replace(items["answering_service_40"], monthly=D("12000"), price_on_request=False)
    catalog = replace(CATALOG, items=items)
    r = price(catalog, Configuration(items={"answering_service_40": 1, "guided_delivery": 1}))
    assert r.valid and line(r, "answering_service_40").monthly == D("12000")


def test_rule_7_one_package_only():
    r = run({"answering_service_10": 1, "answering_service_20": 1, "guided_delivery": 1},
            manual_prices={"answering_service_20": ManualPrice(monthly=D("1"))})
    assert error_codes(r) == ["multiple_answering_service"]


def test_rule_7_manual_price_on_a_list_priced_item_is_ignored_with_a_warning():
    r = run({"mobile_user": 2}, manual_prices={"mobile_user": ManualPrice(monthly=D("1"))})
    assert line(r, "mobile_user").monthly == D("178")
    assert [w.code for w in r.warnings] == ["manual_price_ignored"]


# --- Rule 8 / footnote 1: extra configuration belongs to Uppstartshjälp ------------------

def test_footnote_1_extra_config_needs_startup_help():
    r = run({"mobile_user": 3, "extra_config": 2})
    assert error_codes(r) == ["requires_startup_help"]
    ok = run({"mobile_user": 3, "startup_help": 1, "extra_config": 2})
    assert ok.valid
    assert line(ok, "extra_config").one_time == D("1798")  # 2 × 899
    assert ok.totals.one_time == D("4297.00")
    assert "1" in ok.terms


# --- Rule 9 / footnote 2: training, on site with agreed travel cost ----------------------

def test_footnote_2_training_days_remote():
    r = run({"mobile_user": 3, "training_half_day": 1, "training_full_day": 2})
    assert r.totals.one_time == D("25970.00")  # 5 990 + 2 × 9 990
    assert "2" in r.terms


def test_footnote_2_on_site_training_adds_the_agreed_travel_cost_line():
    r = run({"mobile_user": 3, "training_full_day": 1}, on_site_training=True, travel_cost=D("3500.00"))
    travel = line(r, "training_travel")
    assert travel.one_time == D("3500.00") and travel.manual
    assert r.totals.one_time == D("13490.00")
    assert "2" in r.terms
    assert codes(r).index("training_travel") > codes(r).index("training_full_day")


def test_footnote_2_on_site_without_travel_cost_warns():
    r = run({"mobile_user": 3, "training_half_day": 1}, on_site_training=True)
    assert [w.code for w in r.warnings] == ["travel_cost_missing"]
    assert r.valid


# --- Rule 10 / footnote 8: call recording storage is agreed separately --------------------

def test_footnote_8_call_recording_carries_its_storage_term():
    r = run({"mobile_user": 4, "call_recording": 2})
    assert "8" in r.terms
    assert "Touch Call recording" in CATALOG.footnotes["8"]
    assert "8" not in run({"mobile_user": 4}).terms


# --- Footnote 5 and number series --------------------------------------------------------

def test_footnote_5_function_numbers_and_number_series():
    r = run({"function_number": 3, "number_series_10": 1, "number_series_100": 1, "number_series_1000": 1})
    assert line(r, "function_number").monthly == D("297")
    assert r.totals.one_time == D("13000.00")  # 1 000 + 3 000 + 9 000
    assert r.totals.monthly_company == D("297.00")


# --- Traffic estimate --------------------------------------------------------------------

def test_traffic_sms_first_500_domestic_free():
    r = run({"mobile_user": 1}, traffic=TrafficEstimate(sms_domestic=1200, sms_foreign=100))
    amounts = {t.code: t.amount for t in r.traffic}
    assert amounts == {"sms_domestic": D("483.00"), "sms_foreign": D("129.00")}  # 700 × 0,69; 100 × 1,29
    assert run({"mobile_user": 1}, traffic=TrafficEstimate(sms_domestic=499)).traffic[0].amount == D("0")


def test_traffic_calls_are_charged_per_started_60_second_interval():
    r = run({"mobile_user": 1}, traffic=TrafficEstimate(calls=200, avg_call_seconds=150))
    amounts = {t.code: t.amount for t in r.traffic}
    # 200 × 0,45 opening + 200 × ceil(150/60)=3 intervals × 0,39
    assert amounts == {"call_opening": D("90.00"), "call_minute": D("234.00")}
    assert r.totals.traffic_monthly == D("324.00")
    assert r.totals.contract_value == D("3204.00")  # 89 × 36, traffic excluded
    assert {"calls-1", "calls-2"} <= set(r.terms)


def test_traffic_exactly_60_seconds_is_one_interval():
    r = run({}, traffic=TrafficEstimate(calls=10, avg_call_seconds=60))
    assert {t.code: t.amount for t in r.traffic}["call_minute"] == D("3.90")


# --- Totals, VAT and rounding ------------------------------------------------------------

def test_vat_is_rounded_to_ore_half_up():
    assert to_ore(D("0.125")) == D("0.13")
    r = run({"teams_status": 0, "mobile_user": 1, "ad": 1, "guided_delivery": 1, "impl_ad": 1})
    # monthly 89 + 9 = 98 → VAT 24,50; one-time 9 995 + 1 990 = 11 985 → VAT 2 996,25
    assert (r.totals.monthly_vat, r.totals.monthly_incl_vat) == (D("24.50"), D("122.50"))
    assert (r.totals.one_time_vat, r.totals.one_time_incl_vat) == (D("2996.25"), D("14981.25"))


def test_contract_term_and_value():
    r = run({"mobile_user": 10}, contract_months=12)
    assert r.totals.contract_value == D("10680.00")  # 890 × 12
    with pytest.raises(InvalidConfiguration):
        run({"mobile_user": 1}, contract_months=18)


# --- Whole quotes, worked out by hand ----------------------------------------------------

def test_whole_quote_25_users_teams_voice_softphone():
    """The issue's example: 25 users, all with Teams Voice and Softphone, 3 function
    numbers, a 100-number series, startup help and a half-day training."""
    r = run({
        "mobile_user": 25, "teams_voice": 25, "softphone": 25, "function_number": 3,
        "number_series_100": 1, "startup_help": 1, "training_half_day": 1,
    })
    assert r.valid
    # Monthly: 25 × 89 = 2 225; 25 × 29 = 725; 25 × 29 = 725 (mobile: 3 675); 3 × 99 = 297.
    assert r.totals.monthly_mobile == D("3675.00")
    assert r.totals.monthly_company == D("297.00")
    assert r.totals.monthly == D("3972.00")
    # One-time: 3 000 + 1 990 (Teams implementation, auto) + 2 499 + 5 990 = 13 479.
    assert r.totals.one_time == D("13479.00")
    assert line(r, "impl_teams").auto_added
    assert r.totals.contract_value == D("156471.00")  # 13 479 + 36 × 3 972
    assert r.totals.monthly_incl_vat == D("4965.00")


def test_whole_quote_reception_with_answering_service():
    """10 users with fixed numbers, calendar for 10, a 10-number series, Svarsservice
    paket 10 with guided delivery, full-day training, 24 months."""
    r = run(
        {"mobile_user": 10, "fixed_number": 10, "calendar": 10, "number_series_10": 1,
         "function_number": 1, "answering_service_10": 1, "guided_delivery": 1,
         "training_full_day": 1},
        contract_months=24,
    )
    assert r.valid
    # Monthly mobile: 10 × (89 + 39 + 19) = 1 470; company: 99 + 4 710 = 4 809.
    assert (r.totals.monthly_mobile, r.totals.monthly_company) == (D("1470.00"), D("4809.00"))
    # One-time: 1 000 + 1 990 (calendar impl.) + 9 995 + 9 990 = 22 975.
    assert r.totals.one_time == D("22975.00")
    assert r.totals.contract_value == D("173671.00")  # 22 975 + 24 × 6 279


def test_whole_quote_contact_center_with_api_nps_and_traffic():
    """40 users, 40 softphones, AD for 40, call recording for 8, API Access, NPS, 5
    function numbers, startup help with 2 extra cases, traffic estimate."""
    r = run(
        {"mobile_user": 40, "softphone": 40, "ad": 40, "call_recording": 8, "api_access": 1,
         "nps_survey": 1, "function_number": 5, "startup_help": 1, "extra_config": 2},
        traffic=TrafficEstimate(sms_domestic=800, nps_sms_domestic=300, calls=500, avg_call_seconds=95),
        contract_months=36,
    )
    assert r.valid
    # Mobile: 40 × 89 + 40 × 29 + 40 × 9 + 8 × 29 = 3 560 + 1 160 + 360 + 232 = 5 312.
    assert r.totals.monthly_mobile == D("5312.00")
    # Company: 5 × 99 + 9 × 40 + 499 = 495 + 360 + 499 = 1 354.
    assert r.totals.monthly_company == D("1354.00")
    # One-time: AD impl. 1 990 + rec. impl. 1 990 + API 1 990 + NPS 1 990 + 2 499 + 2 × 899 = 12 257.
    assert r.totals.one_time == D("12257.00")
    # Traffic: 300 × 0,69 = 207 SMS; NPS 300 × 0,69 = 207; calls 500 × 0,45 = 225 +
    # 500 × 2 × 0,39 = 390 → 1 029.
    assert r.totals.traffic_monthly == D("1029.00")
    assert r.totals.contract_value == D("252233.00")  # 12 257 + 36 × 6 666
    assert {"7", "8", "9", "1"} <= set(r.terms)


# --- Rule 7: agreed prices (footnote 6: "För övriga paket (20, 40, 60, 80, 100) kontakta
# din säljare") --------------------------------------------------------------------------

def test_rule_7_an_agreed_price_with_neither_amount_is_no_agreed_price():
    r = run({"answering_service_80": 1, "guided_delivery": 1},
            manual_prices={"answering_service_80": ManualPrice()})
    assert error_codes(r) == ["price_on_request"]
    package = line(r, "answering_service_80")
    assert (package.monthly, package.one_time, package.manual) == (D("0"), D("0"), False)


def test_rule_7_an_agreed_one_time_price_alone_is_an_agreed_price():
    r = run({"answering_service_80": 1, "guided_delivery": 1},
            manual_prices={"answering_service_80": ManualPrice(one_time=D("5000.00"))})
    assert r.valid
    package = line(r, "answering_service_80")
    assert (package.one_time_unit, package.monthly_unit, package.manual) == (D("5000.00"), D("0"), True)
    assert r.totals.one_time == D("14995.00")  # 5 000 + 9 995 (Vägledd leverans)
    assert r.totals.monthly == D("0.00")


def test_rule_7_an_agreed_price_with_both_amounts():
    r = run({"answering_service_100": 1, "guided_delivery": 1},
            manual_prices={"answering_service_100": ManualPrice(one_time=D("2500.00"), monthly=D("18000.00"))})
    package = line(r, "answering_service_100")
    assert (package.one_time, package.monthly, package.manual) == (D("2500.00"), D("18000.00"), True)
    assert r.totals.monthly_company == D("18000.00")
    assert r.valid


def test_rule_7_on_request_with_a_one_time_list_price_needs_no_agreed_price():
    items = dict(CATALOG.items)
    items["answering_service_40"] = replace(items["answering_service_40"], one_time=D("3000"))
    assert items["answering_service_40"].price_on_request
    r = price(replace(CATALOG, items=items), Configuration(items={"answering_service_40": 1, "guided_delivery": 1}))
    assert r.valid
    package = line(r, "answering_service_40")
    assert (package.one_time, package.monthly, package.manual) == (D("3000"), D("0"), False)


# --- Rule 9 / footnote 2: "Önskas utbildningar på plats tillkommer kostnader för
# restidsersättning och faktiska resekostnader." ------------------------------------------

def test_footnote_2_travel_line_is_a_manual_one_time_line_on_the_company():
    r = run({"mobile_user": 3, "training_half_day": 1}, on_site_training=True, travel_cost=D("2750.50"))
    assert line(r, "training_travel") == Line(
        code="training_travel",
        name="Resekostnad, utbildning på plats (överenskommen)",
        section="delivery",
        billed_to="company",
        quantity=1,
        one_time_unit=D("2750.50"),
        monthly_unit=D("0"),
        one_time=D("2750.50"),
        monthly=D("0"),
        monthly_quantity=0,
        auto_added=False,
        reason=None,
        footnote="2",
        manual=True,
        one_time_list=D("2750.50"),  # no discount: the list amount is the net
    )
    assert r.warnings == () and r.errors == ()  # a half day is a training day
    assert r.totals.one_time == D("8740.50")  # 5 990 + 2 750,50
    assert r.totals.monthly_company == D("0.00")
    with translation.override("en"):
        english = line(run({"training_half_day": 1}, on_site_training=True, travel_cost=D("1")), "training_travel")
    assert english.name != "Resekostnad, utbildning på plats (överenskommen)"


def test_footnote_2_on_site_counts_half_and_full_days():
    for days in ({"training_half_day": 1}, {"training_full_day": 1}, {"training_half_day": 2, "training_full_day": 1}):
        r = run(days, on_site_training=True, travel_cost=D("100.00"))
        assert r.warnings == (), days


def test_footnote_2_on_site_without_a_training_day_still_carries_the_term():
    r = run({"mobile_user": 1}, on_site_training=True)
    assert [w.code for w in r.warnings] == ["on_site_without_training", "travel_cost_missing"]
    assert "training_travel" not in codes(r)
    # No line carries footnote 2 here: on-site training does (rule 9).
    assert r.terms == ("2", "3", "calls-1", "calls-2", "calls-abroad", "traffic")


def test_footnote_2_remote_training_has_no_travel():
    r = run({"training_full_day": 1}, travel_cost=D("3500.00"))  # cost without on-site: ignored
    assert "training_travel" not in codes(r)
    assert r.warnings == ()
    assert r.totals.one_time == D("9990.00")
    assert "2" not in run({"mobile_user": 1}, travel_cost=D("3500.00")).terms


def test_footnote_2_agreed_travel_cost_of_zero_is_a_line():
    r = run({"training_full_day": 1}, on_site_training=True, travel_cost=D("0.00"))
    assert line(r, "training_travel").one_time == D("0.00")
    assert r.warnings == ()


# --- Traffic: calls footnote 2, "Debiteras per 60-sekunders intervall" -------------------

@pytest.mark.parametrize(
    "seconds, intervals", [(1, 1), (59, 1), (60, 1), (61, 2), (119, 2), (120, 2), (121, 3), (3600, 60)]
)
def test_calls_footnote_2_started_60_second_intervals(seconds, intervals):
    r = run({}, traffic=TrafficEstimate(calls=10, avg_call_seconds=seconds))
    assert r.traffic == (
        TrafficLine("call_opening", OPENING, 10, 10, D("0.45"), D("4.50"), "calls-1"),
        TrafficLine("call_minute", "Minuttaxa, talsamtal", 10 * intervals, 10 * intervals, D("0.39"),
                    D("0.39") * 10 * intervals, "calls-2"),
    )
    assert r.totals.traffic_monthly == to_ore(D("4.50") + D("3.90") * intervals)


def test_calls_of_0_seconds_pay_the_opening_fee_only():
    r = run({}, traffic=TrafficEstimate(calls=10, avg_call_seconds=0))
    assert r.traffic == (TrafficLine("call_opening", OPENING, 10, 10, D("0.45"), D("4.50"), "calls-1"),)
    assert r.totals.traffic_monthly == D("4.50")


def test_a_call_length_without_calls_is_no_traffic():
    r = run({}, traffic=TrafficEstimate(avg_call_seconds=90))
    assert r.traffic == ()
    assert r.totals.traffic_monthly == D("0.00")


def test_an_empty_estimate_is_no_traffic():
    assert run({"mobile_user": 1}, traffic=TrafficEstimate()).traffic == ()
    assert TrafficEstimate().is_empty and not TrafficEstimate(sms_foreign=1).is_empty


@pytest.mark.parametrize("sms, billable", [(0, None), (1, 0), (499, 0), (500, 0), (501, 1), (1500, 1000)])
def test_sms_center_500_domestic_sms_a_month_free(sms, billable):
    """"SMS till svenska telefonnummer (500 SMS/Månad ingår utan kostnad) 0,69 kr/SMS"."""
    r = run({}, traffic=TrafficEstimate(sms_domestic=sms, sms_foreign=2))
    foreign = TrafficLine("sms_foreign", "SMS till utländska telefonnummer (oavsett destination)", 2, 2,
                          D("1.29"), D("2.58"), "sms-1")
    if billable is None:
        assert r.traffic == (foreign,)
    else:
        assert r.traffic == (
            TrafficLine("sms_domestic", "SMS till svenska telefonnummer", sms, billable, D("0.69"),
                        D("0.69") * billable, "sms-1"),
            foreign,
        )


def test_sms_without_a_free_quota_are_all_charged():
    items = dict(CATALOG.items)
    items["sms_domestic"] = replace(items["sms_domestic"], free_quota=None)
    r = price(replace(CATALOG, items=items), Configuration(items={}, traffic=TrafficEstimate(sms_domestic=10)))
    assert [(t.quantity, t.billable_quantity, t.amount) for t in r.traffic] == [(10, 10, D("6.90"))]


def test_a_usage_item_without_a_price_costs_nothing():
    items = dict(CATALOG.items)
    items["call_opening"] = replace(items["call_opening"], usage_price=None)
    r = price(replace(CATALOG, items=items), Configuration(items={}, traffic=TrafficEstimate(calls=10)))
    assert [(t.code, t.unit_price, t.amount) for t in r.traffic] == [("call_opening", D("0"), D("0"))]


def test_traffic_lines_in_the_price_lists_order_with_their_footnotes():
    r = run(
        {"nps_survey": 1},
        traffic=TrafficEstimate(sms_domestic=600, sms_foreign=1, nps_sms_domestic=3, nps_sms_foreign=4,
                                calls=2, avg_call_seconds=30),
    )
    assert [(t.code, t.quantity, t.billable_quantity, t.amount, t.footnote) for t in r.traffic] == [
        ("sms_domestic", 600, 100, D("69.00"), "sms-1"),  # 100 × 0,69
        ("sms_foreign", 1, 1, D("1.29"), "sms-1"),
        ("nps_sms_domestic", 3, 3, D("2.07"), "9"),  # footnote 9: 0,69 from the first
        ("nps_sms_foreign", 4, 4, D("5.16"), "9"),  # 4 × 1,29
        ("call_opening", 2, 2, D("0.90"), "calls-1"),
        ("call_minute", 2, 2, D("0.78"), "calls-2"),
    ]
    assert r.totals.traffic_monthly == D("79.20")
    assert r.warnings == ()


@pytest.mark.parametrize(
    "estimate",
    [TrafficEstimate(nps_sms_domestic=1), TrafficEstimate(nps_sms_foreign=1),
     TrafficEstimate(nps_sms_domestic=5, nps_sms_foreign=5)],
)
def test_footnote_9_nps_sms_without_the_survey_warns(estimate):
    r = run({"mobile_user": 1}, traffic=estimate)
    assert [(w.code, w.items) for w in r.warnings] == [("nps_traffic_without_survey", ("nps_survey",))]
    assert r.valid
    assert run({"mobile_user": 1, "nps_survey": 1}, traffic=estimate).warnings == ()


def test_footnote_9_other_traffic_without_the_survey_does_not_warn():
    r = run({"mobile_user": 1}, traffic=TrafficEstimate(sms_domestic=900, sms_foreign=9, calls=9))
    assert r.warnings == ()


# --- Terms: the calls terms go with every quote -------------------------------------------

def test_every_quote_carries_the_calls_terms():
    """Calls footnotes 1 and 2, calls abroad and other traffic apply to every Smart Connect
    solution, even one without a traffic estimate."""
    assert run({}).terms == ("calls-1", "calls-2", "calls-abroad", "traffic")
    assert run({"number_series_10": 1}).terms == ("calls-1", "calls-2", "calls-abroad", "traffic")


def test_terms_are_the_quotes_footnotes_in_the_price_lists_order():
    r = run(
        {"mobile_user": 40, "softphone": 40, "ad": 40, "call_recording": 8, "api_access": 1,
         "nps_survey": 1, "function_number": 5, "startup_help": 1, "extra_config": 2,
         "answering_service_10": 1, "training_full_day": 1},
        traffic=TrafficEstimate(sms_domestic=800, calls=500, avg_call_seconds=95),
    )
    # 3 (users), 4 (AD), 8 (recording), 7 (API), 9 (NPS), 5 (function numbers), 1 (start-up
    # help), 6 (Svarsservice), 2 (training); sms-1 from the SMS estimate; the calls terms.
    assert r.terms == (
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "sms-1", "calls-1", "calls-2", "calls-abroad", "traffic",
    )


def test_sms_term_only_with_sms_traffic():
    assert "sms-1" in run({}, traffic=TrafficEstimate(sms_foreign=1)).terms
    assert "sms-1" not in run({}, traffic=TrafficEstimate(calls=1)).terms


# --- Line order: the price list's order, whatever the configuration's -----------------------

def test_lines_follow_the_price_list_not_the_configuration():
    """The price list has Implementering API Access before Implementering Samtalsinspelning
    (the engine adds the implementations before API Access)."""
    r = run(
        {"training_full_day": 1, "training_half_day": 1, "extra_config": 1, "startup_help": 1,
         "nps_survey": 1, "api_access": 1, "number_series_10": 1, "function_number": 2,
         "call_recording": 1, "calendar": 3, "softphone": 3, "mobile_user": 3},
        on_site_training=True, travel_cost=D("1000.00"),
    )
    assert codes(r) == [
        "mobile_user", "softphone", "calendar", "call_recording", "function_number", "number_series_10",
        "impl_calendar", "api_access", "impl_call_recording", "nps_survey", "startup_help", "extra_config",
        "training_half_day", "training_full_day", "training_travel",
    ]
    assert r.valid and r.warnings == ()


def test_travel_line_right_after_the_training_days_even_before_later_items():
    """A price list that lists an item after the training days: the travel line still
    follows the training (footnote 2), before that item."""
    items = {}
    for code, item in CATALOG.items.items():
        if code != "extra_config":
            items[code] = item
        if code == "training_full_day":
            items["extra_config"] = CATALOG.items["extra_config"]  # right after the training days
    assert list(items).index("extra_config") == list(items).index("training_full_day") + 1
    r = price(replace(CATALOG, items=items),
              Configuration(items={"extra_config": 1, "startup_help": 1, "training_half_day": 1},
                            on_site_training=True, travel_cost=D("500.00")))
    assert codes(r) == ["startup_help", "training_half_day", "training_travel", "extra_config"]


def test_travel_line_last_when_the_price_list_has_no_training_days():
    items = {c: i for c, i in CATALOG.items.items() if c not in ("training_half_day", "training_full_day")}
    r = price(replace(CATALOG, items=items),
              Configuration(items={"mobile_user": 1}, on_site_training=True, travel_cost=D("500.00")))
    assert codes(r) == ["mobile_user", "self_config", "training_travel"]


def test_sellable_items_are_all_but_traffic_in_the_lists_order():
    assert [i.code for i in CATALOG.sellable()] == [code for code, _n, section, *_ in seed.ITEMS if section != "traffic"]
    assert len(CATALOG.sellable()) == 30


# --- Price lists without some items ---------------------------------------------------------

def without(*codes_to_drop):
    return replace(CATALOG, items={c: i for c, i in CATALOG.items.items() if c not in codes_to_drop})


def test_footnote_4_a_price_list_without_one_implementation_still_adds_the_others():
    r = price(without("impl_calendar"), Configuration(items={"mobile_user": 2, "calendar": 2, "teams_voice": 2}))
    assert codes(r) == ["mobile_user", "calendar", "teams_voice", "impl_teams", "self_config"]
    assert line(r, "impl_teams").auto_added


def test_a_price_list_without_sms_center_prices_the_other_traffic():
    r = price(without("sms_domestic"), Configuration(items={}, traffic=TrafficEstimate(sms_domestic=900, sms_foreign=10)))
    assert [(t.code, t.amount) for t in r.traffic] == [("sms_foreign", D("12.90"))]


def test_no_lines_at_all_gives_zero_totals():
    r = price(without("self_config"), Configuration(items={}))
    assert r.lines == ()
    t = r.totals
    assert (t.one_time, t.monthly, t.monthly_mobile, t.monthly_company, t.traffic_monthly) == (D("0.00"),) * 5
    assert (t.one_time_incl_vat, t.monthly_incl_vat, t.contract_value) == (D("0.00"),) * 3
    assert r.terms == ("calls-1", "calls-2", "calls-abroad", "traffic")


def test_the_catalog_indexes_follow_the_price_list():
    """Built once when a list is loaded (the engine, the API, the step forms and the offer
    look codes up in them). A catalog built here, not the module's: code that runs at
    import would escape `make mutate`'s mutants."""
    catalog = seed_catalog()
    assert catalog.position == {code: i for i, (code, *_rest) in enumerate(seed.ITEMS)}
    assert catalog.packages == (
        "answering_service_10", "answering_service_20", "answering_service_40", "answering_service_60",
        "answering_service_80", "answering_service_100",
    )
    assert catalog.codes_sellable == frozenset(i.code for i in catalog.sellable())
    assert catalog.traffic_codes == (
        "sms_domestic", "sms_foreign", "call_opening", "call_minute", "nps_sms_domestic", "nps_sms_foreign",
    )
