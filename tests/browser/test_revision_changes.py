"""A revision shows what changed, in Chromium: the seller changes revision B's term on the
summary and the section "Ändringar sedan revision A" follows live; signed, the customer
reads it on a phone. No serious WCAG 2.1 AA violation, nothing wider than the screen."""

import pytest
from playwright.sync_api import expect

from quotes.offer.services import quote_revise, quote_sign
from tests.doc_support import doc_env, signing_cert  # noqa: F401
from tests.factories import QuoteFactory

from .axe import axe_serious, wider_than_viewport
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def revision_b(price_list, seller, doc_env):
    """Revision B with 30 users instead of 25, a draft (signed here, before the browser
    starts: signing runs an event loop of its own)."""
    a = quote_sign(quote=QuoteFactory(owner=seller, price_list=price_list), user=seller)
    b = quote_revise(quote=a, user=seller).quote
    b.items = {**b.items, "mobile_user": 30, "teams_voice": 30}
    b.save()
    return b


def test_the_changes_follow_the_summary_and_reach_the_customer(revision_b, new_page):
    b = revision_b

    page = new_page()
    sign_in(page, "sara")
    page.goto(f"/offerter/{b.pk}/steg/sammanstallning/")
    changes = page.locator("section.offer-changes")
    expect(changes.get_by_role("heading", name="Ändringar sedan revision A")).to_be_visible()
    expect(changes.get_by_role("row", name="Ändrat Användare med mobilt nummer")).to_contain_text("25 → 30 användare")
    expect(changes).not_to_contain_text("Avtalstid")
    page.get_by_label("24 månader").check()  # recalculated live, not saved yet
    expect(changes.get_by_role("row", name="Avtalstid")).to_contain_text("36 mån")
    expect(changes.get_by_role("row", name="Avtalstid")).to_contain_text("→ 24 mån")
    assert axe_serious(page) == []

    page.get_by_role("button", name="Signera och skicka").click()
    expect(page.get_by_text("Skickad", exact=True).first).to_be_visible()
    b.refresh_from_db()
    assert b.contract_months == 24

    customer = new_page(width=390)
    customer.goto(f"/offert/{b.token}/")
    changes = customer.locator("section.offer-changes")
    expect(changes.get_by_role("heading", name="Ändringar sedan revision A")).to_be_visible()
    expect(changes.get_by_role("row", name="Månadskostnad")).to_contain_text("+")
    assert axe_serious(customer) == []
    assert wider_than_viewport(customer) == []
