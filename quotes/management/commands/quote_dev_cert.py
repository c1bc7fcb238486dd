"""Create the self-signed development certificate for signing offers, when none is set.

`make run` calls this through ``demo_setup``. It writes ``QUOTE_SIGNING_CERT`` and
``QUOTE_SIGNING_KEY`` (by default var/signing/dev-cert.pem and dev-key.pem) unless
they exist or a PKCS#12 file is configured. Never use the result in production.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from quotes.offer.signing import dev_certificate_create


class Command(BaseCommand):
    help = "Create a self-signed development certificate for signing offers (if none is configured)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Replace an existing development certificate.")

    def handle(self, *args, force=False, **options):
        if settings.QUOTE_SIGNING_PKCS12:
            self.stdout.write(f"Signeringscertifikat: {settings.QUOTE_SIGNING_PKCS12} (PKCS#12)")
            return
        cert, key = Path(settings.QUOTE_SIGNING_CERT), Path(settings.QUOTE_SIGNING_KEY)
        if cert.is_file() and key.is_file() and not force:
            self.stdout.write(f"Signeringscertifikat: {cert}")
            return
        if cert.exists() != key.exists() and not force:
            self.stderr.write(f"Bara en av {cert} och {key} finns: rätta det eller kör med --force.")
            return
        dev_certificate_create(cert_path=cert, key_path=key)
        self.stdout.write(
            f"Skapade ett självsignerat utvecklingscertifikat: {cert} (nyckel {key}). "
            "Bara för utveckling – se README om ett riktigt certifikat."
        )
