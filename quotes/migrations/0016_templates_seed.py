"""The two shared quote templates every seller starts with, and the empty drafts that
"Ny offert" left behind before drafts were untouched until their first saved change:
archived (their "Skapad" event is part of the audit trail and is never deleted), with an
"Arkiverad" event saying why. Both valid on the seed price list (tests/test_quote_starts.py)."""

from django.db import migrations
from django.utils import timezone

SHARED_TEMPLATES = [
    {
        "name": "Litet kontor, 10 användare",
        "items": {
            "mobile_user": 10, "fixed_number": 10, "softphone": 5, "teams_status": 10,
            "function_number": 1, "number_series_10": 1, "startup_help": 1,
        },
        "traffic": {"sms_domestic": 200, "calls": 300, "avg_call_seconds": 120},
        "contract_months": 36,
    },
    {
        "name": "Kundtjänst med Svarsservice",
        "items": {
            "mobile_user": 15, "fixed_number": 15, "softphone": 15, "call_recording": 15,
            "function_number": 2, "answering_service_10": 1, "nps_survey": 1,
            "guided_delivery": 1, "training_full_day": 1,
        },
        "traffic": {"sms_domestic": 800, "calls": 1500, "avg_call_seconds": 180, "nps_sms_domestic": 300},
        "contract_months": 36,
    },
]


def seed_templates(apps, schema_editor):
    QuoteTemplate = apps.get_model("quotes", "QuoteTemplate")
    for template in SHARED_TEMPLATES:
        if not QuoteTemplate.objects.filter(owner__isnull=True, name=template["name"]).exists():
            QuoteTemplate.objects.create(owner=None, **template)


def archive_empty_drafts(apps, schema_editor):
    Quote = apps.get_model("quotes", "Quote")
    QuoteEvent = apps.get_model("quotes", "QuoteEvent")
    now = timezone.now()
    empty = Quote.objects.filter(status="draft", company_name="", archived_at__isnull=True).exclude(
        events__kind__in=["step_saved", "numbered", "signed", "reissued"]
    ).exclude(number__gt="")
    for quote in empty:
        if quote.items or quote.manual_prices:
            continue
        Quote.objects.filter(pk=quote.pk).update(archived_at=now)
        QuoteEvent.objects.create(
            quote=quote, kind="archived", detail="Tomt utkast (inget sparat) arkiverat automatiskt",
        )


def remove_templates(apps, schema_editor):
    QuoteTemplate = apps.get_model("quotes", "QuoteTemplate")
    QuoteTemplate.objects.filter(owner__isnull=True, name__in=[t["name"] for t in SHARED_TEMPLATES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("quotes", "0015_templates_archive_untouched"),
    ]

    operations = [
        migrations.RunPython(seed_templates, remove_templates),
        migrations.RunPython(archive_empty_drafts, migrations.RunPython.noop),
    ]
