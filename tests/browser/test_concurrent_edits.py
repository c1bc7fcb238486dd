"""Two browser contexts on the same draft, as a seller with two tabs (or two colleagues'
sessions of an admin) would have: a stale tab never puts an old value back, and a change
that crossed another save asks which value should stand."""

import pytest
from playwright.sync_api import expect

from quotes.models import Quote
from tests.factories import QuoteFactory

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_two_tabs_on_one_draft_lose_nothing(new_page, price_list, seller):
    quote = QuoteFactory(owner=seller, price_list=price_list, company_name="Nordisk Logistik AB",
                         org_number="556036-0793", contact_name="Erik Lind", current_step="kund")
    url = f"/offerter/{quote.pk}/steg/kund/"
    first, second = new_page(), new_page()
    for tab in (first, second):
        sign_in(tab, "sara")
        tab.goto(url)

    # The second tab renames the company and goes on.
    second.get_by_label("Företagsnamn").fill("Nordisk Logistik Holding AB")
    with second.expect_navigation():
        second.get_by_role("button", name="Nästa: Användare").click()

    # The first, older tab changes only the contact person: the old company name it still
    # shows is not written back.
    first.get_by_label("Kontaktperson").fill("Eva Berg")
    with first.expect_navigation():
        first.get_by_role("button", name="Nästa: Användare").click()
    quote.refresh_from_db()
    assert (quote.company_name, quote.contact_name) == ("Nordisk Logistik Holding AB", "Eva Berg")

    # Both tabs now change the company name: the later save is refused and shows both values.
    for tab in (first, second):
        tab.goto(url)
    second.get_by_label("Företagsnamn").fill("Nordisk Frakt AB")
    with second.expect_navigation():
        second.get_by_role("button", name="Nästa: Användare").click()
    first.get_by_label("Företagsnamn").fill("Logistikhuset AB")
    with first.expect_navigation():
        first.get_by_role("button", name="Nästa: Användare").click()
    expect(first.get_by_text("nu sparat «Nordisk Frakt AB», du skrev «Logistikhuset AB»")).to_be_visible()
    expect(first.get_by_label("Företagsnamn")).to_have_value("Logistikhuset AB")
    expect(first.get_by_label("Företagsnamn")).to_have_attribute("aria-invalid", "true")
    assert Quote.objects.get(pk=quote.pk).company_name == "Nordisk Frakt AB"

    # The seller keeps their own value: saving again applies it.
    with first.expect_navigation():
        first.get_by_role("button", name="Nästa: Användare").click()
    assert Quote.objects.get(pk=quote.pk).company_name == "Logistikhuset AB"
