"""Alternatives and options in Chromium: the seller builds Bas and Premium and offers call
recording as an option; the customer picks Premium with the keyboard, ticks the option,
sees the totals follow live, accepts, and the accepted PDF says exactly that choice."""

import os
import re
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from quotes.models import Quote
from tests.doc_support import doc_env, signing_cert  # noqa: F401
from tests.factories import QuoteFactory

from .axe import axe_serious, wider_than_viewport
from .conftest import sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CHOICES_SCREENSHOTS")  # a folder: save screenshots to look at


def kr(text: str) -> re.Pattern:
    return re.compile("^" + text.replace(" ", "[\u00a0 ]") + "[\u00a0 ]kr$")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_customer_picks_an_alternative_and_an_option_and_accepts(new_page, price_list, seller, doc_env, live_server):
    doc_env.SITE_URL = live_server.url
    quote = QuoteFactory(owner=seller, price_list=price_list, items={"mobile_user": 10, "startup_help": 1},
                         current_step="sammanstallning")

    page = new_page()
    sign_in(page, "sara")
    page.goto(f"/offerter/{quote.pk}/steg/sammanstallning/")
    page.get_by_label("Namn på offerten som den är nu").fill("Bas")
    page.get_by_label("Namn på det nya alternativet").fill("Premium")
    page.get_by_role("button", name="Lägg till alternativ").click()
    expect(page.get_by_text("Du redigerar alternativ 2 av 2: Premium.")).to_be_visible()
    page.locator("#stepper").get_by_role("button", name="Integrationer").click()
    page.get_by_label("Teamsintegration – Voice").fill("10")
    page.locator("#stepper").get_by_role("button", name="Sammanställning").click()
    page.get_by_label("Tjänst som tillval").select_option(value="call_recording")
    page.get_by_label("Antal i tillvalet").fill("10")
    page.get_by_role("button", name="Lägg till tillval").click()
    expect(page.get_by_text("Samtalsinspelning är tillval i offerten.", exact=True)).to_be_visible()
    assert axe_serious(page) == []
    shot(page, "seller-summary")
    page.get_by_role("button", name="Signera och skicka").click()
    expect(page.get_by_text(re.compile(r"är signerad\."))).to_be_visible()
    link = page.get_by_label("Kundens länk").input_value()

    customer = new_page()
    customer.goto(link)
    expect(customer.get_by_role("heading", name="Välj alternativ och tillval")).to_be_visible()
    expect(customer.locator("#choice-contract-value")).to_have_text(kr("34 539"))  # Bas, as signed
    assert axe_serious(customer) == []
    # The keyboard: the arrow key moves the alternative from Bas to Premium; the totals follow.
    customer.get_by_label("Bas").focus()
    customer.keyboard.press("ArrowDown")
    expect(customer.get_by_label("Premium")).to_be_checked()
    expect(customer.locator("#choice-contract-value")).to_have_text(kr("46 969"))
    expect(customer.locator("#option-price-call_recording")).to_contain_text("+290\u00a0kr/mån, +1\u00a0990\u00a0kr engång")
    customer.keyboard.press("Tab")
    expect(customer.get_by_label("Samtalsinspelning, 10 st")).to_be_focused()
    customer.keyboard.press("Space")
    expect(customer.locator("#choice-contract-value")).to_have_text(kr("59 399"))
    expect(customer.locator("#choice-one-time")).to_have_text(kr("6 479"))
    expect(customer.locator("#choice-announce")).to_contain_text("Alternativ Premium · Tillval: Samtalsinspelning")
    # The offer below follows the choice: call recording brings its implementation along.
    expect(customer.locator("#offer-document")).to_contain_text("Implementering Samtalsinspelning")
    expect(customer.locator(".accept-choice-statement")).to_contain_text(
        "Du godkänner: Alternativ Premium · Tillval: Samtalsinspelning – 6\u00a0479\u00a0kr engång, 1\u00a0470\u00a0kr per månad")
    assert axe_serious(customer) == []
    shot(customer, "customer-choice")

    customer.get_by_label("Namn", exact=True).fill("Erik Lind")
    customer.get_by_label("Titel", exact=True).fill("Vd")
    customer.get_by_label("Jag har läst och godkänner villkoren").check()
    customer.get_by_role("button", name="Godkänn offerten").click()
    expect(customer.get_by_role("heading", name="Offerten är godkänd")).to_be_visible()
    expect(customer.locator("#choice-note")).to_contain_text("alternativ Premium med tillval: Samtalsinspelning.")
    assert axe_serious(customer) == []

    quote.refresh_from_db()
    assert (quote.status, quote.accepted_alternative, quote.accepted_options) == (
        Quote.Status.ACCEPTED, "Premium", ["call_recording"])
    href = customer.get_by_role("link", name="Ladda ned den godkända offerten (PDF)").get_attribute("href")
    response = customer.context.request.get(live_server.url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(
        " ".join((p.extract_text() or "").replace("\u00a0", " ").split())
        for p in PdfReader(BytesIO(response.body())).pages
    ).split("Kundens godkännande")[-1]  # the acceptance page, after the signed offer
    assert "Kundens val Alternativ Premium Tillval Samtalsinspelning (10 st)" in text
    assert "avtalsvärde 36 månader 59 399 kr" in text


@pytest.fixture
def signed(doc_env, price_list, seller):
    """Signed before the browser starts (signing runs its own event loop)."""
    from quotes.offer.services import quote_sign

    return quote_sign(
        quote=QuoteFactory(
            owner=seller, price_list=price_list, items={"mobile_user": 10, "startup_help": 1},
            alternatives=[{"name": "Bas", "items": {"mobile_user": 10, "startup_help": 1}},
                          {"name": "Premium", "items": {"mobile_user": 10, "teams_voice": 10, "startup_help": 1}}],
            options={"call_recording": 10},
        ),
        user=seller,
    )


def test_without_javascript_the_choice_is_a_plain_form(signed, new_page):
    """On a phone, without JavaScript: the choice is a GET form with a button."""
    quote = signed
    customer = new_page(javascript=False, width=390)
    customer.goto(f"/offert/{quote.token}/")
    assert wider_than_viewport(customer) == []
    customer.get_by_label("Premium").check()
    customer.get_by_label("Samtalsinspelning, 10 st").check()
    customer.get_by_role("button", name="Räkna om med mitt val").click()
    expect(customer.locator("#choice-contract-value")).to_have_text(kr("59 399"))
    expect(customer.get_by_label("Premium")).to_be_checked()
    assert wider_than_viewport(customer) == []
    shot(customer, "customer-phone")
    customer.get_by_label("Namn", exact=True).fill("Erik Lind")
    customer.get_by_label("Titel", exact=True).fill("Vd")
    customer.get_by_label("Jag har läst och godkänner villkoren").check()
    customer.get_by_role("button", name="Godkänn offerten").click()
    expect(customer.get_by_role("heading", name="Offerten är godkänd")).to_be_visible()
    quote.refresh_from_db()
    assert (quote.accepted_alternative, quote.accepted_options) == ("Premium", ["call_recording"])
