"""Hostile input for ``POST /api/v1/price`` (hypothesis).

Whatever arrives — random JSON, configuration-shaped nonsense, raw bytes, NaN, huge
numbers, unicode, HTML and script — the API answers 200 or 400 (never a server error),
always as JSON; every 400 names each bad field with a message; every 200 carries totals
as 2-decimal strings that add up; and nothing is stored.

In the normal suite each target runs the "ci" profile (150 examples); ``make fuzz`` runs
only the tests marked ``fuzz`` with the "fuzz" profile (10 000 examples per target).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from hypothesis import event, example, given
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from configurator.api import MAX_BODY, TOP_LEVEL

from configurator.limits import MAX_AMOUNT
from configurator.pricing import CONTRACT_TERMS, MAX_QUANTITY, TRAFFIC_FIELDS
from configurator.seed import ITEMS

pytestmark = pytest.mark.fuzz

URL = "/api/v1/price"
SELLABLE = sorted(code for code, _name, section, *_ in ITEMS if section != "traffic")
NOT_SELLABLE = sorted(code for code, _name, section, *_ in ITEMS if section == "traffic") + [
    "training_travel", "gold_plan", "", " mobile_user", "MOBILE_USER", "mobile_user\x00",
]
MONEY = re.compile(r"^\d+\.\d{2}$")
MONEY_TOTALS = (
    "one_time", "monthly", "monthly_mobile", "monthly_company", "traffic_monthly",
    "one_time_vat", "monthly_vat", "one_time_incl_vat", "monthly_incl_vat", "contract_value",
)

# Strings a hostile or careless client sends.
HOSTILE_TEXT = st.sampled_from([
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "'; DROP TABLE quotes_quote; --",
    "{{ 7|add:7 }}{% debug %}",
    "\x00", "\u202e", "\ufeff", "\ud800", "😀" * 50, "Å" * 1000,
    "NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1e999999999", "-0", "0x10", "1_000",
    "7,50", " 7 ", "١٢٣", "½", "7900.00", "7900.001", "10000000.00", "10000000.01", "-1",
])
TEXT = st.one_of(HOSTILE_TEXT, st.text(max_size=60))
NUMBERS = st.one_of(
    st.integers(),
    st.sampled_from([
        0, 1, -1, MAX_QUANTITY, MAX_QUANTITY + 1, 10_000_000, 10_000_001, 2**31, 2**63, 2**64 + 1,
    ]),
    st.integers(18, 4000).map(lambda n: 10**n),  # JSON has no limit; Python parses 4 300 digits
    st.integers(18, 4000).map(lambda n: -(10**n)),
    st.floats(),  # NaN and ±Infinity too: json.dumps writes them as bare NaN/Infinity
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(float),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(TEXT, children, max_size=5),
    ),
    max_leaves=30,
)
AMOUNT = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2).map(str)
CODES = st.one_of(st.sampled_from(SELLABLE), st.sampled_from(NOT_SELLABLE), TEXT)
WILD = st.one_of(
    st.integers(min_value=-5, max_value=MAX_QUANTITY + 5),
    st.integers(min_value=0, max_value=20_000_000),
    JSON,
)
MANUAL_PRICE = st.one_of(
    st.dictionaries(st.sampled_from(["monthly", "one_time"]), st.one_of(
        AMOUNT,
        st.decimals(min_value=-1, max_value=MAX_AMOUNT * 2, places=4).map(str),
        WILD,
    ), max_size=2),
    st.dictionaries(TEXT, WILD, max_size=3),
    WILD,
)
TRAFFIC = st.one_of(
    st.dictionaries(st.one_of(st.sampled_from(TRAFFIC_FIELDS), TEXT), WILD, max_size=len(TRAFFIC_FIELDS) + 1),
    WILD,
)
VALID_ITEMS = st.dictionaries(st.sampled_from(SELLABLE), st.integers(0, MAX_QUANTITY), max_size=len(SELLABLE))
TOP_VALUES = {
    # Often well-formed (then the pricing engine gets odd but valid combinations), else wild.
    "items": st.one_of(VALID_ITEMS, st.dictionaries(CODES, WILD, max_size=12), WILD),
    "manual_prices": st.one_of(st.dictionaries(CODES, MANUAL_PRICE, max_size=4), WILD),
    "traffic": st.one_of(
        st.fixed_dictionaries({}, optional={f: st.integers(0, 10_000_000) for f in TRAFFIC_FIELDS}),
        TRAFFIC,
    ),
    "contract_months": st.one_of(
        st.sampled_from(CONTRACT_TERMS), st.sampled_from([0, 18, 36.0, "36", True]), WILD
    ),
    "on_site_training": st.one_of(st.booleans(), WILD),
    "travel_cost": st.one_of(AMOUNT, WILD),
}
VALID = st.fixed_dictionaries(
    {"items": VALID_ITEMS},
    optional={
        "manual_prices": st.dictionaries(
            st.sampled_from([c for c in SELLABLE if c.startswith("answering_service_")]),
            st.one_of(
                st.fixed_dictionaries({"monthly": AMOUNT}),
                st.fixed_dictionaries({"one_time": AMOUNT}),
                st.fixed_dictionaries({"monthly": AMOUNT, "one_time": AMOUNT}),
            ),
        ),
        "traffic": st.fixed_dictionaries({}, optional={f: st.integers(0, 10_000_000) for f in TRAFFIC_FIELDS}),
        "contract_months": st.sampled_from(CONTRACT_TERMS),
        "on_site_training": st.booleans(),
        "travel_cost": AMOUNT,
    },
)

# Any mix of the fields with good and bad values, or a good body with one field poisoned.
CONFIGURATION_SHAPED = st.one_of(
    st.fixed_dictionaries({}, optional={**TOP_VALUES, "<script>colour</script>": JSON}),
    st.sampled_from(sorted(TOP_LEVEL)).flatmap(
        lambda key: st.tuples(VALID, st.just(key), WILD).map(lambda t: {**t[0], t[1]: t[2]})
    ),
)

RAW = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    st.sampled_from([
        b"", b"null", b"NaN", b"[NaN]", b'{"items": NaN}', b'{"items": {"mobile_user": Infinity}}',
        b'{"items": {"mobile_user": -Infinity}}', b'{"items": {"mobile_user": 1e999}}',
        b'{"items": {"mobile_user": ' + b"9" * 5000 + b"}}",  # over Python's int-digits limit
        b'{"items": {}, "travel_cost": ' + b"9" * 5000 + b"}",
        b'{"items": {"mobile_user": 1, "mobile_user": -1}}',  # duplicate keys: the last wins
        b"\xef\xbb\xbf{}", '{"items": {}}'.encode("utf-16"), '{"items": {}}'.encode("utf-32"),
        b'{"items": {"\\ud800": 1}}', b"\xff\xfe\x00", b"{" * 10 + b"}" * 10,
        b"x" * (MAX_BODY + 1),
    ]),
    # Deep nesting: Python's JSON decoder recurses once per level.
    st.integers(1, MAX_BODY // 2).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, MAX_BODY // 8).map(lambda n: b'{"items": ' + b'{"a": ' * n + b"1" + b"}" * n + b"}"),
)


def stored_rows() -> dict[str, int]:
    """Rows of every table: quotes, price lists, history, sessions, log-in attempts…"""
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.fixture
def api(seller_client, price_list):
    """Post a body; check what every answer must satisfy; return (status, json)."""
    before = stored_rows()

    def send(body: bytes) -> tuple[int, dict]:
        r = seller_client.post(URL, data=body, content_type="application/json")
        assert r.status_code in (200, 400), (r.status_code, body[:200])
        assert r["Content-Type"] == "application/json"
        data = json.loads(r.content)
        if r.status_code == 400:
            assert isinstance(data["errors"], list) and data["errors"]
            for error in data["errors"]:
                assert isinstance(error["field"], str)
                assert isinstance(error["code"], str) and error["code"]
                assert isinstance(error["message"], str) and len(error["message"]) > 5
        else:
            check_priced(data)
        assert stored_rows() == before, "the price API stored something"
        if currently_in_test_context():
            event(f"HTTP {r.status_code}")  # shown by --hypothesis-show-statistics
        return r.status_code, data

    return send


def check_priced(data: dict) -> None:
    totals = data["totals"]
    for name in MONEY_TOTALS:
        assert MONEY.match(totals[name]), (name, totals[name])
    t = {name: Decimal(totals[name]) for name in MONEY_TOTALS}
    assert t["one_time_incl_vat"] == t["one_time"] + t["one_time_vat"]
    assert t["monthly_incl_vat"] == t["monthly"] + t["monthly_vat"]
    assert t["monthly"] == t["monthly_mobile"] + t["monthly_company"]
    assert totals["contract_months"] in CONTRACT_TERMS
    for line in data["lines"]:
        for name in ("one_time_unit", "monthly_unit", "one_time", "monthly"):
            assert MONEY.match(line[name]), (line["code"], name, line[name])
    for line in data["traffic"]:
        assert MONEY.match(line["unit_price"]) and MONEY.match(line["amount"])
    for problem in data["errors"] + data["warnings"]:
        assert problem["code"] and problem["message"]


def dumps(body) -> bytes:
    return json.dumps(body).encode()  # allow_nan: NaN and Infinity go out as bare tokens


@given(body=JSON)
def test_any_json_body(api, body):
    status, data = api(dumps(body))
    if not isinstance(body, dict):
        assert status == 400 and data["errors"][0]["field"] == "body"


@given(body=CONFIGURATION_SHAPED)
@example(body={"items": {"mobile_user": float("nan")}})
@example(body={"items": {}, "travel_cost": "NaN"})
@example(body={"items": {}, "manual_prices": {"answering_service_20": {"monthly": "sNaN"}}})
@example(body={"items": {"mobile_user": 10**4000}, "travel_cost": -(10**4000)})
@example(body={"items": {"<script>alert(1)</script>": 1}})
def test_configuration_shaped_bodies(api, body):
    status, data = api(dumps(body))
    if status == 400:
        fields = {e["field"] for e in data["errors"]}
        for key in set(body) - TOP_LEVEL:  # every unknown field is named
            assert key in fields


@given(raw=RAW)
def test_raw_bodies(api, raw):
    api(raw)


@given(body=VALID)
@example(body={"items": {code: MAX_QUANTITY for code in SELLABLE},
               "traffic": {f: 10_000_000 for f in TRAFFIC_FIELDS},
               "manual_prices": {c: {"monthly": "10000000.00", "one_time": "10000000.00"}
                                 for c in SELLABLE if c.startswith("answering_service_")},
               "on_site_training": True, "travel_cost": "10000000.00", "contract_months": 36})
def test_well_formed_configurations_are_always_priced(api, body):
    status, data = api(dumps(body))
    assert status == 200, data
    assert data["totals"]["contract_months"] == body.get("contract_months", 36)


@pytest.mark.parametrize("depth", [50, 1000, 5000, MAX_BODY // 2 - 1])
def test_deeply_nested_json_is_a_clear_400(api, depth):
    """Found by the raw-body target: Python's decoder raised RecursionError (a 500)."""
    status, data = api(b"[" * depth + b"]" * depth)
    assert status == 400
    if depth >= 1000:
        assert data["errors"] == [{"field": "body", "code": "bad_json", "message": "Ogiltig JSON."}]
