"""The customer's link: read the offer without an account, accept or decline it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from quotes.customer.services import quote_accept, quote_decline

from quotes.errors import QuoteNotAnswerable

from quotes.offer.services import quote_sign

from quotes.offer.storage import stored_bytes
from quotes.models import Quote, QuoteEvent

from .doc_support import doc_env, pdf_pages, pdf_text, signing_cert  # noqa: F401
from .factories import QuoteFactory

Status = Quote.Status
STOCKHOLM = ZoneInfo("Europe/Stockholm")
UA = "Mozilla/5.0 (Windows NT 10.0) Testwebbläsare/1.0"


@pytest.fixture
def signed(doc_env, seller, price_list):
    quote = QuoteFactory(owner=seller)
    return quote_sign(quote=quote, user=seller)


def offer_url(quote, name="offer"):
    return reverse(f"quote-customer:{name}", args=[quote.token])


def accept_data(quote, **overrides):
    return {"name": "Erik Lind", "title": "Vd", "accept_terms": "on",
            "document_sha256": quote.pdf_sha256, **overrides}


def test_the_customer_reads_the_offer_without_an_account(signed, client):
    response = client.get(offer_url(signed), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert f"Offert {signed.number} A" in html
    assert "Nordisk Logistik AB" in html and "Användare med mobilt nummer" in html
    assert "4\u00a0112\u00a0kr" in html  # the monthly fee, Swedish formatting
    # The terms come before the place to accept them.
    assert html.index("Villkor") < html.index("Jag har läst och godkänner villkoren") < html.index("Godkänn offerten</button>")
    signed.refresh_from_db()
    assert signed.status == Status.OPENED and signed.opened_at is not None
    event = signed.events.get(kind=QuoteEvent.Kind.OPENED)
    assert event.ip == "198.51.100.7"
    client.get(offer_url(signed))
    assert signed.events.filter(kind=QuoteEvent.Kind.OPENED).count() == 1


def test_the_customer_gets_the_stored_pdf(signed, client):
    response = client.get(offer_url(signed, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored_bytes(signed.pdf)
    assert Quote.objects.get(pk=signed.pk).status == Status.OPENED


def test_the_sellers_own_look_is_not_an_opening(signed, client, seller):
    client.force_login(seller)
    html = client.get(offer_url(signed)).content.decode()
    assert "Du är inloggad som säljare" in html and "Godkänn offerten</button>" not in html
    assert Quote.objects.get(pk=signed.pk).status == Status.SENT
    response = client.post(offer_url(signed, "accept"), accept_data(signed))
    assert Quote.objects.get(pk=signed.pk).status == Status.SENT
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["offer", "pdf", "accepted-pdf"])
def test_a_wrong_or_tampered_token_is_404(signed, client, name):
    token = signed.token
    for bad in [
        "x" * 43,
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token.swapcase() if token.swapcase() != token else token[::-1],
        token[:-1],
        token + "a",
        "../" + token,
    ]:
        assert client.get(f"/offert/{bad}/" + ("pdf/" if name == "pdf" else "pdf/godkand/" if name == "accepted-pdf" else "")).status_code == 404
    for action in ("acceptera", "avboj"):
        assert client.post(f"/offert/{token[:-1]}x/{action}/", accept_data(signed)).status_code == 404
    assert Quote.objects.get(pk=signed.pk).status == Status.SENT


def test_accepting_records_the_evidence_and_a_new_signed_pdf(signed, client):
    response = client.post(
        offer_url(signed, "accept"), accept_data(signed), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT=UA
    )
    assert response.status_code == 302
    quote = Quote.objects.get(pk=signed.pk)
    assert quote.status == Status.ACCEPTED
    assert (quote.accepted_name, quote.accepted_title) == ("Erik Lind", "Vd")
    assert quote.accepted_ip == "203.0.113.9" and quote.accepted_user_agent == UA
    assert quote.accepted_sha256 == signed.pdf_sha256
    assert quote.accepted_at is not None
    pages = pdf_pages(stored_bytes(quote.accepted_pdf))
    original_pages = pdf_pages(stored_bytes(signed.pdf))
    assert len(pages) == len(original_pages) + 1 and pages[:-1] == original_pages
    last = pages[-1]
    assert "Kundens godkännande" in last and "Erik Lind" in last and "Vd" in last
    assert "203.0.113.9" in last and signed.pdf_sha256 in last.replace(" ", "")
    assert stored_bytes(quote.pdf) == stored_bytes(signed.pdf)  # the signed offer is untouched
    event = quote.events.get(kind=QuoteEvent.Kind.ACCEPTED)
    assert event.ip == "203.0.113.9" and "Erik Lind" in event.detail
    page = client.get(offer_url(signed)).content.decode()
    assert "Offerten är godkänd" in page and "Godkänn offerten</button>" not in page
    assert client.get(offer_url(signed, "accepted-pdf")).status_code == 200
    # Once answered, it stays answered.
    client.post(offer_url(signed, "decline"), {"reason": "Ångrade mig"})
    assert Quote.objects.get(pk=signed.pk).status == Status.ACCEPTED


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"accept_terms": ""}, "Bekräfta att du har läst och godkänner villkoren."),
        ({"name": "  "}, "Detta fält måste fyllas i."),
        ({"title": ""}, "Detta fält måste fyllas i."),
    ],
)
def test_accepting_needs_name_title_and_the_tick(signed, client, overrides, message):
    response = client.post(offer_url(signed, "accept"), accept_data(signed, **overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert Quote.objects.get(pk=signed.pk).status != Status.ACCEPTED


def test_declining_with_a_reason(signed, client):
    response = client.post(offer_url(signed, "decline"), {"reason": "Vi väljer en annan leverantör."})
    assert response.status_code == 302
    quote = Quote.objects.get(pk=signed.pk)
    assert quote.status == Status.DECLINED and quote.declined_reason == "Vi väljer en annan leverantör."
    assert quote.events.filter(kind=QuoteEvent.Kind.DECLINED).exists()
    page = client.get(offer_url(signed)).content.decode()
    assert "Offerten är avböjd" in page
    assert client.post(offer_url(signed, "decline"), {"reason": ""}).status_code == 302
    assert client.post(offer_url(signed, "accept"), accept_data(signed)).status_code == 302
    assert Quote.objects.get(pk=signed.pk).status == Status.DECLINED


def test_declining_needs_a_reason(signed, client):
    response = client.post(offer_url(signed, "decline"), {"reason": " "})
    assert response.status_code == 400 and "Skriv en kort anledning." in response.content.decode()
    assert Quote.objects.get(pk=signed.pk).status == Status.SENT


def end_of(day) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=STOCKHOLM)


def test_accepting_holds_until_the_end_of_the_valid_until_day(signed):
    last_second = end_of(signed.valid_until)
    accepted = quote_accept(quote=signed, name="E", title="Vd", ip=None, user_agent="", now=last_second)
    assert accepted.status == Status.ACCEPTED


def test_the_link_stops_accepting_at_midnight_stockholm_time(signed):
    midnight = end_of(signed.valid_until) + timedelta(seconds=1)
    with pytest.raises(QuoteNotAnswerable, match="gått ut"):
        quote_accept(quote=signed, name="E", title="Vd", ip=None, user_agent="", now=midnight)
    quote = Quote.objects.get(pk=signed.pk)
    assert quote.status == Status.EXPIRED and not quote.accepted_at
    assert quote.events.filter(kind=QuoteEvent.Kind.EXPIRED).count() == 1
    with pytest.raises(QuoteNotAnswerable):
        quote_decline(quote=quote, reason="x", now=midnight)


def test_an_expired_offer_says_so_clearly(signed, client, monkeypatch):
    after = end_of(signed.valid_until) + timedelta(seconds=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: after)
    html = client.get(offer_url(signed)).content.decode()
    assert "Offerten har gått ut" in html
    assert f"gällde till och med {signed.valid_until:%Y-%m-%d}" in html
    assert "Godkänn offerten</button>" not in html
    assert Quote.objects.get(pk=signed.pk).status == Status.EXPIRED
    response = client.post(offer_url(signed, "accept"), accept_data(signed), follow=True)
    assert "Offerten har gått ut" in response.content.decode()
    assert Quote.objects.get(pk=signed.pk).status == Status.EXPIRED


def test_html_in_customer_fields_is_escaped_on_the_page(doc_env, client, seller, price_list):
    quote = QuoteFactory(
        owner=seller,
        company_name="<script>alert('x')</script> AB", customer_note='<img src=x onerror="alert(1)">',
    )
    quote = quote_sign(quote=quote, user=seller)
    html = client.get(offer_url(quote)).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; AB" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    client.post(offer_url(quote, "accept"), accept_data(quote, name="<b>Bold</b>", title="<i>Vd</i>"))
    quote.refresh_from_db()
    assert quote.accepted_name == "<b>Bold</b>"
    assert "<b>Bold</b>, <i>Vd</i>" in pdf_text(stored_bytes(quote.accepted_pdf))
    client.force_login(seller)
    panel = client.get(reverse("quotes:detail", args=[quote.pk])).content.decode()
    assert "<b>Bold</b>" not in panel and "&lt;b&gt;Bold&lt;/b&gt;" in panel


def test_a_stale_page_cannot_accept_another_document(signed, client):
    response = client.post(offer_url(signed, "accept"), accept_data(signed, document_sha256="0" * 64), follow=True)
    assert "Offerten har ändrats sedan du öppnade sidan" in response.content.decode()
    assert Quote.objects.get(pk=signed.pk).status != Status.ACCEPTED


def test_the_seller_sees_the_answer_in_the_panel(signed, client, seller):
    client.post(offer_url(signed, "accept"), accept_data(signed), REMOTE_ADDR="203.0.113.9")
    client.force_login(seller)
    html = client.get(reverse("quotes:detail", args=[signed.pk])).content.decode()
    assert "Godkänd av kunden" in html and "Erik Lind, Vd" in html and "203.0.113.9" in html
    assert reverse("quotes:accepted-pdf", args=[signed.pk]) in html
    response = client.get(reverse("quotes:accepted-pdf", args=[signed.pk]))
    assert response.status_code == 200
