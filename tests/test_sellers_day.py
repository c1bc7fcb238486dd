"""The seller's day (issue #12) below the browser: the price list a draft uses and what
moving it to the list in force changes, signing refused on a superseded list, the step
form's buttons (Enter, sign, reprice), the honest panel, English totals. The browser side:
tests/browser/test_sellers_day.py."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from configurator.models import PriceItem
from configurator.services import price_list_copy, price_list_publish
from quotes.draft.selectors import price_list_change
from quotes.draft.services import quote_reprice
from quotes.errors import QuoteNotEditable, QuoteNotSignable
from quotes.models import Quote, QuoteEvent
from quotes.offer.services import quote_sign, quote_sign_problems
from tests.factories import QuoteFactory

pytestmark = pytest.mark.django_db

ITEMS = {"mobile_user": 10, "softphone": 10, "nps_survey": 1, "self_config": 1}


def autumn_list(price_list, *, publish=True):
    """A copy of the seed list: Softphone 29 → 35 kr/mån, no NPS survey."""
    new = price_list_copy(price_list=price_list, name="Prislista höst")
    PriceItem.objects.filter(price_list=new, code="softphone").update(monthly_fee=Decimal("35"))
    PriceItem.objects.filter(price_list=new, code="nps_survey").delete()
    return price_list_publish(price_list=new, valid_from=timezone.localdate()) if publish else new


def step_url(quote, step):
    return reverse("quotes:step", args=[quote.pk, step])


# --- What moving a draft changes --------------------------------------------------------


def test_a_draft_on_the_list_in_force_has_no_change(price_list, seller):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    autumn_list(price_list, publish=False)  # a draft list is not in force
    assert price_list_change(quote) is None


def test_the_change_line_by_line_with_both_totals(price_list, seller):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    new = autumn_list(price_list)
    change = price_list_change(quote)
    assert change.old == price_list and change.new == new
    by_code = {line.code: line for line in change.lines}
    assert set(by_code) == {"softphone", "nps_survey"}  # mobile_user's price did not move
    assert (by_code["softphone"].old_monthly, by_code["softphone"].new_monthly) == (Decimal("290.00"), Decimal("350.00"))
    assert by_code["nps_survey"].dropped and by_code["nps_survey"].old_monthly == Decimal("499.00")
    assert change.dropped == ("NPS Enkät",)
    assert change.old_totals.monthly == Decimal("1679.00")  # 890 + 290 + 499
    assert change.new_totals.monthly == Decimal("1240.00")  # 890 + 350
    assert change.new_totals.one_time == Decimal("0.00") and change.old_totals.one_time == Decimal("1990.00")


# --- Signing refuses a superseded list --------------------------------------------------


def test_signing_a_draft_on_a_superseded_list_is_refused(price_list, seller):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    assert quote_sign_problems(quote=quote) == []
    autumn_list(price_list)
    problems = quote_sign_problems(quote=quote)
    assert problems == ["Prislistan Smart Connect prislista 2026 har ersatts av Prislista höst: "
                        "välj «Använd prislistan som gäller» först."]
    with pytest.raises(QuoteNotSignable):
        quote_sign(quote=quote, user=seller)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT and not quote.signed_at


# --- quote_reprice ----------------------------------------------------------------------


def test_reprice_moves_the_draft_drops_what_the_list_lacks_and_records_it(price_list, seller):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS,
                         manual_prices={"nps_survey": {"monthly": "100.00"}})
    new = autumn_list(price_list)
    repriced = quote_reprice(quote=quote)
    assert repriced.moved and repriced.dropped == ("nps_survey",)
    quote.refresh_from_db()
    assert quote.price_list == new and "nps_survey" not in quote.items and quote.manual_prices == {}
    event = quote.events.get(kind=QuoteEvent.Kind.STEP_SAVED)
    assert event.detail == "prislista: Smart Connect prislista 2026 → Prislista höst (borttaget: nps_survey)"
    assert quote_sign_problems(quote=quote) == []
    # Again: nothing to move, nothing recorded.
    assert not quote_reprice(quote=quote).moved
    assert quote.events.filter(kind=QuoteEvent.Kind.STEP_SAVED).count() == 1


def test_reprice_refuses_a_signed_quote(price_list, seller, settings):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.SENT)
    autumn_list(price_list)
    with pytest.raises(QuoteNotEditable):
        quote_reprice(quote=quote)


# --- The step form: price list line, banner, buttons ------------------------------------


def test_every_step_names_its_price_list_and_a_superseded_one_gets_the_banner(seller_client, seller, price_list):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    html = seller_client.get(step_url(quote, "anvandare")).content.decode()
    assert "Prislista: Smart Connect prislista 2026, gäller från 2026-01-01" in html
    assert 'id="price-moved"' not in html
    autumn_list(price_list)
    html = seller_client.get(step_url(quote, "anvandare")).content.decode()
    assert 'id="price-moved"' in html and "som har ersatts av Prislista höst" in html
    assert 'name="nav" value="reprice"' in html


def test_the_reprice_button_saves_the_step_then_moves_the_draft(seller_client, seller, price_list):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    new = autumn_list(price_list)
    r = seller_client.post(step_url(quote, "anvandare"),
                           {"mobile_user": "12", "fixed_number": "0", "softphone": "10", "nav": "reprice"})
    assert r.status_code == 302 and r["Location"] == step_url(quote, "anvandare")
    quote.refresh_from_db()
    assert quote.price_list == new and quote.items["mobile_user"] == 12
    page = seller_client.get(r["Location"]).content.decode()
    assert "Offerten använder nu Prislista höst" in page and "togs bort: NPS Enkät" in page


def test_the_sign_button_of_the_step_form_saves_then_signs_only_what_may_be_signed(seller_client, seller, price_list):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS, current_step="sammanstallning")
    autumn_list(price_list)
    data = {"contract_months": "24", "validity_days": "30", "customer_note": "Hej!", "nav": "sign"}
    r = seller_client.post(step_url(quote, "sammanstallning"), data, follow=True)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT and quote.customer_note == "Hej!"  # saved, not signed
    assert "har ersatts av Prislista höst" in r.content.decode()
    # A refused value: nothing signed, and the seller is told.
    quote_reprice(quote=quote)
    r = seller_client.post(step_url(quote, "sammanstallning"), {**data, "validity_days": "0"}, follow=True)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT and "Offerten är inte signerad." in r.content.decode()


def test_enter_presses_next_the_first_submit_button_of_the_step_form(seller_client, seller, price_list):
    """A browser's Enter presses the form's first submit button in the page's order
    (the stepper's "1 Kund" was first: Enter went back to step 1)."""
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    autumn_list(price_list)  # the banner's button is before the stepper too
    for step, value in (("anvandare", "next"), ("trafik", "next"), ("sammanstallning", "stay")):
        html = seller_client.get(step_url(quote, step)).content.decode()
        first = re.search(r'<button type="submit" form="step-form"[^>]*>', html).group(0)
        assert f'name="nav" value="{value}"' in first, step
        assert html.index(first) < html.index('id="price-moved"') < html.index('id="stepper"')


def test_the_summary_says_what_blocks_signing_in_its_action_bar(seller_client, seller, price_list):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS, contact_email="")
    html = seller_client.get(step_url(quote, "sammanstallning")).content.decode()
    bar = html[html.index('class="action-bar"'):]
    assert "Kan inte signeras än: 1 sak att åtgärda" in bar
    assert 'value="sign"' not in bar and "disabled>Signera och skicka" in bar


def test_the_quote_page_names_its_price_list(client, other_seller, seller, price_list):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    client.force_login(other_seller)  # a colleague reads the draft on the quote's page
    html = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    assert "Prislista: Smart Connect prislista 2026, gäller från 2026-01-01" in html


def test_english_totals_are_english(seller_client, seller, price_list):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    seller_client.cookies["django_language"] = "en"
    html = seller_client.get(step_url(quote, "anvandare")).content.decode()
    assert "VAT 25 %, one-time" in html and "VAT 25 %, per month" in html and "Moms" not in html


def test_a_refused_value_the_price_does_not_depend_on_leaves_the_totals_as_they_are(seller_client, seller, price_list):
    quote = QuoteFactory(owner=seller, price_list=price_list, items=ITEMS)
    url = reverse("quotes:recalculate", args=[quote.pk, "kund"])
    html = seller_client.post(url, {"org_number": "556430-0143"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Kontrollsiffran stämmer inte" in html  # told at the field
    assert "Summeringen är inte uppdaterad." not in html and "Offerten följer prislistans regler." in html
