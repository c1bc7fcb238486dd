"""Signed PDFs move from MEDIA_ROOT into the database (StoredDocument), so that a
document commits with its quote and every app server reads the same documents.
Existing files are copied in under the same names; a file that is missing on this disk
is reported, not invented."""

import hashlib
import sys

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import migrations, models

import quotes.models


def files_into_database(apps, schema_editor):
    Quote = apps.get_model("quotes", "Quote")
    StoredDocument = apps.get_model("quotes", "StoredDocument")
    disk = FileSystemStorage(location=settings.MEDIA_ROOT)
    for quote in Quote.objects.exclude(pdf="", accepted_pdf="").only("pk", "pdf", "accepted_pdf"):
        for field in ("pdf", "accepted_pdf"):
            name = getattr(quote, field).name
            if not name or StoredDocument.objects.filter(name=name).exists():
                continue
            if not disk.exists(name):
                sys.stderr.write(f"quotes: {name} (quote {quote.pk}) is not in MEDIA_ROOT; not copied\n")
                continue
            with disk.open(name, "rb") as f:
                data = f.read()
            StoredDocument.objects.create(name=name, data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest())


class Migration(migrations.Migration):

    dependencies = [
        ('quotes', '0002_snapshot_schema_2'),
    ]

    operations = [
        migrations.CreateModel(
            name='StoredDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=255, unique=True)),
                ('data', models.BinaryField()),
                ('size', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'lagrat dokument',
                'verbose_name_plural': 'lagrade dokument',
            },
        ),
        migrations.AlterField(
            model_name='quote',
            name='accepted_pdf',
            field=models.FileField(blank=True, storage=quotes.models.document_storage, upload_to='quotes/%Y/'),
        ),
        migrations.AlterField(
            model_name='quote',
            name='pdf',
            field=models.FileField(blank=True, storage=quotes.models.document_storage, upload_to='quotes/%Y/', verbose_name='PDF'),
        ),
        migrations.RunPython(files_into_database, migrations.RunPython.noop),
    ]
