"""The delivery order of an accepted quote: checked against the accepted configuration of
three realistic deals (``tests.factories.DEMO_SCENARIOS``), as JSON, as a workbook and on
the seller's page."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from configurator.signals import price_list_touch
from quotes.models import DiscountLimit
from quotes.customer.services import quote_accept
from quotes.pricing import quote_pricing
from quotes.offer.delivery_order import DeliveryOrderUnavailable, delivery_order, delivery_order_sections
from quotes.offer.services import quote_sign
from quotes.offer.storage import sha256_hex, stored_bytes

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import DEMO_SCENARIOS, QuoteFactory


def accepted(seller, scenario: str):
    quote = quote_sign(quote=QuoteFactory(owner=seller, **DEMO_SCENARIOS[scenario]), user=seller)
    return quote_accept(quote=quote, name="Maria Berg", title="Inköpschef", ip="198.51.100.7",
                        user_agent="Testwebbläsare/1.0")


def prices(order, code):
    return next(l for l in order["prices"]["lines"] if l["code"] == code)


@pytest.mark.django_db
def test_a_small_office(doc_env, seller, price_list):
    quote = accepted(seller, "litet_kontor")
    order = delivery_order(quote)
    assert order["quote"]["reference"] == f"{quote.number} A" and order["quote"]["status"] == "accepted"
    assert order["customer"]["company_name"] == "Kontorsbolaget i Lund AB"
    assert order["customer"]["contact"] == {
        "name": "Erik Lind", "email": "erik.lind@nordisklogistik.se", "phone": "08-123 456 78",
    }
    assert order["accepted_by"]["name"] == "Maria Berg" and order["accepted_by"]["title"] == "Inköpschef"
    assert order["users"]["count"] == 5
    assert {s["code"]: s["users"] for s in order["users"]["services"]} == {
        "mobile_user": 5, "fixed_number": 2, "softphone": 5,
    }
    assert order["numbers"] == {
        "mobile_numbers": 5, "fixed_numbers": 2, "function_numbers": 1,
        "number_series": [{"code": "number_series_10", "name": "Ny 10-nummerserie", "size": 10, "quantity": 1}],
    }
    assert order["integrations"] == [] and order["answering_service"] is None
    # No delivery chosen: self-configuration, added by the engine.
    assert order["delivery"]["method"] == {
        "code": "self_config", "name": "Egen konfiguration med hjälp av digitala guider", "auto_added": True,
    }
    assert order["delivery"]["training"] == {"half_days": 0, "full_days": 0, "on_site": False, "travel_cost": None}
    assert order["contract"]["months"] == 12 and order["contract"]["free_months"] == 0
    # 5 × 89 + 5 × 29 + 2 × 39 + 99 a month; the series 1 000 once; 1 000 + 767 × 12.
    totals = order["prices"]["totals"]
    assert (totals["monthly"], totals["one_time"], totals["contract_value"]) == ("767.00", "1000.00", "10204.00")
    assert prices(order, "softphone")["monthly"] == "145.00"
    assert prices(order, "softphone")["monthly_list"] == "145.00" and prices(order, "softphone")["monthly_discount"] == "0.00"


@pytest.mark.django_db
def test_customer_service_with_svarsservice_and_guided_delivery(doc_env, seller, price_list):
    quote = accepted(seller, "kundtjanst")
    order = delivery_order(quote)
    assert order["users"]["count"] == 15
    assert {s["code"]: s["users"] for s in order["users"]["services"]} == {
        "mobile_user": 15, "fixed_number": 15, "teams_status": 15,
    }
    assert order["numbers"]["fixed_numbers"] == 15 and order["numbers"]["function_numbers"] == 2
    assert [s["size"] for s in order["numbers"]["number_series"]] == [100]
    # Teams status for 15 users brings the Teams implementation, added by the engine.
    assert [(i["code"], i["users"], i["auto_added"], i["one_time"]) for i in order["integrations"]] == [
        ("impl_teams", {"teams_status": 15}, True, "1990.00"),
    ]
    svar = order["answering_service"]
    assert (svar["code"], svar["name"], svar["package"], svar["agreed_price"], svar["monthly"]) == (
        "answering_service_20", "Telia Svarsservice, paket 20", 20, True, "7900.00",
    )
    assert order["delivery"]["method"]["code"] == "guided_delivery"
    assert order["delivery"]["training"]["half_days"] == 1
    assert order["contract"]["months"] == 24
    # 15 × (89 + 39 + 9) + 2 × 99 + 7 900 a month; 1 990 + 3 000 + 9 995 + 5 990 once.
    totals = order["prices"]["totals"]
    assert (totals["monthly"], totals["one_time"], totals["contract_value"]) == ("10153.00", "20975.00", "264647.00")


@pytest.mark.django_db
def test_integration_heavy_with_training_on_site(doc_env, seller, price_list):
    quote = accepted(seller, "integrationer")
    order = delivery_order(quote)
    assert order["users"]["count"] == 40
    assert {i["code"]: i["users"] for i in order["integrations"]} == {
        "impl_calendar": {"calendar": 40},
        "impl_teams": {"teams_voice": 40},
        "impl_ad": {"ad": 40},
        "api_access": {"mobile_user": 40},
        "impl_call_recording": {"call_recording": 10},
    }
    assert all(i["auto_added"] for i in order["integrations"] if i["code"].startswith("impl_"))
    assert prices(order, "api_access")["monthly"] == "360.00"  # 9 kr × all 40 users (footnote 7)
    assert order["numbers"]["number_series"][0]["size"] == 1000
    assert order["delivery"]["method"]["code"] == "startup_help"
    assert order["delivery"]["extra_config_cases"] == 3
    assert order["delivery"]["training"] == {"half_days": 0, "full_days": 2, "on_site": True, "travel_cost": "3500.00"}
    totals = order["prices"]["totals"]
    assert (totals["monthly"], totals["one_time"], totals["contract_value"]) == ("6490.00", "47626.00", "281266.00")
    # The documents: the offer the customer accepted, and the stored accepted PDF.
    assert order["documents"]["offer_sha256"] == quote.pdf_sha256 == quote.accepted_sha256
    assert order["documents"]["accepted_pdf_sha256"] == sha256_hex(stored_bytes(quote.accepted_pdf))


@pytest.mark.django_db
def test_the_order_is_the_frozen_offer_not_the_price_list_of_today(doc_env, seller, price_list):
    quote = accepted(seller, "litet_kontor")
    price_list.items.filter(code="softphone").update(monthly_fee=99)  # a later price change
    price_list_touch(price_list.pk)
    assert next(l for l in quote_pricing(quote).lines if l.code == "softphone").monthly == 495  # 5 × 99 now
    assert prices(delivery_order(quote), "softphone")["monthly"] == "145.00"


@pytest.mark.django_db
def test_only_an_accepted_quote_has_an_order(doc_env, seller, price_list, seller_client):
    quote = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    with pytest.raises(DeliveryOrderUnavailable):
        delivery_order(quote)
    assert seller_client.get(reverse("quotes:delivery-order-json", args=[quote.pk])).status_code == 404
    html = seller_client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    assert "Leveransorder" not in html


@pytest.mark.django_db
def test_the_seller_downloads_the_order_as_json_and_xlsx(doc_env, seller, price_list, seller_client):
    quote = accepted(seller, "kundtjanst")
    response = seller_client.get(reverse("quotes:delivery-order-json", args=[quote.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert f'filename="Leveransorder-{quote.number}-A.json"' in response["Content-Disposition"]
    assert json.loads(response.content) == delivery_order(quote)

    response = seller_client.get(reverse("quotes:delivery-order-xlsx", args=[quote.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Leveransorder", "Priser"]
    rows = {r[0]: r[1] for r in book["Leveransorder"].iter_rows(values_only=True) if r and r[0]}
    assert rows["Företag"] == "Kundservice Norr AB"
    assert rows["Telia Svarsservice, paket 20"].startswith("7\u00a0900\u00a0kr/mån · överenskommet pris")
    assert rows["Leveranssätt"] == "Vägledd leverans"
    assert rows["Avtalstid"] == "24 månader"
    assert rows["Godkänd av"] == "Maria Berg, Inköpschef"
    assert rows["Signerad offert"] == quote.pdf_sha256
    lines = {r[0]: r for r in book["Priser"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert lines["answering_service_20"][8] == 7900 and lines["guided_delivery"][5] == 9995


@pytest.mark.django_db
def test_the_sellers_page_shows_the_order_of_an_accepted_quote(doc_env, seller, price_list, client, other_seller):
    quote = accepted(seller, "integrationer")
    client.force_login(other_seller)  # a colleague reads it too (read-only)
    html = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    section = html[html.index('id="delivery-order"'):]
    assert "Leveransorder" in section and "Ladda ned leveransorder (Excel)" in section
    assert reverse("quotes:delivery-order-xlsx", args=[quote.pk]) in section
    assert "Samtalsinspelning" in section and "10 användare" in section
    assert "Utbildning på plats</dt><dd>Ja" in section
    assert "3\u00a0500\u00a0kr" in section  # the travel cost


@pytest.mark.django_db
def test_a_spreadsheet_formula_typed_by_a_customer_stays_text(doc_env, seller, price_list, seller_client):
    quote = quote_sign(quote=QuoteFactory(owner=seller, company_name="=HYPERLINK(\"x\")"), user=seller)
    quote = quote_accept(quote=quote, name="=1+1", title="Vd", ip=None, user_agent="")
    book = load_workbook(io.BytesIO(seller_client.get(reverse("quotes:delivery-order-xlsx", args=[quote.pk])).content))
    values = [c for r in book["Leveransorder"].iter_rows(values_only=True) for c in r if c]
    assert "'=HYPERLINK(\"x\")" in values and "'=1+1, Vd" in values


@pytest.mark.django_db
def test_agreed_discounts_are_in_the_order(doc_env, seller, price_list, seller_client):
    """Customer service with 10 % off Svarsservice, 1 995 kr off the guided delivery, 5 %
    off the monthly total and two free months."""
    # Two free months are above a seller's limit: this seller may sign them (approval is
    # tests/test_approval.py's).
    DiscountLimit.objects.filter(role="Säljare").update(max_share_percent=100, max_free_months=11)
    quote = QuoteFactory(owner=seller, **DEMO_SCENARIOS["kundtjanst"], discounts={
        "lines": {"answering_service_20": {"monthly_percent": "10"}, "guided_delivery": {"one_time_amount": "1995.00"}},
        "monthly_percent": "5",
        "free_months": 2,
    })
    quote = quote_accept(quote=quote_sign(quote=quote, user=seller), name="Maria Berg", title="Vd", ip=None,
                         user_agent="")
    order = delivery_order(quote)
    svar = order["answering_service"]
    assert (svar["monthly_list"], svar["monthly_discount"], svar["monthly"]) == ("7900.00", "790.00", "7110.00")
    guided = prices(order, "guided_delivery")
    assert (guided["one_time_list"], guided["one_time_discount"], guided["one_time"]) == ("9995.00", "1995.00", "8000.00")
    assert order["contract"]["free_months"] == 2
    # Monthly: 10 153 − 790 = 9 363, less 5 % (468,15) = 8 894,85; once: 20 975 − 1 995;
    # the contract: 18 980 + 8 894,85 × (24 − 2).
    totals = order["prices"]["totals"]
    assert (totals["monthly"], totals["one_time"], totals["contract_value"]) == ("8894.85", "18980.00", "214666.70")
    html = seller_client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    section = html[html.index('id="delivery-order"'):]
    assert "7\u00a0110\u00a0kr (listpris 7\u00a0900\u00a0kr, rabatt 790\u00a0kr)/mån" in section
    assert "Fria månader</dt><dd>2" in section


@pytest.mark.django_db
def test_the_commercial_terms_frozen_with_the_offer_are_in_the_order(doc_env, seller, price_list):
    """An offer signed with commercial terms (the snapshot's ``commercial``) gives the
    order its contract start, delivery time, renewal and notice period."""
    quote = accepted(seller, "litet_kontor")
    quote.snapshot = {**quote.snapshot, "commercial": {
        "contract_start": "Från leveransdatum", "delivery_time": "Normalt 4–6 veckor från godkänd offert",
        "renewal": "Avtalet förlängs med 12 månader i taget", "notice_period": "Skriftligen senast 3 månader före",
        "payment_terms": "30 dagar netto",
    }}  # not saved: a signed quote never changes
    order = delivery_order(quote)
    assert order["contract"] | {"accepted_on": None} == {
        "months": 12, "free_months": 0, "start": "Från leveransdatum",
        "delivery_time": "Normalt 4–6 veckor från godkänd offert", "renewal": "Avtalet förlängs med 12 månader i taget",
        "notice_period": "Skriftligen senast 3 månader före", "accepted_on": None,
    }
    rows = dict(next(s for s in delivery_order_sections(order) if s.key == "contract").rows)
    assert rows["Avtalsstart"] == "Från leveransdatum" and rows["Leveranstid"].startswith("Normalt 4–6 veckor")
