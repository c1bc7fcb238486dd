"""POST /api/v1/price: the spec's cases, bad input, authentication and query counts."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from configurator.models import ApiToken

URL = "/api/v1/price"


def post(client, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


@pytest.fixture
def api(seller_client):
    return seller_client


def test_spec_example_is_priced(api, price_list):
    r = post(api, {
        "items": {"mobile_user": 25, "teams_voice": 25, "guided_delivery": 1},
        "manual_prices": {"answering_service_20": {"monthly": "7900.00"}},
        "traffic": {"sms_domestic": 1200, "sms_foreign": 100, "nps_sms_domestic": 0,
                    "nps_sms_foreign": 0, "calls": 200, "avg_call_seconds": 150},
        "contract_months": 36,
    })
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is True
    assert body["price_list"] == {"id": price_list.pk, "name": price_list.name, "valid_from": "2026-01-01"}
    first = body["lines"][0]
    assert first == {
        "code": "mobile_user", "name": "Användare med mobilt nummer", "section": "user",
        "quantity": 25, "monthly_quantity": 25, "one_time_unit": "0.00", "monthly_unit": "89.00",
        "one_time": "0.00", "monthly": "2225.00", "billed_to": "mobile", "auto_added": False,
        "reason": None, "manual": False, "footnote": "3",
        # Spec "Discounts": every line carries its list amounts and discounts (none here).
        "monthly_list": "2225.00", "monthly_discount": "0.00", "one_time_list": "0.00",
        "one_time_discount": "0.00",
    }
    impl = next(l for l in body["lines"] if l["code"] == "impl_teams")
    assert impl["auto_added"] is True and impl["footnote"] == "4"
    assert impl["reason"] == "Ingår eftersom Teamsintegration – Voice kräver implementering på företagsnivå."
    assert {t["code"]: t["amount"] for t in body["traffic"]} == {
        "sms_domestic": "483.00", "sms_foreign": "129.00", "call_opening": "90.00", "call_minute": "234.00",
    }
    totals = body["totals"]
    # 2 225 + 725 = 2 950 monthly on the mobiles; 1 990 + 9 995 = 11 985 one-time.
    assert totals["monthly"] == "2950.00" and totals["monthly_mobile"] == "2950.00"
    assert totals["monthly_company"] == "0.00"
    assert totals["one_time"] == "11985.00"
    assert totals["traffic_monthly"] == "936.00"
    assert totals["vat_rate"] == "0.25"
    assert totals["one_time_incl_vat"] == "14981.25"
    assert totals["monthly_incl_vat"] == "3687.50"
    assert totals["contract_months"] == 36
    assert totals["contract_value"] == "118185.00"  # 11 985 + 36 × 2 950
    assert body["errors"] == [] and body["warnings"] == []


def test_rule_errors_still_give_200_and_totals(api, price_list):
    r = post(api, {"items": {"mobile_user": 5, "answering_service_10": 1}})
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is False
    assert body["errors"] == [{
        "code": "requires_guided_delivery",
        "message": "Telia Svarsservice kräver Vägledd leverans — välj Vägledd leverans i steget Leverans och utbildning.",
        "items": ["answering_service_10", "guided_delivery"],
    }]
    assert body["totals"]["monthly"] == "5155.00"  # 445 + 4 710


def test_price_on_request_without_agreed_price(api, price_list):
    body = post(api, {"items": {"answering_service_60": 1, "guided_delivery": 1}}).json()
    assert [e["code"] for e in body["errors"]] == ["price_on_request"]


@pytest.mark.parametrize(
    "body, field, code",
    [
        ("{not json", "body", "bad_json"),
        ("[1, 2]", "body", "wrong_type"),
        ({}, "items", "required"),
        ({"items": [1]}, "items", "wrong_type"),
        ({"items": {"gold_plan": 1}}, "items.gold_plan", "unknown_item"),
        ({"items": {"sms_domestic": 1}}, "items.sms_domestic", "unknown_item"),
        ({"items": {"mobile_user": -1}}, "items.mobile_user", "negative"),
        ({"items": {"mobile_user": 2.5}}, "items.mobile_user", "not_whole"),
        ({"items": {"mobile_user": 100_001}}, "items.mobile_user", "too_large"),
        ({"items": {"mobile_user": "10"}}, "items.mobile_user", "wrong_type"),
        ({"items": {"mobile_user": True}}, "items.mobile_user", "wrong_type"),
        ({"items": {"mobile_user": None}}, "items.mobile_user", "wrong_type"),
        ({"items": {}, "contract_months": 18}, "contract_months", "invalid_choice"),
        ({"items": {}, "contract_months": "36"}, "contract_months", "invalid_choice"),
        ({"items": {}, "traffic": {"calls": -5}}, "traffic.calls", "negative"),
        ({"items": {}, "traffic": {"pigeons": 5}}, "traffic.pigeons", "unknown_field"),
        ({"items": {}, "traffic": 5}, "traffic", "wrong_type"),
        ({"items": {}, "manual_prices": {"answering_service_20": {"monthly": "abc"}}},
         "manual_prices.answering_service_20.monthly", "not_amount"),
        ({"items": {}, "manual_prices": {"answering_service_20": {"monthly": "-1"}}},
         "manual_prices.answering_service_20.monthly", "out_of_range"),
        ({"items": {}, "manual_prices": {"answering_service_20": {"monthly": "1.005"}}},
         "manual_prices.answering_service_20.monthly", "too_many_decimals"),
        ({"items": {}, "manual_prices": {"answering_service_20": 7900}},
         "manual_prices.answering_service_20", "wrong_type"),
        ({"items": {}, "manual_prices": {"nothing": {"monthly": "1"}}}, "manual_prices.nothing", "unknown_item"),
        ({"items": {}, "colour": "purple"}, "colour", "unknown_field"),
        ({"items": {}, "on_site_training": "yes"}, "on_site_training", "wrong_type"),
    ],
)
def test_malformed_requests_get_400_naming_the_field(api, price_list, body, field, code):
    r = post(api, body)
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in errors]
    assert all(e["message"] for e in errors)


def test_every_bad_field_is_named_at_once(api, price_list):
    r = post(api, {"items": {"mobile_user": -1, "softphone": 1.5, "x": 1}})
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"items.mobile_user", "items.softphone", "items.x"}


def test_anonymous_is_refused(client, price_list):
    r = post(client, {"items": {"mobile_user": 1}})
    assert r.status_code == 401
    assert "errors" in r.json()


def test_get_is_not_allowed(api):
    assert api.get(URL).status_code == 405


def test_session_auth_needs_the_csrf_token(seller, price_list):
    client = Client(enforce_csrf_checks=True)
    client.force_login(seller)
    assert post(client, {"items": {"mobile_user": 1}}).status_code == 403
    client.get("/offerter/")  # any page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert post(client, {"items": {"mobile_user": 1}}, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_token_auth_for_integrations(seller, price_list):
    token, key = ApiToken.issue(user=seller, name="CRM")
    client = Client(enforce_csrf_checks=True)
    r = post(client, {"items": {"mobile_user": 2}}, HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 200
    assert r.json()["totals"]["monthly"] == "178.00"
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert ApiToken.objects.get().key_hash != key  # only the hash is stored


@pytest.mark.parametrize("header", ["Token wrong-key", "Bearer abc", "Token "])
def test_bad_tokens_are_refused(seller, price_list, header):
    ApiToken.issue(user=seller, name="CRM")
    assert post(Client(), {"items": {}}, HTTP_AUTHORIZATION=header).status_code == 401


def test_revoked_token_is_refused(seller, price_list):
    token, key = ApiToken.issue(user=seller, name="CRM")
    token.revoked = True
    token.save()
    assert post(Client(), {"items": {}}, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_query_count_does_not_grow_with_the_items(api, price_list):
    small = {"items": {"mobile_user": 1}}
    large = {
        "items": {code: 1 for code in [
            "mobile_user", "fixed_number", "softphone", "calendar", "teams_status", "teams_voice",
            "ad", "call_recording", "function_number", "number_series_10", "number_series_100",
            "api_access", "nps_survey", "startup_help", "extra_config", "training_half_day",
            "training_full_day", "answering_service_10", "impl_calendar",
        ]},
        "traffic": {"sms_domestic": 900, "calls": 10, "avg_call_seconds": 61},
    }
    post(api, small)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert post(api, small).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert post(api, large).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 5, [q["sql"] for q in few.captured_queries]


def test_minus_zero_amount_is_zero(api, price_list):
    body = post(api, {"items": {"answering_service_20": 1, "guided_delivery": 1},
                      "manual_prices": {"answering_service_20": {"monthly": "-0"}}}).json()
    line = next(l for l in body["lines"] if l["code"] == "answering_service_20")
    assert line["monthly"] == "0.00" and line["monthly_unit"] == "0.00"


# --- Discounts (spec "Discounts") ---------------------------------------------------------


def test_the_spec_discounts_example_is_priced_and_answered(api, price_list):
    body = post(api, {
        "items": {"mobile_user": 10, "softphone": 10, "guided_delivery": 1},
        "discounts": {
            "lines": {"softphone": {"monthly_percent": "10"}, "guided_delivery": {"one_time_amount": "1995.00"}},
            "monthly_percent": "5",
            "one_time_percent": "0",
            "free_months": 2,
        },
    })
    assert body.status_code == 200
    data = body.json()
    soft = next(l for l in data["lines"] if l["code"] == "softphone")
    assert (soft["monthly_list"], soft["monthly_discount"], soft["monthly"]) == ("290.00", "29.00", "261.00")
    guided = next(l for l in data["lines"] if l["code"] == "guided_delivery")
    assert (guided["one_time_list"], guided["one_time_discount"], guided["one_time"]) == ("9995.00", "1995.00", "8000.00")
    t = data["totals"]
    assert (t["monthly_list"], t["one_time_list"], t["contract_value_list"]) == ("1180.00", "9995.00", "52475.00")
    assert (t["monthly"], t["one_time"], t["contract_value"]) == ("1093.45", "8000.00", "45177.30")
    assert (t["discount_total"], t["discount_share"], t["free_months"]) == ("7297.70", "0.1391", 2)
    assert t["monthly_incl_vat"] == "1366.81"  # VAT on the net


@pytest.mark.parametrize(
    "discounts, field",
    [
        ({"monthly_percent": "100.5"}, "discounts.monthly_percent"),
        ({"lines": {"mobile_user": {"monthly_amount": "1000.00"}}}, "discounts.lines.mobile_user.monthly_amount"),
        ({"lines": {"mobile_user": {"monthly_percent": "-3"}}}, "discounts.lines.mobile_user.monthly_percent"),
        ({"lines": {"teleporter": {"monthly_percent": "3"}}}, "discounts.lines.teleporter"),
        ({"free_months": 36}, "discounts.free_months"),
        ("lots", "discounts"),
    ],
)
def test_bad_discounts_are_400s_naming_the_field(api, price_list, discounts, field):
    r = post(api, {"items": {"mobile_user": 2}, "discounts": discounts})
    assert r.status_code == 400
    assert [e["field"] for e in r.json()["errors"]] == [field]
