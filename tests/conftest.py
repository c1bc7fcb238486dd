import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from configurator import seed
from configurator.models import Footnote, PriceItem, PriceList
from configurator.selectors import catalog_cache_clear, catalog_for, price_list_in_force

from .factories import AdminFactory, SellerFactory


class OneRequestAtATimeOnSharedSQLite(ThreadedWSGIServer):
    """The live server (browser tests) on the suite's in-memory SQLite database hands every
    request thread the test's one connection (``connections_override``): two requests at
    once, e.g. the step form's live recalculation and the save that Enter posts a moment
    later, would share a connection and its transaction, and fail ("database table is
    locked"). There, requests are handled one at a time, as by a server with a connection
    of its own per request. PostgreSQL (no override) keeps concurrent requests."""

    def set_app(self, application):
        if not self.connections_override:
            return super().set_app(application)
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:  # the body too: a streamed response reads as it goes
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return super().set_app(one_at_a_time)


@pytest.fixture(scope="session", autouse=True)
def _live_server_on_shared_sqlite():
    LiveServerThread.server_class = OneRequestAtATimeOnSharedSQLite
    yield
    LiveServerThread.server_class = ThreadedWSGIServer


@pytest.fixture(autouse=True)
def _fresh_catalog_cache():
    """Rolled-back test transactions can reuse a price list's id and version."""
    catalog_cache_clear()
    yield
    catalog_cache_clear()


@pytest.fixture
def price_list(db) -> PriceList:
    """The seed price list, loaded by the data migration (and loaded again when an earlier
    transactional test's flush removed it: a later transactional test would get None)."""
    return price_list_in_force() or seed.load(PriceList, Footnote, PriceItem)


@pytest.fixture
def catalog(price_list):
    return catalog_for(price_list)


@pytest.fixture
def seller(db):
    return SellerFactory(username="sara", first_name="Sara", last_name="Säljare")


@pytest.fixture
def other_seller(db):
    return SellerFactory(username="sven", first_name="Sven", last_name="Säljare")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="anna", email="anna@example.com", password="admin-pass-123")


@pytest.fixture
def seller_client(client, seller):
    client.force_login(seller)
    return client


# Hypothesis: "ci" (the default) keeps the property tests CI-sized inside the normal suite;
# `make fuzz` sets HYPOTHESIS_PROFILE=fuzz for 10 000 examples per target (tests marked fuzz).
import os  # noqa: E402

from hypothesis import HealthCheck, settings as hypothesis_settings  # noqa: E402

_HYPOTHESIS_COMMON = dict(
    deadline=None,
    # The db fixture's transaction spans every example; each example checks nothing is stored.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.register_profile("ci", max_examples=150, **_HYPOTHESIS_COMMON)
hypothesis_settings.register_profile("fuzz", max_examples=10_000, **_HYPOTHESIS_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _swedish_first():
    """Every test starts in Swedish: a request in English (the language switch) leaves
    English active in the test's thread, as SwedishFirstLocaleMiddleware never resets it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
