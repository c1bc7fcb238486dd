"""Log-in throttling (django-axes): a user name is locked from one IP address after
AXES_FAILURE_LIMIT wrong passwords, for AXES_COOLOFF_TIME (15 minutes).

These tests post the real log-in form; ``force_login`` (used by the other tests) does not
pass through axes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from .factories import UserFactory

LOCKED = "För många misslyckade inloggningar. Försök igen om 15 minuter."
PASSWORD = "secret-pass-123"  # UserFactory's


def log_in(client, username, password, ip="10.0.0.1", url="/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Made before the user fixtures (autouse first): the lock does not depend on the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def users(seller, other_seller):
    return seller, other_seller


def fail_until_locked(client, username, ip="10.0.0.1", url="/login/"):
    return [log_in(client, username, "fel-lösenord", ip, url) for _ in range(settings.AXES_FAILURE_LIMIT)]


def test_limit_is_five_failures_for_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.25  # hours


def test_wrong_passwords_lock_the_user_name_even_for_the_right_password(client, users):
    seller, _ = users
    *before, last = fail_until_locked(client, seller.username)
    for r in before:
        assert r.status_code == 200
        assert "Ange ett korrekt användarnamn och lösenord" in r.content.decode()
        assert LOCKED not in r.content.decode()
    assert last.status_code == 429
    assert LOCKED in last.content.decode()

    r = log_in(client, seller.username, PASSWORD)
    assert r.status_code == 429
    page = r.content.decode()
    assert LOCKED in page
    assert '<html lang="sv">' in page and 'href="/login/"' in page
    assert not logged_in(client)


def test_other_users_from_the_same_address_still_log_in(client, users):
    seller, other = users
    fail_until_locked(client, seller.username)
    r = log_in(client, other.username, PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/offerter/"
    assert logged_in(client)


def test_the_lock_is_per_user_name_and_address(client, users):
    """Someone guessing from one address cannot lock the seller out everywhere."""
    seller, _ = users
    fail_until_locked(client, seller.username, ip="203.0.113.9")
    r = log_in(client, seller.username, PASSWORD, ip="10.0.0.1")
    assert r.status_code == 302
    assert logged_in(client)


def test_the_lock_ends_after_fifteen_minutes(client, users):
    seller, _ = users
    fail_until_locked(client, seller.username)
    assert log_in(client, seller.username, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    r = log_in(client, seller.username, PASSWORD)
    assert r.status_code == 302
    assert logged_in(client)


def test_a_successful_log_in_resets_the_count(client, users):
    seller, _ = users
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, seller.username, "fel-lösenord")
    assert log_in(client, seller.username, PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, seller.username, "fel-lösenord")
    assert log_in(client, seller.username, PASSWORD).status_code == 302


def test_the_admin_log_in_is_throttled_too(client, admin_user):
    fail_until_locked(client, admin_user.username, url="/admin/login/?next=/admin/")
    r = log_in(client, admin_user.username, "admin-pass-123", url="/admin/login/?next=/admin/")
    assert r.status_code == 429
    assert LOCKED in r.content.decode()
    assert client.get("/admin/").status_code == 302  # still sent to the log-in


def test_other_tests_can_still_use_force_login(client, users):
    seller, _ = users
    fail_until_locked(client, seller.username)
    client.force_login(seller)
    assert client.get("/offerter/").status_code == 200


def test_an_unknown_user_name_is_locked_the_same_way(client, db):
    """Guessing user names gives the same answer as guessing a real user's password."""
    *_, last = fail_until_locked(client, "finns-inte")
    assert last.status_code == 429 and LOCKED in last.content.decode()
    UserFactory(username="finns-inte")  # created meanwhile: still locked from this address
    assert log_in(client, "finns-inte", PASSWORD).status_code == 429
