"""The overview (quotes.overview): a signed quote's totals as columns the database can
sum, filled here from the snapshots of the quotes signed before; and the sales manager's
team."""

from decimal import Decimal

from django.conf import settings
from django.db import migrations, models

COLUMNS = (("one_time_total", "one_time"), ("monthly_total", "monthly"), ("contract_value", "contract_value"))


def totals_from_snapshots(apps, schema_editor):
    Quote = apps.get_model("quotes", "Quote")
    batch = []
    signed = Quote.objects.filter(signed_at__isnull=False, snapshot__isnull=False, monthly_total__isnull=True)
    for quote in signed.only("id", "snapshot").iterator(chunk_size=500):
        totals = (quote.snapshot or {}).get("totals") or {}
        for field, key in COLUMNS:
            if totals.get(key) is not None:
                setattr(quote, field, Decimal(str(totals[key])))
        batch.append(quote)
        if len(batch) == 500:
            Quote.objects.bulk_update(batch, [f for f, _ in COLUMNS])
            batch = []
    if batch:
        Quote.objects.bulk_update(batch, [f for f, _ in COLUMNS])


class Migration(migrations.Migration):

    dependencies = [
        ("quotes", "0005_numbered_event"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="quote",
            name="one_time_total",
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=14, null=True, verbose_name="engångsavgift"),
        ),
        migrations.AddField(
            model_name="quote",
            name="monthly_total",
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=14, null=True, verbose_name="per månad"),
        ),
        migrations.AddField(
            model_name="quote",
            name="contract_value",
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=14, null=True, verbose_name="avtalsvärde"),
        ),
        migrations.RunPython(totals_from_snapshots, migrations.RunPython.noop),
        migrations.CreateModel(
            name="Team",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="namn")),
                (
                    "manager",
                    models.ForeignKey(
                        limit_choices_to={"groups__name": "Säljchef"},
                        on_delete=models.deletion.PROTECT,
                        related_name="managed_teams",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="säljchef",
                    ),
                ),
                (
                    "members",
                    models.ManyToManyField(blank=True, related_name="sales_teams", to=settings.AUTH_USER_MODEL, verbose_name="säljare"),
                ),
            ],
            options={"verbose_name": "team", "verbose_name_plural": "team", "ordering": ["name"]},
        ),
    ]
