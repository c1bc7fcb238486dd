"""The seller's day (issue #12), in Chromium: Enter means "Nästa" on every step, a draft
on a superseded price list says what changes and moves with one click, an honest panel
while a value is refused, the summary's action bar, phones at 390 px, and axe-core's
WCAG 2.1 A/AA rules on every page of the seller, the customer and the admin."""

import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from configurator.models import PriceItem, PriceList
from configurator.services import price_list_copy, price_list_publish
from quotes.models import Quote
from quotes.offer.services import quote_sign
from quotes.templatetags.money import format_money
from tests.doc_support import doc_env, signing_cert  # noqa: F401
from tests.factories import OfferTermsFactory, QuoteFactory

from .axe import axe_serious, wider_than_viewport
from .conftest import sign_in

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "admin-pass-123"  # tests.conftest.admin_user's
STEP_HEADINGS = {
    "kund": "1. Kund", "anvandare": "2. Användare", "nummer": "3. Nummer", "integrationer": "4. Integrationer",
    "leverans": "5. Leverans och utbildning", "trafik": "6. Trafik", "rabatter": "7. Rabatter",
    "sammanstallning": "8. Sammanställning",
}


def signed_quote(quote, user) -> Quote:
    """``quote`` signed by ``user`` in a thread of its own: signing runs an event loop
    (asyncio.run), which cannot start in the thread where Playwright's runs."""
    def sign():
        try:
            return quote_sign(quote=quote, user=user)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(sign).result()


def kr(amount) -> re.Pattern:
    """An amount as the page writes it ("1 990 kr", no-break spaces)."""
    return re.compile(re.escape(format_money(amount)).replace("\\\u00a0", r"\s"))


# --- 1. Keyboard ------------------------------------------------------------------------


def test_enter_in_a_field_means_next_on_every_step_and_save_on_the_last(page, price_list, seller):
    sign_in(page, "sara")
    page.get_by_role("button", name="Tom offert").click()
    typed = [  # (step heading, field, value)
        ("1. Kund", "Företagsnamn", "Enter AB"),
        ("2. Användare", "Användare med mobilt nummer", "5"),
        ("3. Nummer", "Funktionsnummer", "1"),
        ("4. Integrationer", "Kalenderintegration", "2"),
        ("5. Leverans och utbildning", "Utbildning halvdag", "1"),
        ("6. Trafik", "Utgående externa samtal per månad", "10"),
        ("7. Rabatter", "Offertrabatt på månadsavgiften (%)", "5"),
    ]
    following = [heading for heading, _f, _v in typed[1:]] + ["8. Sammanställning"]
    for (heading, label, value), next_heading in zip(typed, following):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        page.get_by_label(label, exact=True).fill(value)
        page.get_by_label(label, exact=True).press("Enter")
        expect(page.get_by_role("heading", name=next_heading)).to_be_visible()

    # The last step: Enter saves and stays.
    page.get_by_label("Offerten gäller i (dagar)").fill("45")
    with page.expect_navigation():
        page.get_by_label("Offerten gäller i (dagar)").press("Enter")
    expect(page.get_by_role("heading", name="8. Sammanställning")).to_be_visible()
    quote = Quote.objects.get()
    assert quote.company_name == "Enter AB" and quote.validity_days == 45
    assert quote.discounts == {"monthly_percent": "5.00"}
    assert quote.items == {"mobile_user": 5, "function_number": 1, "calendar": 2, "training_half_day": 1}
    assert quote.traffic == {"calls": 10}


def test_the_step_form_by_keyboard_alone_with_a_visible_focus_ring(page, price_list, seller):
    sign_in(page, "sara")
    quote = QuoteFactory(owner=seller, price_list=price_list, empty=True)
    page.goto(f"/offerter/{quote.pk}/steg/leverans/")
    # Tab from the top of the page to the delivery choice, choose with the arrow keys.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "delivery":
            break
    assert page.evaluate("document.activeElement.name") == "delivery"
    page.keyboard.press("ArrowDown")  # Egen konfiguration → Uppstartshjälp
    expect(page.get_by_label("Uppstartshjälp med tekniker")).to_be_checked()
    # Ytterligare konfiguration belongs to Uppstartshjälp: offered only now.
    expect(page.get_by_label("Ytterligare konfiguration (per ärende)")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "extra_config"
    page.keyboard.type("2")
    # The ring of a focused field, and of a button reached by Tab: dark purple, 3 px.
    ring = "getComputedStyle(document.activeElement)"
    assert page.evaluate(f"{ring}.outlineColor") == "rgb(109, 2, 163)"  # 9.6:1 against white
    assert page.evaluate(f"{ring}.outlineWidth") == "3px"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("Nästa"):
            break
    assert page.evaluate(f"{ring}.outlineStyle") == "solid" and page.evaluate(f"{ring}.outlineWidth") == "3px"
    assert page.evaluate(f"{ring}.outlineColor") == "rgb(109, 2, 163)"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="6. Trafik")).to_be_visible()
    quote.refresh_from_db()
    assert quote.items["startup_help"] == 1 and quote.items["extra_config"] == 2


def test_extra_configuration_is_offered_only_with_startup_help(page, price_list, seller):
    sign_in(page, "sara")
    quote = QuoteFactory(owner=seller, price_list=price_list, empty=True)
    page.goto(f"/offerter/{quote.pk}/steg/leverans/")
    extra = page.get_by_label("Ytterligare konfiguration (per ärende)")
    expect(extra).to_be_hidden()
    page.get_by_label("Uppstartshjälp med tekniker").check()
    expect(extra).to_be_visible()
    extra.fill("1")
    expect(page.locator("#problems")).to_have_text("Offerten följer prislistans regler.")
    # Back to self-configuration with a case left: the rule error shows, and so does the field.
    page.get_by_label("Egen konfiguration med hjälp av digitala guider").check()
    expect(page.locator("#msg-extra_config")).to_contain_text("hör till Uppstartshjälp")
    expect(extra).to_be_visible()
    expect(extra).to_have_attribute("aria-invalid", "true")


# --- 4. One honest panel ----------------------------------------------------------------


@pytest.mark.parametrize("typed, message", [
    ("-5", "Ange ett heltal från 0 till 100 000."),
    ("1e3", "Ange ett heltal från 0 till 100 000."),
    ("100001", "Ange ett heltal från 0 till 100 000."),
    ("2.5", "Ange ett heltal utan decimaler, från 0 till 100 000."),
    ("2,5", "Ange ett heltal utan decimaler, från 0 till 100 000."),
])
def test_a_refused_quantity_makes_the_panel_say_it_is_not_up_to_date(page, price_list, seller, typed, message):
    sign_in(page, "sara")
    quote = QuoteFactory(owner=seller, price_list=price_list, empty=True, items={"mobile_user": 10, "softphone": 4})
    page.goto(f"/offerter/{quote.pk}/steg/anvandare/")
    softphone = page.get_by_label("Softphone")
    softphone.fill(typed)
    expect(page.locator("#msg-softphone")).to_contain_text(message)
    expect(softphone).to_have_attribute("aria-invalid", "true")  # live, as on a page load
    stale = page.locator("#stale-note")
    expect(stale).to_contain_text("Summeringen är inte uppdaterad.")
    expect(stale).to_contain_text(f"Softphone: {message}".replace(" 000", "\u00a0000"))
    expect(page.locator(".totals-panel")).not_to_contain_text("följer prislistans regler")
    expect(page.locator("#mini-totals")).to_contain_text("inte uppdaterad")
    # The screen reader hears a short line, not the panel.
    expect(page.locator("#totals-announce")).to_contain_text("Summeringen är inte uppdaterad.")
    # Fixed: the panel is the seller's again, and the field is valid.
    softphone.fill("3")
    expect(page.locator("#total-monthly")).to_have_text(kr(Decimal("977")))  # 10 × 89 + 3 × 29
    expect(page.locator("#stale-note")).to_have_count(0)
    expect(softphone).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#problems")).to_have_text("Offerten följer prislistans regler.")
    expect(page.locator("#totals-announce")).to_have_text(re.compile(r"^Engång 0\skr, per månad 977\skr\.$"))


# --- 2. Prices that moved ---------------------------------------------------------------


def new_price_list(price_list, *, softphone_monthly: str, drop: str | None = None):
    new = price_list_copy(price_list=price_list, name="Prislista höst")
    PriceItem.objects.filter(price_list=new, code="softphone").update(monthly_fee=Decimal(softphone_monthly))
    if drop:
        PriceItem.objects.filter(price_list=new, code=drop).delete()
    return price_list_publish(price_list=new, valid_from=timezone.localdate())


def test_a_draft_on_a_superseded_price_list_shows_what_changes_and_moves_in_one_click(page, price_list, seller):
    quote = QuoteFactory(owner=seller, price_list=price_list, current_step="sammanstallning",
                         items={"mobile_user": 10, "softphone": 10, "nps_survey": 1, "self_config": 1})
    sign_in(page, "sara")
    page.goto(f"/offerter/{quote.pk}/steg/anvandare/")
    expect(page.locator("#price-list-line")).to_have_text("Prislista: Smart Connect prislista 2026, gäller från 2026-01-01")
    assert not page.locator("#price-moved").count()  # on the list in force: no banner

    new_price_list(price_list, softphone_monthly="35", drop="nps_survey")
    page.reload()  # any step: the banner, what changes one click away
    banner = page.locator("#price-moved")
    expect(banner).to_contain_text("som har ersatts av Prislista höst")
    expect(banner.locator("li", has_text="Softphone")).to_be_hidden()
    banner.get_by_text("Så här ändras offerten med prislistan som gäller").click()
    expect(banner.locator("li", has_text="Softphone")).to_be_visible()
    page.goto(f"/offerter/{quote.pk}/steg/sammanstallning/")  # the summary: open at once
    expect(banner.get_by_role("heading")).to_have_text(f"Nya priser gäller sedan {timezone.localdate():%Y-%m-%d}")
    # Line by line, old → new, and the new totals.
    softphone = banner.locator("li", has_text="Softphone")
    expect(softphone).to_contain_text(re.compile(r"per månad 290\skr → 350\skr"))
    expect(banner.locator("li", has_text="NPS Enkät")).to_contain_text("finns inte i den nya prislistan och tas bort")
    # old: 10 × 89 + 10 × 29 + 499 = 1 679; new: 10 × 89 + 10 × 35 = 1 240
    expect(banner.locator(".moved-totals")).to_contain_text(re.compile(r"Månadsavgift\s*1\s679\skr → 1\s240\skr"))
    # Signing is not possible without that choice.
    expect(page.get_by_role("button", name="Signera och skicka")).to_be_disabled()
    expect(page.locator("#document-panel")).to_contain_text("har ersatts av Prislista höst")

    banner.get_by_role("button", name="Använd prislistan som gäller").click()
    expect(page.get_by_text(f"Offerten använder nu Prislista höst, som gäller från {timezone.localdate():%Y-%m-%d}.")).to_be_visible()
    expect(page.get_by_text("Finns inte i den nya prislistan och togs bort: NPS Enkät")).to_be_visible()
    expect(page.locator("#price-moved")).to_have_count(0)
    expect(page.locator("#price-list-line")).to_contain_text("Prislista: Prislista höst")
    expect(page.locator("#total-monthly")).to_have_text(kr(Decimal("1240")))
    expect(page.get_by_role("button", name="Signera och skicka")).to_be_enabled()
    quote.refresh_from_db()
    assert quote.price_list.name == "Prislista höst" and "nps_survey" not in quote.items
    assert quote.events.filter(detail__contains="prislista: Smart Connect prislista 2026 → Prislista höst").exists()


# --- 5. The action bar ------------------------------------------------------------------


def test_sign_and_send_is_in_sight_on_the_summary_and_saves_what_was_typed(page, price_list, seller, doc_env):
    quote = QuoteFactory(owner=seller, price_list=price_list, current_step="sammanstallning")
    sign_in(page, "sara")
    page.goto(f"/offerter/{quote.pk}/steg/sammanstallning/")
    sign = page.get_by_role("button", name="Signera och skicka")
    expect(sign).to_be_in_viewport()  # at the top of a long page
    expect(page.locator(".action-bar")).to_contain_text("Klar att signera.")
    page.get_by_label("Meddelande till kunden").fill("Välkommen som kund!")
    page.mouse.wheel(0, 2000)
    expect(sign).to_be_in_viewport()  # and further down
    sign.click()
    expect(page.get_by_text(re.compile(r"Offert SC-\d{4}-\d{5} A är signerad"))).to_be_visible()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and quote.customer_note == "Välkommen som kund!"
    assert quote.snapshot["customer_note"] == "Välkommen som kund!"


def test_the_action_bar_says_what_blocks_signing(page, price_list, seller):
    quote = QuoteFactory(owner=seller, price_list=price_list, current_step="sammanstallning", contact_email="")
    sign_in(page, "sara")
    page.goto(f"/offerter/{quote.pk}/steg/sammanstallning/")
    bar = page.locator(".action-bar")
    expect(bar).to_contain_text("Kan inte signeras än: 1 sak att åtgärda")
    expect(bar.get_by_role("button", name="Signera och skicka")).to_be_disabled()
    expect(bar.get_by_role("button", name="Spara")).to_be_enabled()
    expect(page.locator("#document-panel")).to_contain_text("Kontaktpersonens e-post saknas")


# --- 3. Phones --------------------------------------------------------------------------


def test_at_390_px_nothing_is_cut_off(new_page, price_list, seller, doc_env):
    items = {"mobile_user": 25, "softphone": 25, "function_number": 3, "number_series_100": 1,
             "answering_service_10": 1, "guided_delivery": 1, "training_half_day": 1}
    traffic = {"sms_domestic": 1200, "calls": 200, "avg_call_seconds": 150}
    quote = QuoteFactory(owner=seller, price_list=price_list, current_step="sammanstallning", items=items, traffic=traffic)
    signed = signed_quote(QuoteFactory(owner=seller, price_list=price_list, items=items, traffic=traffic), seller)
    page = new_page(width=390)
    sign_in(page, "sara")
    for slug, heading in STEP_HEADINGS.items():
        page.goto(f"/offerter/{quote.pk}/steg/{slug}/")
        step_heading = page.get_by_role("heading", name=heading)
        expect(step_heading).to_be_visible()
        assert wider_than_viewport(page) == [], slug
        # Compact header and step bar: the form starts in the first third of the screen.
        assert step_heading.bounding_box()["y"] < 300, slug
    # The Svarsservice package list fits: its longest choice is not cut (measured in the
    # select's own font, against its width less padding and arrow).
    page.goto(f"/offerter/{quote.pk}/steg/nummer/")
    select = page.get_by_label("Paket")
    fits = select.evaluate("""el => {
      const ctx = document.createElement("canvas").getContext("2d"), st = getComputedStyle(el);
      ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
      const longest = Math.max(...[...el.options].map(o => ctx.measureText(o.text).width));
      return [longest, el.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 24];
    }""")
    assert fits[0] <= fits[1], fits

    # The summary: every amount of the document is on the screen.
    page.goto(f"/offerter/{quote.pk}/steg/sammanstallning/")
    for cell in page.locator("#offer-document .lines td.num:visible").all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, cell.inner_text()
    company_sum = page.locator("#offer-document .offer-section", has_text="Företagstjänster").locator(
        'tfoot td[data-label="Per månad"]')
    expect(company_sum).to_have_text(kr(Decimal("5007")))  # 3 × 99 + 4 710
    expect(company_sum).to_be_visible()

    # The signed quote's page and the customer's page.
    page.goto(f"/offerter/{signed.pk}/")
    assert wider_than_viewport(page) == []
    customer = new_page(width=390)
    customer.goto(f"/offert/{signed.token}/")
    expect(customer.get_by_role("heading", name="Godkänn offerten")).to_be_attached()
    assert wider_than_viewport(customer) == []
    for cell in customer.locator(".lines td.num:visible").all():
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= 390, cell.inner_text()


# --- 8. axe-core on every page ----------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_serious_on_the_sellers_and_the_customers_pages(new_page, price_list, seller, doc_env, width):
    signed = signed_quote(QuoteFactory(owner=seller, price_list=price_list), seller)
    page = new_page(width=width)
    page.goto("/login/")
    assert axe_serious(page) == [], "login"
    sign_in(page, "sara")
    assert axe_serious(page) == [], "list"
    for url in ("/offerter/?status=sent", "/offerter/oversikt/", "/offerter/999999/"):  # filtered, overview, 404
        page.goto(url)
        assert axe_serious(page) == [], url
    draft = QuoteFactory(owner=seller, price_list=price_list, current_step="sammanstallning",
                         items={"mobile_user": 10, "softphone": 12, "answering_service_20": 1, "calendar": 10})
    for slug in STEP_HEADINGS:
        page.goto(f"/offerter/{draft.pk}/steg/{slug}/")
        assert axe_serious(page) == [], slug
    # After a live recalculation with a refused value and a rule error.
    page.goto(f"/offerter/{draft.pk}/steg/anvandare/")
    page.get_by_label("Användare med mobilt nummer").fill("2,5")
    expect(page.locator("#stale-note")).to_be_visible()
    assert axe_serious(page) == [], "anvandare, live"
    # A draft on a superseded price list (the banner).
    new_price_list(price_list, softphone_monthly="35")
    page.goto(f"/offerter/{draft.pk}/steg/sammanstallning/")
    expect(page.locator("#price-moved")).to_be_visible()
    assert axe_serious(page) == [], "banner"

    page.goto(f"/offerter/{signed.pk}/")
    assert axe_serious(page) == [], "signed quote"
    customer = new_page(width=width)
    customer.goto(f"/offert/{signed.token}/")
    assert axe_serious(customer) == [], "customer"
    customer.get_by_role("button", name="Godkänn offerten").click()  # with errors
    expect(customer.get_by_text("Bekräfta att du har läst och godkänner villkoren.")).to_be_visible()
    assert axe_serious(customer) == [], "customer, errors"


ADMIN_PAGES = [
    "/admin/",
    "/admin/configurator/pricelist/",
    "/admin/configurator/pricelist/{in_force}/change/",
    "/admin/configurator/pricelist/{draft}/change/",  # editable: a control per cell
    "/admin/configurator/pricelist/{in_force}/history/",
    "/admin/configurator/pricelist/add/",
    "/admin/configurator/priceitem/",
    "/admin/configurator/priceitem/{item}/change/",
    "/admin/configurator/apitoken/",
    "/admin/configurator/apitoken/add/",
    "/admin/quotes/quote/",
    "/admin/quotes/quote/{quote}/change/",
    "/admin/quotes/quoteevent/",
    "/admin/auth/user/",
    "/admin/auth/user/add/",
    "/admin/auth/user/{user}/change/",
    "/admin/auth/group/",
    "/admin/auth/group/add/",
    "/admin/quotes/offerterms/1/change/",
    "/admin/quotes/offerterms/1/history/",
]


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_serious_in_the_admin(new_page, price_list, seller, admin_user, width):
    draft = price_list_copy(price_list=price_list, name="Prislista höst")
    ids = {
        "in_force": price_list.pk, "draft": draft.pk, "item": price_list.items.first().pk,
        "quote": QuoteFactory(owner=seller, price_list=price_list).pk, "user": seller.pk,
    }
    OfferTermsFactory()  # the migration's row (a transactional test's flush removed it)
    page = new_page(width=width)
    page.goto("/admin/login/")
    assert axe_serious(page) == [], "admin login"
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Prislistor och offerter")).to_be_visible()
    for url in ADMIN_PAGES:
        page.goto(url.format(**ids))
        assert axe_serious(page) == [], url
    # Amounts as a Swede reads them, and the page no wider than the screen (the items
    # scroll in their own region).
    page.goto(f"/admin/configurator/pricelist/{draft.pk}/change/")
    expect(page.get_by_label("Månadsavgift – Softphone")).to_have_value("29,00")
    expect(page.get_by_label("Momssats")).to_have_value("0,250")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_admin_speaks_one_language(new_page, price_list, admin_user):
    page = new_page()
    page.goto("/admin/login/")
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("link", name="Händelser", exact=True)).to_be_visible()  # was "Quote events"
    draft = price_list_copy(price_list=price_list, name="Prislista höst")
    page.goto(f"/admin/configurator/pricelist/{draft.pk}/change/")
    expect(page.get_by_text("Kopierad från:")).to_be_visible()  # was "Copied from"
    page.get_by_label("Månadsavgift – Softphone").fill("35,50")
    page.get_by_role("button", name="Spara", exact=True).click()
    assert PriceItem.objects.get(price_list=draft, code="softphone").monthly_fee == Decimal("35.50")
    assert PriceList.objects.get(pk=draft.pk).items.get(code="softphone").monthly_fee == Decimal("35.50")
