"""A discount above the seller's limit, in Chromium, by keyboard only: the seller enters
it in "Rabatter" (the totals follow live), signing is blocked with the limit and the
share, the seller sends it for approval with a comment, the sales manager finds it in
"Godkännanden", reads what is asked line by line and approves, and the seller signs.
axe-core checks every page on the way; screenshots go to $SCREENSHOT_DIR when set."""

import os
import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from configurator.roles import ensure_sales_managers_group
from quotes.models import DiscountApproval, DiscountLimit, Quote, Team
from tests.doc_support import doc_env, signing_cert  # noqa: F401
from tests.factories import QuoteFactory, SellerFactory, UserFactory
from tests.queue_support import tasks_run

from .axe import axe_serious, wider_than_viewport
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def limits(transactional_db):
    """The seeded defaults (a transactional test's flush removed the migration's rows)."""
    for role, share, months in (("Säljare", "10", 1), ("Säljchef", "30", 3), ("Försäljningsdirektör", "100", 11)):
        DiscountLimit.objects.update_or_create(
            role=role, defaults={"max_share_percent": Decimal(share), "max_free_months": months}
        )


def shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def press(page, locator, key: str = "Enter") -> None:
    """Focus ``locator`` as Tab would and press ``key``: no mouse anywhere."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def type_into(page, locator, text: str) -> None:
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def no_axe(page, where: str) -> None:
    assert axe_serious(page) == [], where


def test_discount_above_the_limit_is_approved_by_the_sales_manager_then_signed(
    new_page, price_list, limits, doc_env, live_server
):
    seller = SellerFactory(username="sara", first_name="Sara", last_name="Säljare")
    manager = UserFactory(username="maja", first_name="Maja", last_name="Säljchef", email="maja@example.com")
    manager.groups.add(ensure_sales_managers_group())
    Team.objects.create(name="Syd", manager=manager).members.add(seller)
    quote = QuoteFactory(owner=seller, price_list=price_list, current_step="rabatter")

    page = new_page()
    sign_in(page, "sara")
    page.goto(f"/offerter/{quote.pk}/steg/rabatter/")
    expect(page.get_by_role("heading", name="7. Rabatter")).to_be_visible()
    no_axe(page, "Rabatter")

    # A line discount in kronor, a quote discount with a decimal comma; the totals follow live.
    users = page.get_by_role("group", name=re.compile(r"^Användare med mobilt nummer"))
    type_into(page, users.get_by_label("Rabatt på månadsavgiften"), "500")
    users.get_by_label("Rabatten på månadsavgiften anges i").select_option("amount")
    type_into(page, page.get_by_label("Offertrabatt på månadsavgiften (%)"), "22,5")
    expect(page.locator("#total-discount")).to_be_visible()
    expect(page.locator("#discount-limit")).to_contain_text("Över säljarens rabattgräns")
    shot(page, "1-rabatter")
    no_axe(page, "Rabatter with a discount")
    page.keyboard.press("Enter")  # Enter in a field: Nästa
    page.wait_for_url(f"**/offerter/{quote.pk}/steg/sammanstallning/")
    quote.refresh_from_db()
    assert quote.discounts == {"lines": {"mobile_user": {"monthly_amount": "500.00"}}, "monthly_percent": "22.50"}

    # Signing is blocked, saying the share and the limit.
    expect(page.get_by_role("button", name="Signera och skicka")).to_be_disabled()
    expect(page.locator(".sign-problems")).to_contain_text("säljarens gräns (Säljare) är 10 % och 1 fri månad")
    expect(page.locator(".sign-problems")).to_contain_text(re.compile(r"Rabatten är \d+,\d % av avtalsvärdet"))
    shot(page, "2-blocked")
    no_axe(page, "Sammanställning, blocked")
    type_into(page, page.get_by_label("Kommentar till den som godkänner"), "Konkurrenten ligger 20 % lägre")
    press(page, page.get_by_role("button", name="Skicka för godkännande"))
    expect(page.get_by_text("Offerten är skickad för godkännande.")).to_be_visible()
    expect(page.locator("#discount-limit")).to_contain_text("Väntar på beslut")
    expect(page.get_by_role("button", name="Skicka för godkännande")).to_have_count(0)
    tasks_run()
    assert [m.to for m in mail.outbox if "Rabatt att godkänna" in m.subject] == [["maja@example.com"]]

    # The sales manager: the queue from the header, what is asked, approve.
    approver = new_page()
    sign_in(approver, "maja")
    press(approver, approver.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Godkännanden"))
    approver.wait_for_url("**/offerter/godkannanden/")
    row = approver.get_by_role("row", name=re.compile("Nordisk Logistik AB"))
    expect(row).to_contain_text("Sara Säljare")
    shot(approver, "3-queue")
    no_axe(approver, "Godkännanden")
    press(approver, row.get_by_role("link", name="Nordisk Logistik AB"))
    expect(approver.get_by_role("heading", name="Rabatt att godkänna: Nordisk Logistik AB")).to_be_visible()
    expect(approver.get_by_text("Konkurrenten ligger 20 % lägre")).to_be_visible()
    approval = DiscountApproval.objects.get(quote=quote)
    share = f"{(approval.discount_share * 100).quantize(Decimal('0.1'))}".replace(".", ",")
    expect(approver.locator("#ask-share")).to_have_text(f"{share} %")
    expect(approver.locator(".offer-document")).to_contain_text("Användare med mobilt nummer")
    shot(approver, "4-request")
    no_axe(approver, "Godkännande")
    type_into(approver, approver.get_by_label("Kommentar till säljaren"), "OK, vinn affären")
    press(approver, approver.get_by_role("button", name="Godkänn rabatten"))
    expect(approver.get_by_text(re.compile("är godkänd. Säljaren har fått besked."))).to_be_visible()
    expect(approver.get_by_text("Inga rabatter väntar på ditt beslut.")).to_be_visible()
    tasks_run()
    assert any(m.subject == "Rabatten är godkänd: Nordisk Logistik AB" and m.to == [seller.email] for m in mail.outbox)

    # The seller sees the approval and signs.
    page.reload()
    expect(page.locator("#discount-limit")).to_contain_text("Rabatten är godkänd")
    expect(page.locator("#discount-limit")).to_contain_text("OK, vinn affären")
    shot(page, "5-approved")
    no_axe(page, "Sammanställning, approved")
    press(page, page.get_by_role("button", name="Signera och skicka"))
    expect(page.get_by_text(re.compile(r"Offert SC-\d{4}-\d{5} A är signerad"))).to_be_visible()
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT
    kinds = list(quote.events.values_list("kind", flat=True))
    assert kinds.index("approval_req") < kinds.index("approved") < kinds.index("signed")


def test_the_discount_step_and_the_approval_pages_fit_a_phone(new_page, price_list, limits, live_server):
    """At 375 px: the discount step, the blocked summary with its request, the queue and
    the request's page stay within the screen, and axe finds nothing serious."""
    seller = SellerFactory(username="sara", first_name="Sara", last_name="Säljare")
    manager = UserFactory(username="maja", first_name="Maja", last_name="Säljchef")
    manager.groups.add(ensure_sales_managers_group())
    Team.objects.create(name="Syd", manager=manager).members.add(seller)
    quote = QuoteFactory(owner=seller, price_list=price_list, discounts={"monthly_percent": "25"})
    from quotes.approval.services import approval_request

    approval = approval_request(quote=quote, user=seller, comment="Konkurrent")
    phone = new_page(width=375)
    sign_in(phone, "sara")
    for url in (f"/offerter/{quote.pk}/steg/rabatter/", f"/offerter/{quote.pk}/steg/sammanstallning/"):
        phone.goto(url)
        assert wider_than_viewport(phone) == [], url
        assert axe_serious(phone) == [], url
    shot(phone, "6-phone-rabatter")
    other = new_page(width=375)
    sign_in(other, "maja")
    for url in ("/offerter/godkannanden/", f"/offerter/godkannanden/{approval.pk}/"):
        other.goto(url)
        assert wider_than_viewport(other) == [], url
        assert axe_serious(other) == [], url
    shot(other, "7-phone-request")
