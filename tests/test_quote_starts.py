"""Starting a quote (Tom offert, Från mall…, Kopiera) without leaving empty drafts behind;
templates; archiving, restoring and deleting drafts; signed quotes never deleted."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from configurator.models import PriceItem
from configurator.pricing import price
from configurator.selectors import catalog_for
from configurator.services import price_list_copy, price_list_publish
from quotes.daily import daily_jobs_run
from quotes.draft.services import drafts_untouched_delete, quote_create
from quotes.models import Quote, QuoteEvent, QuoteTemplate
from quotes.offer.services import quote_sign
from quotes.pricing import quote_configuration, quote_pricing

from .doc_support import doc_env, signing_cert  # noqa: F401
from .factories import QuoteEventFactory, QuoteFactory
from .test_lost_updates import concurrent_sqlite_readers  # noqa: F401
from .test_steps import EMPTY, step_url

Kind = QuoteEvent.Kind
SEEDED = ("Kundtjänst med Svarsservice", "Litet kontor, 10 användare")


def list_page(client, **params) -> str:
    return client.get(reverse("quotes:list"), params).content.decode()


def list_rows(client, **params) -> str:
    """The list's table (messages above it left out); empty when it has no rows."""
    page = list_page(client, **params)
    return page[page.index('<table class="quote-table"'):page.index("</table>")] if "</table>" in page else ""


def new_quote(client) -> Quote:
    r = client.post(reverse("quotes:create"))
    assert r.status_code == 302
    return Quote.objects.order_by("-pk").first()


def save_customer(client, quote, name="Kontoret AB"):
    return client.post(step_url(quote, "kund"), {**EMPTY["kund"], "company_name": name, "nav": "next"})


# --- No empty drafts --------------------------------------------------------------------


def test_ny_offert_and_leaving_leaves_nothing_in_the_list(seller_client, price_list):
    for _ in range(3):
        quote = new_quote(seller_client)
        page = seller_client.get(step_url(quote, "kund")).content.decode()
        assert "Inget är sparat i utkastet än" in page  # the step says what happens
        seller_client.post(step_url(quote, "kund"), {**EMPTY["kund"], "nav": "next"})  # Nästa, nothing typed
    page = list_page(seller_client)
    assert "Inga offerter ännu" in page and "kund saknas" not in page
    assert "Inga offerter" in list_page(seller_client, status="draft")
    assert Quote.objects.filter(untouched=True).count() == 3 and not QuoteEvent.objects.exists()


def test_the_first_saved_change_makes_it_a_draft_with_its_trail(seller_client, seller, price_list):
    quote = new_quote(seller_client)
    save_customer(seller_client, quote)
    quote.refresh_from_db()
    assert not quote.untouched
    assert [e.kind for e in quote.events.all()] == [Kind.CREATED, Kind.STEP_SAVED]
    assert quote.events.first().actor == seller
    assert "Kontoret AB" in list_page(seller_client)
    assert "Inget är sparat i utkastet än" not in seller_client.get(step_url(quote, "anvandare")).content.decode()


def test_any_first_event_touches_a_draft_once(seller, other_seller, price_list):
    """Whatever records the first change (a step, a move to today's list, the quotes API)
    goes through the audit trail, which writes "Skapad" first, once."""
    from quotes.events import quote_event_record

    quote = quote_create(owner=seller)
    quote_event_record(quote=quote, kind=Kind.STEP_SAVED, actor=other_seller, detail="API: items")
    quote_event_record(quote=Quote.objects.get(pk=quote.pk), kind=Kind.STEP_SAVED, actor=seller)
    stored = Quote.objects.get(pk=quote.pk)
    assert not stored.untouched and Quote.objects.listed().filter(pk=quote.pk).exists()
    assert [(e.kind, e.actor) for e in stored.events.all()] == [
        (Kind.CREATED, seller), (Kind.STEP_SAVED, other_seller), (Kind.STEP_SAVED, seller)]


def test_the_daily_job_deletes_untouched_drafts_a_day_old_and_nothing_else(seller, price_list):
    old, fresh, touched = (quote_create(owner=seller) for _ in range(3))
    QuoteEventFactory(quote=touched)
    Quote.objects.filter(pk=touched.pk).update(untouched=True)  # an event, however it got there, keeps it
    day_old = timezone.now() - timedelta(hours=25)
    Quote.objects.filter(pk__in=[old.pk, touched.pk]).update(updated_at=day_old)
    signed_draftlike = QuoteFactory(owner=seller)
    Quote.objects.filter(pk=signed_draftlike.pk).update(updated_at=day_old)

    assert daily_jobs_run()["untouched_drafts_deleted"] == 1
    assert set(Quote.objects.values_list("pk", flat=True)) == {fresh.pk, touched.pk, signed_draftlike.pk}
    assert drafts_untouched_delete(now=timezone.now() + timedelta(hours=25)) == 1  # the fresh one, a day later
    assert not Quote.objects.filter(pk=fresh.pk).exists()


def test_a_draft_saved_meanwhile_is_not_swept(seller_client, seller, price_list):
    quote = new_quote(seller_client)
    Quote.objects.filter(pk=quote.pk).update(updated_at=timezone.now() - timedelta(days=2))
    save_customer(seller_client, quote)  # the seller comes back and types, before the job runs
    assert drafts_untouched_delete() == 0
    assert Quote.objects.get(pk=quote.pk).company_name == "Kontoret AB"


# --- Templates --------------------------------------------------------------------------


@pytest.mark.parametrize("name", SEEDED)
def test_the_seeded_templates_follow_the_price_list_rules(name, price_list):
    template = QuoteTemplate.objects.get(name=name, owner__isnull=True)
    catalog = catalog_for(price_list)
    result = price(catalog, quote_configuration(template, catalog))
    assert result.valid, [p.message for p in result.errors]
    assert result.totals.monthly > 0 and not template.items.get("company_name")


def test_a_quote_from_a_template_has_its_lines_on_todays_list(seller_client, price_list):
    page = seller_client.get(reverse("quotes:templates")).content.decode()
    assert "Gemensamma mallar" in page and all(name in page for name in SEEDED)
    template = QuoteTemplate.objects.get(name="Kundtjänst med Svarsservice")
    r = seller_client.post(reverse("quotes:create-from-template", args=[template.pk]))
    quote = Quote.objects.get()
    assert r["Location"] == step_url(quote, "kund")
    assert quote.items == template.items and quote.traffic == template.traffic
    assert quote.price_list == price_list and quote.company_name == ""
    page = seller_client.get(r["Location"]).content.decode()
    assert "Ny offert från mallen «Kundtjänst med Svarsservice»" in page
    summary = seller_client.get(step_url(quote, "sammanstallning")).content.decode()
    assert "Telia Svarsservice, paket 10" in summary and "Vägledd leverans" in summary
    save_customer(seller_client, quote, "Kundtjänsten AB")
    assert quote.events.get(kind=Kind.CREATED).detail == "Från mallen «Kundtjänst med Svarsservice»"


def test_save_as_template_keeps_the_configuration_not_the_customer(seller_client, seller, other_seller, price_list):
    quote = QuoteFactory(owner=other_seller, manual_prices={}, traffic={"calls": 100}, contract_months=24,
                         discounts={"monthly_percent": "5.00"})
    url = reverse("quotes:save-template", args=[quote.pk])
    assert "Kunden följer inte med" in seller_client.get(url).content.decode()
    r = seller_client.post(url, {"name": "  Mitt   kontor "})
    assert r["Location"] == reverse("quotes:templates")
    template = QuoteTemplate.objects.get(name="Mitt kontor")
    assert template.owner == seller and template.items == quote.items
    assert (template.traffic, template.contract_months) == ({"calls": 100}, 24)
    assert template.discounts == {"monthly_percent": "5.00"}
    assert not any(hasattr(template, f) for f in ("company_name", "contact_email", "org_number"))

    again = seller_client.post(url, {"name": "Mitt kontor"})  # the name is taken: said, and kept
    page = again.content.decode()
    assert again.status_code == 200 and "Det finns redan en mall som heter «Mitt kontor»" in page
    assert 'value="Mitt kontor"' in page and QuoteTemplate.objects.filter(name="Mitt kontor").count() == 1
    assert "Gemensam mall" not in page  # only admins share


def test_the_templates_page_says_what_a_template_brings_beyond_its_items(seller_client, seller, price_list):
    """Discounts, free months, alternatives and options travel with a template: the page
    says so before the seller starts from it."""
    QuoteTemplate.objects.create(
        name="Förhandlad", owner=seller, items={"mobile_user": 10, "startup_help": 1},
        discounts={"monthly_percent": "10", "free_months": 2},
        alternatives=[{"name": "Bas", "items": {"mobile_user": 10, "startup_help": 1}, "manual_prices": {}},
                      {"name": "Premium", "items": {"mobile_user": 10, "teams_voice": 10, "startup_help": 1},
                       "manual_prices": {}}],
        options={"call_recording": 10},
    )
    page = seller_client.get(reverse("quotes:templates")).content.decode()
    row = page[page.index("Förhandlad"):]
    row = " ".join(row[:row.index("</th>")].split())
    assert "2 fria månader" in row and "Alternativ: Bas, Premium" in row and "Tillval: Samtalsinspelning" in row
    assert re.search(r"Rabatt \d+,\d % av avtalsvärdet", row)
    seeded = page[page.index("Litet kontor, 10 användare"):]
    assert "Rabatt" not in seeded[:seeded.index("</th>")]  # a template without any says nothing


def test_an_admin_can_save_a_shared_template(client, admin_user, price_list):
    client.force_login(admin_user)
    quote = QuoteFactory(owner=admin_user)
    client.post(reverse("quotes:save-template", args=[quote.pk]), {"name": "Standard", "shared": "on"})
    assert QuoteTemplate.objects.get(name="Standard").owner is None


def test_admins_keep_shared_templates_in_the_admin_and_bad_json_is_refused(admin_client, price_list):
    listing = admin_client.get("/admin/quotes/quotetemplate/").content.decode()
    assert all(name in listing for name in SEEDED) and "Gemensam" in listing
    form = {"name": "Stort kontor", "owner": "", "contract_months": "36", "manual_prices": "{}", "traffic": "{}",
            "discounts": "{}", "travel_cost": "", "alternatives": "[]", "alternative_index": "0", "options": "{}"}
    bad = admin_client.post("/admin/quotes/quotetemplate/add/", {**form, "items": '{"mobile_user": "tio"}'})
    assert bad.status_code == 200 and "heltal från 0 till 100000" in bad.content.decode()
    assert not QuoteTemplate.objects.filter(name="Stort kontor").exists()
    admin_client.post("/admin/quotes/quotetemplate/add/", {**form, "items": '{"mobile_user": 50, "guided_delivery": 1}'})
    assert QuoteTemplate.objects.get(name="Stort kontor").owner is None


def test_a_seller_renames_and_deletes_their_template(seller_client, seller, other_seller, price_list):
    mine = QuoteTemplate.objects.create(name="Gammalt namn", owner=seller, items={"mobile_user": 3})
    theirs = QuoteTemplate.objects.create(name="Svens mall", owner=other_seller, items={"mobile_user": 3})
    page = seller_client.get(reverse("quotes:templates")).content.decode()
    assert "Gammalt namn" in page and "Svens mall" not in page
    seller_client.post(reverse("quotes:template-rename", args=[mine.pk]), {"name": "Nytt namn"})
    assert QuoteTemplate.objects.get(pk=mine.pk).name == "Nytt namn"
    assert "Mallen tas bort för gott" in seller_client.get(reverse("quotes:template-delete", args=[mine.pk])).content.decode()
    seller_client.post(reverse("quotes:template-delete", args=[mine.pk]))
    assert not QuoteTemplate.objects.filter(pk=mine.pk).exists()
    assert seller_client.post(reverse("quotes:template-delete", args=[theirs.pk])).status_code == 404
    assert QuoteTemplate.objects.filter(pk=theirs.pk).exists()


# --- Copies -----------------------------------------------------------------------------


def test_a_copy_of_a_signed_quote_is_a_draft_on_todays_list(doc_env, client, seller, other_seller, price_list):
    # Within a seller's own limit (quotes.approval): signed without an approval.
    discounts = {"lines": {"softphone": {"monthly_percent": "5.00"}, "mobile_user": {"monthly_percent": "5.00"}},
                 "one_time_percent": "2.00"}
    source = quote_sign(
        quote=QuoteFactory(owner=other_seller, items={"mobile_user": 10, "softphone": 4}, contract_months=24,
                           discounts=discounts),
        user=other_seller,
    )
    newer = price_list_copy(price_list=price_list, name="Prislista höst")
    PriceItem.objects.filter(price_list=newer, code="mobile_user").update(monthly_fee=Decimal("99"))
    PriceItem.objects.filter(price_list=newer, code="softphone").delete()
    newer = price_list_publish(price_list=newer, valid_from=timezone.localdate())

    client.force_login(seller)
    r = client.post(reverse("quotes:copy", args=[source.pk]))
    copy = Quote.objects.get(untouched=True)
    assert r["Location"] == step_url(copy, "kund")
    assert copy.owner == seller and copy.price_list == newer and copy.status == Quote.Status.DRAFT
    assert copy.items == {"mobile_user": 10} and copy.contract_months == 24
    assert copy.company_name == "" and copy.contact_email == ""
    page = client.get(r["Location"]).content.decode()
    assert f"Ny offert: en kopia av offert {source.reference} (Nordisk Logistik AB)" in page
    assert "Finns inte i dagens prislista och togs inte med: Softphone" in page
    assert "Prislista: Prislista höst" in page
    # The discounts come along, but for the item today's list lacks.
    assert copy.discounts == {"lines": {"mobile_user": {"monthly_percent": "5.00"}}, "one_time_percent": "2.00"}
    totals = quote_pricing(copy).totals
    assert (totals.monthly_list, totals.monthly) == (Decimal("990.00"), Decimal("940.50"))  # 10 × 99 − 5 %

    save_customer(client, copy, "Ny kund AB")
    created = copy.events.get(kind=Kind.CREATED)
    assert created.detail.startswith(f"Kopia av offert {source.reference} (Nordisk Logistik AB)")
    assert "Softphone" in created.detail
    assert Quote.objects.get(pk=source.pk).snapshot == source.snapshot  # the source is untouched


def test_a_copy_of_a_colleagues_draft_takes_its_alternatives_and_options(seller_client, other_seller, price_list):
    alternatives = [{"name": "Bas", "items": {"mobile_user": 5}, "manual_prices": {}},
                    {"name": "Premium", "items": {"mobile_user": 5, "softphone": 5}, "manual_prices": {}}]
    source = QuoteFactory(owner=other_seller, company_name="Kollegans AB", items={"mobile_user": 5, "softphone": 5},
                          alternatives=alternatives, alternative_index=1, options={"call_recording": 5})
    seller_client.post(reverse("quotes:copy", args=[source.pk]))
    copy = Quote.objects.exclude(pk=source.pk).get()
    assert copy.items == source.items and copy.origin == f"Kopia av utkast {source.pk} (Kollegans AB)"
    assert (copy.alternatives, copy.alternative_index, copy.options) == (alternatives, 1, {"call_recording": 5})


# --- Archive, restore, delete -----------------------------------------------------------


def test_archive_and_restore_a_draft(seller_client, seller, price_list):
    quote = QuoteFactory(owner=seller, company_name="Arkivet AB")
    confirm = seller_client.get(reverse("quotes:archive", args=[quote.pk])).content.decode()
    assert "Arkivera «Arkivet AB»?" in confirm and "kan återställa det" in confirm
    assert "Arkivet AB" in list_rows(seller_client)
    seller_client.post(reverse("quotes:archive", args=[quote.pk]))
    assert "Arkivet AB" not in list_rows(seller_client)
    assert "Arkivet AB" in list_rows(seller_client, status="arkiverade")

    # Archived: read-only until restored; neither a save nor signing goes through.
    r = seller_client.get(step_url(quote, "kund"))
    assert r["Location"] == reverse("quotes:detail", args=[quote.pk])
    detail = seller_client.get(r["Location"]).content.decode()
    assert "Utkastet arkiverades" in detail and "Återställ" in detail
    seller_client.post(step_url(quote, "kund"), {**EMPTY["kund"], "company_name": "Ändrat AB"})
    assert Quote.objects.get(pk=quote.pk).company_name == "Arkivet AB"
    seller_client.post(reverse("quotes:sign", args=[quote.pk]))
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.DRAFT

    seller_client.post(reverse("quotes:restore", args=[quote.pk]))
    assert "Arkivet AB" in list_rows(seller_client)
    assert [e.kind for e in quote.events.all()] == [Kind.ARCHIVED, Kind.RESTORED]
    trail = seller_client.get(step_url(quote, "sammanstallning")).content.decode()
    assert "Arkiverad · Sara Säljare" in trail and "Återställd · Sara Säljare" in trail


def test_an_untouched_draft_is_deleted_a_draft_with_history_is_not(seller_client, seller, price_list):
    fresh = new_quote(seller_client)
    confirm = seller_client.get(reverse("quotes:delete", args=[fresh.pk])).content.decode()
    assert "Inget är sparat i utkastet än. Det tas bort helt" in confirm
    r = seller_client.post(reverse("quotes:delete", args=[fresh.pk]))
    assert r["Location"] == reverse("quotes:list") and not Quote.objects.filter(pk=fresh.pk).exists()

    kept = new_quote(seller_client)
    save_customer(seller_client, kept, "Historik AB")
    page = seller_client.get(reverse("quotes:delete", args=[kept.pk])).content.decode()
    assert "kan inte tas bort, men arkiveras" in page and "Arkivera utkastet" in page
    r = seller_client.post(reverse("quotes:delete", args=[kept.pk]), follow=True)
    assert "Arkivera det i stället" in r.content.decode()
    assert Quote.objects.filter(pk=kept.pk, archived_at__isnull=True).exists()
    assert kept.events.count() == 2


def test_a_signed_quote_is_never_deleted_or_archived(doc_env, seller_client, seller, price_list):
    signed = quote_sign(quote=QuoteFactory(owner=seller), user=seller)
    page = seller_client.get(reverse("quotes:delete", args=[signed.pk])).content.decode()
    assert "En signerad offert kan inte tas bort" in page and "<form" not in page.split("confirm-actions")[1]
    for name in ("quotes:delete", "quotes:archive", "quotes:restore"):  # crafted POSTs
        r = seller_client.post(reverse(name, args=[signed.pk]), follow=True)
        assert "En signerad offert finns alltid kvar" in r.content.decode()
    stored = Quote.objects.get(pk=signed.pk)
    assert (stored.status, stored.archived_at, stored.pdf_sha256) == (Quote.Status.SENT, None, signed.pdf_sha256)


def test_the_overview_counts_no_untouched_or_archived_drafts(seller_client, seller, price_list):
    from quotes.draft.services import quote_archive

    QuoteFactory(owner=seller, company_name="Räknas AB")
    quote_archive(quote=QuoteFactory(owner=seller), user=seller)
    quote_create(owner=seller)
    from quotes.overview.selectors import scoped

    assert scoped([seller.pk]).filter(status=Quote.Status.DRAFT).count() == 1


def test_the_migration_archives_the_empty_drafts_left_behind(seller, price_list):
    from importlib import import_module

    migration = import_module("quotes.migrations.0016_templates_seed")
    empty = QuoteFactory(owner=seller, empty=True)
    QuoteEventFactory(quote=empty)  # its "Skapad", as "Ny offert" wrote it before
    filled = QuoteFactory(owner=seller, empty=True, items={"mobile_user": 2})
    QuoteEventFactory(quote=filled)
    named = QuoteFactory(owner=seller)
    migration.archive_empty_drafts(apps, None)
    archived = set(Quote.objects.filter(archived_at__isnull=False).values_list("pk", flat=True))
    assert archived == {empty.pk}
    assert empty.events.filter(kind=Kind.ARCHIVED).exists() and not named.events.exists()


# --- The daily job and the seller's first save at the same moment ------------------------


@pytest.mark.django_db(transaction=True)
def test_the_sweep_and_a_first_save_at_once_never_lose_the_save(seller, price_list, concurrent_sqlite_readers):
    """The job deletes an untouched draft a day old just as its seller comes back and saves
    the customer: either the save lands first (the draft stays, with its trail) or the
    delete does (the save answers 404). Never a save answered as done and then deleted,
    nor a trail left without its quote."""
    import threading

    from django.db import connection
    from django.test import Client

    for trial in range(12):
        quote = quote_create(owner=seller, price_list=price_list)
        Quote.objects.filter(pk=quote.pk).update(updated_at=timezone.now() - timedelta(days=2))
        client = Client()
        client.force_login(seller)
        barrier = threading.Barrier(2, timeout=60)
        results = {}

        def save():
            try:
                barrier.wait()
                results["save"] = client.post(
                    step_url(quote, "kund"), {**EMPTY["kund"], "company_name": f"Kund {trial} AB", "nav": "next"}
                ).status_code
            finally:
                connection.close()

        def sweep():
            try:
                barrier.wait()
                results["sweep"] = drafts_untouched_delete()
            finally:
                connection.close()

        threads = [threading.Thread(target=save), threading.Thread(target=sweep)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        stored = Quote.objects.filter(pk=quote.pk).first()
        if results["save"] == 302:
            assert stored is not None and stored.company_name == f"Kund {trial} AB", (trial, results)
            assert not stored.untouched and results["sweep"] == 0
            assert [e.kind for e in stored.events.all()] == [Kind.CREATED, Kind.STEP_SAVED]
        else:
            assert results == {"save": 404, "sweep": 1}, (trial, results)
            assert stored is None and not QuoteEvent.objects.filter(quote_id=quote.pk).exists()
