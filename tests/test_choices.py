"""Alternatives and options the customer chooses (issue 11 part 3): the engine prices
every choice, the seller builds them on the summary, the customer picks and accepts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse

from configurator.pricing import Configuration, price
from quotes.choices import Choice, choice_configuration, choice_sign_problems
from quotes.models import Quote, QuoteEvent
from quotes.offer.document import document_read, offer_document
from quotes.offer.services import quote_sign, quote_sign_problems
from quotes.offer.storage import stored_bytes

from .doc_support import doc_env, pdf_pages, pdf_text, signing_cert  # noqa: F401
from .factories import QuoteFactory
from .test_lost_updates import concurrent_sqlite_readers  # noqa: F401
from .queue_support import tasks_run
from .test_pricing import CATALOG

BAS = {"mobile_user": 10, "startup_help": 1}
PREMIUM = {"mobile_user": 10, "teams_voice": 10, "startup_help": 1}
OPTIONS = {"call_recording": 10}


def choice_quote(**overrides):
    """Bas (10 users, start-up help) and Premium (plus Teams voice), editing Bas; call
    recording for the 10 users as an option."""
    values = dict(
        items=dict(BAS),
        alternatives=[{"name": "Bas", "items": dict(BAS), "manual_prices": {}},
                      {"name": "Premium", "items": dict(PREMIUM), "manual_prices": {}}],
        alternative_index=0,
        options=dict(OPTIONS),
    )
    values.update(overrides)
    return QuoteFactory(**values)


# --- The engine: a choice is one configuration -----------------------------------------


def test_an_option_with_call_recording_brings_its_implementation_along():
    base = Configuration(items=dict(BAS))
    ticked = choice_configuration(base, alternative=None, options=OPTIONS, ticked=("call_recording",))
    assert dict(ticked.items) == {"mobile_user": 10, "startup_help": 1, "call_recording": 10}
    without, with_it = price(CATALOG, base), price(CATALOG, ticked)
    impl = next(l for l in with_it.lines if l.code == "impl_call_recording")
    assert impl.auto_added and impl.one_time == D("1990")
    # The option's price is the engine's difference: 10 × 29 a month and the implementation once.
    assert with_it.totals.monthly - without.totals.monthly == D("290.00")
    assert with_it.totals.one_time - without.totals.one_time == D("1990.00")
    assert with_it.totals.contract_value - without.totals.contract_value == D("12430.00")  # 1 990 + 36 × 290
    assert with_it.valid


def test_each_alternative_is_a_whole_configuration_with_its_own_totals():
    base = Configuration(items=dict(BAS), contract_months=36)
    premium = price(CATALOG, choice_configuration(base, alternative={"items": PREMIUM}, options=OPTIONS, ticked=()))
    bas = price(CATALOG, choice_configuration(base, alternative={"items": BAS}, options=OPTIONS, ticked=()))
    # Bas: 10 × 89 a month, start-up help 2 499 once.
    assert (bas.totals.one_time, bas.totals.monthly, bas.totals.contract_value) == (D("2499.00"), D("890.00"), D("34539.00"))
    # Premium adds Teams voice (10 × 29) and its implementation (1 990, footnote 4).
    assert (premium.totals.one_time, premium.totals.monthly, premium.totals.contract_value) == (
        D("4489.00"), D("1180.00"), D("46969.00"))
    both = price(CATALOG, choice_configuration(base, alternative={"items": PREMIUM}, options=OPTIONS,
                                               ticked=("call_recording",)))
    assert (both.totals.one_time, both.totals.monthly, both.totals.contract_value) == (
        D("6479.00"), D("1470.00"), D("59399.00"))


# --- Signing freezes every choice --------------------------------------------------------


@pytest.fixture
def signed(doc_env, seller, price_list):
    return quote_sign(quote=choice_quote(owner=seller), user=seller)


def test_the_signed_offer_shows_the_first_alternative_and_every_choice_with_its_price(signed):
    choices = signed.snapshot["choices"]
    assert [a["name"] for a in choices["alternatives"]] == ["Bas", "Premium"]
    assert choices["shown"] == {"alternative": 0, "options": []}
    # The overview's columns are the offer as shown: Bas without options.
    assert (signed.one_time_total, signed.monthly_total, signed.contract_value) == (D("2499.00"), D("890.00"), D("34539.00"))
    doc = offer_document(signed)
    assert [(a.name, a.contract_value) for a in doc.choices.alternatives] == [("Bas", D("34539.00")), ("Premium", D("46969.00"))]
    (option,) = doc.choices.options
    assert (option.name, option.quantity, option.price.monthly, option.price.one_time) == (
        "Samtalsinspelning", 10, D("290.00"), D("1990.00"))
    assert option.price.adds == ("Implementering Samtalsinspelning",)
    # Footnote 8 (call recording) is a term of the offer: the option may be chosen.
    assert "8" in [t.ref for t in doc.terms]
    text = pdf_text(stored_bytes(signed.pdf))
    assert "Priserna gäller alternativ Bas utan tillval." in text
    assert "Alternativ" in text and "Premium" in text and "46 969 kr" in text
    assert "Samtalsinspelning Tillval" in text and "+290 kr" in text and "+1 990 kr" in text
    assert "Inklusive Implementering Samtalsinspelning." in text


def test_a_snapshot_from_before_choices_reads_as_before(signed):
    old = {k: v for k, v in signed.snapshot.items() if k != "choices"}
    doc = document_read(old, quote=signed)
    assert doc.choices is None and doc.totals.contract_value == D("34539.00")


def test_an_option_that_breaks_a_rule_in_an_alternative_blocks_signing(seller, price_list, catalog):
    # Extra configuration belongs to start-up help (footnote 1): fine with Bas, not with "Egen".
    quote = choice_quote(
        owner=seller, options={"extra_config": 2},
        alternatives=[{"name": "Bas", "items": dict(BAS), "manual_prices": {}},
                      {"name": "Egen", "items": {"mobile_user": 10}, "manual_prices": {}}],
    )
    problems = quote_sign_problems(quote=quote)
    assert any(p.startswith("Alternativ Egen med tillval Ytterligare konfiguration") and "Uppstartshjälp" in p
               for p in problems), problems
    assert not any(p.startswith("Alternativ Bas") for p in problems)


# --- The seller builds alternatives and options on the summary ---------------------------


def summary_post(client, quote, nav, **fields):
    data = {"contract_months": "36", "validity_days": "30", "customer_note": "", "nav": nav, **fields}
    return client.post(reverse("quotes:step", args=[quote.pk, "sammanstallning"]), data)


def test_the_seller_builds_two_alternatives_and_an_option(seller_client, seller, price_list):
    quote = QuoteFactory(owner=seller, items=dict(BAS))
    response = summary_post(seller_client, quote, "alt-add", alternative_current="Bas", alternative_new="Premium",
                            customer_note="Hej Erik!")
    assert response.status_code == 302 and response["Location"].endswith("#alternativ-och-tillval")
    quote.refresh_from_db()
    assert [a["name"] for a in quote.alternatives] == ["Bas", "Premium"] and quote.alternative_index == 1
    assert quote.customer_note == "Hej Erik!"  # the step was saved first: nothing typed is lost
    page = seller_client.get(reverse("quotes:step", args=[quote.pk, "integrationer"])).content.decode()
    assert "Du redigerar alternativ 2 av 2: <strong>Premium</strong>." in page
    # The steps now change Premium only.
    seller_client.post(reverse("quotes:step", args=[quote.pk, "integrationer"]), {"teams_voice": "10", "nav": "next"})
    summary_post(seller_client, quote, "alt-edit-0")
    quote.refresh_from_db()
    assert quote.alternative_index == 0 and quote.items == BAS
    assert quote.alternatives[1]["items"] == PREMIUM
    response = summary_post(seller_client, quote, "option-add", option_code="call_recording", option_quantity="10")
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.options == {"call_recording": 10}
    page = seller_client.get(reverse("quotes:step", args=[quote.pk, "sammanstallning"])).content.decode()
    assert "Samtalsinspelning är tillval i offerten." in page
    assert "Redigeras i stegen nu" in page and "Redigera Premium" in page
    assert "46\u00a0969\u00a0kr" in page  # Premium's contract value in the offer's comparison
    assert "Ta bort tillvalet Samtalsinspelning" in page
    details = list(quote.events.filter(kind=QuoteEvent.Kind.STEP_SAVED).values_list("detail", flat=True))
    assert "Alternativ och tillval: Samtalsinspelning är tillval i offerten." in details


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"alternative_current": "Bas", "alternative_new": ""}, "Ge alternativet ett namn."),
        ({"alternative_current": "Bas", "alternative_new": "bas"}, "Ett annat alternativ heter redan «bas»."),
    ],
)
def test_an_alternative_needs_a_name_of_its_own(seller_client, seller, price_list, fields, message):
    quote = QuoteFactory(owner=seller, items=dict(BAS))
    response = summary_post(seller_client, quote, "alt-add", **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Inte ändrat: rätta det som är markerat under Alternativ och tillval." in page
    quote.refresh_from_db()
    assert quote.alternatives == []


def test_an_option_needs_an_item_and_a_quantity(seller_client, seller, price_list):
    quote = QuoteFactory(owner=seller, items=dict(BAS))
    response = summary_post(seller_client, quote, "option-add", option_code="", option_quantity="2,5")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Välj vilken tjänst som ska vara tillval." in page and "Ange ett heltal utan decimaler" in page
    assert Quote.objects.get(pk=quote.pk).options == {}


def test_removing_the_last_but_one_alternative_leaves_an_offer_without_alternatives(seller_client, seller, price_list):
    quote = choice_quote(owner=seller, alternative_index=1, items=dict(PREMIUM))
    summary_post(seller_client, quote, "alt-remove-0")
    quote.refresh_from_db()
    assert quote.alternatives == [] and quote.items == PREMIUM and quote.alternative_index == 0


def test_a_revision_keeps_the_alternatives_and_options(doc_env, seller, price_list):
    from quotes.offer.services import quote_revise

    signed = quote_sign(quote=choice_quote(owner=seller), user=seller)
    new = quote_revise(quote=signed, user=seller).quote
    assert [a["name"] for a in new.alternatives] == ["Bas", "Premium"] and new.options == OPTIONS


# --- The customer chooses and accepts ---------------------------------------------------


def offer_url(quote, name="offer"):
    return reverse(f"quote-customer:{name}", args=[quote.token])


def accept_data(quote, **overrides):
    return {"name": "Erik Lind", "title": "Vd", "accept_terms": "on", "document_sha256": quote.pdf_sha256,
            "alternativ": "1", "tillval": ["call_recording"], **overrides}


def test_the_customer_page_prices_the_choice_asked_for(signed, client):
    page = client.get(offer_url(signed)).content.decode()
    assert "Välj alternativ och tillval" in page
    assert 'id="alternativ-0" checked' in page and "Du godkänner:</strong> Alternativ Bas · Tillval: inga" in page
    page = client.get(offer_url(signed), {"alternativ": "1", "tillval": "call_recording"}).content.decode()
    assert 'id="alternativ-1" checked' in page and 'id="tillval-call_recording" checked' in page
    assert '<dd id="choice-contract-value">59\u00a0399\u00a0kr</dd>' in page
    assert "Priserna gäller</span>\nalternativ Premium med tillval: Samtalsinspelning." in page
    assert "Du godkänner:</strong> Alternativ Premium · Tillval: Samtalsinspelning" in page


def test_htmx_gets_the_recalculated_choice_without_the_page(signed, client):
    response = client.get(offer_url(signed), {"alternativ": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith('<div class="choice-result" id="choice-result">')
    assert '<dd id="choice-contract-value">46\u00a0969\u00a0kr</dd>' in html
    # What ticking call recording adds to Premium, and the document, swapped out of band.
    assert 'id="option-price-call_recording" hx-swap-oob="true">+290\u00a0kr/mån, +1\u00a0990\u00a0kr engång' in html
    assert '<div id="offer-document" hx-swap-oob="true">' in html
    assert 'name="alternativ" value="1"' in html  # the accept form accepts what is shown
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_a_choice_the_offer_does_not_have_is_refused_clearly(signed, client):
    page = client.get(offer_url(signed), {"alternativ": "7"}).content.decode()
    assert "Valet finns inte i offerten; här är offertens första alternativ utan tillval." in page
    response = client.post(offer_url(signed, "accept"), accept_data(signed, tillval=["nps_survey"]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Valet finns inte i offerten" in page and 'value="Erik Lind"' in page  # nothing typed is lost
    assert Quote.objects.get(pk=signed.pk).status != Quote.Status.ACCEPTED


def test_accepting_freezes_exactly_the_chosen_configuration(signed, client):
    response = client.post(offer_url(signed, "accept"), accept_data(signed))
    assert response.status_code == 302
    quote = Quote.objects.get(pk=signed.pk)
    assert quote.status == Quote.Status.ACCEPTED
    assert (quote.accepted_alternative, quote.accepted_options) == ("Premium", ["call_recording"])
    assert quote.accepted_pricing["totals"]["contract_value"] == "59399.00"
    assert quote.snapshot["totals"]["contract_value"] == "34539.00"  # the signed offer is untouched
    event = quote.events.get(kind=QuoteEvent.Kind.ACCEPTED)
    assert event.detail.startswith("Erik Lind, Vd · Alternativ Premium · Tillval: Samtalsinspelning · SHA-256 ")
    last = pdf_text(stored_bytes(quote.accepted_pdf)).split("Kundens godkännande")[-1]
    assert "Kundens val Alternativ Premium Tillval Samtalsinspelning (10 st)" in last
    assert "Samtalsinspelning Tillval" in last  # its line in the chosen specification
    assert "Engång 6 479 kr, per månad 1 470 kr, avtalsvärde 36 månader 59 399 kr" in last
    assert "Implementering Samtalsinspelning" in last and "Teamsintegration – Voice" in last
    # The delivery team gets exactly the choice.
    from quotes.offer.delivery_order import delivery_order

    order = delivery_order(quote)
    assert {l["code"] for l in order["prices"]["lines"]} == {
        "mobile_user", "teams_voice", "call_recording", "impl_teams", "impl_call_recording", "startup_help"}
    assert order["prices"]["totals"]["contract_value"] == "59399.00"
    # The customer's confirmation says the choice and its totals.
    tasks_run()
    (confirmation,) = [m for m in mail.outbox if m.subject.startswith("Bekräftelse")]
    assert "Priserna gäller alternativ Premium med tillval: Samtalsinspelning." in confirmation.body
    assert "Avtalsvärde 36 månader: 59 399 kr" in confirmation.body
    # Afterwards every page shows the accepted choice.
    page = client.get(offer_url(signed)).content.decode()
    assert "Välj alternativ och tillval" not in page
    assert "alternativ Premium med tillval: Samtalsinspelning." in page
    assert offer_document(quote).totals.contract_value == D("59399.00")


def test_a_choice_against_the_rules_is_not_accepted(doc_env, seller, price_list, client):
    # Signing checks every choice; acceptance prices the choice again and refuses one the
    # rules refuse, even if a stored offer held it (20 users' call recording, 10 users: rule 2).
    quote = choice_quote(owner=seller)
    assert not quote_sign_problems(quote=quote)
    signed = quote_sign(quote=quote, user=seller)
    signed.snapshot["choices"]["options"][0]["quantity"] = 20
    Quote.objects.filter(pk=signed.pk).update(snapshot=signed.snapshot)
    response = client.post(offer_url(signed, "accept"), accept_data(signed))
    assert response.status_code == 400
    assert "Valet går inte att beställa: Samtalsinspelning: 20 användare" in response.content.decode()
    assert Quote.objects.get(pk=signed.pk).status != Quote.Status.ACCEPTED


def test_the_quotes_discounts_apply_to_whichever_choice_is_made(doc_env, seller, price_list, client):
    # 10 % off the monthly total, whatever the customer picks.
    signed = quote_sign(quote=choice_quote(owner=seller, discounts={"monthly_percent": "10"}), user=seller)
    doc = offer_document(signed)
    premium = doc.choices.alternatives[1]
    assert (premium.monthly, premium.contract_value) == (D("1062.00"), D("42721.00"))  # 1 180 − 118; 4 489 + 36 × 1 062
    assert doc.choices.options[0].prices[1].monthly == D("261.00")  # 290 − 29
    assert doc.choices.discounted
    assert "Offertens rabatter gäller vilket alternativ och vilka tillval kunden än väljer." in pdf_text(stored_bytes(signed.pdf))
    page = client.get(offer_url(signed), {"alternativ": "1", "tillval": "call_recording"}).content.decode()
    assert '<dd id="choice-monthly">1\u00a0323\u00a0kr</dd>' in page  # 1 470 − 147


# --- Two tabs at once --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_options_added_at_the_same_moment_both_land(seller, price_list, concurrent_sqlite_readers):
    """Two tabs add an option at once: the quote's lock and re-read make both land, never
    one over the other (the step is saved first in each, as the buttons do)."""
    import threading

    from django.db import connection
    from django.test import Client

    for trial in range(8):
        quote = choice_quote(owner=seller, options={})
        clients = [Client(), Client()]
        for c in clients:
            c.force_login(seller)
        barrier = threading.Barrier(2, timeout=60)
        statuses = []

        def post(client, code):
            try:
                barrier.wait()
                statuses.append(summary_post(client, quote, "option-add", option_code=code, option_quantity="10").status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(clients[0], "call_recording")),
                   threading.Thread(target=post, args=(clients[1], "softphone"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert statuses == [302, 302], (trial, statuses)
        stored = Quote.objects.get(pk=quote.pk)
        assert stored.options == {"call_recording": 10, "softphone": 10}, (trial, stored.options)
        assert [a["name"] for a in stored.alternatives] == ["Bas", "Premium"]


def test_the_overview_counts_the_choice_the_customer_won_with(signed, client, seller):
    from quotes.overview.selectors import overview
    from quotes.offer.services import stockholm_today
    from quotes.signals import FrozenQuoteError

    client.post(offer_url(signed, "accept"), accept_data(signed))
    quote = Quote.objects.get(pk=signed.pk)
    assert (quote.one_time_total, quote.monthly_total, quote.contract_value) == (
        D("6479.00"), D("1470.00"), D("59399.00"))
    month = overview(owner_ids=[seller.pk], today=stockholm_today()).month
    assert (month.won, month.won_monthly, month.won_contract) == (1, D("1470.00"), D("59399.00"))
    # Only the accepted choice's totals: anything else is still refused.
    quote.contract_value = D("1.00")
    with pytest.raises(FrozenQuoteError):
        quote.save()


def test_options_without_alternatives(doc_env, seller, price_list, client):
    signed = quote_sign(quote=QuoteFactory(owner=seller, items=dict(BAS), options=dict(OPTIONS)), user=seller)
    assert signed.snapshot["choices"]["alternatives"] == []
    page = client.get(offer_url(signed)).content.decode()
    assert "Välj tillval" in page and "Välj alternativ och tillval" not in page
    assert "offerten utan tillval." in page
    response = client.post(offer_url(signed, "accept"), accept_data(signed, alternativ="0"))
    assert response.status_code == 302
    quote = Quote.objects.get(pk=signed.pk)
    assert (quote.accepted_alternative, quote.accepted_options, quote.contract_value) == (
        "", ["call_recording"], D("46969.00"))  # Bas 34 539 + 12 430
    assert quote.events.get(kind=QuoteEvent.Kind.ACCEPTED).detail.startswith("Erik Lind, Vd · Tillval: Samtalsinspelning · ")
