"""Every rule's error and warning: its code, its exact Swedish message, its English
translation, and the items it points at. No database.

The step form shows a problem next to the fields of its ``items`` (quotes.draft.steps
``FIELD_OF_ITEM``), in the totals panel and on the stepper; the API answers them as
they are. A wrong item list puts the message on the wrong field, so the items are
asserted exactly, in order. Names in the messages are the price list's own (the seed's,
from shared/seed/smart-connect-price-list.txt) and are not translated.
"""

import re
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils import translation

from configurator import pricing
from configurator.pricing import (
    Configuration,
    Discounts,
    LineDiscount,
    ManualPrice,
    Problem,
    TrafficEstimate,
    price,
)

from .test_pricing import CATALOG, line, run

# (id, configuration, errors or warnings, code, Swedish message, items)
CASES = [
    # Rule 1 of the spec: implementations, API Access, NPS, delivery and packages are 0 or 1.
    (
        "at_most_one",
        dict(items={"mobile_user": 2, "calendar": 2, "impl_calendar": 2}),
        "errors", "at_most_one",
        "Implementering Kalenderintegration kan bara väljas en gång.",
        ("impl_calendar",),
    ),
    # Rule 2: an add-on counts the users that have it, at most U (footnote 3: on the
    # mobile subscriptions). The error sits on the add-on and on the users.
    (
        "exceeds_users",
        dict(items={"mobile_user": 5, "softphone": 6}),
        "errors", "exceeds_users",
        "Softphone: 6 användare, men offerten har bara 5 användare — minska antalet eller "
        "öka antalet användare.",
        ("softphone", "mobile_user"),
    ),
    # Footnote 4: "Aktivering av tilläggstjänster på företagsnivå behöver kompletteras med
    # tilläggstjänster på användarnivå": the implementation and every add-on it needs.
    (
        "implementation_without_users",
        dict(items={"mobile_user": 4, "impl_teams": 1}),
        "errors", "implementation_without_users",
        "Implementering Teamsintegration kräver att minst en användare har Teamsintegration – "
        "Status eller Teamsintegration – Voice — lägg till tjänsten för användarna eller ta "
        "bort implementeringen.",
        ("impl_teams", "teams_status", "teams_voice"),
    ),
    # Footnote 8: call recording's implementation, the same rule.
    (
        "implementation_without_users_call_recording",
        dict(items={"mobile_user": 4, "impl_call_recording": 1}),
        "errors", "implementation_without_users",
        "Implementering Samtalsinspelning kräver att minst en användare har Samtalsinspelning "
        "— lägg till tjänsten för användarna eller ta bort implementeringen.",
        ("impl_call_recording", "call_recording"),
    ),
    # Footnote 7: "API Access omfattar alltid alla användare i lösningen".
    (
        "api_access_without_users",
        dict(items={"api_access": 1}),
        "errors", "implementation_without_users",
        "API Access omfattar alla användare — lägg till användare först.",
        ("api_access", "mobile_user"),
    ),
    # Footnote 6: "För övriga paket (20, 40, 60, 80, 100) kontakta din säljare."
    (
        "price_on_request",
        dict(items={"answering_service_40": 1, "guided_delivery": 1}),
        "errors", "price_on_request",
        "Telia Svarsservice, paket 40 har pris på förfrågan — ange det överenskomna månadspriset.",
        ("answering_service_40",),
    ),
    # Rule 7: one package of Telia Svarsservice; both packages named, in the list's order.
    (
        "multiple_answering_service",
        dict(
            items={"answering_service_10": 1, "answering_service_20": 1, "guided_delivery": 1},
            manual_prices={"answering_service_20": ManualPrice(monthly=D("7900"))},
        ),
        "errors", "multiple_answering_service",
        "Välj ett paket av Telia Svarsservice, inte flera.",
        ("answering_service_10", "answering_service_20"),
    ),
    # Footnote 6: "För implementation av Svarsservice krävs tillvalet vägledd leverans."
    (
        "requires_guided_delivery",
        dict(items={"answering_service_10": 1, "startup_help": 1}),
        "errors", "requires_guided_delivery",
        "Telia Svarsservice kräver Vägledd leverans — välj Vägledd leverans i steget Leverans "
        "och utbildning.",
        ("answering_service_10", "guided_delivery"),
    ),
    # Rule 6: exactly one delivery option; the chosen ones named in the list's order.
    (
        "multiple_delivery",
        dict(items={"guided_delivery": 1, "startup_help": 1}),
        "errors", "multiple_delivery",
        "Välj ett leveranssätt, inte flera.",
        ("startup_help", "guided_delivery"),
    ),
    # Footnote 1: "för ytterligare konfiguration 899 SEK/ärende" belongs to Uppstartshjälp.
    (
        "requires_startup_help",
        dict(items={"extra_config": 1, "guided_delivery": 1}),
        "errors", "requires_startup_help",
        "Ytterligare konfiguration hör till Uppstartshjälp med tekniker — välj Uppstartshjälp "
        "i steget Leverans och utbildning eller ta bort ärendena.",
        ("extra_config", "startup_help"),
    ),
    # Rule 7: an agreed price only for an item priced on request.
    (
        "manual_price_ignored",
        dict(items={"softphone": 1, "mobile_user": 1},
             manual_prices={"softphone": ManualPrice(monthly=D("1"))}),
        "warnings", "manual_price_ignored",
        "Softphone har ett listpris; det angivna priset används inte.",
        ("softphone",),
    ),
    # Footnote 2: on site without a training day.
    (
        "on_site_without_training",
        dict(items={"mobile_user": 1}, on_site_training=True, travel_cost=D("800.00")),
        "warnings", "on_site_without_training",
        "Utbildning på plats är vald men ingen utbildningsdag — lägg till halvdag eller heldag.",
        ("training_half_day", "training_full_day"),
    ),
    # Footnote 2: "tillkommer kostnader för restidsersättning och faktiska resekostnader".
    (
        "travel_cost_missing",
        dict(items={"training_full_day": 1}, on_site_training=True),
        "warnings", "travel_cost_missing",
        "Utbildning på plats: ange överenskommen resekostnad (restid och resor tillkommer).",
        ("training_travel",),
    ),
    # Footnote 9: the survey's SMS are its traffic.
    (
        "nps_traffic_without_survey",
        dict(items={"mobile_user": 1}, traffic=TrafficEstimate(nps_sms_domestic=10)),
        "warnings", "nps_traffic_without_survey",
        "Trafikuppskattningen har NPS-sms men offerten saknar NPS Enkät.",
        ("nps_survey",),
    ),
    # Discounts (spec "Discounts"): never more than the line, per fee.
    (
        "discount_exceeds_line",
        dict(items={"mobile_user": 2}, discounts=Discounts(lines={"mobile_user": LineDiscount(monthly_amount=D("200"))})),
        "errors", "discount_exceeds_line",
        "Rabatten på Användare med mobilt nummer (200 kr i månaden) är större än raden (178 kr).",
        ("mobile_user",),
    ),
    # A discount on an item the quote no longer has is kept, not used.
    (
        "discount_without_line",
        dict(items={"mobile_user": 2}, discounts=Discounts(lines={"softphone": LineDiscount(monthly_percent=D("10"))})),
        "warnings", "discount_without_line",
        "Rabatten på Softphone används inte: artikeln finns inte i offerten.",
        ("softphone",),
    ),
    # Free months: 0 ≤ N < the contract term.
    (
        "free_months_exceed_term",
        dict(items={"mobile_user": 2}, contract_months=12, discounts=Discounts(free_months=12)),
        "errors", "free_months_exceed_term",
        "12 fria månader går inte med 12 månaders avtalstid — högst 11.",
        (),
    ),
]


def priced(config: dict):
    return price(CATALOG, Configuration(**config))


@pytest.mark.parametrize(
    "config, kind, code, message, items", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_problem_code_message_and_items(config, kind, code, message, items):
    result = priced(config)
    assert getattr(result, kind) == (Problem(code, message, items),)
    other = "warnings" if kind == "errors" else "errors"
    assert getattr(result, other) == ()
    assert result.valid is (kind == "warnings")


@pytest.mark.parametrize(
    "config, kind, code, message, items", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_message_has_an_english_translation(config, kind, code, message, items):
    with translation.override("en"):
        (english,) = getattr(priced(config), kind)
    assert english.code == code and english.items == items
    assert english.message and english.message != message
    # Item names are the price list's words: they stay as they are in English.
    for item in items:
        name = CATALOG.items[item].name if item in CATALOG.items else None
        if name and name in message:
            assert name in english.message


def test_every_problem_code_of_the_engine_is_covered():
    """A rule added to the engine gets its case above. (Lower-case codes only: under
    `make mutate` the module's file also holds mutants such as "XXat_most_oneXX".)"""
    source = Path(pricing.__file__).read_text("utf-8")
    engine_codes = set(re.findall(r'self\.(?:error|warn)\(\s*"([a-z_]+)"', source))
    assert len(engine_codes) == 15
    assert {c[3] for c in CASES} == engine_codes


# --- Problems that come together ---------------------------------------------------------


def test_at_most_one_counts_once_for_every_item_that_is_0_or_1():
    """Each is an error of its own, on its own item; the line is priced for one."""
    r = run({"mobile_user": 1, "calendar": 1, "impl_calendar": 2, "api_access": 2, "nps_survey": 2,
             "answering_service_10": 2, "guided_delivery": 2})
    assert r.errors == tuple(
        Problem("at_most_one", f"{CATALOG.items[code].name} kan bara väljas en gång.", (code,))
        for code in ("answering_service_10", "impl_calendar", "api_access", "nps_survey", "guided_delivery")
    )
    # One of each: 4 710 (footnote 6, paket 10), 1 990 + 9 × 1 user (footnote 7), 1 990 + 499
    # (footnote 9), 1 990 (footnote 4), 9 995.
    for code in ("answering_service_10", "impl_calendar", "api_access", "nps_survey", "guided_delivery"):
        assert line(r, code).quantity == 1
    assert line(r, "answering_service_10").monthly == D("4710")
    assert line(r, "guided_delivery").one_time == D("9995")
    assert r.totals.one_time == D("15965.00")  # 1 990 × 3 + 9 995


def test_an_implementation_asked_twice_without_users_is_priced_once_with_both_errors():
    r = run({"mobile_user": 3, "impl_ad": 2})
    assert [e.code for e in r.errors] == ["at_most_one", "implementation_without_users"]
    assert r.errors[1] == Problem(
        "implementation_without_users",
        "Implementering AD-integration kräver att minst en användare har AD-Integration — lägg "
        "till tjänsten för användarna eller ta bort implementeringen.",
        ("impl_ad", "ad"),
    )
    impl = line(r, "impl_ad")
    assert (impl.quantity, impl.one_time, impl.auto_added) == (1, D("1990"), False)


def test_an_add_on_missing_from_the_price_list_is_named_by_its_code():
    """A price list may drop an add-on and keep its implementation: the message still reads."""
    items = {code: item for code, item in CATALOG.items.items() if code != "ad"}
    r = price(replace(CATALOG, items=items), Configuration(items={"impl_ad": 1}))
    assert r.errors[0].message == (
        "Implementering AD-integration kräver att minst en användare har ad — lägg till "
        "tjänsten för användarna eller ta bort implementeringen."
    )
    assert r.errors[0].items == ("impl_ad", "ad")


def test_every_add_on_over_the_users_is_its_own_error():
    r = run({"mobile_user": 2, "fixed_number": 3, "call_recording": 4})
    assert r.errors == (
        Problem(
            "exceeds_users",
            "Fastnummer till mobil användare: 3 användare, men offerten har bara 2 användare — "
            "minska antalet eller öka antalet användare.",
            ("fixed_number", "mobile_user"),
        ),
        Problem(
            "exceeds_users",
            "Samtalsinspelning: 4 användare, men offerten har bara 2 användare — minska antalet "
            "eller öka antalet användare.",
            ("call_recording", "mobile_user"),
        ),
    )


def test_three_deliveries_and_two_packages_name_them_all():
    r = run(
        {"self_config": 1, "startup_help": 1, "guided_delivery": 1, "answering_service_10": 1,
         "answering_service_100": 1},
        manual_prices={"answering_service_100": ManualPrice(monthly=D("20000"))},
    )
    assert [(e.code, e.items) for e in r.errors] == [
        ("multiple_answering_service", ("answering_service_10", "answering_service_100")),
        ("multiple_delivery", ("self_config", "startup_help", "guided_delivery")),
    ]


def test_packages_without_guided_delivery_name_every_package_and_the_delivery():
    r = run(
        {"answering_service_10": 1, "answering_service_60": 1},
        manual_prices={"answering_service_60": ManualPrice(monthly=D("15000"))},
    )
    assert [(e.code, e.items) for e in r.errors] == [
        ("multiple_answering_service", ("answering_service_10", "answering_service_60")),
        ("requires_guided_delivery", ("answering_service_10", "answering_service_60", "guided_delivery")),
    ]


def test_on_site_without_days_or_travel_cost_gives_both_warnings():
    r = run({"mobile_user": 1}, on_site_training=True)
    assert [(w.code, w.items) for w in r.warnings] == [
        ("on_site_without_training", ("training_half_day", "training_full_day")),
        ("travel_cost_missing", ("training_travel",)),
    ]
    assert r.valid  # warnings only


# --- Where the step form puts them: PriceResult.problems_for ------------------------------


def test_problems_for_an_item_are_its_errors_then_its_warnings():
    r = run(
        {"mobile_user": 2, "softphone": 3, "answering_service_10": 1},
        manual_prices={"mobile_user": ManualPrice(monthly=D("50"))},
    )
    exceeds, guided = r.errors
    (ignored,) = r.warnings
    assert (exceeds.code, guided.code, ignored.code) == (
        "exceeds_users", "requires_guided_delivery", "manual_price_ignored",
    )
    assert r.problems_for("mobile_user") == [exceeds, ignored]
    assert r.problems_for("softphone") == [exceeds]
    assert r.problems_for("guided_delivery") == [guided]
    assert r.problems_for("answering_service_10") == [guided]
    assert r.problems_for("fixed_number") == []


# --- Reasons said to the customer for lines the engine adds -------------------------------


def test_footnote_4_reason_names_every_add_on_that_needs_the_implementation():
    """Footnote 4: Teams Status and Voice share Implementering Teamsintegration."""
    r = run({"mobile_user": 3, "teams_status": 3, "teams_voice": 1})
    impl = line(r, "impl_teams")
    assert impl.reason == (
        "Ingår eftersom Teamsintegration – Status och Teamsintegration – Voice kräver "
        "implementering på företagsnivå."
    )
    assert (impl.auto_added, impl.footnote, impl.quantity, impl.one_time) == (True, "4", 1, D("1990"))
    with translation.override("en"):
        english = line(run({"mobile_user": 3, "teams_status": 3, "teams_voice": 1}), "impl_teams").reason
    assert english != impl.reason
    assert "Teamsintegration – Status" in english and "Teamsintegration – Voice" in english
    assert " och " not in english


def test_footnote_8_call_recording_implementation_is_added_with_its_own_footnote():
    """Footnote 8: "Avtal för lagring av samtalsinspelningar tecknas separat med Touch Call
    recording." The implementation line carries footnote 8, not 4."""
    r = run({"mobile_user": 4, "call_recording": 2})
    impl = line(r, "impl_call_recording")
    assert impl.reason == "Ingår eftersom Samtalsinspelning kräver implementering på företagsnivå."
    assert (impl.auto_added, impl.footnote, impl.quantity, impl.one_time) == (True, "8", 1, D("1990"))
    assert impl.billed_to == "company" and impl.section == "company"


def test_an_implementation_asked_for_has_no_reason():
    r = run({"mobile_user": 3, "call_recording": 3, "impl_call_recording": 1})
    impl = line(r, "impl_call_recording")
    assert (impl.auto_added, impl.reason, impl.footnote) == (False, None, "8")


def test_rule_6_self_configuration_added_with_its_reason():
    r = run({"mobile_user": 1})
    self_config = line(r, "self_config")
    assert self_config.reason == "Ingen leverans vald: egen konfiguration med digitala guider."
    assert (self_config.auto_added, self_config.quantity, self_config.one_time) == (True, 1, D("0"))
    assert self_config.billed_to == "company" and self_config.section == "delivery"
    with translation.override("en"):
        assert line(run({"mobile_user": 1}), "self_config").reason != self_config.reason


def test_rule_6_self_configuration_chosen_is_not_auto():
    r = run({"mobile_user": 1, "self_config": 1})
    self_config = line(r, "self_config")
    assert (self_config.auto_added, self_config.reason, self_config.quantity) == (False, None, 1)
    assert r.valid


def test_rule_6_a_price_list_without_self_configuration_adds_nothing():
    items = {code: item for code, item in CATALOG.items.items() if code != "self_config"}
    r = price(replace(CATALOG, items=items), Configuration(items={"mobile_user": 1}))
    assert [l.code for l in r.lines] == ["mobile_user"]
    assert r.valid
