"""Starting quotes in Chromium (issue 11, part 4): from a template, as a copy on today's
price list, "Tom offert" left without a trace, archiving and deleting drafts by keyboard,
a signed quote that cannot be deleted; axe-core on every page on the way."""

import re
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from configurator.models import PriceItem
from configurator.services import price_list_copy, price_list_publish
from quotes.models import Quote, QuoteTemplate
from tests.doc_support import doc_env, signing_cert  # noqa: F401
from tests.factories import QuoteFactory

from .axe import axe_serious, wider_than_viewport
from .conftest import sign_in
from .test_sellers_day import signed_quote

pytestmark = pytest.mark.browser
SHOTS = "/tmp/templates-shots"


def shot(page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def no_axe_problems(page) -> None:
    assert axe_serious(page) == [], page.url


@pytest.fixture
def templates(price_list):
    """The shared templates of the data migration (a transactional test's flush removed them)."""
    import_module("quotes.migrations.0016_templates_seed").seed_templates(apps, None)
    return {t.name: t for t in QuoteTemplate.objects.all()}


def quote_rows(page):
    return page.locator("table.quote-table tbody tr")


def test_a_seller_starts_from_a_template(page, price_list, seller, templates):
    sign_in(page, "sara")
    group = page.get_by_role("group", name="Ny offert")
    expect(group.get_by_role("button", name="Tom offert")).to_be_visible()
    group.get_by_role("link", name="Från mall…").click()
    expect(page.get_by_role("heading", name="Ny offert från mall")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Kundtjänst med Svarsservice"))
    expect(row).to_contain_text("15")  # users
    no_axe_problems(page)
    shot(page, "01-templates")
    row.get_by_role("button", name="Använd mallen Kundtjänst med Svarsservice").click()

    expect(page.get_by_role("heading", name="1. Kund")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Ny offert från mallen «Kundtjänst med Svarsservice»")
    expect(page.locator("#price-list-line")).to_contain_text(price_list.name)
    expect(page.locator("#untouched-note")).to_contain_text("Inget är sparat i utkastet än")
    no_axe_problems(page)
    shot(page, "02-from-template")
    page.get_by_label("Företagsnamn").fill("Kundtjänsten AB")
    page.get_by_role("button", name=re.compile("Nästa")).first.click()
    expect(page.get_by_label("Användare med mobilt nummer")).to_have_value("15")
    page.locator("#stepper").get_by_role("button", name="Sammanställning").click()
    document = page.locator("#offer-document")
    for line in ("Telia Svarsservice, paket 10", "Vägledd leverans", "Samtalsinspelning", "NPS Enkät"):
        expect(document).to_contain_text(line)
    expect(page.locator("#problems")).to_have_text("Offerten följer prislistans regler.")

    # The list shows it now, and the seller keeps its configuration as a template of their own.
    page.get_by_role("link", name="Spara som mall…").click()
    no_axe_problems(page)
    page.get_by_label("Mallens namn").fill("Min kundtjänst")
    page.get_by_role("button", name="Spara mallen").click()
    expect(page.get_by_role("heading", name="Dina mallar")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Min kundtjänst"))).to_be_visible()
    shot(page, "03-own-template")
    assert QuoteTemplate.objects.get(name="Min kundtjänst", owner=seller).items == templates[
        "Kundtjänst med Svarsservice"].items


def test_a_copy_is_a_new_draft_on_todays_price_list(page, price_list, seller, other_seller, doc_env):
    source = signed_quote(QuoteFactory(owner=other_seller, company_name="Förra veckan AB",
                                       items={"mobile_user": 10, "softphone": 4}), other_seller)
    newer = price_list_copy(price_list=price_list, name="Prislista höst")
    PriceItem.objects.filter(price_list=newer, code="mobile_user").update(monthly_fee=Decimal("99"))
    PriceItem.objects.filter(price_list=newer, code="softphone").delete()
    price_list_publish(price_list=newer, valid_from=timezone.localdate())

    sign_in(page, "sara")
    row = page.get_by_role("row", name=re.compile("Förra veckan AB"))
    row.get_by_role("button", name="Kopiera Förra veckan AB till en ny offert").click()
    expect(page.get_by_role("heading", name="1. Kund")).to_be_visible()
    messages = page.locator(".messages")
    expect(messages).to_contain_text(f"en kopia av offert {source.reference} (Förra veckan AB)")
    expect(messages).to_contain_text("Finns inte i dagens prislista och togs inte med: Softphone")
    expect(page.locator("#price-list-line")).to_contain_text("Prislista höst")
    expect(page.get_by_label("Företagsnamn")).to_have_value("")
    expect(page.locator("#total-monthly")).to_contain_text("990")  # 10 × 99, today's price
    no_axe_problems(page)
    shot(page, "04-copy")


def test_ny_offert_left_at_once_leaves_no_draft_in_the_list(page, price_list, seller):
    sign_in(page, "sara")
    for _ in range(2):
        page.get_by_role("button", name="Tom offert").click()
        expect(page.get_by_role("heading", name="1. Kund")).to_be_visible()
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Offerter").click()
    expect(page.get_by_text("Inga offerter ännu. Börja med en ny offert.")).to_be_visible()
    expect(quote_rows(page)).to_have_count(0)
    shot(page, "05-empty-list")


def test_archive_restore_and_delete_drafts_by_keyboard(page, price_list, seller):
    QuoteFactory(owner=seller, company_name="Arkivet AB")
    sign_in(page, "sara")
    expect(quote_rows(page)).to_have_count(1)
    no_axe_problems(page)
    shot(page, "06-list")

    archive = page.get_by_role("link", name="Arkivera Arkivet AB")
    archive.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Arkivera «Arkivet AB»?")).to_be_visible()
    no_axe_problems(page)
    shot(page, "07-archive-confirm")
    page.get_by_role("button", name="Arkivera utkastet").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("«Arkivet AB» är arkiverat")
    expect(quote_rows(page)).to_have_count(0)

    page.get_by_label("Status").select_option(label="Arkiverade utkast")
    page.get_by_role("button", name="Sök").click()
    expect(quote_rows(page)).to_have_count(1)
    no_axe_problems(page)
    shot(page, "08-archived-filter")
    page.get_by_role("button", name="Återställ Arkivet AB").click()
    expect(page.locator(".messages")).to_contain_text("«Arkivet AB» är återställt")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Offerter").click()
    expect(quote_rows(page)).to_have_count(1)

    # A new draft nobody saved anything in is deleted, after asking.
    page.get_by_role("button", name="Tom offert").click()
    page.get_by_role("link", name="Ta bort utkastet…").click()
    expect(page.get_by_text("Inget är sparat i utkastet än. Det tas bort helt")).to_be_visible()
    no_axe_problems(page)
    shot(page, "09-delete-confirm")
    page.get_by_role("button", name="Ta bort utkastet").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Utkastet är borttaget.")
    assert Quote.objects.count() == 1 and Quote.objects.get().company_name == "Arkivet AB"

    # A phone: the list with its actions fits.
    page.set_viewport_size({"width": 390, "height": 800})
    assert wider_than_viewport(page) == []


def test_a_signed_quote_cannot_be_deleted(page, price_list, seller, doc_env):
    signed = signed_quote(QuoteFactory(owner=seller, company_name="Signerat AB"), seller)
    sign_in(page, "sara")
    row = page.get_by_role("row", name=re.compile("Signerat AB"))
    expect(row.get_by_role("link", name=re.compile("Arkivera"))).to_have_count(0)
    page.goto(f"/offerter/{signed.pk}/ta-bort/")
    expect(page.get_by_role("heading", name="En signerad offert kan inte tas bort")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Ta bort|Arkivera"))).to_have_count(0)
    no_axe_problems(page)
    shot(page, "10-signed-not-deleted")
    # A crafted POST (the page's own CSRF token, no button) is refused too.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = page.request.post(f"/offerter/{signed.pk}/ta-bort/", form={"csrfmiddlewaretoken": token})
    assert "En signerad offert finns alltid kvar" in response.text()
    stored = Quote.objects.get(pk=signed.pk)
    assert stored.status == Quote.Status.SENT and stored.pdf_sha256 == signed.pdf_sha256
