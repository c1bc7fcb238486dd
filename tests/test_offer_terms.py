"""Commercial terms on the offer (issue 11 part 5): the supplier's VAT number and F-skatt,
the seller's phone, payment, invoicing, contract start, renewal, notice, delivery time and
the general terms. Admins edit them under *Offertvillkor*; drafts show today's, a signed
offer keeps those it was signed with (its page, the customer's page and its PDF)."""

from __future__ import annotations

import copy

import pytest
from django.core import mail
from django.urls import reverse
from lxml import html as lxml_html

from configurator.models import SellerProfile
from quotes.models import OfferTerms
from quotes.notifications import quote_send
from quotes.offer.document import offer_document
from quotes.offer.services import quote_sign
from quotes.offer.storage import stored_bytes

from .doc_support import doc_env, pdf_pages, pdf_text, signing_cert  # noqa: F401
from .factories import OfferTermsFactory, QuoteFactory, SellerProfileFactory
from .queue_support import tasks_run

TERMS_URL = reverse("admin:quotes_offerterms_change", args=[OfferTerms.SINGLETON_PK])


def squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def shown(page: bytes | str, xpath: str) -> str:
    """The visible text of what ``xpath`` finds on an HTML page."""
    tree = lxml_html.fromstring(page)
    for br in tree.xpath("//br"):
        br.tail = " " + (br.tail or "")  # a line break reads as a space
    return " ".join(squash(node.text_content()) for node in tree.xpath(xpath))


def commercial(page) -> str:
    return shown(page, '//section[@class="offer-commercial"]')


def supplier(page) -> str:
    return shown(page, '//section[@class="offer-parties"]/div[@class="party"][2]')


def summary_url(quote) -> str:
    return reverse("quotes:step", args=[quote.pk, "sammanstallning"])


def form_data(terms: OfferTerms, **changes) -> dict:
    """The admin's change form as it shows ``terms``, with ``changes`` typed in."""
    data = {
        name: getattr(terms, name)
        for name in (
            "supplier_name", "org_number", "vat_number", "address", "payment_terms", "invoicing_period",
            "contract_start", "renewal", "notice_period", "delivery_time", "general_terms_name",
            "general_terms_url",
        )
    }
    if terms.f_tax:
        data["f_tax"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def terms(db):
    return OfferTermsFactory()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def draft(doc_env, seller, price_list, terms):
    SellerProfileFactory(user=seller, phone="+46 70 123 45 67")
    seller.email = "sara@example.com"
    seller.save()
    return QuoteFactory(owner=seller, price_list=price_list)


def test_the_migration_seeds_the_terms_an_admin_should_check(db):
    terms = OfferTerms.current()
    assert terms.pk == 1 and terms.supplier_name == "Telia Sverige AB"
    assert (terms.org_number, terms.vat_number, terms.f_tax) == ("556430-0142", "SE556430014201", True)
    assert terms.payment_terms == "30 dagar netto"
    assert terms.general_terms_url.startswith("https://")


def test_a_draft_shows_the_supplier_seller_and_commercial_terms(draft, client, seller):
    client.force_login(seller)
    page = client.get(summary_url(draft)).content
    assert supplier(page) == (
        "Leverantör Telia Sverige AB Org.nr 556430-0142 Momsreg.nr SE556430014201 Godkänd för F-skatt "
        "169 94 Solna Säljare: Sara Säljare sara@example.com · +46 70 123 45 67"
    )
    terms = commercial(page)
    assert terms.startswith("Avtals- och betalningsvillkor Avtalsstart Från leveransdatum Avtalstid 36 månader ")
    for words in (
        "Förlängning Avtalet förlängs med 12 månader i taget om det inte sägs upp",
        "Uppsägning Skriftligen senast 3 månader före avtalstidens slut",
        "Leveranstid Normalt 4–6 veckor från godkänd offert",
        "Betalningsvillkor 30 dagar netto",
        "Fakturering Månadsavgifter faktureras månadsvis i förskott, engångsavgifter efter leverans",
        "Allmänna villkor För avtalet gäller Telias allmänna villkor för företagstjänster: "
        "https://www.telia.se/foretag/villkor, i den version som gäller vid signering.",
    ):
        assert words in terms, (words, terms)
    tree = lxml_html.fromstring(page)
    assert tree.xpath('//section[@class="offer-commercial"]//a/@href') == ["https://www.telia.se/foretag/villkor"]


def test_an_admin_edits_a_term_and_the_drafts_document_shows_it(draft, admin_client, terms, seller, other_seller):
    r = admin_client.post(TERMS_URL, form_data(terms, payment_terms="45 dagar netto", delivery_time="Inom 2 veckor"))
    assert r.status_code == 302, r.content.decode()[:2000]

    admin_client.force_login(seller)
    page = admin_client.get(summary_url(draft)).content
    assert "Betalningsvillkor 45 dagar netto" in commercial(page)
    assert "Leveranstid Inom 2 veckor" in commercial(page)
    assert "30 dagar netto" not in commercial(page)
    admin_client.force_login(other_seller)  # a colleague's draft: its page, priced now
    draft_page = admin_client.get(reverse("quotes:detail", args=[draft.pk])).content
    assert "Betalningsvillkor 45 dagar netto" in commercial(draft_page)


def test_a_signed_offer_keeps_its_terms_after_the_admin_changes_them(draft, admin_client, admin_user, terms, seller):
    signed = quote_sign(quote=draft, user=seller)
    pdf_before = stored_bytes(signed.pdf)

    r = admin_client.post(TERMS_URL, form_data(
        terms, supplier_name="Telia Företag AB", org_number="556987-6542", vat_number="SE556987654201",
        f_tax=None, payment_terms="10 dagar netto", renewal="Avtalet förlängs inte",
        general_terms_url="https://example.com/nya-villkor",
    ))
    assert r.status_code == 302, r.content.decode()[:2000]
    SellerProfile.objects.filter(user=seller).update(phone="+46 8 123 456 78")

    # The seller's page and the customer's page: the terms it was signed with.
    admin_client.force_login(seller)
    seller_page = admin_client.get(reverse("quotes:detail", args=[signed.pk])).content
    admin_client.logout()
    customer_page = admin_client.get(reverse("quote-customer:offer", args=[signed.token])).content
    for page in (seller_page, customer_page):
        assert "Betalningsvillkor 30 dagar netto" in commercial(page)
        assert "Förlängning Avtalet förlängs med 12 månader" in commercial(page)
        assert "https://www.telia.se/foretag/villkor" in commercial(page)
        assert "10 dagar netto" not in commercial(page) and "nya-villkor" not in commercial(page)
        assert "Telia Sverige AB Org.nr 556430-0142 Momsreg.nr SE556430014201 Godkänd för F-skatt" in supplier(page)
        assert "+46 70 123 45 67" in supplier(page)
    # The PDF is the one stored at signing, and the one served.
    admin_client.force_login(seller)
    served = b"".join(admin_client.get(reverse("quotes:pdf", args=[signed.pk])).streaming_content)
    assert served == pdf_before
    assert "Betalningsvillkor 30 dagar netto" in pdf_text(served)

    # A new draft states the new terms.
    new = QuoteFactory(owner=seller)
    doc = offer_document(new)
    assert doc.commercial.payment_terms == "10 dagar netto"
    assert doc.company == {
        "name": "Telia Företag AB", "org_number": "556987-6542", "address": "169 94 Solna",
        "vat_number": "SE556987654201", "f_tax": False,
    }
    page = admin_client.get(summary_url(new)).content
    assert "Org.nr 556987-6542 Momsreg.nr SE556987654201 169 94 Solna" in supplier(page)
    assert "F-skatt" not in supplier(page)
    assert "+46 8 123 456 78" in supplier(page)


def test_the_pdf_states_the_terms_and_the_supplier_on_every_page(draft, seller):
    signed = quote_sign(quote=draft, user=seller)
    data = stored_bytes(signed.pdf)
    text = pdf_text(data)
    assert "Telia Sverige AB Org.nr 556430-0142 Momsreg.nr SE556430014201 Godkänd för F-skatt 169 94 Solna" in text
    assert "Säljare: Sara Säljare sara@example.com · +46 70 123 45 67" in text
    for words in (
        "Avtalsstart Från leveransdatum",
        "Avtalstid 36 månader",
        "Förlängning Avtalet förlängs med 12 månader i taget om det inte sägs upp",
        "Uppsägning Skriftligen senast 3 månader före avtalstidens slut",
        "Leveranstid Normalt 4–6 veckor från godkänd offert",
        "Betalningsvillkor 30 dagar netto",
        "Fakturering Månadsavgifter faktureras månadsvis i förskott, engångsavgifter efter leverans",
        "Telias allmänna villkor för företagstjänster: https://www.telia.se/foretag/villkor",
    ):
        assert words in text, words
    # Before the numbered terms and the signatures, after the totals.
    assert text.index("Avtalsvärde") < text.index("Avtals- och betalningsvillkor") < text.index("Signaturer")
    # The footer of every page names the supplier with its VAT number and F-skatt.
    footer = ("Telia Sverige AB · 169 94 Solna · Org.nr 556430-0142", "Momsreg.nr SE556430014201 · Godkänd för F-skatt")
    pages = pdf_pages(data)
    assert len(pages) >= 2
    for page in pages:
        assert all(line in page for line in footer), page[-400:]


def test_the_summary_seller_page_customer_page_and_pdf_show_the_same_terms(draft, client, seller):
    client.force_login(seller)
    summary = client.get(summary_url(draft)).content
    signed = quote_sign(quote=draft, user=seller)
    seller_page = client.get(reverse("quotes:detail", args=[signed.pk])).content
    client.logout()
    customer_page = client.get(reverse("quote-customer:offer", args=[signed.token])).content

    assert commercial(summary) == commercial(seller_page) == commercial(customer_page) != ""
    assert supplier(summary) == supplier(seller_page) == supplier(customer_page)
    text = pdf_text(stored_bytes(signed.pdf))
    # The PDF reads the same rows in the same order (a link is its address in print).
    tree = lxml_html.fromstring(summary)
    position = 0
    for row in tree.xpath('//section[@class="offer-commercial"]//dl/div'):
        words = squash(row.text_content())
        assert words in text[position:], (words, text[position:position + 300])
        position = text.index(words, position)


def test_an_offer_signed_before_the_terms_were_kept_never_shows_todays(draft, client, seller):
    signed = quote_sign(quote=draft, user=seller)
    old = copy.deepcopy(signed.snapshot)
    del old["commercial"]
    del old["seller"]["phone"]
    old["seller"]["company"] = {"name": "Telia Sverige AB", "org_number": "556430-0142", "address": "169 94 Solna"}
    type(signed).objects.filter(pk=signed.pk).update(snapshot=old)  # as stored before (below the frozen guard)
    signed.refresh_from_db()

    doc = offer_document(signed)
    assert doc.commercial is None and doc.totals.contract_value > 0
    client.force_login(seller)
    page = client.get(reverse("quotes:detail", args=[signed.pk])).content
    assert commercial(page) == ""
    assert supplier(page) == "Leverantör Telia Sverige AB Org.nr 556430-0142 169 94 Solna Säljare: Sara Säljare sara@example.com"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"org_number": "556430-0143"}, "org_number", "Kontrollsiffran stämmer inte"),
        ({"org_number": "55643"}, "org_number", "Ett organisationsnummer har 10 siffror"),
        ({"vat_number": "SE5564300142"}, "vat_number", "Ett svenskt momsregistreringsnummer är SE, organisationsnumrets tio siffror och 01"),
        ({"vat_number": "DE556430014201"}, "vat_number", "Ett svenskt momsregistreringsnummer är SE"),
        ({"vat_number": "SE556987654201"}, "vat_number", "Momsregistreringsnumret hör inte till organisationsnumret: det ska vara SE556430014201"),
        ({"general_terms_url": "telia villkor"}, "general_terms_url", "Fyll i en giltig URL"),
        ({"payment_terms": ""}, "payment_terms", "Detta fält måste fyllas i"),
    ],
    ids=["org-checksum", "org-length", "vat-short", "vat-country", "vat-other-company", "url", "required"],
)
def test_the_admin_refuses_bad_values_with_a_clear_message_and_keeps_what_was_typed(
    admin_client, terms, changes, field, message
):
    r = admin_client.post(TERMS_URL, form_data(terms, delivery_time="Inom 3 veckor", **changes))
    assert r.status_code == 200
    errors = " ".join(str(e) for e in r.context["adminform"].form.errors[field])
    assert message in errors, errors
    page = r.content.decode()
    assert 'Inom 3 veckor</textarea>' in page  # nothing typed is lost
    for value in changes.values():
        assert not value or f'value="{value}"' in page
    assert OfferTerms.current().delivery_time == terms.delivery_time  # nothing saved


def test_the_admin_writes_org_and_vat_numbers_one_way(admin_client, terms):
    r = admin_client.post(TERMS_URL, form_data(terms, org_number="5569876542", vat_number="se 556987 6542 01"))
    assert r.status_code == 302, r.context["adminform"].form.errors
    saved = OfferTerms.current()
    assert (saved.org_number, saved.vat_number) == ("556987-6542", "SE556987654201")
    # Every change is in the row's history.
    assert saved.history.count() >= 1
    assert admin_client.get(reverse("admin:quotes_offerterms_history", args=[1])).status_code == 200


def test_there_is_one_row_of_terms_and_it_cannot_be_deleted(admin_client, terms):
    r = admin_client.get(reverse("admin:quotes_offerterms_changelist"))
    assert r.status_code == 302 and r["Location"] == TERMS_URL
    assert admin_client.get(reverse("admin:quotes_offerterms_add")).status_code == 403
    assert admin_client.get(reverse("admin:quotes_offerterms_delete", args=[1])).status_code == 403
    page = admin_client.get(TERMS_URL).content.decode()
    assert "Momsregistreringsnummer" in page and "Godkänd för F-skatt" in page


def test_sellers_cannot_edit_the_terms(seller_client):
    r = seller_client.get(TERMS_URL)
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_the_admin_sets_a_sellers_phone_on_the_users_page(admin_client, seller, draft):
    url = reverse("admin:auth_user_change", args=[seller.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "Telefon" in page.content.decode()
    data = {
        "username": seller.username, "first_name": seller.first_name, "last_name": seller.last_name,
        "email": seller.email, "is_active": "on", "groups": [g.pk for g in seller.groups.all()],
        "seller_profile-TOTAL_FORMS": "1", "seller_profile-INITIAL_FORMS": "1",
        "seller_profile-MIN_NUM_FORMS": "0", "seller_profile-MAX_NUM_FORMS": "1",
        "seller_profile-0-id": str(seller.seller_profile.pk), "seller_profile-0-user": str(seller.pk),
    }
    bad = admin_client.post(url, {**data, "seller_profile-0-phone": "123"})
    assert bad.status_code == 200
    assert "Telefonnumret är inte giltigt" in bad.content.decode()
    assert 'value="123"' in bad.content.decode()

    ok = admin_client.post(url, {**data, "seller_profile-0-phone": "08-123 456 78"})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    seller.refresh_from_db()
    assert seller.seller_profile.phone == "+46 8 123 456 78"
    assert "+46 8 123 456 78" in supplier(admin_client.get(summary_url(draft)).content)


def test_the_offers_e_mail_is_signed_with_the_sellers_phone(draft, seller):
    signed = quote_sign(quote=draft, user=seller)
    quote_send(quote=signed, user=seller)
    tasks_run()
    [message] = mail.outbox
    assert message.body.rstrip().endswith("Sara Säljare\nTelia Sverige AB\nsara@example.com\nTel. +46 70 123 45 67")
