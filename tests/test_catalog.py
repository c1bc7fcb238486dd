"""Versioned price lists: the seed, the list in force, copy/publish, history, the admin."""

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.utils import timezone

from configurator import seed
from configurator.models import PriceItem, PriceList
from configurator.selectors import catalog_for, price_list_in_force
from configurator.services import price_list_copy, price_list_publish

from .factories import PriceItemFactory, PriceListFactory


def test_seed_is_loaded_as_published_with_every_row_and_footnote(price_list):
    assert price_list.status == PriceList.Status.PUBLISHED
    assert price_list.valid_from == dt.date(2026, 1, 1)
    assert price_list.vat_rate == D("0.25")
    assert price_list.items.count() == len(seed.ITEMS) == 36
    assert set(price_list.footnotes.values_list("ref", flat=True)) >= {str(n) for n in range(1, 10)}
    ad = price_list.items.get(code="ad")
    assert (ad.monthly_fee, ad.one_time_fee, ad.footnote.ref) == (D("9.00"), None, "4")
    assert "Touch Call recording" in price_list.footnotes.get(ref="8").text
    assert price_list.items.get(code="answering_service_20").price_on_request
    assert price_list.items.get(code="sms_domestic").free_quota == 500


def test_in_force_is_the_newest_published_on_or_before_the_date(price_list):
    future = price_list_copy(price_list=price_list, name="2027")
    assert price_list_in_force() == price_list  # a draft is never in force
    price_list_publish(price_list=future, valid_from=dt.date(2027, 1, 1))
    assert price_list_in_force(dt.date(2026, 12, 31)) == price_list
    assert price_list_in_force(dt.date(2027, 1, 1)) == future
    assert price_list_in_force(dt.date(2025, 6, 1)) is None


def test_a_new_published_price_list_changes_new_prices_only(price_list, catalog):
    copy = price_list_copy(price_list=price_list, name="Höjning")
    item = copy.items.get(code="mobile_user")
    item.monthly_fee = D("99.00")
    item.save()
    price_list_publish(price_list=copy, valid_from=timezone.localdate())
    assert catalog.items["mobile_user"].monthly == D("89.00")  # what an older quote priced with
    assert catalog_for(price_list_in_force()).items["mobile_user"].monthly == D("99.00")
    assert price_list.items.get(code="mobile_user").monthly_fee == D("89.00")
    # The copy keeps its own footnotes, linked within the copy.
    assert copy.items.get(code="ad").footnote.price_list == copy
    # History shows the change, old and new.
    records = list(item.history.order_by("history_date"))
    delta = records[-1].diff_against(records[-2])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("monthly_fee", D("89.00"), D("99.00"))]


def test_publish_needs_a_draft(price_list):
    with pytest.raises(ValueError):
        price_list_publish(price_list=price_list, valid_from=dt.date(2026, 2, 1))


# --- Admin -------------------------------------------------------------------------------


def test_sellers_cannot_reach_the_admin(seller_client):
    r = seller_client.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert seller_client.get("/admin/configurator/pricelist/").status_code == 302


def test_admin_sees_the_seed_price_list(client, admin_user, price_list):
    client.force_login(admin_user)
    r = client.get(f"/admin/configurator/pricelist/{price_list.pk}/change/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Användare med mobilt nummer" in html
    assert "Telia Svarsservice, paket 10" in html


def test_admin_cannot_edit_a_price_list_in_force(client, admin_user, price_list):
    client.force_login(admin_user)
    r = client.get(f"/admin/configurator/pricelist/{price_list.pk}/change/")
    assert 'name="items-0-monthly_fee"' not in r.content.decode()  # read-only view
    r = client.post(f"/admin/configurator/pricelist/{price_list.pk}/change/", {"name": "Hacked"})
    assert r.status_code == 403
    item = price_list.items.get(code="mobile_user")
    assert client.post(f"/admin/configurator/priceitem/{item.pk}/change/", {"monthly_fee": "1"}).status_code == 403
    assert PriceList.objects.get(pk=price_list.pk).name == seed.PRICE_LIST["name"]


def _inline_post_data(price_list, overrides):
    data = {
        "name": price_list.name, "status": price_list.status, "valid_from": "",
        "vat_rate": str(price_list.vat_rate),
    }
    items = list(price_list.items.order_by("sort_order", "id"))
    data.update({"items-TOTAL_FORMS": len(items), "items-INITIAL_FORMS": len(items),
                 "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000})
    for i, item in enumerate(items):
        for f in ("sort_order", "name", "section", "billed_to", "one_time_fee", "monthly_fee",
                  "usage_price", "free_quota"):
            value = getattr(item, f)
            data[f"items-{i}-{f}"] = "" if value is None else str(value)
        data[f"items-{i}-id"] = item.pk
        data[f"items-{i}-price_list"] = price_list.pk
        data[f"items-{i}-footnote"] = item.footnote_id or ""
        if item.price_on_request:
            data[f"items-{i}-price_on_request"] = "on"
        if item.active:
            data[f"items-{i}-active"] = "on"
        data.update({f"items-{i}-{k}": v for k, v in overrides.get(item.code, {}).items()})
    notes = list(price_list.footnotes.all())
    data.update({"footnotes-TOTAL_FORMS": len(notes), "footnotes-INITIAL_FORMS": len(notes),
                 "footnotes-MIN_NUM_FORMS": 0, "footnotes-MAX_NUM_FORMS": 1000})
    for i, note in enumerate(notes):
        data.update({f"footnotes-{i}-id": note.pk, f"footnotes-{i}-price_list": price_list.pk,
                     f"footnotes-{i}-ref": note.ref, f"footnotes-{i}-text": note.text,
                     f"footnotes-{i}-term_title": note.term_title})
    return data


def test_admin_copies_edits_and_publishes_and_the_change_is_recorded(client, admin_user, price_list):
    client.force_login(admin_user)
    r = client.post("/admin/configurator/pricelist/", {
        "action": "copy_to_draft", "_selected_action": [price_list.pk],
    }, follow=True)
    assert r.status_code == 200
    draft = PriceList.objects.get(status=PriceList.Status.DRAFT)
    data = _inline_post_data(draft, {"softphone": {"monthly_fee": "35.00"}})
    data.update({"status": "published", "valid_from": timezone.localdate().isoformat(), "_save": "Spara"})
    r = client.post(f"/admin/configurator/pricelist/{draft.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    draft.refresh_from_db()
    # Saving the form never publishes: that is the publish page's, after its summary.
    assert draft.status == PriceList.Status.DRAFT
    r = client.get(f"/admin/configurator/pricelist/{draft.pk}/publicera/")
    assert "1 artikel ändras" in r.content.decode()
    r = client.post(f"/admin/configurator/pricelist/{draft.pk}/publicera/", {
        "valid_from": timezone.localdate().isoformat(), "version": r.context["form"]["version"].value(),
    })
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PriceList.Status.PUBLISHED and draft.published_at is not None
    assert price_list_in_force() == draft
    assert catalog_for(draft).items["softphone"].monthly == D("35.00")
    # Who, when, old and new price, visible on the price list's page.
    record = PriceItem.history.filter(price_list_id=draft.pk, code="softphone").latest("history_date")
    assert record.history_user == admin_user
    html = client.get(f"/admin/configurator/pricelist/{draft.pk}/change/").content.decode()
    assert "softphone" in html and "29,00" in html and "35,00" in html and admin_user.username in html


def test_admin_creates_an_api_token_shown_once(client, admin_user, seller):
    client.force_login(admin_user)
    r = client.post("/admin/configurator/apitoken/add/", {"user": seller.pk, "name": "CRM"}, follow=True)
    assert r.status_code == 200
    message = [str(m) for m in r.context["messages"]][0]
    key = message.rsplit(": ", 1)[1]
    from configurator.models import ApiToken

    assert ApiToken.objects.get(name="CRM").key_hash == ApiToken.hash_key(key)
    api = client.__class__()
    assert api.post("/api/v1/price", json.dumps({"items": {}}), content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_a_draft_item_with_a_footnote_of_another_list_is_refused(price_list):
    from django.core.exceptions import ValidationError

    other = PriceListFactory()
    item = PriceItemFactory.build(price_list=other, footnote=price_list.footnotes.first())
    with pytest.raises(ValidationError):
        item.clean()


# --- The catalog cache -------------------------------------------------------------------


def test_cached_catalog_follows_every_change(price_list, django_assert_num_queries):
    draft = price_list_copy(price_list=price_list, name="Utkast")
    draft.refresh_from_db()
    first = catalog_for(draft)
    with django_assert_num_queries(0):
        assert catalog_for(draft) is first  # a hit costs no query
    item = draft.items.get(code="softphone")
    item.monthly_fee = D("31.00")
    item.save()
    draft.refresh_from_db()
    assert catalog_for(draft).items["softphone"].monthly == D("31.00")
    note = draft.footnotes.get(ref="8")
    note.text = "Nytt villkor."
    note.save()
    draft.refresh_from_db()
    assert catalog_for(draft).footnotes["8"] == "Nytt villkor."
    draft.vat_rate = D("0.12")
    draft.save()
    assert catalog_for(draft).vat_rate == D("0.12")
    item.delete()
    draft.refresh_from_db()
    assert "softphone" not in catalog_for(draft).items
