"""The admin's price-list page at 36 and at 500 items: the same queries (no query per
row), and a long list is edited in the searchable, paginated item list, not in 500
inline rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from configurator.models import PriceItem, PriceList
from configurator.services import price_list_copy


def draft_with(price_list, size: int) -> PriceList:
    copy = price_list_copy(price_list=price_list, name=f"Utkast {size} artiklar")
    have = copy.items.count()
    PriceItem.objects.bulk_create(
        PriceItem(price_list=copy, code=f"extra_{i}", name=f"Tjänst {i}", section=PriceItem.Section.COMPANY,
                  billed_to=PriceItem.BilledTo.COMPANY, monthly_fee=Decimal(i % 500), sort_order=1_000 + i)
        for i in range(size - have)
    )
    return copy


def queries_of(client, url) -> tuple[int, str]:
    client.get(url)  # warm: the session, the content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response.content.decode()


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_price_list_page_makes_the_same_queries_at_36_and_500_items(admin_client_, price_list):
    small, large = draft_with(price_list, 36), draft_with(price_list, 500)
    small_queries, small_page = queries_of(admin_client_, reverse("admin:configurator_pricelist_change", args=[small.pk]))
    large_queries, large_page = queries_of(admin_client_, reverse("admin:configurator_pricelist_change", args=[large.pk]))
    # 36 items in place: one footnote query for all rows (was one per row: 44 queries).
    assert small_page.count('name="items-') > 36 * 10 and small_queries < 30
    # 500 items: the page links to the item list instead of 500 rows of inputs.
    assert 'name="items-' not in large_page
    assert "500 artiklar: sök och redigera dem i artikellistan (50 per sida)" in large_page
    assert large_queries <= small_queries, (small_queries, large_queries)
    assert len(large_page) < 200_000  # was 2.7 MB


def test_a_list_in_force_shows_its_rows_read_only_without_a_query_per_row(admin_client_, price_list):
    url = reverse("admin:configurator_pricelist_change", args=[price_list.pk])
    queries, page = queries_of(admin_client_, url)
    assert 'name="items-0-monthly_fee"' not in page and "Softphone" in page  # read-only rows
    assert queries < 20, queries  # was 40: a footnote query per row


def test_the_item_list_of_a_long_price_list_is_paginated_and_searchable(admin_client_, price_list):
    large = draft_with(price_list, 500)
    url = reverse("admin:configurator_priceitem_changelist")
    page = admin_client_.get(url, {"price_list__id__exact": large.pk}).content.decode()
    assert page.count('class="field-name"') == 50  # 50 of the 500 on a page
    found = admin_client_.get(url, {"price_list__id__exact": large.pk, "q": "Tjänst 123"}).content.decode()
    assert "Tjänst 123" in found and "Tjänst 124" not in found
