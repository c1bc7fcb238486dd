""""Översikt" in Chromium: the seller opens it from the header, reads the figures and the
SVG charts (under the site's CSP, at 1280 and 390 px), follows a bar with the keyboard to
the filtered list and exports it; the sales manager follows a top seller to that
seller's won offers; and the page in English."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from configurator.roles import ensure_sales_managers_group
from quotes.models import Quote, Team
from quotes.offer.services import stockholm_today
from quotes.overview.periods import quarter_of
from tests.factories import SellerFactory
from tests.overview_support import at, offer, save

from .conftest import sign_in

pytestmark = pytest.mark.browser
S = Quote.Status


@pytest.fixture
def offers(seller, other_seller, price_list):
    """This quarter: Sara has a won, a sent (expiring in 3 days) and a declined offer and a
    draft; Sven a won offer worth more."""
    today = stockholm_today()
    start = quarter_of(today).start
    save([
        offer(seller, price_list, status=S.ACCEPTED, signed=at(start, 9), accepted=at(start, 9) + timedelta(days=2),
              monthly="2000", one_time="0", months=12, company="Vunnen AB"),
        offer(seller, price_list, status=S.SENT, signed=at(today, 0, 5),
              valid_until=today + timedelta(days=3), monthly="990", company="=SUMMA(A1:A9)"),
        offer(seller, price_list, status=S.DECLINED, signed=at(start, 10), declined=at(start, 12), company="Avböjd AB"),
        offer(seller, price_list, status=S.DRAFT, company="Utkast AB"),
        offer(other_seller, price_list, status=S.ACCEPTED, signed=at(start, 9), accepted=at(start, 15),
              monthly="3000", one_time="0", months=12, company="Svens kund AB"),
    ])


def watch_csp(page) -> list[str]:
    """Console messages of anything the Content Security Policy refused."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def test_the_seller_reads_the_overview_and_follows_a_bar_to_the_list(new_page, seller, offers, tmp_path):
    page = new_page()
    refused = watch_csp(page)
    sign_in(page, "sara")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Översikt").click()
    expect(page.get_by_role("heading", name="Din översikt", level=1)).to_be_visible()
    figures = page.get_by_role("table", name=re.compile("Nyckeltal"))
    won_row = figures.get_by_role("row", name=re.compile("^Vunnet avtalsvärde"))
    expect(won_row).to_contain_text("24\u00a0000\u00a0kr")
    expect(figures.get_by_role("row", name=re.compile("^Vinstandel"))).to_contain_text("50 %")
    expect(page.get_by_role("link", name="=SUMMA(A1:A9)")).to_be_visible()  # expiring within 7 days
    expect(page.get_by_role("heading", name="Offerter per status")).to_be_visible()
    # The charts are drawn (bars with a width) and nothing was refused by the CSP.
    assert page.locator("svg.chart").count() == 2
    accepted = page.get_by_role("link", name="Accepterad: 1 offert")
    assert float(accepted.locator("rect.chart-bar").get_attribute("width").rstrip("%")) > 0
    assert accepted.locator("rect.chart-bar").bounding_box()["width"] > 50
    page.screenshot(path=str(tmp_path / "overview-1280.png"), full_page=True)
    assert refused == []

    # With the keyboard: focus a bar, Enter, and the list shows what it counted.
    accepted.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/offerter/\?status=accepted&saljare=\d+$"))
    expect(page.get_by_label("Status")).to_have_value("accepted")
    expect(page.get_by_label("Säljare")).to_have_value(str(seller.pk))
    rows = page.locator("table.quote-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Vunnen AB")

    # A figure of the table leads to its offers too, and the list exports them.
    page.go_back()
    figures.get_by_role("row", name=re.compile("^Offererade offerter")).get_by_role("link").last.click()
    expect(page.get_by_label("Period")).to_have_value("offered-quarter")
    expect(rows).to_have_count(3)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:2] == ["Offert", "Kund"] and len(table) == 4
    assert "'=SUMMA(A1:A9)" in [row[1] for row in table]  # stays text in a spreadsheet


def test_the_overview_at_390_px_keeps_its_text_readable(new_page, seller, offers, tmp_path):
    page = new_page(width=390)
    refused = watch_csp(page)
    sign_in(page, "sara")
    page.goto("/offerter/oversikt/")
    expect(page.get_by_role("heading", name="Din översikt", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    label = page.locator("svg.chart text.chart-label").first
    assert label.bounding_box()["height"] >= 14  # CSS pixels, not shrunk with the chart
    chart = page.locator("svg.chart").first.bounding_box()
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= 390
    # Each key figure names its period on a narrow screen (the table's header is hidden).
    figures = page.get_by_role("table", name=re.compile("Nyckeltal"))
    expect(figures.get_by_role("cell", name=re.compile(r"^Denna månad \S"))).to_have_count(8)
    expect(figures.get_by_role("cell", name=re.compile(r"^Detta kvartal \S"))).to_have_count(8)
    page.screenshot(path=str(tmp_path / "overview-390.png"), full_page=True)
    assert refused == []


def test_a_sales_manager_follows_a_top_seller_to_the_won_offers(new_page, seller, other_seller, offers):
    manager = SellerFactory(username="stina", first_name="Stina", last_name="Säljchef")
    manager.groups.set([ensure_sales_managers_group()])
    team = Team.objects.create(name="Säljteam Syd", manager=manager)
    team.members.add(seller, other_seller)
    page = new_page()
    sign_in(page, "stina")
    page.goto("/offerter/oversikt/")
    page.get_by_role("navigation", name="Översikter").get_by_role("link", name="Teamets översikt").click()
    expect(page.get_by_role("heading", name="Teamets översikt", level=1)).to_be_visible()
    expect(page.get_by_text("Säljteam Syd: 2 säljare")).to_be_visible()
    top = page.locator("#chart-sellers text.chart-label")
    expect(top).to_have_text(["Sven Säljare", "Sara Säljare"])  # by won contract value
    page.get_by_role("link", name=re.compile(r"^Sven Säljare: 36\s000\skr \(1 vunnen\), vunnet avtalsvärde")).click()
    page.wait_for_url(re.compile(rf"saljare={other_seller.pk}&period=won-quarter$"))
    expect(page.get_by_label("Period")).to_have_value("won-quarter")
    rows = page.locator("table.quote-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Svens kund AB")


def test_the_overview_in_english(new_page, seller, offers):
    page = new_page()
    sign_in(page, "sara")
    page.get_by_role("button", name="English").click()
    page.goto("/offerter/oversikt/")
    expect(page.get_by_role("heading", name="Your overview", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Offers by status")).to_be_visible()
    expect(page.get_by_role("link", name="Accepted: 1 offer")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Key figures")).get_by_role("row", name=re.compile("^Win rate"))).to_contain_text("50%")
