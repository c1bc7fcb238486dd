"""Hostile input for ``POST /api/v1/quotes`` and ``PATCH /api/v1/quotes/<id>``
(hypothesis, the strategies of tests/test_fuzz_api.py).

Whatever arrives, the API answers 201/200 or 400 (never a server error), always as JSON;
a 400 names each bad field with a message and stores nothing; a 201/200 answers the
quote as the schema says (``QuoteOut``), and what it answers is what is stored."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from configurator.api_v1 import Errors
from quotes.api.schemas import QuoteOut
from quotes.models import Quote, QuoteEvent

from .factories import QuoteFactory
from .test_fuzz_api import CONFIGURATION_SHAPED, JSON, RAW, TEXT, VALID, dumps

pytestmark = pytest.mark.fuzz

LIST = "/api/v1/quotes"
CUSTOMER_KEYS = ["company_name", "org_number", "contact_name", "contact_email", "contact_phone", "address"]
CUSTOMER = st.one_of(
    st.fixed_dictionaries({}, optional={k: st.one_of(TEXT, st.none(), JSON) for k in CUSTOMER_KEYS}),
    st.fixed_dictionaries({}, optional={
        "org_number": st.sampled_from(["556430-0142", "5564300142", "165564300142", "556430-0143", "12"]),
        "contact_phone": st.sampled_from(["070-123 45 67", "+46 8 123 456 78", "123", "+1 202 555 0101"]),
        "contact_email": st.sampled_from(["erik@exempel.se", "erik@", "@", "a" * 300 + "@x.se"]),
    }),
    JSON,
)
BODIES = st.one_of(
    JSON,
    st.fixed_dictionaries({}, optional={
        "customer": CUSTOMER,
        "configuration": st.one_of(VALID, CONFIGURATION_SHAPED, JSON),
        "validity_days": st.one_of(st.integers(-5, 400), JSON),
        "customer_note": st.one_of(TEXT, JSON),
    }),
)


def check(r, ok: int, before: tuple) -> None:
    assert r.status_code in (ok, 400), (r.status_code, r.content[:300])
    assert r["Content-Type"] == "application/json"
    data = json.loads(r.content)
    if r.status_code == 400:
        Errors.model_validate(data)
        assert data["errors"] and all(len(e["message"]) > 5 for e in data["errors"])
        assert state() == before, "a refused request stored something"
    else:
        QuoteOut.model_validate(data)
        stored = Quote.objects.get(pk=data["id"])
        assert data["customer"]["org_number"] == stored.org_number
        assert data["configuration"]["items"] == stored.items


def state() -> tuple:
    return (list(Quote.objects.order_by("pk").values()), QuoteEvent.objects.count())


@pytest.fixture
def client(client, seller, price_list):
    client.force_login(seller)
    return client


@given(body=BODIES)
@example(body={"customer": {"company_name": "\ud800"}})
@example(body={"customer_note": "\ud800"})
@example(body={"configuration": {"items": {"mobile_user": 1}, "discounts": {"lines": {"mobile_user": {"monthly_amount": "1e9"}}}}})
def test_create_with_any_body(client, body):
    before = state()
    check(client.post(LIST, dumps(body), content_type="application/json"), 201, before)


@given(raw=RAW)
def test_create_with_raw_bodies(client, raw):
    before = state()
    check(client.post(LIST, raw, content_type="application/json"), 201, before)


@pytest.fixture
def draft(seller, price_list):
    return QuoteFactory(owner=seller)


@given(body=BODIES)
def test_patch_with_any_body(client, draft, body):
    before = state()
    check(client.patch(f"{LIST}/{draft.pk}", dumps(body), content_type="application/json"), 200, before)
