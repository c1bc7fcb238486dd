""""Offerter": the seller's own quotes first, totals, search, status filter, pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from configurator.models import PriceItem
from configurator.signals import price_list_touch
from quotes.offer.services import quote_sign

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteFactory, UserFactory

NBSP = "\u00a0"
LIST = reverse("quotes:list")


def names(response) -> list[str]:
    return [q.company_name for q, _totals in response.context["rows"]]


def test_own_quotes_come_first_with_customer_status_totals_and_dates(seller_client, seller, other_seller):
    QuoteFactory(empty=True, owner=other_seller, company_name="Kollegans AB")
    QuoteFactory(empty=True, owner=seller, company_name="Mitt AB", org_number="556430-0142",
                 items={"mobile_user": 10, "guided_delivery": 1})
    QuoteFactory(empty=True, owner=other_seller, company_name="Nyare kollega AB")
    r = seller_client.get(LIST)
    assert r.status_code == 200
    assert names(r) == ["Mitt AB", "Nyare kollega AB", "Kollegans AB"]
    html = r.content.decode()
    assert "556430-0142" in html and "Utkast" in html
    assert f"9{NBSP}995{NBSP}kr" in html and f"890{NBSP}kr" in html  # one-time and monthly
    assert date.today().isoformat() in html  # created
    assert "Sven Säljare" in html and "<strong>Du</strong>" in html
    assert 'action="/offerter/ny/"' in html and "Ny offert" in html


def test_a_signed_quote_shows_its_frozen_totals_and_valid_until(doc_env, seller_client, seller, price_list):
    signed = quote_sign(
        quote=QuoteFactory(
            owner=seller, company_name="Signerat AB",
            items={"mobile_user": 5, "answering_service_20": 1, "guided_delivery": 1},
            manual_prices={"answering_service_20": {"monthly": "7900.50"}},
        ),
        user=seller,
    )
    # A price change that cannot reach a signed quote (the admin cannot make it on a list
    # in force): priced live, the list would show 7 905,50 kr a month.
    PriceItem.objects.filter(price_list=price_list, code="mobile_user").update(monthly_fee=Decimal("1"))
    price_list_touch(price_list.pk)
    html = seller_client.get(LIST).content.decode()
    assert f"9{NBSP}995{NBSP}kr" in html and f"8{NBSP}345,50{NBSP}kr" in html
    assert signed.valid_until.isoformat() in html and "Skickad" in html and f"{signed.number} A" in html


@pytest.mark.parametrize("search", ["exempel", "556430-0142", "5564300142", "556430"])
def test_search_by_customer_or_org_number(seller_client, seller, search):
    QuoteFactory(empty=True, owner=seller, company_name="Exempel AB", org_number="556430-0142")
    QuoteFactory(empty=True, owner=seller, company_name="Annat AB", org_number="202100-5489")
    r = seller_client.get(LIST, {"q": search})
    assert names(r) == ["Exempel AB"]


def test_filter_by_status(doc_env, seller_client, seller):
    QuoteFactory(empty=True, owner=seller, company_name="Utkastet AB")
    quote_sign(quote=QuoteFactory(owner=seller, company_name="Skickat AB"), user=seller)
    r = seller_client.get(LIST, {"status": "sent"})
    assert names(r) == ["Skickat AB"]
    r = seller_client.get(LIST, {"q": "zzz"})
    assert "Inga offerter matchar sökningen." in r.content.decode()


def test_the_list_is_paginated_and_keeps_the_search(seller_client, seller):
    for i in range(30):
        QuoteFactory(empty=True, owner=seller, company_name=f"Kund {i:02d} AB")
    r = seller_client.get(LIST, {"q": "Kund"})
    assert len(r.context["rows"]) == 25
    assert "Sida 1 av 2" in r.content.decode() and "?q=Kund&amp;sida=2" in r.content.decode()
    r = seller_client.get(LIST, {"q": "Kund", "sida": 2})
    assert len(r.context["rows"]) == 5


def test_the_list_makes_a_bounded_number_of_queries(seller_client, seller, django_assert_max_num_queries):
    for i in range(25):
        QuoteFactory(empty=True, owner=seller, company_name=f"Kund {i}", items={"mobile_user": i})
    # + the seller filter's choices and whether the user leads a team (quotes.overview.filters)
    with django_assert_max_num_queries(11):
        seller_client.get(LIST)


def test_only_sellers_and_admins_see_the_list(client, db):
    assert client.get(LIST)["Location"].startswith("/login/")
    client.force_login(UserFactory(username="utan-roll"))
    assert client.get(LIST).status_code == 403


def test_a_new_quote_from_the_list(seller_client):
    r = seller_client.post(reverse("quotes:create"), follow=True)
    assert r.status_code == 200
    assert r.context["step"].slug == "kund" and r.context["quote"].is_draft
