"""Playwright against pytest-django's live server, driving Debian's Chromium.

The sync Playwright API runs an event loop in the test's thread, so Django's ORM must be
allowed to run there: ``browser`` sets DJANGO_ALLOW_ASYNC_UNSAFE for the test only (set
for the whole session it would leak into subprocesses, e.g. ``check --deploy``). Browser
tests use a transactional database, whose flush removes the seed price list of the data
migration: ``price_list`` loads it again when it is missing.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

from configurator import seed
from configurator.models import Footnote, PriceItem, PriceList
from configurator.selectors import price_list_in_force

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's


@pytest.fixture
def browser(monkeypatch):
    # Per test: the sync API keeps an event loop running in this thread while it is
    # open, which would break later tests that call asyncio.run (PDF signing).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def price_list(transactional_db):
    """The seed price list in force (loaded again after a transactional flush)."""
    existing = price_list_in_force()
    if existing is not None:
        return existing
    price_list = seed.load(PriceList, Footnote, PriceItem)
    price_list.published_at = timezone.now()
    price_list.save(update_fields=["published_at"])
    return price_list


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (no cookies): ``new_page(javascript=True, width=1280)``."""
    contexts = []

    def open_page(*, javascript: bool = True, width: int = 1280):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
            locale="sv-SE",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/offerter/")
