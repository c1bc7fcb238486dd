"""The API's docs page (/api/v1/docs) in Chromium, under the site's Content Security
Policy: Swagger UI comes from this site (no CDN), shows every endpoint from the schema,
and "Try it out" calls the API with the signed-in seller's session and CSRF token."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import QuoteFactory

from .axe import axe_serious
from .conftest import sign_in
from .test_overview import watch_csp

pytestmark = pytest.mark.browser


def test_the_docs_page_works_under_the_csp_and_tries_the_api(new_page, live_server, seller, price_list, tmp_path):
    QuoteFactory(owner=seller, company_name="Dokumenterat AB")
    page = new_page()
    refused = watch_csp(page)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) and not r.url.startswith("data:") else None)
    sign_in(page, "sara")
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name=re.compile("Smart Connect offert-API"))).to_be_visible()
    for summary in ("Price a configuration", "The delivery order of an accepted quote", "List quotes", "Create a draft quote", "Read a quote", "Change a draft quote",
                    "The signed offer (PDF)", "The accepted offer (PDF)"):
        expect(page.get_by_text(summary, exact=True)).to_be_visible()
    page.screenshot(path=str(tmp_path / "docs.png"), full_page=True)
    # Swagger UI puts its expand button inside the operation's summary button (nested
    # interactive controls): its own markup, left as it is; everything else passes.
    assert [v for v in axe_serious(page) if " nested-interactive " not in v] == []

    page.get_by_text("List quotes", exact=True).click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    response = page.locator(".live-responses-table .response .response-col_status").first
    expect(response).to_have_text("200")
    expect(page.locator(".live-responses-table").get_by_text(re.compile("Dokumenterat AB")).first).to_be_visible()
    page.screenshot(path=str(tmp_path / "tried.png"), full_page=True)
    assert refused == []
    assert outside == []
