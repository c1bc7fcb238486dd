"""The seller's step form: every step renders, saves and rejects bad input; htmx gets
only the totals partial; the live recalculation never saves and makes a fixed, small
number of queries; sellers cannot touch colleagues' drafts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quotes.models import Quote, QuoteEvent
from quotes.draft.steps import STEPS
from quotes.offer.services import quote_sign

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteFactory, UserFactory

NBSP = "\u00a0"
HTMX = {"HTTP_HX_REQUEST": "true"}


def kr(text: str) -> str:
    """ "1 990 kr" as the page writes it (no-break spaces)."""
    return text.replace(" ", NBSP)


def step_url(quote, step):
    return reverse("quotes:step", args=[quote.pk, step])


def recalc_url(quote, step):
    return reverse("quotes:recalculate", args=[quote.pk, step])


@pytest.fixture
def quote(seller, price_list):
    return QuoteFactory(empty=True, owner=seller)


# The full posted form of each step, as a browser sends it (all fields, empty = 0).
EMPTY = {
    "kund": {"company_name": "", "org_number": "", "contact_name": "", "contact_email": "",
             "contact_phone": "", "customer_address": ""},
    "anvandare": {"mobile_user": "0", "fixed_number": "0", "softphone": "0"},
    "nummer": {"function_number": "0", "number_series_10": "0", "number_series_100": "0",
               "number_series_1000": "0", "answering_service": "", "answering_service_price": ""},
    "integrationer": {"calendar": "0", "teams_status": "0", "teams_voice": "0", "ad": "0",
                      "call_recording": "0"},
    "leverans": {"delivery": "self_config", "extra_config": "0", "training_half_day": "0",
                 "training_full_day": "0", "travel_cost": ""},
    "trafik": {"sms_domestic": "0", "sms_foreign": "0", "nps_sms_domestic": "0",
               "nps_sms_foreign": "0", "calls": "0", "avg_call_seconds": "0"},
    "rabatter": {"monthly_percent": "", "one_time_percent": "", "free_months": "0"},
    "sammanstallning": {"contract_months": "36", "validity_days": "30", "customer_note": ""},
}


def form(step, **values):
    data = dict(EMPTY[step])
    data.update({k: str(v) for k, v in values.items()})
    return data


# --- Creating and resuming --------------------------------------------------------------


def test_new_quote_is_a_draft_with_the_price_list_in_force(seller_client, seller, price_list):
    r = seller_client.post(reverse("quotes:create"))
    quote = Quote.objects.get()
    assert r.status_code == 302 and r["Location"] == step_url(quote, "kund")
    assert quote.owner == seller and quote.status == Quote.Status.DRAFT
    assert quote.price_list == price_list and quote.current_step == "kund"
    # Untouched until a step is saved with a change: no trail yet (tests/test_quote_starts.py).
    assert quote.untouched and not quote.events.exists()


def test_opening_a_draft_resumes_where_the_seller_was(seller_client, quote):
    quote.current_step = "integrationer"
    quote.save()
    r = seller_client.get(reverse("quotes:detail", args=[quote.pk]))
    assert r.status_code == 302 and r["Location"] == step_url(quote, "integrationer")


# --- Every step renders and saves -------------------------------------------------------


@pytest.mark.parametrize("step", [s.slug for s in STEPS])
def test_each_step_renders_with_labelled_inputs_and_a_live_totals_panel(seller_client, quote, step):
    r = seller_client.get(step_url(quote, step))
    assert r.status_code == 200
    html = r.content.decode()
    # The live region is the short announcement of new totals, not the whole panel.
    assert '<html' in html and 'id="totals-announce" role="status"' in html and 'aria-live' not in html
    assert f'hx-post="{recalc_url(quote, step)}"' in html
    form_ = r.context["form"]
    for bound in form_:
        # Every input has a label: a <label for=id>, or a fieldset legend for radios.
        if bound.field.widget.input_type == "radio" if hasattr(bound.field.widget, "input_type") else False:
            assert f"<legend>{bound.label}</legend>" in html
            for sub in bound.subwidgets:
                assert f'for="{sub.id_for_label}"' in html
        else:
            assert f'<label for="{bound.id_for_label}">' in html, bound.name
    # The stepper shows where the seller is.
    assert 'aria-current="step"' in html and f'value="{step}" aria-current="step"' in html


SAVES = [
    ("kund", {"company_name": "Exempel AB", "org_number": "5564300142", "contact_name": "Eva Ek",
              "contact_email": "eva@exempel.se", "contact_phone": "070-123 45 67",
              "customer_address": "Storgatan 1\n111 22 Stockholm"},
     lambda q: (q.company_name, q.org_number, q.contact_phone, q.contact_email)
     == ("Exempel AB", "556430-0142", "+46 70 123 45 67", "eva@exempel.se")),
    ("anvandare", {"mobile_user": 25, "fixed_number": 5, "softphone": 25},
     lambda q: q.items == {"mobile_user": 25, "fixed_number": 5, "softphone": 25}),
    ("nummer", {"function_number": 3, "number_series_100": 1, "answering_service": "answering_service_20",
                "answering_service_price": "7 900,50"},
     lambda q: q.items == {"function_number": 3, "number_series_100": 1, "answering_service_20": 1}
     and q.manual_prices == {"answering_service_20": {"monthly": "7900.50"}}),
    ("integrationer", {"teams_voice": 0, "calendar": 0, "api_access": "on", "nps_survey": "on"},
     lambda q: q.items == {"api_access": 1, "nps_survey": 1}),
    ("leverans", {"delivery": "startup_help", "extra_config": 2, "training_half_day": 1,
                  "on_site_training": "on", "travel_cost": "1 500"},
     lambda q: q.items == {"startup_help": 1, "extra_config": 2, "training_half_day": 1}
     and q.on_site_training and q.travel_cost == Decimal("1500")),
    ("trafik", {"sms_domestic": 1200, "calls": 200, "avg_call_seconds": 150},
     lambda q: q.traffic == {"sms_domestic": 1200, "calls": 200, "avg_call_seconds": 150}),
    ("sammanstallning", {"contract_months": 24, "validity_days": 45, "customer_note": "Tack!"},
     lambda q: (q.contract_months, q.validity_days, q.customer_note) == (24, 45, "Tack!")),
]


@pytest.mark.parametrize("step, values, check", SAVES, ids=[s[0] for s in SAVES])
def test_each_step_saves_and_moves_on(seller_client, quote, step, values, check):
    r = seller_client.post(step_url(quote, step), {**form(step, **values), "nav": "next"})
    index = [s.slug for s in STEPS].index(step)
    following = STEPS[min(index + 1, len(STEPS) - 1)].slug
    assert r.status_code == 302 and r["Location"] == step_url(quote, following)
    quote.refresh_from_db()
    assert check(quote)
    assert quote.current_step == following
    event = quote.events.get(kind=QuoteEvent.Kind.STEP_SAVED)
    assert event.detail.startswith(f"{step}:") and event.actor.username == "sara"


def test_saving_without_changes_records_no_event(seller_client, quote):
    seller_client.post(step_url(quote, "anvandare"), {**form("anvandare"), "nav": "next"})
    assert not quote.events.filter(kind=QuoteEvent.Kind.STEP_SAVED).exists()


def test_previous_and_stepper_jumps_save_too(seller_client, quote):
    r = seller_client.post(step_url(quote, "anvandare"), {**form("anvandare", mobile_user=4), "nav": "prev"})
    assert r["Location"] == step_url(quote, "kund")
    r = seller_client.post(step_url(quote, "kund"), {**form("kund", company_name="Hopp AB"), "goto": "leverans"})
    assert r["Location"] == step_url(quote, "leverans")
    quote.refresh_from_db()
    assert quote.items == {"mobile_user": 4} and quote.company_name == "Hopp AB"
    assert quote.current_step == "leverans"


def test_delivery_is_exactly_one_option(seller_client, quote):
    quote.items = {"guided_delivery": 1, "startup_help": 1}
    quote.save()
    seller_client.post(step_url(quote, "leverans"), form("leverans", delivery="guided_delivery"))
    quote.refresh_from_db()
    assert quote.items == {"guided_delivery": 1}


def test_choosing_package_10_drops_an_agreed_price(seller_client, quote):
    quote.items = {"answering_service_20": 1}
    quote.manual_prices = {"answering_service_20": {"monthly": "7900.00"}}
    quote.save()
    seller_client.post(step_url(quote, "nummer"), form("nummer", answering_service="answering_service_10",
                                                      answering_service_price="7900"))
    quote.refresh_from_db()
    assert quote.items == {"answering_service_10": 1} and quote.manual_prices == {}


# --- Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "step, field, value, message",
    [
        ("kund", "org_number", "556430-0143", "Kontrollsiffran stämmer inte"),
        ("kund", "org_number", "55643", "Ett organisationsnummer har 10 siffror"),
        ("kund", "contact_phone", "12", "Telefonnumret är inte giltigt"),
        ("kund", "contact_email", "eva@", "Ange en giltig e-postadress"),
        ("anvandare", "mobile_user", "-1", "Ange ett heltal från 0 till 100 000."),
        ("anvandare", "mobile_user", "100001", "Ange ett heltal från 0 till 100 000."),
        # A decimal comma or point is refused as such, never read as 25 or 2 (issue #12).
        ("anvandare", "softphone", "2,5", "Ange ett heltal utan decimaler, från 0 till 100 000."),
        ("anvandare", "softphone", "2.0", "Ange ett heltal utan decimaler, från 0 till 100 000."),
        ("anvandare", "softphone", "1e3", "Ange ett heltal från 0 till 100 000."),
        ("nummer", "answering_service", "answering_service_7", "Välj ett giltigt alternativ"),
        ("nummer", "answering_service_price", "sju tusen", "Ange ett belopp i kronor"),
        ("leverans", "travel_cost", "-5", "Beloppet kan inte vara negativt."),
        ("trafik", "calls", "många", "Ange ett heltal från 0 till 10 000 000."),
        ("sammanstallning", "validity_days", "0", "Ange ett antal dagar från 1 till 365."),
        ("sammanstallning", "contract_months", "18", "Välj 12, 24 eller 36 månader."),
    ],
)
def test_a_bad_value_is_shown_with_its_message_and_kept(seller_client, quote, step, field, value, message):
    r = seller_client.post(step_url(quote, step), {**form(step, **{field: value}), "nav": "next"})
    assert r.status_code == 200  # stays on the step
    html = r.content.decode().replace(NBSP, " ")
    assert message in html
    if field not in ("answering_service", "contract_months"):  # choices offer only valid values
        assert f'value="{value}"' in html or f">{value}<" in html  # what was typed stays on screen
    assert "Inte sparat:" in html
    quote.refresh_from_db()
    assert quote.current_step == step  # did not move on


def test_the_valid_fields_of_a_step_with_a_bad_value_are_saved(seller_client, quote):
    r = seller_client.post(step_url(quote, "kund"), {
        **form("kund", company_name="Delvis AB", org_number="556430-0143", contact_name="Per"),
        "nav": "next",
    })
    assert r.status_code == 200
    assert "Inte sparat: Organisationsnummer" in r.content.decode()
    quote.refresh_from_db()
    assert (quote.company_name, quote.contact_name, quote.org_number) == ("Delvis AB", "Per", "")


def test_a_bad_quantity_keeps_the_stored_one(seller_client, quote):
    quote.items = {"mobile_user": 10}
    quote.save()
    seller_client.post(step_url(quote, "anvandare"), form("anvandare", mobile_user="tio", softphone=3))
    quote.refresh_from_db()
    assert quote.items == {"mobile_user": 10, "softphone": 3}


def test_unknown_step_is_404(seller_client, quote):
    assert seller_client.get(step_url(quote, "betalning")).status_code == 404
    assert seller_client.post(recalc_url(quote, "betalning"), {}).status_code == 404


# --- Rule errors next to the field, in the panel, with the fix --------------------------


def test_answering_service_needs_guided_delivery_and_says_where_to_fix_it(seller_client, quote):
    r = seller_client.post(step_url(quote, "nummer"), {**form("nummer", answering_service="answering_service_10"), "nav": "next"})
    assert r.status_code == 302  # rule errors never stop the seller
    r = seller_client.get(step_url(quote, "nummer"))
    html = r.content.decode()
    message = "Telia Svarsservice kräver Vägledd leverans — välj Vägledd leverans i steget Leverans och utbildning."
    # next to the select, and in the panel with a button to the Leverans step
    assert html.count(message) == 2
    assert 'id="msg-answering_service"' in html
    assert 'name="goto" value="leverans" class="link-button">Gå till steget Leverans och utbildning' in html
    # the stepper flags both steps involved
    assert html.count('class=" has-errors"') == 1 and 'class="current has-errors"' in html
    # on the Leverans step the message sits next to the delivery radios
    r = seller_client.get(step_url(quote, "leverans"))
    assert r.context["field_problems"]["delivery"][0].message == message
    # fixing it
    seller_client.post(step_url(quote, "leverans"), form("leverans", delivery="guided_delivery"))
    html = seller_client.get(step_url(quote, "leverans")).content.decode()
    assert message not in html and "Offerten följer prislistans regler." in html


def test_price_on_request_asks_for_the_agreed_price_next_to_its_field(seller_client, quote):
    quote.items = {"guided_delivery": 1}
    quote.save()
    r = seller_client.post(recalc_url(quote, "nummer"), form("nummer", answering_service="answering_service_40"), **HTMX)
    assert r.context["field_problems"]["answering_service_price"][0].problem.code == "price_on_request"
    r = seller_client.post(recalc_url(quote, "nummer"), form(
        "nummer", answering_service="answering_service_40", answering_service_price="6500"), **HTMX)
    html = r.content.decode()
    assert "Offerten följer prislistans regler." in html and 'class="problem' not in html
    assert f'id="total-monthly">6{NBSP}500{NBSP}kr<' in html


def test_implementations_are_added_automatically_with_the_reason(seller_client, quote):
    quote.items = {"mobile_user": 10}
    quote.save()
    r = seller_client.post(recalc_url(quote, "integrationer"), form("integrationer", teams_voice=10, ad=2), **HTMX)
    html = r.content.decode()
    assert 'id="auto-lines"' in html and 'hx-swap-oob="true"' in html
    assert "Implementering Teamsintegration" in html and "Implementering AD-integration" in html
    # The reason speaks to the customer; no footnote number of the source price list.
    assert "Ingår eftersom Teamsintegration – Voice kräver implementering på företagsnivå." in html
    assert "fotnot" not in html
    assert r.context["totals"].one_time == Decimal("3980.00")


# --- HTMX: only the totals partial, never a save ----------------------------------------


def test_htmx_recalculation_returns_only_the_totals_and_does_not_save(seller_client, quote):
    r = seller_client.post(recalc_url(quote, "anvandare"), form("anvandare", mobile_user=25), **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert "<html" not in html and "<form" not in html and "<h1" not in html
    assert 'id="total-monthly"' in html and kr("2 225 kr") in html  # 25 × 89
    quote.refresh_from_db()
    assert quote.items == {} and not quote.events.filter(kind=QuoteEvent.Kind.STEP_SAVED).exists()


def test_recalculation_merges_the_unsaved_step_over_the_stored_draft(seller_client, quote):
    quote.items = {"mobile_user": 10, "guided_delivery": 1}
    quote.save()
    r = seller_client.post(recalc_url(quote, "integrationer"), form("integrationer", teams_voice=10), **HTMX)
    t = r.context["totals"]
    assert t.monthly == Decimal("1180.00")  # 10 × 89 + 10 × 29
    assert t.one_time == Decimal("11985.00")  # 9 995 + 1 990 (implementation added)


def test_recalculation_prices_a_bad_value_with_the_stored_one_and_shows_why(seller_client, quote):
    quote.items = {"mobile_user": 10}
    quote.save()
    r = seller_client.post(recalc_url(quote, "anvandare"), form("anvandare", mobile_user="-3", softphone=2), **HTMX)
    assert r.context["totals"].monthly == Decimal("948.00")  # 10 × 89 + 2 × 29
    html = r.content.decode().replace(NBSP, " ")
    assert 'id="msg-mobile_user" data-invalid="true"' in html and 'hx-swap-oob="true"' in html
    assert "Ange ett heltal från 0 till 100 000." in html
    # One honest panel: it says its figures are not the seller's yet, and why; never that
    # the quote follows the rules.
    assert "Summeringen är inte uppdaterad." in html and "Användare med mobilt nummer: Ange ett heltal" in html
    assert "Offerten följer prislistans regler." not in html


def test_a_non_htmx_recalculation_post_gets_the_partial_too(seller_client, quote):
    r = seller_client.post(recalc_url(quote, "anvandare"), form("anvandare", mobile_user=2))
    assert r.status_code == 200 and "<html" not in r.content.decode()
    assert f'id="total-monthly">178{NBSP}kr<' in r.content.decode()  # 2 × 89 kr


def test_htmx_post_to_the_step_autosaves_and_answers_with_the_totals(seller_client, quote):
    r = seller_client.post(step_url(quote, "anvandare"), form("anvandare", mobile_user=3), **HTMX)
    assert r.status_code == 200 and "<html" not in r.content.decode()
    quote.refresh_from_db()
    assert quote.items == {"mobile_user": 3}


def test_the_summary_totals_follow_the_contract_term_live(seller_client, quote):
    quote.items = {"mobile_user": 10}
    quote.save()
    r = seller_client.post(recalc_url(quote, "sammanstallning"), form("sammanstallning", contract_months=12), **HTMX)
    assert r.context["totals"].contract_value == Decimal("10680.00")  # 12 × 890
    assert 'id="offer-document" class="offer-document" hx-swap-oob="true"' in r.content.decode()


def count_recalc_queries(client, quote, users: int) -> int:
    quote.items = {"mobile_user": users, "fixed_number": users, "softphone": users, "teams_voice": users,
                   "calendar": users, "ad": users, "call_recording": users, "function_number": users,
                   "api_access": 1, "nps_survey": 1, "guided_delivery": 1, "answering_service_10": 1,
                   "training_half_day": 2}
    quote.traffic = {"sms_domestic": users * 10, "calls": users * 5, "avg_call_seconds": 120}
    quote.save()
    with CaptureQueriesContext(connection) as ctx:
        r = client.post(recalc_url(quote, "integrationer"), form(
            "integrationer", teams_voice=users, calendar=users, teams_status=users, ad=users,
            call_recording=users, api_access="on", nps_survey="on"), **HTMX)
    assert r.status_code == 200
    assert r.context["totals"].monthly > 0
    return len(ctx.captured_queries)


def test_recalculation_makes_a_fixed_small_number_of_queries(seller_client, quote):
    cold = count_recalc_queries(seller_client, quote, 1)  # loads the catalog into the cache
    counts = {users: count_recalc_queries(seller_client, quote, users) for users in (1, 100, 1000)}
    print("recalculation queries by users:", counts, "first (catalog not cached yet):", cold)
    assert len(set(counts.values())) == 1, counts
    # session, user, the quote with its price list; the catalog (id, version) is cached
    assert counts[1] <= 3, counts
    # Even the first one, reading the catalog's items and footnotes, stays within 5.
    assert cold <= 5


# --- Who may do what --------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_log_in(client, quote):
    for url in (reverse("quotes:list"), step_url(quote, "kund"), reverse("quotes:detail", args=[quote.pk])):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/?next=")
    assert client.post(reverse("quotes:create"))["Location"].startswith("/login/")
    r = client.post(recalc_url(quote, "kund"), {}, **HTMX, HTTP_HX_CURRENT_URL="http://testserver" + step_url(quote, "kund"))
    assert r.status_code == 200 and r["HX-Redirect"].startswith("/login/?next=")
    assert Quote.objects.count() == 1


def test_users_who_are_not_sellers_get_403(client, quote):
    client.force_login(UserFactory(username="kund"))
    assert client.get(reverse("quotes:list")).status_code == 403
    assert client.get(step_url(quote, "kund")).status_code == 403
    assert client.post(reverse("quotes:create")).status_code == 403


def test_a_seller_cannot_open_or_change_a_colleagues_draft(client, other_seller, quote):
    quote.items = {"mobile_user": 5}
    quote.save()
    client.force_login(other_seller)
    assert client.get(step_url(quote, "anvandare")).status_code == 403
    assert client.post(step_url(quote, "anvandare"), form("anvandare", mobile_user=99)).status_code == 403
    assert client.post(recalc_url(quote, "anvandare"), form("anvandare", mobile_user=99), **HTMX).status_code == 403
    quote.refresh_from_db()
    assert quote.items == {"mobile_user": 5}
    # ... but may read it
    r = client.get(reverse("quotes:detail", args=[quote.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Utkastet tillhör Sara Säljare. Du kan läsa det men inte ändra det." in html
    assert "Användare med mobilt nummer" in html and "<form id=\"step-form\"" not in html


def test_an_admin_may_edit_any_draft(client, admin_user, quote):
    client.force_login(admin_user)
    r = client.post(step_url(quote, "anvandare"), form("anvandare", mobile_user=7))
    assert r.status_code == 302
    quote.refresh_from_db()
    assert quote.items == {"mobile_user": 7}


def test_a_quote_that_is_no_longer_a_draft_is_not_editable(doc_env, seller_client, seller):
    quote = quote_sign(quote=QuoteFactory(owner=seller, items={"mobile_user": 2}), user=seller)
    detail = reverse("quotes:detail", args=[quote.pk])
    r = seller_client.get(step_url(quote, "anvandare"))
    assert r.status_code == 302 and r["Location"] == detail
    seller_client.post(step_url(quote, "anvandare"), form("anvandare", mobile_user=50))
    r = seller_client.post(recalc_url(quote, "anvandare"), form("anvandare", mobile_user=50), **HTMX)
    assert r["HX-Redirect"] == detail
    quote.refresh_from_db()
    assert quote.items == {"mobile_user": 2}
    r = seller_client.get(detail)
    assert r.status_code == 200 and "Skickad" in r.content.decode()


# --- The summary and the done-when scenario ---------------------------------------------


SCENARIO = {
    "mobile_user": 25, "teams_voice": 25, "softphone": 25, "function_number": 3,
    "number_series_100": 1, "startup_help": 1, "training_half_day": 1,
}


def fill_scenario(client, quote):
    client.post(step_url(quote, "kund"), {**form("kund", company_name="Exempel AB", org_number="556430-0142"), "nav": "next"})
    client.post(step_url(quote, "anvandare"), {**form("anvandare", mobile_user=25, softphone=25), "nav": "next"})
    client.post(step_url(quote, "nummer"), {**form("nummer", function_number=3, number_series_100=1), "nav": "next"})
    client.post(step_url(quote, "integrationer"), {**form("integrationer", teams_voice=25), "nav": "next"})
    client.post(step_url(quote, "leverans"), {**form("leverans", delivery="startup_help", training_half_day=1), "nav": "next"})
    client.post(step_url(quote, "trafik"), {**form("trafik"), "nav": "next"})
    client.post(step_url(quote, "rabatter"), {**form("rabatter"), "nav": "next"})


def test_the_scenario_quote_matches_the_api(seller_client, quote):
    fill_scenario(seller_client, quote)
    quote.refresh_from_db()
    assert quote.items == SCENARIO and quote.current_step == "sammanstallning"
    r = seller_client.get(step_url(quote, "sammanstallning"))
    html = r.content.decode()
    api = seller_client.post("/api/v1/price", {"items": SCENARIO}, content_type="application/json").json()
    t = r.context["totals"]
    assert api["valid"] and not r.context["problems"]
    assert f"{t.one_time:.2f}" == api["totals"]["one_time"] == "13479.00"  # 3 000 + 1 990 + 2 499 + 5 990
    assert f"{t.monthly:.2f}" == api["totals"]["monthly"] == "3972.00"  # 25 × (89 + 29 + 29) + 3 × 99
    assert f"{t.contract_value:.2f}" == api["totals"]["contract_value"]
    assert kr("13 479 kr") in html and kr("3 972 kr") in html
    # grouped as the customer sees it, in the price list's sections
    assert "Användartjänster" in html and "Företagstjänster" in html and "Leverans och utbildning" in html
    assert "Ingår eftersom" in html and "Implementering Teamsintegration" in html
    assert "Villkor" in html and "Uppstartshjälp" in html  # footnote 1 applies


def test_english_through_the_language_switch(seller_client, quote):
    seller_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = seller_client.get(step_url(quote, "anvandare")).content.decode()
    assert "One-time fee" in html and "Next" in html and "Users" in html
    assert "Engångsavgift" not in html


def test_an_agreed_price_of_minus_zero_is_stored_as_zero(seller_client, quote):
    """Found by make fuzz: "-0" was stored as "-0.00"."""
    r = seller_client.post(step_url(quote, "nummer"), form("nummer", answering_service="answering_service_20",
                                                           answering_service_price="-0", nav="next"))
    assert r.status_code == 302
    quote.refresh_from_db()
    assert quote.manual_prices["answering_service_20"]["monthly"] == "0.00"


def test_the_recalculated_stepper_follows_the_problems_and_the_language(seller_client, quote):
    """The stepper each recalculation sends is rendered once per language, step and
    problem flags (quotes.draft.views.stepper_html): it must still change as they do."""
    def stepper(response) -> str:
        html = response.content.decode()
        return html[html.index('<nav class="stepper"'):html.index("</nav>", html.index('<nav class="stepper"'))]

    fine = stepper(seller_client.post(recalc_url(quote, "anvandare"), form("anvandare", mobile_user=2), **HTMX))
    assert "has-errors" not in fine and 'aria-current="step"' in fine
    over = stepper(seller_client.post(recalc_url(quote, "anvandare"), form("anvandare", mobile_user=2, softphone=3), **HTMX))
    assert 'class="current has-errors"' in over and "(behöver åtgärdas)" in over
    again = stepper(seller_client.post(recalc_url(quote, "anvandare"), form("anvandare", mobile_user=2), **HTMX))
    assert again == fine
    other_step = stepper(seller_client.post(recalc_url(quote, "nummer"), form("nummer"), **HTMX))
    assert other_step != fine and other_step.index('aria-current="step"') > fine.index('aria-current="step"')
    seller_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = stepper(seller_client.post(recalc_url(quote, "anvandare"), form("anvandare", mobile_user=2, softphone=3), **HTMX))
    assert "(needs attention)" in english and "(behöver åtgärdas)" not in english
