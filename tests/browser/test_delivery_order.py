"""Acceptance to delivery, in Chromium: the customer accepts on the link; the CRM's
webhook receiver (a real local server, allowed explicitly) gets ``quote.accepted`` with
the delivery order, signed; the seller finds the order on the quote's page and downloads
it as a spreadsheet. axe on the page, and no overflow on a phone."""

import io
import json
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from standardwebhooks import Webhook

from quotes.models import Quote, WebhookEndpoint
from quotes.offer.services import quote_sign
from tests.doc_support import doc_env, signing_cert  # noqa: F401
from tests.factories import DEMO_SCENARIOS, QuoteFactory
from tests.queue_support import tasks_run
from tests.test_webhooks import Receiver

from .axe import axe_serious, wider_than_viewport
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver():
    r = Receiver()
    r.start()
    yield r
    r.stop()


@pytest.fixture
def signed(price_list, seller, doc_env):
    """Signed before the browser starts (signing runs an event loop of its own)."""
    return quote_sign(quote=QuoteFactory(owner=seller, price_list=price_list, **DEMO_SCENARIOS["kundtjanst"]),
                      user=seller)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_customer_accepts_and_the_delivery_team_gets_the_order(
    signed, new_page, doc_env, live_server, receiver, width
):
    doc_env.SITE_URL = live_server.url
    doc_env.WEBHOOK_ALLOW_INSECURE = True  # the receiver is plain HTTP on loopback
    endpoint = WebhookEndpoint.objects.create(name="CRM", url=receiver.url, events=["quote.accepted"])
    quote = signed

    customer = new_page(width=width)
    customer.goto(f"/offert/{quote.token}/")
    customer.get_by_label("Namn").fill("Maria Berg")
    customer.get_by_label("Titel").fill("Inköpschef")
    customer.get_by_label("Jag har läst och godkänner villkoren").check()
    customer.get_by_role("button", name="Godkänn offerten").click()
    expect(customer.get_by_text("Ladda ned den godkända offerten (PDF)")).to_be_visible()

    tasks_run()  # the worker: the mails, and the webhook
    assert len(receiver.requests) == 1
    body = Webhook(endpoint.secret).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])
    order = body["data"]["delivery_order"]
    assert body["type"] == "quote.accepted" and order["accepted_by"]["name"] == "Maria Berg"
    assert order["answering_service"]["package"] == 20 and order["delivery"]["method"]["code"] == "guided_delivery"

    page = new_page(width=width)
    sign_in(page, "sara")
    page.goto(f"/offerter/{quote.pk}/")
    section = page.get_by_role("region", name="Leveransorder")
    expect(section).to_contain_text("Telia Svarsservice, paket 20")
    expect(section).to_contain_text("Maria Berg, Inköpschef")
    expect(section.get_by_role("region", name="Användare och tjänster")).to_contain_text("15 användare")
    assert axe_serious(page) == []
    assert wider_than_viewport(page) == []

    with page.expect_download() as download:
        section.get_by_role("link", name="Ladda ned leveransorder (Excel)").click()
    quote = Quote.objects.get(pk=quote.pk)
    assert download.value.suggested_filename == f"Leveransorder-{quote.number}-A.xlsx"
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = {r[0]: r[1] for r in book["Leveransorder"].iter_rows(values_only=True) if r and r[0]}
    assert rows["Företag"] == "Kundservice Norr AB" and rows["Leveranssätt"] == "Vägledd leverans"

    response = page.request.get(f"/offerter/{quote.pk}/leveransorder.json")
    assert json.loads(response.body()) == order
    assert re.match(r"attachment; filename=\"Leveransorder-SC-\d{4}-\d{5}-A\.json\"", response.headers["content-disposition"])
