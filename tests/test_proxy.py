"""The client's address behind a proxy (TRUSTED_PROXY_COUNT): the log-in throttling and the
audit trail see the client, and a client cannot pick its own address."""

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import RequestFactory

from configurator.proxy import ForwardedForMiddleware

from .factories import UserFactory

PROXY = "10.0.0.254"


def seen_address(settings, forwarded_for: str | None, count: int) -> str:
    settings.TRUSTED_PROXY_COUNT = count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, **headers)
    ForwardedForMiddleware(lambda r: HttpResponse())(request)
    return request.META["REMOTE_ADDR"]


@pytest.mark.parametrize("forwarded_for, count, expected", [
    ("203.0.113.5", 1, "203.0.113.5"),
    ("6.6.6.6, 203.0.113.5", 1, "203.0.113.5"),  # the client's own entry is not trusted
    ("6.6.6.6, 203.0.113.5, 10.0.0.7", 2, "203.0.113.5"),
    ("203.0.113.5:51234", 1, "203.0.113.5"),
    ("[2001:db8::5]:443", 1, "2001:db8::5"),
    ("2001:db8::5", 1, "2001:db8::5"),
    ("not-an-address", 1, PROXY),
    ("<script>", 1, PROXY),
    ("", 1, PROXY),
    (None, 1, PROXY),
    ("203.0.113.5", 2, PROXY),  # came past fewer proxies than configured
])
def test_the_trusted_entry_of_x_forwarded_for_becomes_the_address(settings, forwarded_for, count, expected):
    assert seen_address(settings, forwarded_for, count) == expected


def test_without_trusted_proxies_the_header_is_ignored(client, seller, settings):
    assert django_settings.TRUSTED_PROXY_COUNT == 0  # the default
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Changing X-Forwarded-For on every try does not dodge the lock.
    for n in range(django_settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": seller.username, "password": "fel"},
                    REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    r = client.post("/login/", {"username": seller.username, "password": "fel"},
                    REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert r.status_code == 429


def test_behind_a_proxy_the_lock_is_per_client(client, settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seller = UserFactory(username="saga")

    def log_in(client_address, password, spoofed="6.6.6.6"):
        return client.post("/login/", {"username": "saga", "password": password},
                           REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{spoofed}, {client_address}")

    for n in range(django_settings.AXES_FAILURE_LIMIT):
        log_in("203.0.113.66", "fel", spoofed=f"6.6.6.{n}")
    assert log_in("203.0.113.66", "secret-pass-123", spoofed="1.1.1.1").status_code == 429
    # The seller, behind the same proxy but at her own address, is not locked out.
    r = log_in("198.51.100.20", "secret-pass-123")
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(seller.pk)
