# Offer terms (issue 11 part 5): the one row of supplier details and commercial terms, its history, and its defaults.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# Seeded once; admins edit the row under "Offertvillkor och leverantörsuppgifter". Telia
# Sverige AB's public org.nr and VAT number (or SELLER_COMPANY_* from the environment, as
# before): assumed defaults an admin should check.
DEFAULTS = {
    "f_tax": True,
    "payment_terms": "30 dagar netto",
    "invoicing_period": "Månadsavgifter faktureras månadsvis i förskott, engångsavgifter efter leverans",
    "contract_start": "Från leveransdatum",
    "renewal": "Avtalet förlängs med 12 månader i taget om det inte sägs upp",
    "notice_period": "Skriftligen senast 3 månader före avtalstidens slut",
    "delivery_time": "Normalt 4–6 veckor från godkänd offert",
    "general_terms_name": "Telias allmänna villkor för företagstjänster",
    "general_terms_url": "https://www.telia.se/foretag/villkor",
}


def seed_offer_terms(apps, schema_editor):
    OfferTerms = apps.get_model("quotes", "OfferTerms")
    if OfferTerms.objects.filter(pk=1).exists():
        return
    company = getattr(settings, "SELLER_COMPANY", {})
    org_number = company.get("org_number") or "556430-0142"
    digits = "".join(c for c in org_number if c.isdigit())
    OfferTerms.objects.create(
        pk=1,
        supplier_name=company.get("name") or "Telia Sverige AB",
        org_number=org_number,
        vat_number=f"SE{digits}01",
        address=company.get("address") or "169 94 Solna",
        **DEFAULTS,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('quotes', '0011_hooks_webhooks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OfferTerms',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('supplier_name', models.CharField(max_length=200, verbose_name='leverantörens juridiska namn')),
                ('org_number', models.CharField(help_text='T.ex. 556430-0142.', max_length=20, verbose_name='organisationsnummer')),
                ('vat_number', models.CharField(help_text='SE, organisationsnumrets tio siffror och 01, t.ex. SE556430014201.', max_length=20, verbose_name='momsregistreringsnummer')),
                ('f_tax', models.BooleanField(default=True, verbose_name='godkänd för F-skatt')),
                ('address', models.CharField(blank=True, help_text='T.ex. 169 94 Solna.', max_length=200, verbose_name='adress')),
                ('payment_terms', models.CharField(help_text='T.ex. 30 dagar netto.', max_length=200, verbose_name='betalningsvillkor')),
                ('invoicing_period', models.CharField(help_text='T.ex. Månadsavgifter faktureras månadsvis i förskott.', max_length=200, verbose_name='fakturering')),
                ('contract_start', models.CharField(help_text='T.ex. Från leveransdatum.', max_length=200, verbose_name='avtalsstart')),
                ('renewal', models.CharField(help_text='T.ex. Avtalet förlängs med 12 månader i taget om det inte sägs upp.', max_length=300, verbose_name='förlängning')),
                ('notice_period', models.CharField(help_text='T.ex. Skriftligen senast 3 månader före avtalstidens slut.', max_length=300, verbose_name='uppsägning')),
                ('delivery_time', models.CharField(help_text='T.ex. Normalt 4–6 veckor från godkänd offert.', max_length=300, verbose_name='leveranstid')),
                ('general_terms_name', models.CharField(max_length=200, verbose_name='allmänna villkor (namn)')),
                ('general_terms_url', models.URLField(max_length=300, verbose_name='allmänna villkor (adress)')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='ändrad')),
            ],
            options={
                'verbose_name': 'offertvillkor och leverantörsuppgifter',
                'verbose_name_plural': 'offertvillkor och leverantörsuppgifter',
            },
        ),
        migrations.CreateModel(
            name='HistoricalOfferTerms',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('supplier_name', models.CharField(max_length=200, verbose_name='leverantörens juridiska namn')),
                ('org_number', models.CharField(help_text='T.ex. 556430-0142.', max_length=20, verbose_name='organisationsnummer')),
                ('vat_number', models.CharField(help_text='SE, organisationsnumrets tio siffror och 01, t.ex. SE556430014201.', max_length=20, verbose_name='momsregistreringsnummer')),
                ('f_tax', models.BooleanField(default=True, verbose_name='godkänd för F-skatt')),
                ('address', models.CharField(blank=True, help_text='T.ex. 169 94 Solna.', max_length=200, verbose_name='adress')),
                ('payment_terms', models.CharField(help_text='T.ex. 30 dagar netto.', max_length=200, verbose_name='betalningsvillkor')),
                ('invoicing_period', models.CharField(help_text='T.ex. Månadsavgifter faktureras månadsvis i förskott.', max_length=200, verbose_name='fakturering')),
                ('contract_start', models.CharField(help_text='T.ex. Från leveransdatum.', max_length=200, verbose_name='avtalsstart')),
                ('renewal', models.CharField(help_text='T.ex. Avtalet förlängs med 12 månader i taget om det inte sägs upp.', max_length=300, verbose_name='förlängning')),
                ('notice_period', models.CharField(help_text='T.ex. Skriftligen senast 3 månader före avtalstidens slut.', max_length=300, verbose_name='uppsägning')),
                ('delivery_time', models.CharField(help_text='T.ex. Normalt 4–6 veckor från godkänd offert.', max_length=300, verbose_name='leveranstid')),
                ('general_terms_name', models.CharField(max_length=200, verbose_name='allmänna villkor (namn)')),
                ('general_terms_url', models.URLField(max_length=300, verbose_name='allmänna villkor (adress)')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='ändrad')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical offertvillkor och leverantörsuppgifter',
                'verbose_name_plural': 'historical offertvillkor och leverantörsuppgifter',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(seed_offer_terms, migrations.RunPython.noop),
    ]
