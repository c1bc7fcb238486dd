"""The offer from signature to acceptance, in Chromium: the seller signs and sends from
the summary, the customer opens the link in a fresh browser (no account, no cookies),
reads the terms, fills in name and title, ticks, accepts and sees the confirmation."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from quotes.models import Quote
from tests.doc_support import doc_env, signing_cert  # noqa: F401
from tests.factories import QuoteFactory
from tests.queue_support import tasks_run

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_seller_signs_and_sends_and_the_customer_accepts(new_page, price_list, seller, doc_env, live_server):
    doc_env.SITE_URL = live_server.url  # the customer's link in the page and the e-mail
    quote = QuoteFactory(owner=seller, price_list=price_list, current_step="sammanstallning")

    seller_page = new_page()
    sign_in(seller_page, "sara")
    seller_page.goto(f"/offerter/{quote.pk}/steg/sammanstallning/")
    seller_page.get_by_role("button", name="Signera och skicka").click()
    expect(seller_page.get_by_text(re.compile(r"är signerad\. E-postmeddelandet till erik\.lind@\S+ är på väg"))).to_be_visible()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and re.fullmatch(r"SC-\d{4}-\d{5}", quote.number)
    expect(seller_page.get_by_text("Skickad", exact=True).first).to_be_visible()

    link = seller_page.get_by_label("Kundens länk").input_value()
    tasks_run()  # the task queue's worker sends the offer
    (message,) = mail.outbox
    assert link in message.body and link.endswith(f"/offert/{quote.token}/")

    customer = new_page()  # a fresh browser context: no session, no cookies
    customer.goto(link)
    expect(customer.get_by_role("heading", name="Smart Connect")).to_be_visible()
    expect(customer.get_by_role("heading", name="Avtals- och betalningsvillkor")).to_be_visible()
    expect(customer.get_by_role("heading", name="Villkor", exact=True)).to_be_visible()
    expect(customer.get_by_text("Alla priser exkl. moms.").first).to_be_visible()
    customer.get_by_role("heading", name="Villkor", exact=True).scroll_into_view_if_needed()
    customer.get_by_label("Namn", exact=True).fill("Erik Lind")
    customer.get_by_label("Titel", exact=True).fill("Vd")
    customer.get_by_role("button", name="Godkänn offerten").click()
    # Without the tick nothing is accepted.
    expect(customer.get_by_text("Bekräfta att du har läst och godkänner villkoren.")).to_be_visible()
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.OPENED
    customer.get_by_label("Namn", exact=True).fill("Erik Lind")
    customer.get_by_label("Titel", exact=True).fill("Vd")
    customer.get_by_label("Jag har läst och godkänner villkoren").check()
    customer.get_by_role("button", name="Godkänn offerten").click()
    expect(customer.get_by_role("heading", name="Offerten är godkänd")).to_be_visible()
    expect(customer.get_by_text(re.compile(r"av Erik Lind, Vd\."))).to_be_visible()

    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert (quote.accepted_name, quote.accepted_title, quote.accepted_ip) == ("Erik Lind", "Vd", "127.0.0.1")
    assert "Chrome" in quote.accepted_user_agent and quote.accepted_sha256 == quote.pdf_sha256
    with customer.expect_response(re.compile(r"/pdf/godkand/$")) as pdf:
        customer.get_by_role("link", name="Ladda ned den godkända offerten (PDF)").click()
    assert pdf.value.status == 200 and pdf.value.headers["content-type"] == "application/pdf"

    tasks_run()  # the seller is told (opened, accepted); the customer gets the accepted PDF
    assert sorted(m.subject for m in mail.outbox[1:]) == [
        f"Bekräftelse: du har godkänt offert {quote.reference} från Telia Sverige AB",
        f"Nordisk Logistik AB har godkänt offert {quote.reference}",
        f"Nordisk Logistik AB har öppnat offert {quote.reference}",
    ]
    seller_page.reload()
    expect(seller_page.get_by_text("Godkänd av kunden")).to_be_visible()
    expect(seller_page.get_by_text(re.compile(r"^Erik Lind, Vd · \d{4}-"))).to_be_visible()
