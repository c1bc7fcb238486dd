"""The discount step ("Rabatter"): per line a discount on the monthly and/or one-time fee,
in percent or kronor, a quote discount, free months; live totals; Swedish decimals; the
messages next to their fields; nothing typed is lost; the three-way merge."""

import re

import pytest
from django.urls import reverse

from quotes.models import Quote

from .factories import QuoteFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\u00a0"


def step_url(quote, step="rabatter"):
    return reverse("quotes:step", args=[quote.pk, step])


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(NBSP, " ")


@pytest.fixture
def quote(seller, price_list):
    return QuoteFactory(owner=seller, items={"mobile_user": 10, "teams_voice": 10, "guided_delivery": 1})


def page_form(client, quote) -> dict:
    """Every field the step page posts, as the browser would (the seen- values too)."""
    html = client.get(step_url(quote)).content.decode()
    form = html[html.index('id="step-form"'):html.index("</form>", html.index('id="step-form"'))]
    data = {}
    for tag in re.findall(r"<(?:input|select)[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)".*?>(.*?)</select>', form, flags=re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else re.search(r'<option value="([^"]*)"', body).group(1)
    return data


def test_the_step_lists_every_line_with_its_fees_and_the_added_implementation(seller_client, quote):
    page = text(seller_client.get(step_url(quote)))
    assert "7. Rabatter" in page
    assert "Teamsintegration – Voice × 10 Rabatt på månadsavgiften" in page
    assert "Raden enligt prislistan: 290 kr/mån" in page
    assert "Implementering Teamsintegration (tillagd automatiskt)" in page
    assert "Rabatt på månadsavgiften" in page and "Rabatt på engångsavgiften" in page
    assert "Fria månader" in page and "Offertrabatt på månadsavgiften (%)" in page


def test_a_percent_with_a_decimal_comma_is_saved_and_priced(seller_client, quote):
    data = page_form(seller_client, quote)
    data.update({"mobile_user-monthly": "12,5", "mobile_user-monthly-unit": "percent", "nav": "stay"})
    response = seller_client.post(step_url(quote), data)
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.discounts == {"lines": {"mobile_user": {"monthly_percent": "12.50"}}}
    page = text(seller_client.get(step_url(quote)))
    assert "Rabatt under avtalstiden" in page


def test_kronor_quote_discount_and_free_months(seller_client, quote):
    data = page_form(seller_client, quote)
    data.update({
        "guided_delivery-one_time": "1 000", "guided_delivery-one_time-unit": "amount",
        "monthly_percent": "5", "free_months": "2", "nav": "stay",
    })
    seller_client.post(step_url(quote), data)
    quote.refresh_from_db()
    assert quote.discounts == {
        "lines": {"guided_delivery": {"one_time_amount": "1000.00"}},
        "monthly_percent": "5.00", "free_months": 2,
    }


def test_live_recalculation_shows_the_discount_without_saving(seller_client, quote):
    data = page_form(seller_client, quote)
    before = text(seller_client.post(reverse("quotes:recalculate", args=[quote.pk, "rabatter"]), data, **HTMX))
    data["monthly_percent"] = "10"
    after = text(seller_client.post(reverse("quotes:recalculate", args=[quote.pk, "rabatter"]), data, **HTMX))
    assert "Rabatt under avtalstiden" not in before
    assert "Rabatt under avtalstiden" in after
    quote.refresh_from_db()
    assert quote.discounts == {}


@pytest.mark.parametrize(
    "value, unit, message",
    [
        ("tio", "percent", "Ange ett tal, t.ex. 10 eller 12,5."),
        ("150", "percent", "En rabatt i procent är högst 100 %."),
        ("-5", "amount", "En rabatt kan inte vara negativ."),
        ("1,234", "amount", "Högst två decimaler."),
    ],
)
def test_a_bad_value_is_refused_next_to_its_field_and_kept_on_the_page(seller_client, quote, value, unit, message):
    data = page_form(seller_client, quote)
    data.update({"mobile_user-monthly": value, "mobile_user-monthly-unit": unit, "free_months": "1", "nav": "stay"})
    response = seller_client.post(step_url(quote), data)
    assert response.status_code == 200
    html = response.content.decode()
    msgs = html[html.index('id="msg-mobile_user-monthly"'):]
    assert message in msgs[:msgs.index("</div>")]  # next to its field
    assert f'value="{value}"' in html  # what was typed is still there
    quote.refresh_from_db()
    assert quote.discounts == {"free_months": 1}  # the rest of the step is saved


def test_an_amount_larger_than_the_line_is_the_engines_error_next_to_that_fee(seller_client, quote):
    data = page_form(seller_client, quote)
    data.update({"guided_delivery-one_time": "999 999", "guided_delivery-one_time-unit": "amount", "nav": "stay"})
    seller_client.post(step_url(quote), data)
    html = seller_client.get(step_url(quote)).content.decode()
    msgs = html[html.index('id="msg-guided_delivery-one_time"'):]
    msgs = msgs[:msgs.index("</div>")]
    assert "är större än raden" in msgs
    assert "Kan inte signeras" in text(seller_client.get(step_url(quote, "sammanstallning")))


def test_free_months_at_the_term_are_the_engines_error_next_to_free_months(seller_client, quote):
    quote.contract_months = 12
    quote.save()
    data = page_form(seller_client, quote)
    data.update({"free_months": "12", "nav": "stay"})
    seller_client.post(step_url(quote), data)
    html = seller_client.get(step_url(quote)).content.decode()
    msgs = html[html.index('id="msg-free_months"'):]
    assert "fria månader går inte med 12 månaders avtalstid" in msgs[:msgs.index("</div>")]


def test_a_discount_changed_in_another_tab_is_a_conflict_not_an_overwrite(seller_client, quote):
    data = page_form(seller_client, quote)  # the page as loaded: no discount
    Quote.objects.filter(pk=quote.pk).update(discounts={"monthly_percent": "3.00"})
    data.update({"monthly_percent": "7", "mobile_user-monthly": "10", "nav": "stay"})
    response = seller_client.post(step_url(quote), data)
    assert "nu sparat «3», du skrev «7»" in text(response)
    quote.refresh_from_db()
    # The other tab's quote discount stands; the line discount (nobody else changed it) lands.
    assert quote.discounts == {"lines": {"mobile_user": {"monthly_percent": "10.00"}}, "monthly_percent": "3.00"}


def test_a_field_not_changed_on_this_page_is_not_written_back(seller_client, quote):
    data = page_form(seller_client, quote)
    Quote.objects.filter(pk=quote.pk).update(discounts={"free_months": 2})
    data.update({"one_time_percent": "4", "nav": "stay"})
    seller_client.post(step_url(quote), data)
    quote.refresh_from_db()
    assert quote.discounts == {"one_time_percent": "4.00", "free_months": 2}
