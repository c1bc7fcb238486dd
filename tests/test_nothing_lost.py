"""Clear pages instead of 500s (a database that is down, a stored PDF that is missing or
changed), the customer's link kept to its seller, API keys as strong as their user, links
from the configured site address, customer tokens masked in the logs."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from configurator.logmask import MaskCustomerTokens, mask_tokens
from configurator.models import ApiToken
from quotes.models import QuoteEvent, StoredDocument
from quotes.offer.services import quote_sign

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteFactory, UserFactory
from .queue_support import tasks_run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def signed(doc_env, seller, price_list):
    return quote_sign(quote=QuoteFactory(owner=seller), user=seller)


# --- A stored document that is missing or changed -------------------------------------


@pytest.mark.parametrize("fault", ["changed", "missing"])
@pytest.mark.parametrize("who", ["seller", "customer"])
def test_a_missing_or_changed_pdf_is_a_clear_page_logged_and_in_the_audit_trail(
    fault, who, signed, client, seller, caplog
):
    if fault == "changed":
        StoredDocument.objects.filter(name=signed.pdf.name).update(data=b"%PDF-1.7 not what was signed")
    else:
        StoredDocument.objects.filter(name=signed.pdf.name).delete()
    if who == "seller":
        client.force_login(seller)
        url = reverse("quotes:pdf", args=[signed.pk])
    else:
        url = reverse("quote-customer:pdf", args=[signed.token])
    with caplog.at_level(logging.ERROR):
        r = client.get(url)
    assert r.status_code == 409 and r["Content-Type"].startswith("text/html")
    page = r.content.decode()
    assert "Dokumentet kan inte visas" in page
    assert ("saknas" in page) if fault == "missing" else ("kontrollsumma" in page)
    assert any(signed.pdf.name in rec.getMessage() for rec in caplog.records if rec.levelno >= logging.ERROR)
    event = signed.events.get(kind=QuoteEvent.Kind.DOCUMENT_ERROR)
    assert signed.pdf.name in event.detail


# --- Error pages ----------------------------------------------------------------------


def test_not_found_and_forbidden_are_pages_in_the_apps_look(client, seller, other_seller, price_list):
    r = client.get("/offert/" + "x" * 43 + "/")
    assert r.status_code == 404 and "Sidan finns inte" in r.content.decode()
    assert "Kontakta säljaren" in r.content.decode()  # the customer's version
    theirs = QuoteFactory(owner=other_seller)
    client.force_login(seller)
    r = client.post(reverse("quotes:sign", args=[theirs.pk]))
    assert r.status_code == 403 and "Du har inte behörighet" in r.content.decode()
    r = client.get("/offerter/finns-inte/")
    assert r.status_code == 404 and "Till offertlistan" in r.content.decode()


def test_error_pages_speak_english_when_chosen(client, db):
    client.cookies["django_language"] = "en"
    r = client.get("/offert/" + "x" * 43 + "/")
    assert r.status_code == 404 and "Page not found" in r.content.decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """Production serves hashed static files: collect them once, as a deployment does."""
    root = tmp_path_factory.mktemp("static")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(DJANGO_DEBUG="0", SECRET_KEY="k" * 20 + "-collectstatic-test-secret-key-0123456789ab",
               SITE_URL="http://127.0.0.1", STATIC_ROOT=str(root),
               DATABASE_URL="sqlite:///" + str(root / "unused.sqlite3"))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    return root


@pytest.fixture
def server_without_database(tmp_path, collected_static):
    """The app under gunicorn with production settings, its database on a port where
    nothing listens: the database is down for real."""
    port, dead = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DATABASE_URL")},
        "DJANGO_DEBUG": "0", "SECRET_KEY": "k" * 20 + "-database-down-test-secret-key-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1", "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0", "DATABASE_URL": f"postgres://postgres@127.0.0.1:{dead}/nothing",
        "STATIC_ROOT": str(collected_static), "LOG_LEVEL": "CRITICAL",
    }
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "configurator.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()



def fetch(url: str, **kwargs) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, **kwargs)
    try:
        with urllib.request.urlopen(request, timeout=20) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_a_database_that_is_down_gives_503_pages_and_json(server_without_database):
    base = server_without_database
    signed_in = {"Cookie": "sessionid=a-seller-session"}  # reading the session needs the database
    for path, headers in (("/offerter/", signed_in), ("/offerter/1/steg/kund/", signed_in),
                          ("/offert/" + "a" * 43 + "/", {})):
        status, headers, body = fetch(base + path, headers=headers)
        assert status == 503, (path, status, body[:300])
        assert "Tjänsten är tillfälligt otillgänglig" in body and "Försök igen" in body
        assert headers.get("Retry-After") == "30"
    status, headers, body = fetch(
        base + "/api/v1/price", method="POST", data=b'{"items": {}}',
        headers={"Authorization": "Token abc", "Content-Type": "application/json"},
    )
    assert status == 503 and headers["Content-Type"] == "application/json"
    assert '"code": "unavailable"' in body
    status, _headers, body = fetch(base + "/healthz")
    assert status == 503 and '"database": "error"' in body


# --- The customer's link and API keys --------------------------------------------------


def test_only_the_seller_and_admins_see_the_customer_link(signed, client, other_seller, admin_user, seller):
    link = f"/offert/{signed.token}/"
    for user, sees in ((seller, True), (admin_user, True), (other_seller, False)):
        client.force_login(user)
        page = client.get(reverse("quotes:detail", args=[signed.pk])).content.decode()
        assert (link in page) is sees, user
        assert (signed.token in page) is sees, user


def test_a_colleague_signed_in_cannot_answer_the_customers_offer(signed, client, other_seller):
    client.force_login(other_seller)
    r = client.post(reverse("quote-customer:decline", args=[signed.token]), {"reason": "Nej"})
    signed.refresh_from_db()
    assert r.status_code == 302 and signed.status == "sent"


def test_an_api_key_of_someone_who_is_no_longer_a_seller_is_refused(seller, price_list, client):
    _token, key = ApiToken.issue(user=seller, name="CRM")
    body = {"items": {"mobile_user": 2}}
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.post("/api/v1/price", body, content_type="application/json", **auth).status_code == 200
    seller.groups.clear()
    r = client.post("/api/v1/price", body, content_type="application/json", **auth)
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "not_a_seller"
    _token, key2 = ApiToken.issue(user=UserFactory(), name="x")  # never a seller
    r = client.post("/api/v1/price", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key2}")
    assert r.status_code == 403


# --- Links from the site address, tokens masked ----------------------------------------


def test_the_emailed_link_uses_the_site_address_not_the_host_header(doc_env, seller, price_list, client, settings):
    settings.SITE_URL = "https://offert.example.se"
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    quote = QuoteFactory(owner=seller)
    client.force_login(seller)
    client.post(reverse("quotes:sign", args=[quote.pk]), HTTP_HOST="localhost:6666")
    tasks_run()  # the worker writes the e-mail, far from any request
    quote.refresh_from_db()
    body = mail.outbox[-1].body
    assert f"https://offert.example.se/offert/{quote.token}/" in body
    assert "localhost" not in body and "6666" not in body


def test_customer_tokens_are_masked_in_the_log():
    token = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"
    assert mask_tokens(f"GET /offert/{token}/pdf/ HTTP/1.1") == "GET /offert/AbCdEf…/pdf/ HTTP/1.1"
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/offert/{token}/",), None)
    MaskCustomerTokens().filter(record)
    assert token not in record.getMessage() and "/offert/AbCdEf…/" in record.getMessage()


def test_gunicorns_access_log_masks_customer_tokens(tmp_path, collected_static):
    port = free_port()
    access = tmp_path / "access.log"
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"},
        "DJANGO_DEBUG": "0", "SECRET_KEY": "k" * 20 + "-access-log-test-secret-key-0123456789abc",
        "ALLOWED_HOSTS": "127.0.0.1", "SITE_URL": f"http://127.0.0.1:{port}", "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "STATIC_ROOT": str(collected_static),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "configurator.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--access-logfile", str(access)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    token = "ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210_-edcba"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                fetch(f"http://127.0.0.1:{port}/offert/{token}/", headers={"Referer": f"http://x/offert/{token}/"})
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    logged = access.read_text()
    assert "/offert/ZyXwVu…/" in logged and token not in logged
