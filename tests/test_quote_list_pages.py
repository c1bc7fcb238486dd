"""The quote list's pages: own quotes first, then colleagues', newest first, read through
indexes in two queries; the first and the last page cost the same few queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quotes.models import Quote

from .factories import QuoteFactory


@pytest.fixture
def many(seller, other_seller, price_list):
    """7 own drafts and 53 of a colleague's, each an hour apart."""
    now = timezone.now()
    quotes = []
    for i in range(60):
        owner = seller if i % 9 == 0 else other_seller
        quotes.append(QuoteFactory(owner=owner, price_list=price_list, company_name=f"Kund {i:02d} AB"))
    for i, quote in enumerate(quotes):  # updated_at is auto_now: set it below the model
        Quote.objects.filter(pk=quote.pk).update(updated_at=now - timedelta(hours=i))
    return quotes


def names(page: str) -> list[str]:
    """The customers of the list's rows, in order (each row's link; its actions name it too)."""
    return re.findall(r">(Kund \d\d AB)</a>", page)


def test_pages_show_own_quotes_first_then_colleagues_newest_first(seller_client, many, seller):
    own = [q.company_name for q in many if q.owner_id == seller.pk]  # newest first already
    others = [q.company_name for q in many if q.owner_id != seller.pk]
    shown = []
    for number in (1, 2, 3):
        shown += names(seller_client.get("/offerter/", {"sida": number}).content.decode())
    assert shown == own + others
    assert len(own) == 7 and "Sida 3 av 3" in seller_client.get("/offerter/", {"sida": 3}).content.decode()


def test_the_first_and_the_last_page_cost_the_same_queries(seller_client, many):
    seller_client.get("/offerter/")  # the worker's first read of the price list (catalog cache)
    counts = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            assert seller_client.get("/offerter/", {"sida": number}).status_code == 200
        counts.append(len(ctx))
        ordering = [q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"] and '"quotes_quote"' in q["sql"]]
        assert ordering and all("CASE" not in sql.split("ORDER BY")[1] for sql in ordering)  # index order
    # Page 1 holds the boundary of own and colleagues' quotes: one more query, no more.
    assert counts[1] == counts[2] and counts[0] == counts[2] + 1, counts


def test_a_filtered_list_pages_the_same_way(seller_client, many, seller):
    page = seller_client.get("/offerter/", {"q": "Kund 0"}).content.decode()
    assert names(page) == [f"Kund 0{i} AB" for i in (0, 9)] + [f"Kund 0{i} AB" for i in range(1, 9) if i != 9]
