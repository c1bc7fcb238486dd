"""A seller's day, in Chromium: sign in, make a quote step by step by the fields' labels,
watch the totals change without a reload, meet a rule error and fix it, reload and find
the draft intact, and reach a summary whose totals are the API's."""

import re
import time

import pytest
from playwright.sync_api import expect

from quotes.models import Quote
from quotes.templatetags.money import format_money

from .conftest import sign_in

pytestmark = pytest.mark.browser

SCENARIO = {
    "mobile_user": 25, "teams_voice": 25, "softphone": 25, "function_number": 3,
    "number_series_100": 1, "startup_help": 1, "training_half_day": 1,
}


def shown(amount: str) -> re.Pattern:
    """The panel's text for an API amount ("13479.00" → "13 479 kr", no-break spaces)."""
    return re.compile("^" + re.escape(format_money(amount)).replace("\\\u00a0", r"\s") + "$")


def next_step(page):
    page.get_by_role("button", name="Nästa").click()


def api_totals(client, user, items):
    client.force_login(user)
    body = client.post("/api/v1/price", {"items": items}, content_type="application/json").json()
    return body["totals"]


def test_the_25_user_quote_in_a_few_minutes_with_totals_as_the_api(page, price_list, seller, client):
    started = time.monotonic()
    sign_in(page, "sara")
    page.get_by_role("button", name="Tom offert").click()
    expect(page.get_by_role("heading", name="1. Kund")).to_be_visible()

    page.get_by_label("Företagsnamn").fill("Exempel AB")
    page.get_by_label("Organisationsnummer").fill("5564300142")
    next_step(page)

    page.evaluate("window.__stillTheSamePage = true")
    page.get_by_label("Användare med mobilt nummer").fill("25")
    expect(page.locator("#total-monthly")).to_have_text(shown("2225.00"))  # 25 × 89
    page.get_by_label("Softphone").fill("25")
    expect(page.locator("#total-monthly")).to_have_text(shown("2950.00"))  # + 25 × 29
    assert page.evaluate("window.__stillTheSamePage") is True  # no reload
    next_step(page)

    page.get_by_label("Funktionsnummer").fill("3")
    page.get_by_label("Ny 100-nummerserie").fill("1")
    next_step(page)

    page.get_by_label("Teamsintegration – Voice").fill("25")
    expect(page.locator("#auto-lines")).to_contain_text("Implementering Teamsintegration")
    expect(page.locator("#auto-lines")).to_contain_text("Ingår eftersom")
    next_step(page)

    page.get_by_label("Uppstartshjälp med tekniker").check()
    page.get_by_label("Utbildning halvdag").fill("1")
    next_step(page)
    next_step(page)  # Trafik is optional
    expect(page.get_by_role("heading", name="7. Rabatter")).to_be_visible()
    next_step(page)  # and so are discounts

    expect(page.get_by_role("heading", name="8. Sammanställning")).to_be_visible()
    elapsed = time.monotonic() - started
    print(f"\n25-user scenario, sign-in to summary in Chromium: {elapsed:.1f} s")

    totals = api_totals(client, seller, SCENARIO)
    assert totals["one_time"] == "13479.00" and totals["monthly"] == "3972.00"
    expect(page.locator("#total-one-time")).to_have_text(shown(totals["one_time"]))
    expect(page.locator("#total-monthly")).to_have_text(shown(totals["monthly"]))
    expect(page.locator("#total-monthly-mobile")).to_have_text(shown(totals["monthly_mobile"]))
    expect(page.locator("#total-monthly-company")).to_have_text(shown(totals["monthly_company"]))
    expect(page.locator("#total-contract-value")).to_have_text(shown(totals["contract_value"]))
    expect(page.locator("#problems")).to_have_text("Offerten följer prislistans regler.")
    quote = Quote.objects.get()
    assert quote.items == SCENARIO and quote.current_step == "sammanstallning"


def test_every_step_a_rule_error_fixed_and_the_draft_survives_a_reload(new_page, price_list, seller, client):
    page = new_page()
    sign_in(page, "sara")
    page.get_by_role("button", name="Tom offert").click()

    # 1. Kund, with a typo in the org.nr: the message says what is wrong, nothing typed is lost.
    page.get_by_label("Företagsnamn").fill("Exempel AB")
    page.get_by_label("Organisationsnummer").fill("556430-0143")
    page.get_by_label("Kontaktperson").fill("Eva Ek")
    page.get_by_label("E-post").fill("eva@exempel.se")
    page.get_by_label("Telefon").fill("070-123 45 67")
    page.get_by_label("Kundens adress").fill("Storgatan 1\n111 22 Stockholm")
    next_step(page)
    expect(page.locator("#msg-org_number")).to_contain_text("Kontrollsiffran stämmer inte")
    expect(page.get_by_label("Organisationsnummer")).to_have_value("556430-0143")
    expect(page.get_by_label("Kontaktperson")).to_have_value("Eva Ek")
    page.get_by_label("Organisationsnummer").fill("556430-0142")
    next_step(page)

    # 2. Användare
    page.get_by_label("Användare med mobilt nummer").fill("10")
    page.get_by_label("Fastnummer till mobil användare").fill("4")
    page.get_by_label("Softphone").fill("12")  # more than the users: a rule error, live
    expect(page.locator("#msg-softphone")).to_contain_text("Softphone: 12 användare, men offerten har bara 10")
    page.get_by_label("Softphone").fill("10")
    expect(page.locator("#msg-softphone")).to_be_empty()
    next_step(page)

    # 3. Nummer: Telia Svarsservice without Vägledd leverans
    page.get_by_label("Funktionsnummer").fill("2")
    page.get_by_label("Ny 10-nummerserie").fill("1")
    page.get_by_label("Paket").select_option(label="Paket 10 (4 710 kr/mån)")  # under the legend "Telia Svarsservice"
    error = "Telia Svarsservice kräver Vägledd leverans — välj Vägledd leverans i steget Leverans och utbildning."
    expect(page.locator("#msg-answering_service")).to_contain_text(error)
    expect(page.locator("#problems")).to_contain_text(error)
    expect(page.locator("#stepper .has-errors")).to_have_count(2)  # Nummer and Leverans

    # The panel's button takes the seller to the step with the fix (and saves this one).
    page.locator("#problems").get_by_role("button", name="Gå till steget Leverans och utbildning").click()
    expect(page.get_by_role("heading", name="5. Leverans och utbildning")).to_be_visible()
    expect(page.locator("#msg-delivery")).to_contain_text(error)

    # 5. Leverans: choose Vägledd leverans and watch the error go, live.
    page.get_by_label("Vägledd leverans").check()
    expect(page.locator("#problems")).to_have_text("Offerten följer prislistans regler.")
    expect(page.locator("#msg-delivery")).to_be_empty()
    page.get_by_label("Utbildning heldag").fill("1")
    expect(page.get_by_label("Överenskommen resekostnad (kr)")).to_be_hidden()
    page.get_by_label("Utbildning på plats hos kunden").check()
    page.get_by_label("Överenskommen resekostnad (kr)").fill("2 500")
    page.get_by_role("button", name="Föregående").click()

    # 4. Integrationer
    expect(page.get_by_role("heading", name="4. Integrationer")).to_be_visible()
    page.get_by_label("Kalenderintegration").fill("10")
    page.get_by_label("Teamsintegration – Status").fill("10")
    page.get_by_label("Teamsintegration – Voice").fill("10")
    page.get_by_label("AD-Integration").fill("10")
    page.get_by_label("Samtalsinspelning").fill("2")
    page.get_by_label("Implementering API Access").check()
    page.get_by_label("NPS Enkät").check()
    expect(page.locator("#auto-lines li")).to_have_count(4)  # calendar, Teams, AD, recording
    page.locator("#stepper").get_by_role("button", name="Trafik").click()

    # 6. Trafik
    page.get_by_label("SMS till svenska nummer per månad", exact=True).fill("1200")
    page.get_by_label("SMS till utländska nummer per månad", exact=True).fill("100")
    page.get_by_label("NPS-enkät: sms till svenska nummer per månad").fill("50")
    page.get_by_label("NPS-enkät: sms till utländska nummer per månad").fill("0")
    page.get_by_label("Utgående externa samtal per månad").fill("200")
    page.get_by_label("Genomsnittlig samtalslängd (sekunder)").fill("150")
    expect(page.locator("#total-traffic")).to_have_text(shown("970.50"))  # 483 + 129 + 34,50 + 90 + 234
    next_step(page)

    # 7. Rabatter: none negotiated
    expect(page.get_by_role("heading", name="7. Rabatter")).to_be_visible()
    next_step(page)

    # 8. Sammanställning
    page.get_by_label("24 månader").check()
    page.get_by_label("Offerten gäller i (dagar)").fill("45")
    page.get_by_label("Meddelande till kunden").fill("Tack för ett trevligt möte!")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara", exact=True).click()

    # Reload: everything is still there.
    page.reload()
    expect(page.get_by_label("24 månader")).to_be_checked()
    expect(page.get_by_label("Offerten gäller i (dagar)")).to_have_value("45")
    expect(page.get_by_label("Meddelande till kunden")).to_have_value("Tack för ett trevligt möte!")
    expect(page.locator("#offer-document")).to_contain_text("Vägledd leverans")

    items = {"mobile_user": 10, "fixed_number": 4, "softphone": 10, "function_number": 2,
             "number_series_10": 1, "answering_service_10": 1, "guided_delivery": 1,
             "training_full_day": 1, "calendar": 10, "teams_status": 10, "teams_voice": 10, "ad": 10,
             "call_recording": 2, "api_access": 1, "nps_survey": 1}
    client.force_login(seller)
    api = client.post("/api/v1/price", {
        "items": items, "contract_months": 24, "on_site_training": True, "travel_cost": "2500.00",
        "traffic": {"sms_domestic": 1200, "sms_foreign": 100, "nps_sms_domestic": 50,
                    "nps_sms_foreign": 0, "calls": 200, "avg_call_seconds": 150},
    }, content_type="application/json").json()
    assert api["valid"]
    for key, element in (("one_time", "#total-one-time"), ("monthly", "#total-monthly"),
                         ("contract_value", "#total-contract-value"), ("traffic_monthly", "#total-traffic")):
        expect(page.locator(element)).to_have_text(shown(api["totals"][key]))

    # A new browser (the old one closed): the list opens the draft where the seller was.
    page.context.close()
    page = new_page()
    sign_in(page, "sara")
    page.get_by_role("link", name="Exempel AB", exact=True).click()
    expect(page.get_by_role("heading", name="8. Sammanställning")).to_be_visible()
    page.locator("#stepper").get_by_role("button", name="Nummer").click()
    expect(page.get_by_label("Paket")).to_have_value("answering_service_10")
    expect(page.get_by_label("Funktionsnummer")).to_have_value("2")


def test_the_step_form_works_without_javascript(new_page, price_list, seller):
    page = new_page(javascript=False)
    sign_in(page, "sara")
    page.get_by_role("button", name="Tom offert").click()
    page.get_by_label("Företagsnamn").fill("Utan JS AB")
    next_step(page)
    page.get_by_label("Användare med mobilt nummer").fill("5")
    next_step(page)
    expect(page.get_by_role("heading", name="3. Nummer")).to_be_visible()
    expect(page.locator("#total-monthly")).to_have_text(shown("445.00"))  # 5 × 89
    quote = Quote.objects.get()
    assert quote.company_name == "Utan JS AB" and quote.items == {"mobile_user": 5}


def test_on_a_narrow_screen_the_totals_stay_in_sight(new_page, price_list, seller):
    page = new_page(width=390)
    sign_in(page, "sara")
    page.get_by_role("button", name="Tom offert").click()
    page.locator("#stepper").get_by_role("button", name="Användare").click()
    bar = page.locator("#mini-totals")
    expect(bar).to_be_visible()
    expect(page.locator(".totals-panel")).not_to_be_in_viewport()  # the panel is below the form
    page.get_by_label("Användare med mobilt nummer").fill("3")
    expect(bar).to_contain_text(format_money("267"))  # 3 × 89
    expect(bar).to_be_in_viewport()
