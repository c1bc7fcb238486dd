"""The diff before publishing (issue 13, part 2): a draft against the list in force, item
by item in kronor and percent, added and removed items, changed footnote texts; the open
drafts and sent offers it affects with their totals before and after (through the
engine); the publish page's confirmation; any two versions compared. The browser side:
tests/browser/test_price_list_admin.py."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from configurator.diff import percent_change, price_list_impact, price_lists_diff
from configurator.models import PriceItem, PriceList
from configurator.services import price_list_copy
from quotes.offer.services import quote_sign
from tests.factories import PriceItemFactory, QuoteFactory

from .doc_support import doc_env, signing_cert  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

ITEMS = {"mobile_user": 10, "softphone": 10, "nps_survey": 1, "self_config": 1}


def autumn(price_list) -> PriceList:
    """A draft copy: Softphone 29 → 35 kr/mån, Mobil användare's name changed, no NPS
    survey, a new item, footnote 1's text changed."""
    new = price_list_copy(price_list=price_list, name="Prislista höst")
    PriceItem.objects.filter(price_list=new, code="softphone").update(monthly_fee=D("35"))
    PriceItem.objects.filter(price_list=new, code="nps_survey").delete()
    PriceItemFactory(price_list=new, code="ai_assistant", name="AI-assistent", monthly_fee=D("149"))
    note = new.footnotes.order_by("id").first()
    note.text = "Ny lydelse."
    note.save()
    new.refresh_from_db()
    return new


@pytest.mark.parametrize("old, new, percent", [
    (D("29"), D("35"), D("20.7")),      # 6 / 29 = 20,69 %
    (D("0.69"), D("0.79"), D("14.5")),  # 0,10 / 0,69 = 14,49 %
    (D("499"), D("449"), D("-10.0")),   # −50 / 499 = −10,02 %
    (D("8"), D("9"), D("12.5")),        # exactly half: up
    (D("0"), D("10"), None), (None, D("10"), None), (D("10"), None, None),
])
def test_percent_change_is_hand_computed(old, new, percent):
    assert percent_change(old, new) == percent


def test_the_diff_against_the_list_in_force(price_list):
    new = autumn(price_list)
    diff = price_lists_diff(price_list, new)
    [softphone] = diff.changed
    assert softphone.code == "softphone"
    [monthly] = softphone.changes
    assert (monthly.label, monthly.old, monthly.new) == ("månadsavgift", D("29.00"), D("35"))
    assert monthly.delta == D("6") and monthly.percent == D("20.7")
    assert [c.code for c in diff.added] == ["ai_assistant"]
    assert [c.code for c in diff.removed] == ["nps_survey"]
    [note] = diff.footnotes
    assert note.kind == "changed" and note.changes[0].new == "Ny lydelse."


def test_a_copy_has_no_differences(price_list):
    assert price_lists_diff(price_list, price_list_copy(price_list=price_list)).is_empty


def test_an_open_draft_is_affected_with_its_totals_before_and_after(price_list, seller):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    QuoteFactory(owner=seller, price_list=price_list, empty=True)  # nothing to price: not listed
    new = autumn(price_list)
    drafts, sent = price_list_impact(new)
    assert drafts.total == 1 and sent.total == 0
    [row] = drafts.quotes
    assert row.url == f"/offerter/{quote.pk}/"
    # Before: 10 × 89 + 10 × 29 + 499 = 1 679 kr/mån; after: 10 × 89 + 10 × 35 = 1 240,
    # the NPS survey dropped (the new list does not sell it).
    assert row.before.monthly == D("1679.00") and row.after.monthly == D("1240.00")
    assert row.before.one_time == D("1990.00") and row.after.one_time == D("0.00")
    assert row.dropped == ("NPS Enkät",)


def test_a_sent_offer_keeps_its_signed_totals_and_shows_a_revision_price(price_list, seller, doc_env):
    quote = quote_sign(quote=QuoteFactory(owner=seller, price_list=price_list, items=ITEMS), user=seller)
    new = autumn(price_list)
    drafts, sent = price_list_impact(new)
    assert drafts.total == 0 and sent.total == 1
    [row] = sent.quotes
    assert row.label.startswith(quote.number)
    assert row.before.monthly == D("1679.00") and row.after.monthly == D("1240.00")
    assert "ändras inte" in sent.explanation


def test_the_publish_page_shows_the_summary_and_publishes_on_confirmation(client, admin_user, price_list, seller):
    QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    new = autumn(price_list)
    client.force_login(admin_user)
    r = client.get(f"/admin/configurator/pricelist/{new.pk}/publicera/")
    html = r.content.decode()
    assert "ändrade artiklar: 1, nya artiklar: 1, borttagna artiklar: 1, ändrade fotnoter: 1." in html
    assert "+20,7\u00a0%" in html and "+6\u00a0kr" in html
    assert "1\u00a0679\u00a0kr → 1\u00a0240\u00a0kr" in html
    assert new.status == PriceList.Status.DRAFT
    version = r.context["form"]["version"].value()
    r = client.post(f"/admin/configurator/pricelist/{new.pk}/publicera/",
                    {"valid_from": timezone.localdate().isoformat(), "version": version}, follow=True)
    assert "Prislista höst är publicerad och gäller från" in r.content.decode()
    new.refresh_from_db()
    assert new.status == PriceList.Status.PUBLISHED and new.published_at is not None


def test_publishing_is_refused_when_the_draft_changed_after_the_summary(client, admin_user, price_list):
    new = autumn(price_list)
    client.force_login(admin_user)
    version = client.get(f"/admin/configurator/pricelist/{new.pk}/publicera/").context["form"]["version"].value()
    item = new.items.get(code="softphone")
    item.monthly_fee = D("99")
    item.save()
    r = client.post(f"/admin/configurator/pricelist/{new.pk}/publicera/",
                    {"valid_from": timezone.localdate().isoformat(), "version": version}, follow=True)
    assert "Utkastet har ändrats sedan sammanställningen visades" in r.content.decode()
    assert PriceList.objects.get(pk=new.pk).status == PriceList.Status.DRAFT


def test_a_date_in_the_past_is_refused_next_to_the_field(client, admin_user, price_list):
    new = autumn(price_list)
    client.force_login(admin_user)
    r = client.post(f"/admin/configurator/pricelist/{new.pk}/publicera/",
                    {"valid_from": "2020-01-01", "version": new.version})
    assert "Datumet har redan passerat" in r.content.decode()
    assert PriceList.objects.get(pk=new.pk).status == PriceList.Status.DRAFT


def test_any_two_versions_can_be_compared(client, admin_user, price_list):
    new = autumn(price_list)
    third = price_list_copy(price_list=new, name="Prislista vinter")
    PriceItem.objects.filter(price_list=third, code="softphone").update(monthly_fee=D("39"))
    client.force_login(admin_user)
    r = client.get(f"/admin/configurator/pricelist/{third.pk}/jamfor/?med={new.pk}")
    html = r.content.decode()
    assert "Från Prislista höst" in html
    assert "35\u00a0kr" in html and "39\u00a0kr" in html and "+11,4\u00a0%" in html  # 4 / 35 = 11,43 %
    # By default against the list in force.
    r = client.get(f"/admin/configurator/pricelist/{third.pk}/jamfor/")
    assert r.context["base"] == price_list and "+34,5\u00a0%" in r.content.decode()  # 10 / 29 = 34,48 %


def test_a_published_list_has_no_publish_page(client, admin_user, price_list):
    client.force_login(admin_user)
    r = client.get(f"/admin/configurator/pricelist/{price_list.pk}/publicera/", follow=True)
    assert "är redan publicerad" in r.content.decode()


def test_the_list_in_force_is_compared_with_the_list_it_came_from_or_another(client, admin_user, price_list):
    new = autumn(price_list)
    client.force_login(admin_user)
    r = client.get(f"/admin/configurator/pricelist/{price_list.pk}/jamfor/")
    assert r.context["base"] == new  # the seed list was copied from none: the other list
    assert "Från Smart Connect prislista" not in r.content.decode() and "Från Prislista höst" in r.content.decode()
    assert r.context["impact"] == []  # a list in force affects nothing new
    r = client.get(f"/admin/configurator/pricelist/{price_list.pk}/jamfor/?med=abc")
    assert "Den valda prislistan finns inte" in r.content.decode()


def test_an_offer_with_alternatives_is_compared_by_the_alternative_it_shows(price_list, seller, doc_env):
    """Signed while the seller was editing Premium: the signed totals are Bas's (the
    alternative the PDF shows), so "after" is Bas on the new list too, and the row says so."""
    bas = {"mobile_user": 10, "softphone": 10, "self_config": 1}
    premium = {"mobile_user": 10, "softphone": 10, "teams_voice": 10, "self_config": 1}
    quote = QuoteFactory(
        owner=seller, price_list=price_list, items=dict(premium), alternative_index=1,
        alternatives=[{"name": "Bas", "items": bas, "manual_prices": {}},
                      {"name": "Premium", "items": premium, "manual_prices": {}}],
    )
    draft = QuoteFactory(owner=seller, price_list=price_list, items=dict(premium), alternative_index=1,
                         alternatives=[{"name": "Bas", "items": bas, "manual_prices": {}},
                                       {"name": "Premium", "items": premium, "manual_prices": {}}])
    quote = quote_sign(quote=quote, user=seller)
    new = autumn(price_list)
    drafts, sent = price_list_impact(new)
    [row] = sent.quotes
    assert row.label == f"{quote} (alternativ Bas)"
    # Bas: 10 × 89 + 10 × 29 = 1 180 kr/mån signed; 10 × 89 + 10 × 35 = 1 240 on the new list.
    assert row.before.monthly == D("1180.00") == quote.monthly_total and row.after.monthly == D("1240.00")
    [row] = drafts.quotes
    assert row.label == f"{draft} (alternativ Premium)"  # a draft: the alternative the steps edit
    assert row.before.monthly > D("1180.00") and row.after.monthly - row.before.monthly == D("60.00")
