"""Signing freezes a quote; nothing edits it afterwards; changes make revisions; expired
offers are reissued in one click; the seller's document actions and downloads."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import ProtectedError
from django.urls import get_resolver, reverse
from django.utils import timezone

from configurator.models import PriceItem
from configurator.services import price_list_copy, price_list_publish
from quotes.offer import services as offer_services
from quotes.errors import DocumentError, QuoteNotSignable
from quotes.offer.services import quote_expire_if_due, quote_reissue, quote_revise, quote_sign, quotes_expire_due, stockholm_today
from quotes.offer.storage import stored_bytes
from quotes.models import Quote, QuoteCounter, QuoteEvent, StoredDocument
from quotes.draft.services import quote_create
from quotes.signals import FrozenQuoteError
from quotes.offer.document import offer_document

from .doc_support import doc_env, pdf_text, signing_cert  # noqa: F401
from .factories import QuoteFactory
from .queue_support import tasks_run

Status = Quote.Status


@pytest.fixture
def draft(doc_env, seller, price_list):
    return QuoteFactory(owner=seller, validity_days=30)


@pytest.fixture
def signed(draft, seller):
    return quote_sign(quote=draft, user=seller)


def stored_documents() -> list[str]:
    """The signed PDFs stored (in the database, beside their quotes), by name."""
    return sorted(StoredDocument.objects.values_list("name", flat=True))


# --- Signing ----------------------------------------------------------------------------


def test_signing_records_who_when_number_validity_token_and_the_stored_pdf(signed, seller):
    signed.refresh_from_db()
    assert signed.status == Status.SENT
    assert signed.signed_by == seller
    assert abs(signed.signed_at - timezone.now()) < timedelta(minutes=1)
    assert signed.number == f"SC-{stockholm_today().year}-00001" and signed.revision == "A"
    assert signed.valid_until == stockholm_today() + timedelta(days=30)
    assert len(signed.token) >= 40
    data = stored_bytes(signed.pdf)
    assert data.startswith(b"%PDF") and signed.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert signed.snapshot["price_list"]["name"] == "Smart Connect prislista 2026"
    assert signed.events.filter(kind=QuoteEvent.Kind.SIGNED, actor=seller).exists()


def test_a_later_price_change_alters_new_quotes_only(signed, seller, price_list):
    before_pdf = stored_bytes(signed.pdf)
    before = offer_document(signed).totals
    # The admin's way: copy the list in force, raise a price, publish it for today.
    new_list = price_list_copy(price_list=price_list, name="Prislista höst")
    PriceItem.objects.filter(price_list=new_list, code="mobile_user").update(monthly_fee=Decimal("99"))
    price_list_publish(price_list=new_list, valid_from=timezone.localdate())
    # Even an edit of the old list's row (what the admin cannot do) does not reach it.
    PriceItem.objects.filter(price_list=price_list, code="mobile_user").update(monthly_fee=Decimal("1"))

    signed = Quote.objects.get(pk=signed.pk)
    after = offer_document(signed).totals
    assert after == before and before.monthly == Decimal("4112.00")
    assert stored_bytes(signed.pdf) == before_pdf
    fresh = quote_create(owner=seller)
    assert fresh.price_list == new_list


@pytest.mark.parametrize(
    "overrides, problem",
    [
        ({"org_number": ""}, "Organisationsnummer saknas"),
        ({"contact_email": ""}, "Kontaktpersonens e-post saknas"),
        ({"items": {"mobile_user": 5, "extra_config": 1}}, "Ytterligare konfiguration hör till Uppstartshjälp"),
        (
            {"items": {"mobile_user": 5, "answering_service_20": 1, "guided_delivery": 1}},
            "pris på förfrågan",
        ),
        ({"items": {}}, "inga tjänster med pris"),
    ],
)
def test_only_a_valid_quote_can_be_signed_and_nothing_is_saved_otherwise(
    doc_env, seller, price_list, settings, overrides, problem
):
    quote = QuoteFactory(owner=seller, **overrides)
    with pytest.raises(QuoteNotSignable) as raised:
        quote_sign(quote=quote, user=seller)
    assert any(problem in p for p in raised.value.problems)
    quote.refresh_from_db()
    assert quote.status == Status.DRAFT and not quote.number and not quote.snapshot and not quote.pdf
    assert not QuoteCounter.objects.exists()
    assert stored_documents() == []


def test_an_agreed_price_makes_a_price_on_request_package_signable(doc_env, seller, price_list):
    quote = QuoteFactory(
        owner=seller,
        items={"mobile_user": 5, "answering_service_20": 1, "guided_delivery": 1},
        manual_prices={"answering_service_20": {"monthly": "7900.00"}},
    )
    signed = quote_sign(quote=quote, user=seller)
    assert "Telia Svarsservice, paket 20" in pdf_text(stored_bytes(signed.pdf))


def test_a_failure_while_signing_saves_nothing_and_removes_the_file(draft, seller, settings, monkeypatch):
    def broken_save(*args, **kwargs):
        raise RuntimeError("database went away")

    original_record = offer_services.quote_event_record
    monkeypatch.setattr(offer_services, "quote_event_record", broken_save)
    with pytest.raises(RuntimeError):
        quote_sign(quote=draft, user=seller)
    monkeypatch.setattr(offer_services, "quote_event_record", original_record)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.number and not draft.pdf and draft.token is None
    assert stored_documents() == []  # the PDF stored before the failure is gone
    assert QuoteCounter.objects.filter(last__gt=0).count() == 0
    # And it signs fine afterwards, with the first number.
    assert quote_sign(quote=draft, user=seller).number.endswith("-00001")


def test_another_seller_cannot_sign(draft, other_seller):
    with pytest.raises(QuoteNotSignable):
        quote_sign(quote=draft, user=other_seller)


# --- The seller's views -----------------------------------------------------------------


def test_sign_and_send_from_the_summary(draft, client, seller):
    client.force_login(seller)
    response = client.post(reverse("quotes:sign", args=[draft.pk]))
    draft.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("quotes:detail", args=[draft.pk])
    assert draft.status == Status.SENT
    assert draft.sent_at is None and not mail.outbox  # the request never waits on the mail server
    tasks_run()  # the commit enqueues the e-mail; the worker sends it
    draft.refresh_from_db()
    assert draft.sent_at is not None
    (message,) = mail.outbox
    assert message.to == ["erik.lind@nordisklogistik.se"]
    assert message.subject == f"Offert {draft.reference} på Smart Connect från Telia Sverige AB"
    assert "Hej Erik Lind," in message.body
    assert f"http://testserver/offert/{draft.token}/" in message.body
    assert "Offerten gäller till och med" in message.body
    (name, content, mimetype), = message.attachments
    assert name == f"Offert-{draft.number}-A.pdf" and mimetype == "application/pdf"
    assert content == stored_bytes(draft.pdf)
    page = client.get(reverse("quotes:detail", args=[draft.pk]))
    assert (f"Offert {draft.reference} är signerad. E-postmeddelandet till erik.lind@nordisklogistik.se "
            "är på väg.") in page.content.decode()


def test_the_summary_explains_why_a_quote_cannot_be_signed(doc_env, client, seller, price_list):
    quote = QuoteFactory(owner=seller, org_number="")
    client.force_login(seller)
    page = client.get(reverse("quotes:step", args=[quote.pk, "sammanstallning"])).content.decode()
    assert "Innan offerten kan signeras" in page and "Organisationsnummer saknas" in page
    response = client.post(reverse("quotes:sign", args=[quote.pk]), follow=True)
    assert "Organisationsnummer saknas" in response.content.decode()
    quote.refresh_from_db()
    assert quote.is_draft and not mail.outbox


def test_a_missing_certificate_is_told_to_the_seller_and_nothing_is_saved(draft, client, seller, settings, tmp_path):
    settings.QUOTE_SIGNING_CERT = str(tmp_path / "missing.pem")
    client.force_login(seller)
    response = client.post(reverse("quotes:sign", args=[draft.pk]), follow=True)
    assert "signeringscertifikatet saknas" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft and not draft.signed_at and stored_documents() == []


@pytest.mark.parametrize("name", ["sign", "send", "revise"])
def test_only_the_owner_or_an_admin_acts_on_a_quote(signed, client, other_seller, name):
    client.force_login(other_seller)
    assert client.post(reverse(f"quotes:{name}", args=[signed.pk])).status_code == 403
    assert client.get(reverse(f"quotes:{name}", args=[signed.pk])).status_code == 405
    client.logout()
    assert client.post(reverse(f"quotes:{name}", args=[signed.pk])).status_code == 302  # to log-in


def test_downloads_serve_the_stored_file_never_a_re_render(signed, client, other_seller, monkeypatch):
    def no_render(**kwargs):
        raise AssertionError("re-rendered")

    monkeypatch.setattr(offer_services, "offer_pdf_render", no_render)
    client.force_login(other_seller)  # colleagues read signed quotes
    response = client.get(reverse("quotes:pdf", args=[signed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored_bytes(signed.pdf)
    assert f"Offert-{signed.number}-A.pdf" in response["Content-Disposition"]


def test_a_tampered_stored_file_is_not_served(signed, client, seller):
    StoredDocument.objects.filter(name=signed.pdf.name).update(data=stored_bytes(signed.pdf) + b"% extra\n")
    client.force_login(seller)
    response = client.get(reverse("quotes:pdf", args=[signed.pdf and signed.pk]))
    assert response.status_code == 409 and response["Content-Type"].startswith("text/html")
    assert "kontrollsumma" in response.content.decode()


def test_send_again(signed, client, seller):
    client.force_login(seller)
    client.post(reverse("quotes:send", args=[signed.pk]))
    client.post(reverse("quotes:send", args=[signed.pk]))
    tasks_run()
    assert len(mail.outbox) == 2
    assert signed.events.filter(kind=QuoteEvent.Kind.SENT).count() == 2


# --- Immutability, every way in ---------------------------------------------------------


def test_the_model_refuses_changes_to_a_signed_quote(signed):
    quote = Quote.objects.get(pk=signed.pk)
    for field, value in [
        ("items", {"mobile_user": 1}),
        ("company_name", "Annat AB"),
        ("contract_months", 12),
        ("snapshot", {}),
        ("valid_until", stockholm_today() + timedelta(days=400)),
        ("pdf_sha256", "0" * 64),
    ]:
        quote = Quote.objects.get(pk=signed.pk)
        setattr(quote, field, value)
        with pytest.raises(FrozenQuoteError):
            quote.save()
    with pytest.raises((FrozenQuoteError, ProtectedError)):  # its events protect it too
        Quote.objects.get(pk=signed.pk).delete()
    quote = Quote.objects.get(pk=signed.pk)
    quote.status = Status.OPENED  # the lifecycle still moves
    quote.save()


def test_the_step_form_changes_nothing_on_a_signed_quote(signed, client, seller):
    client.force_login(seller)
    before = Quote.objects.filter(pk=signed.pk).values().get()
    for step, data in [
        ("kund", {"company_name": "Ändrat AB", "org_number": "556123-4567", "contact_name": "X",
                  "contact_email": "x@example.com"}),
        ("anvandare", {"mobile_user": "1"}),
        ("sammanstallning", {"contract_months": "12", "validity_days": "90"}),
    ]:
        response = client.post(reverse("quotes:step", args=[signed.pk, step]), data)
        assert response.status_code == 302 and response["Location"] == reverse("quotes:detail", args=[signed.pk])
        response = client.post(reverse("quotes:recalculate", args=[signed.pk, step]), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and response["HX-Redirect"] == reverse("quotes:detail", args=[signed.pk])
    assert Quote.objects.filter(pk=signed.pk).values().get() == before


def test_signing_twice_changes_nothing(signed, client, seller):
    client.force_login(seller)
    before = Quote.objects.filter(pk=signed.pk).values().get()
    client.post(reverse("quotes:sign", args=[signed.pk]))
    assert Quote.objects.filter(pk=signed.pk).values().get() == before


def test_the_admin_shows_a_signed_quote_read_only(signed, client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:quotes_quote_change", args=[signed.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and 'name="company_name"' not in html
    assert signed.company_name in html
    response = client.post(url, {"company_name": "Annat AB", "status": "draft"})
    assert response.status_code == 403
    assert client.post(reverse("admin:quotes_quote_delete", args=[signed.pk]), {"post": "yes"}).status_code == 403
    signed.refresh_from_db()
    assert signed.company_name == "Nordisk Logistik AB" and signed.status == Status.SENT


def test_no_other_url_reaches_a_quote():
    """Every route that takes a quote (pk or token) is one of these; the JSON API has
    none (it prices a request body and stores nothing). A new route that could edit a
    quote must be added here deliberately, with its refusal of signed quotes tested."""

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, route)
            else:
                yield route

    routes = {r for r in walk(get_resolver().url_patterns) if "<int:pk>" in r or "<str:token>" in r}
    assert {r for r in routes if not r.startswith("admin/")} == {
        "offerter/<int:pk>/",
        "offerter/<int:pk>/steg/<slug:step>/",
        "offerter/<int:pk>/steg/<slug:step>/berakna/",
        "offerter/<int:pk>/signera/",
        "offerter/<int:pk>/skicka/",
        "offerter/<int:pk>/ny-revision/",
        "offerter/<int:pk>/pdf/",
        "offerter/<int:pk>/pdf/godkand/",
        "offerter/<int:pk>/leveransorder.json",  # read-only: the accepted quote's delivery order
        "offerter/<int:pk>/leveransorder.xlsx",
        # Discount approval: a request and a decision refuse a signed quote
        # (tests/test_approval.py::test_a_signed_quote_is_neither_sent_for_approval_nor_decided).
        "offerter/<int:pk>/godkannande/",
        "offerter/godkannanden/<int:pk>/",
        "offerter/godkannanden/<int:pk>/beslut/",
        # Read a signed quote (copy it, keep it as a template) or refuse it (archive, restore,
        # delete): tests/test_quote_starts.py, tests/test_permissions.py.
        "offerter/<int:pk>/kopiera/",
        "offerter/<int:pk>/spara-som-mall/",
        "offerter/<int:pk>/arkivera/",
        "offerter/<int:pk>/aterstall/",
        "offerter/<int:pk>/ta-bort/",
        "offert/<str:token>/",
        "offert/<str:token>/pdf/",
        "offert/<str:token>/pdf/godkand/",
        "offert/<str:token>/acceptera/",
        "offert/<str:token>/avboj/",
    }


# --- Revisions --------------------------------------------------------------------------


def test_changing_a_sent_offer_makes_revision_b_and_a_stays_readable(signed, client, seller):
    client.force_login(seller)
    response = client.post(reverse("quotes:revise", args=[signed.pk]))
    b = Quote.objects.get(previous=signed)
    assert response["Location"] == reverse("quotes:step", args=[b.pk, "sammanstallning"])
    signed.refresh_from_db()
    assert signed.status == Status.SUPERSEDED
    assert (b.number, b.revision, b.status) == (signed.number, "B", Status.DRAFT)
    assert b.items == signed.items and b.company_name == signed.company_name and b.token is None
    # Revision A stays readable, its PDF too; its link no longer accepts.
    assert client.get(reverse("quotes:detail", args=[signed.pk])).status_code == 200
    assert client.get(reverse("quotes:pdf", args=[signed.pk])).status_code == 200
    client.logout()
    page = client.get(reverse("quote-customer:offer", args=[signed.token])).content.decode()
    assert "Offerten har ersatts" in page and "Godkänn offerten</button>" not in page
    # Revision B is edited and signed: same number, letter B, a new link.
    b.items = {**b.items, "mobile_user": 30, "teams_voice": 30, "calendar": 30}
    b.save()
    b = quote_sign(quote=b, user=seller)
    assert b.reference == f"{signed.number} B" and b.token != signed.token
    assert "Revision B" in pdf_text(stored_bytes(b.pdf))
    assert QuoteCounter.objects.get().last == 1  # no new number taken


def test_revisions_go_on_c_d(signed, seller):
    b = quote_revise(quote=signed, user=seller).quote
    b = quote_sign(quote=b, user=seller)
    c = quote_revise(quote=b, user=seller).quote
    assert c.revision == "C" and c.previous == b
    with pytest.raises(DocumentError):
        quote_revise(quote=b, user=seller)  # B is superseded already


def test_a_draft_or_an_accepted_offer_is_not_revised(signed, draft, seller):
    from quotes.customer.services import quote_accept

    accepted = quote_accept(quote=signed, name="A", title="B", ip=None, user_agent="")
    with pytest.raises(DocumentError):
        quote_revise(quote=accepted, user=seller)


# --- Expiry and reissue -----------------------------------------------------------------


def test_an_expired_offer_is_reissued_in_one_click(signed, client, seller):
    Quote.objects.filter(pk=signed.pk).update(valid_until=stockholm_today() - timedelta(days=1))
    client.force_login(seller)
    page = client.get(reverse("quotes:detail", args=[signed.pk])).content.decode()
    assert "Offerten har gått ut" in page and "Förnya offerten" in page
    response = client.post(reverse("quotes:revise", args=[signed.pk]))
    b = Quote.objects.get(previous=signed)
    assert response["Location"] == reverse("quotes:detail", args=[b.pk])
    assert b.status == Status.SENT and b.revision == "B" and b.number == signed.number
    assert b.valid_until == stockholm_today() + timedelta(days=30)
    assert stored_bytes(b.pdf).startswith(b"%PDF")
    assert Quote.objects.get(pk=signed.pk).status == Status.SUPERSEDED
    assert signed.events.filter(kind=QuoteEvent.Kind.EXPIRED).exists()
    tasks_run()
    assert len(mail.outbox) == 1 and b.token in mail.outbox[0].body


def test_reissue_only_for_expired_offers(signed, seller):
    with pytest.raises(DocumentError):
        quote_reissue(quote=signed, user=seller)


def test_expired_offers_are_marked_for_the_list(signed, client, seller, price_list):
    other = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    Quote.objects.filter(pk=signed.pk).update(valid_until=stockholm_today() - timedelta(days=1))
    assert quotes_expire_due() == 1
    assert Quote.objects.get(pk=signed.pk).status == Status.EXPIRED
    assert Quote.objects.get(pk=other.pk).status == Status.SENT
    assert quotes_expire_due() == 0
    client.force_login(seller)
    page = client.get(reverse("quotes:list")).content.decode()
    assert "Utgången" in page and "Skickad" in page


def test_the_list_shows_each_status(doc_env, client, seller, price_list):
    from quotes.customer.services import quote_accept, quote_decline, quote_mark_opened

    quotes = [quote_sign(quote=QuoteFactory(owner=seller, company_name=f"Kund {i} AB"), user=seller) for i in range(4)]
    quote_mark_opened(quote=quotes[1])
    quote_accept(quote=quotes[2], name="A", title="B", ip=None, user_agent="")
    quote_decline(quote=quotes[3], reason="För dyrt")
    client.force_login(seller)
    page = client.get(reverse("quotes:list")).content.decode()
    for label in ("Skickad", "Öppnad", "Accepterad", "Avböjd"):
        assert f">{label}<" in page


def test_expire_if_due_is_idempotent(signed):
    later = timezone.now() + timedelta(days=45)
    assert quote_expire_if_due(quote=signed, now=later)
    assert not quote_expire_if_due(quote=Quote.objects.get(pk=signed.pk), now=later)
    assert signed.events.filter(kind=QuoteEvent.Kind.EXPIRED).count() == 1


def test_the_list_itself_marks_offers_past_their_day_expired(signed, client, seller):
    Quote.objects.filter(pk=signed.pk).update(valid_until=stockholm_today() - timedelta(days=1))
    client.force_login(seller)
    page = client.get(reverse("quotes:list") + "?status=expired").content.decode()
    assert signed.company_name in page and ">Utgången<" in page
    assert Quote.objects.get(pk=signed.pk).status == Status.EXPIRED
    assert signed.events.filter(kind=QuoteEvent.Kind.EXPIRED).count() == 1


def test_the_quote_page_of_a_signed_quote_shows_what_was_signed(signed, client, seller, price_list):
    frozen_monthly = offer_document(signed).totals.monthly  # 4 112 kr
    # A price change the admin cannot make on a list in force must still not reach it.
    PriceItem.objects.filter(price_list=price_list, code="mobile_user").update(monthly_fee=Decimal("1"))
    from configurator.signals import price_list_touch

    price_list_touch(price_list.pk)
    client.force_login(seller)
    page = client.get(reverse("quotes:detail", args=[signed.pk])).content.decode()
    assert "4\u00a0112\u00a0kr" in page and frozen_monthly == Decimal("4112.00")


def test_an_org_number_that_fails_its_check_digit_cannot_be_signed(draft, seller):
    """The step form refuses such a number; one stored before that check is caught here."""
    Quote.objects.filter(pk=draft.pk).update(org_number="556987-6543")
    draft.refresh_from_db()
    with pytest.raises(QuoteNotSignable) as refused:
        quote_sign(quote=draft, user=seller)
    assert "Organisationsnumret 556987-6543 är inte giltigt (steget Kund)." in refused.value.problems
