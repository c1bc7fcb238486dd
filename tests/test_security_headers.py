"""Security headers on every page: a Content Security Policy with a per-request nonce that
the htmx script carries, no framing, no MIME sniffing, no referrer to other sites, and no
copy of a page in the browser's history cache."""

from __future__ import annotations

import re

import pytest
from django.test import Client

CSP = "Content-Security-Policy"


def directives(response) -> dict[str, list[str]]:
    policy = response.headers[CSP]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def htmx_nonce(html: str) -> str:
    tag = re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js"[^>]*>', html).group(0)
    return re.search(r'nonce="([^"]+)"', tag).group(1)


@pytest.fixture
def pages(client, seller, admin_user, price_list):
    """(description, client, url) for a page of each kind that exists today."""
    seller_client = Client()
    seller_client.force_login(seller)
    admin = Client()
    admin.force_login(admin_user)
    return [
        ("log-in", client, "/login/"),
        ("quote list", seller_client, "/offerter/"),
        ("admin index", admin, "/admin/"),
        ("admin change form", admin, f"/admin/configurator/pricelist/{price_list.pk}/change/"),
    ]


def test_every_app_page_has_a_fresh_nonce_in_script_src_that_the_htmx_script_carries(pages):
    seen = set()
    for name, client, url in pages:
        r = client.get(url)
        assert r.status_code == 200, name
        html = r.content.decode()
        script_src = directives(r)["script-src"]
        if "htmx-2.min.js" in html:
            assert script_src == ["'self'", f"'nonce-{htmx_nonce(html)}'"], name
            seen.add(script_src[1])
        else:
            # The admin loads only script files: no nonce is made, 'self' is all it gets.
            assert name.startswith("admin") and script_src == ["'self'"], name
    assert len(seen) == 2  # log-in and quote list, each with its own nonce


def test_the_policy_allows_only_this_site_and_nothing_inline(client, db):
    policy = directives(client.get("/login/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and len(policy["script-src"]) == 2
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]  # htmx requests only to this site
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    everything = " ".join(v for values in policy.values() for v in values)
    assert "unsafe-inline" not in everything and "unsafe-eval" not in everything
    assert "*" not in everything and "http:" not in everything


def test_pages_have_no_inline_script_or_style_the_policy_would_block(pages):
    for name, client, url in pages:
        html = client.get(url).content.decode()
        assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert not re.findall(r"<[^>]+\sstyle=", html), name
        assert "<style" not in html, name


def test_other_security_headers(pages):
    for name, client, url in pages:
        r = client.get(url)
        assert r.headers["X-Frame-Options"] == "DENY", name
        assert r.headers["X-Content-Type-Options"] == "nosniff", name
        assert r.headers["Referrer-Policy"] == "same-origin", name
        assert r.headers["Cross-Origin-Opener-Policy"] == "same-origin", name


def test_pages_keep_no_copy_in_the_htmx_history_cache(pages):
    for name, client, url in pages:
        html = client.get(url).content.decode()
        if "htmx-2.min.js" in html:
            assert re.search(r'<body [^>]*hx-history="false"', html), name
            assert '"historyCacheSize": 0' in html, name


def test_log_in_works_with_csrf_checks_and_the_policy(seller):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    r = client.post("/login/", {
        "username": seller.username, "password": "secret-pass-123", "csrfmiddlewaretoken": token,
    })
    assert r.status_code == 302 and r["Location"] == "/offerter/"
    assert client.get("/offerter/").status_code == 200


def test_log_in_without_the_csrf_token_is_refused(seller):
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    r = client.post("/login/", {"username": seller.username, "password": "secret-pass-123"})
    assert r.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.browser
def test_htmx_runs_under_the_policy_in_chromium(live_server, seller, monkeypatch):
    """Chromium enforces the header: htmx loads (its nonce matches), nothing is refused,
    and the seller logs in through the real form."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync",
        ])
        try:
            page = browser.new_page()
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(f"{live_server.url}/login/")
            assert page.evaluate("typeof window.htmx") == "object"
            assert page.evaluate("htmx.config.historyCacheSize") == 0
            # A script without the nonce is refused by the browser.
            page.evaluate("""() => { const s = document.createElement('script');
                s.textContent = 'window.injected = true'; document.head.appendChild(s); }""")
            assert page.evaluate("window.injected === undefined")
            assert any("script-src" in v for v in violations)
            violations.clear()

            page.get_by_label("Användarnamn").fill(seller.username)
            page.get_by_label("Lösenord").fill("secret-pass-123")
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_url(f"{live_server.url}/offerter/")
            assert page.evaluate("typeof window.htmx") == "object"
            assert violations == []
        finally:
            browser.close()
