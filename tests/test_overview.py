""""Översikt": the seller's and the sales manager's figures, what they count, the links to
the filtered list, the query count at 10 and 10 000 quotes, and the signed totals'
columns they sum."""

from __future__ import annotations

import importlib
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from configurator.roles import ensure_sales_managers_group
from quotes.models import Quote, Team
from quotes.offer.services import quote_sign, stockholm_today
from quotes.overview.periods import quarter_of, this_month
from quotes.overview.selectors import overview

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import AdminFactory, QuoteFactory, SellerFactory, UserFactory
from .overview_support import at, many, offer, save

S = Quote.Status
NBSP = "\u00a0"
SELLER_PAGE = reverse("quotes:overview")
TEAM_PAGE = reverse("quotes:overview-team")
LIST = reverse("quotes:list")
TODAY = date(2026, 11, 25)  # a Wednesday in the fourth quarter


def kr(text: str) -> str:
    return text.replace(" ", NBSP) + f"{NBSP}kr"


def text_of(html: bytes) -> str:
    """The page's text as a person reads it (tags out, spaces collapsed)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


@pytest.fixture
def manager(db):
    user = SellerFactory(username="stina", first_name="Stina", last_name="Säljchef")
    user.groups.set([ensure_sales_managers_group()])
    return user


# --- What the figures count (the selector, on a fixed day) ----------------------------


def test_offered_won_and_decided_this_month_and_quarter(seller, other_seller, price_list):
    save([
        # November: offered 3 (the superseded revision is not), won 1, declined 1.
        offer(seller, price_list, status=S.SENT, signed=at(date(2026, 11, 3)), valid_until=date(2026, 12, 20),
              monthly="1000", one_time="5000"),
        offer(seller, price_list, status=S.ACCEPTED, signed=at(date(2026, 11, 4)),
              accepted=at(date(2026, 11, 6)), monthly="2000", one_time="0"),
        offer(seller, price_list, status=S.DECLINED, signed=at(date(2026, 11, 5)),
              declined=at(date(2026, 11, 9)), monthly="3000", one_time="5000"),
        offer(seller, price_list, status=S.SUPERSEDED, signed=at(date(2026, 11, 5)), monthly="9999"),
        # October (same quarter): offered and won in October.
        offer(seller, price_list, status=S.ACCEPTED, signed=at(date(2026, 10, 1)),
              accepted=at(date(2026, 10, 11)), monthly="500", one_time="1000", months=12),
        # September, accepted in November: won in the month, not offered in it.
        offer(seller, price_list, status=S.ACCEPTED, signed=at(date(2026, 9, 20)),
              accepted=at(date(2026, 11, 10)), monthly="100", one_time="0", months=12),
        offer(seller, price_list, status=S.DRAFT),
        # A colleague's offer is not the seller's figure.
        offer(other_seller, price_list, status=S.ACCEPTED, signed=at(date(2026, 11, 3)),
              accepted=at(date(2026, 11, 4)), monthly="7777"),
    ])
    o = overview(owner_ids=[seller.pk], today=TODAY)
    m, q = o.month, o.quarter
    assert (m.offered, m.offered_monthly, m.offered_contract) == (3, Decimal("6000"), Decimal("226000"))
    assert (m.won, m.won_monthly, m.won_contract) == (2, Decimal("2100"), Decimal("73200"))
    assert (m.decided, m.win_rate) == (3, 67)  # 2 won of 3 decided
    assert (q.offered, q.offered_monthly, q.offered_contract) == (4, Decimal("6500"), Decimal("233000"))
    assert (q.won, q.won_monthly, q.won_contract) == (3, Decimal("2600"), Decimal("80200"))
    assert (q.decided, q.win_rate) == (4, 75)
    assert o.by_status == {S.DRAFT: 1, S.SENT: 1, S.OPENED: 0, S.ACCEPTED: 3, S.DECLINED: 1, S.EXPIRED: 0}
    assert [(t.period.key, t.offered_monthly, t.won_monthly) for t in o.trend][-3:] == [
        ("2026-09", Decimal("100"), Decimal("0")),
        ("2026-10", Decimal("500"), Decimal("500")),
        ("2026-11", Decimal("6000"), Decimal("2100")),
    ]


def test_periods_follow_swedish_time(seller, price_list):
    save([
        # 23:30 on 31 October in Stockholm is October, though 22:30 UTC...
        offer(seller, price_list, signed=at(date(2026, 10, 31), 23, 30), valid_until=date(2026, 12, 31), monthly="1"),
        # ...and 00:30 on 1 November is November, though still 31 October in UTC.
        offer(seller, price_list, signed=at(date(2026, 11, 1), 0, 30), valid_until=date(2026, 12, 31), monthly="10"),
        # The last minute of September is the third quarter.
        offer(seller, price_list, signed=at(date(2026, 9, 30), 23, 59), valid_until=date(2026, 12, 31), monthly="100"),
    ])
    o = overview(owner_ids=[seller.pk], today=TODAY)
    assert (o.month.offered, o.month.offered_monthly) == (1, Decimal("10"))
    assert (o.quarter.offered, o.quarter.offered_monthly) == (2, Decimal("11"))


def test_an_offer_expires_into_the_period_after_its_last_valid_day(seller, price_list):
    sent = dict(status=S.SENT, signed=at(date(2026, 9, 1)))
    save([
        offer(seller, price_list, valid_until=date(2026, 10, 31), **sent),  # expired 1 November
        offer(seller, price_list, valid_until=date(2026, 9, 30), **sent),  # expired 1 October
        offer(seller, price_list, valid_until=date(2026, 9, 29), **sent),  # expired in September
        offer(seller, price_list, valid_until=date(2026, 11, 24), status=S.EXPIRED, signed=at(date(2026, 10, 20))),
        offer(seller, price_list, valid_until=TODAY, **sent),  # still valid today
    ])
    o = overview(owner_ids=[seller.pk], today=TODAY)
    assert (o.month.decided, o.month.won, o.month.win_rate) == (2, 0, 0)
    assert o.quarter.decided == 3
    # Not yet marked, but shown as expired: past their day.
    assert o.by_status[S.EXPIRED] == 4 and o.by_status[S.SENT] == 1


def test_expiring_within_seven_days(seller, price_list):
    def sent(valid_until, company, status=S.SENT):
        return offer(seller, price_list, status=status, signed=at(date(2026, 11, 1)), valid_until=valid_until,
                     company=company)

    save([
        sent(TODAY - timedelta(days=1), "Igår AB"),  # already expired
        sent(TODAY, "Idag AB"),
        sent(TODAY + timedelta(days=6), "Sjätte dagen AB", S.OPENED),
        sent(TODAY + timedelta(days=7), "Sjunde dagen AB"),  # expires in eight days
        offer(seller, price_list, status=S.ACCEPTED, signed=at(date(2026, 11, 1)), valid_until=TODAY,
              accepted=at(date(2026, 11, 2)), company="Redan vunnen AB"),
    ])
    o = overview(owner_ids=[seller.pk], today=TODAY)
    assert o.expiring_count == 2
    assert [q.company_name for q in o.expiring] == ["Idag AB", "Sjätte dagen AB"]


@pytest.mark.parametrize("days, median", [((1, 2, 10), Decimal("2")), ((1, 2, 4, 10), Decimal("3")), ((1.5,), Decimal("1.5"))])
def test_median_days_from_sent_to_accepted(seller, price_list, days, median):
    save([
        offer(seller, price_list, status=S.ACCEPTED, signed=at(date(2026, 11, 2)),
              accepted=at(date(2026, 11, 2)) + timedelta(days=d))
        for d in days
    ])
    assert overview(owner_ids=[seller.pk], today=TODAY).month.median_days == median


# --- The seller's page -------------------------------------------------------------


def _this_month_offers(seller, other_seller, price_list):
    today = stockholm_today()
    start = this_month(today).start
    return save([
        offer(seller, price_list, status=S.SENT, signed=at(start), valid_until=today + timedelta(days=3),
              monthly="1000", one_time="5000", company="Snart utgången AB"),
        offer(seller, price_list, status=S.ACCEPTED, signed=at(start, 8), accepted=at(start, 8) + timedelta(days=2),
              monthly="2000", one_time="0", company="Vunnen AB"),
        offer(seller, price_list, status=S.DECLINED, signed=at(start, 9), declined=at(start, 11),
              monthly="3000", company="Avböjd AB"),
        offer(seller, price_list, status=S.DRAFT, company="Utkast AB"),
        offer(other_seller, price_list, status=S.ACCEPTED, signed=at(start), accepted=at(start, 12),
              monthly="7777", company="Kollegans AB"),
    ])


def test_the_seller_sees_own_figures_with_links_to_the_list(seller_client, seller, other_seller, price_list):
    _this_month_offers(seller, other_seller, price_list)
    r = seller_client.get(SELLER_PAGE)
    assert r.status_code == 200
    page = text_of(r.content)
    assert "Din översikt" in page and "Nyckeltal" in page
    rows = {row.label: [c.text for c in row.cells] for row in r.context["rows"]}
    month = this_month(stockholm_today())
    assert rows["Offererade offerter"][0] == "3"
    assert rows["Offererat månadsvärde"][0] == kr("6 000")
    assert rows["Vunnet avtalsvärde"][0] == kr("72 000")
    assert rows["Vinstandel"][0] == "50 %"
    assert rows["Median, skickad till accepterad"][0] == "2 dagar"
    assert f"Offererat månadsvärde {kr('6 000')}" in page
    assert month.name in page and "Kollegans AB" not in page and "7 777" not in page
    assert "Snart utgången AB" in page  # expiring within seven days
    # The charts are SVG in the page, each bar a named link.
    html = r.content.decode()
    assert html.count("<svg") == 2 and 'aria-label="Accepterad: 1 offert"' in html
    assert "<style" not in html and " style=" not in html  # nothing the CSP would block


def _list_count(client, href: str) -> int:
    r = client.get(href)
    assert r.status_code == 200
    return r.context["page"].paginator.count


def test_every_figure_leads_to_a_list_of_as_many_offers(seller_client, seller, other_seller, price_list):
    _this_month_offers(seller, other_seller, price_list)
    many([seller, other_seller], price_list, 60, stockholm_today())
    r = seller_client.get(SELLER_PAGE)
    o = r.context["o"]
    count_rows = {"Offererade offerter": "offered", "Vunna offerter": "won"}
    for row in r.context["rows"]:
        for cell, figures in zip(row.cells, (o.month, o.quarter)):
            assert f"saljare={seller.pk}" in cell.href
            if row.label in count_rows:
                assert _list_count(seller_client, cell.href) == getattr(figures, count_rows[row.label]), row.label
            if row.label == "Vinstandel":
                assert _list_count(seller_client, cell.href) == figures.decided
    for group in r.context["status_chart"].groups:
        (bar,) = group.bars
        assert _list_count(seller_client, bar.spec.href) == bar.spec.value, group.label
    for group in r.context["trend_chart"].groups:
        offered, won = group.bars
        listed = seller_client.get(offered.spec.href).context["page"].paginator.object_list
        assert sum(q.monthly_total for q in listed) == offered.spec.value
    assert _list_count(seller_client, r.context["link_expiring"]) == o.expiring_count


def test_the_list_filters_by_seller_and_period_besides_search_and_status(seller_client, seller, other_seller, price_list):
    _this_month_offers(seller, other_seller, price_list)
    r = seller_client.get(LIST, {"saljare": seller.pk, "period": "won-month", "q": "vunnen"})
    assert [q.company_name for q, _t in r.context["rows"]] == ["Vunnen AB"]
    html = r.content.decode()
    assert '<option value="won-month" selected>Vunna denna månad</option>' in html
    assert f'<option value="{seller.pk}" selected>Du</option>' in html
    # The export links keep the filters.
    assert f'href="/offerter/exportera.csv?q=vunnen&amp;saljare={seller.pk}&amp;period=won-month"' in html
    r = seller_client.get(LIST, {"status": "accepted", "period": "offered-month"})
    assert sorted(q.company_name for q, _t in r.context["rows"]) == ["Kollegans AB", "Vunnen AB"]
    # An unknown period or seller filters nothing out (the form shows "Alla").
    r = seller_client.get(LIST, {"period": "offered-2026-13", "saljare": "nobody"})
    assert r.context["page"].paginator.count == 5


def test_the_overview_in_english(seller_client, seller, other_seller, price_list):
    _this_month_offers(seller, other_seller, price_list)
    seller_client.post(reverse("set_language"), {"language": "en", "next": SELLER_PAGE})
    page = text_of(seller_client.get(SELLER_PAGE).content)
    assert "Your overview" in page and "Key figures" in page and "Offers by status" in page
    assert "Win rate" in page and "Expiring within 7 days" in page and "2 days" in page
    assert "Nyckeltal" not in page and "Vinstandel" not in page


def test_the_overview_is_for_sellers(client, db):
    assert client.get(SELLER_PAGE)["Location"].startswith("/login/")
    client.force_login(UserFactory(username="utan-roll"))
    assert client.get(SELLER_PAGE).status_code == 403


# --- The sales manager's team ------------------------------------------------------


def test_a_sales_manager_sees_the_team_and_its_top_sellers(client, manager, seller, other_seller, price_list):
    outsider = SellerFactory(username="olle", first_name="Olle", last_name="Utanför")
    newcomer = SellerFactory(username="nina", first_name="Nina", last_name="Ny")
    team = Team.objects.create(name="Säljteam Syd", manager=manager)
    team.members.add(seller, other_seller, newcomer)
    today = stockholm_today()
    start = quarter_of(today).start
    save([
        offer(seller, price_list, status=S.ACCEPTED, signed=at(start), accepted=at(start, 12), monthly="1000",
              one_time="0", months=12),
        offer(other_seller, price_list, status=S.ACCEPTED, signed=at(start), accepted=at(start, 12), monthly="3000",
              one_time="0", months=12),
        offer(other_seller, price_list, status=S.DECLINED, signed=at(start), declined=at(start, 12)),
        offer(outsider, price_list, status=S.ACCEPTED, signed=at(start), accepted=at(start, 12), monthly="99999"),
    ])
    client.force_login(manager)
    r = client.get(TEAM_PAGE)
    assert r.status_code == 200
    page = text_of(r.content)
    assert "Teamets översikt" in page and "Säljteam Syd: 3 säljare" in page
    assert "Olle" not in page and "99 999" not in page
    top = [g.label for g in r.context["sellers_chart"].groups]
    assert top == ["Sven Säljare", "Sara Säljare"]  # by won contract value; Nina has none
    assert [s.figures.name for s in r.context["seller_rows"]] == ["Nina Ny", "Sara Säljare", "Sven Säljare"]
    sven = next(s for s in r.context["seller_rows"] if s.figures.id == other_seller.pk)
    assert (sven.figures.won, sven.figures.won_contract, sven.win_rate) == (1, Decimal("36000"), "50 %")
    assert _list_count(client, sven.won) == 1 and _list_count(client, sven.decided) == 2
    # The team's figures link to the list of the team's quotes.
    rows = {row.label: row.cells for row in r.context["rows"]}
    quarter_won = rows["Vunna offerter"][1]
    assert "saljare=team" in quarter_won.href and quarter_won.text == "2"
    assert _list_count(client, quarter_won.href) == 2
    # The manager's own overview has a way to the team's.
    assert 'href="/offerter/oversikt/team/"' in client.get(SELLER_PAGE).content.decode()


def test_a_manager_without_a_team_is_told_so(client, manager, seller, price_list):
    save([offer(seller, price_list, status=S.SENT)])
    client.force_login(manager)
    r = client.get(TEAM_PAGE)
    assert "Du leder inget team ännu" in r.content.decode()
    assert r.context["o"].total == 0


def test_an_admin_without_a_team_sees_every_seller(client, seller, other_seller, price_list):
    save([offer(seller, price_list, status=S.SENT), offer(other_seller, price_list, status=S.DRAFT)])
    client.force_login(AdminFactory())
    r = client.get(TEAM_PAGE)
    assert "Alla säljare" in text_of(r.content) and r.context["o"].total == 2


def test_a_seller_cannot_open_the_team_page(seller_client):
    assert seller_client.get(TEAM_PAGE).status_code == 403
    assert 'href="/offerter/oversikt/team/"' not in seller_client.get(SELLER_PAGE).content.decode()


# --- The query count does not grow with the quotes ---------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_overview_reads_as_many_queries_at_10_and_10000_quotes(client, manager, seller, other_seller, price_list):
    team = Team.objects.create(name="Säljteam Nord", manager=manager)
    team.members.add(seller, other_seller)
    today = stockholm_today()
    many([seller, other_seller], price_list, 10, today)
    client.force_login(manager)
    small = {url: _queries(client, url) for url in (SELLER_PAGE, TEAM_PAGE)}
    client.force_login(seller)
    small["seller"] = _queries(client, SELLER_PAGE)

    many([seller, other_seller, manager], price_list, 9_990, today)
    assert Quote.objects.count() == 10_000
    client.force_login(manager)
    large = {url: _queries(client, url) for url in (SELLER_PAGE, TEAM_PAGE)}
    client.force_login(seller)
    large["seller"] = _queries(client, SELLER_PAGE)
    assert large == small
    assert small[TEAM_PAGE] <= 14 and small["seller"] <= 10


# --- The signed totals as columns ----------------------------------------------------


def test_signing_keeps_the_snapshot_totals_in_columns(doc_env, seller, price_list):
    quote = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    quote.refresh_from_db()
    totals = quote.snapshot["totals"]
    assert quote.monthly_total == Decimal(totals["monthly"]) > 0
    assert quote.one_time_total == Decimal(totals["one_time"]) > 0
    assert quote.contract_value == Decimal(totals["contract_value"])
    assert quote.contract_value == quote.one_time_total + quote.monthly_total * quote.contract_months


def test_the_migration_fills_the_columns_of_quotes_signed_before(doc_env, seller, price_list):
    signed = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    draft = QuoteFactory(owner=seller)
    Quote.objects.filter(pk=signed.pk).update(monthly_total=None, one_time_total=None, contract_value=None)
    migration = importlib.import_module("quotes.migrations.0006_overview_totals_team")
    migration.totals_from_snapshots(apps, None)
    signed.refresh_from_db()
    draft.refresh_from_db()
    assert signed.monthly_total == Decimal(signed.snapshot["totals"]["monthly"])
    assert signed.contract_value == Decimal(signed.snapshot["totals"]["contract_value"])
    assert draft.monthly_total is None and draft.contract_value is None
