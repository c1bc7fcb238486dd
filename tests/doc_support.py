"""Fixtures and helpers for the document tests (signing, PDF, customer link).

Import the fixtures into a test module (``from .doc_support import ...``): a throwaway
self-signed certificate for the session, media files in a temporary folder, and quotes
that are ready to sign.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from asn1crypto import pem, x509

from quotes.models import Quote
from quotes.offer.signing import dev_certificate_create

VALID_CUSTOMER = {
    "company_name": "Nordisk Logistik AB",
    "org_number": "556987-6543",
    "contact_name": "Erik Lind",
    "contact_email": "erik.lind@nordisklogistik.se",
    "contact_phone": "08-123 456 78",
    "customer_address": "Hamngatan 10\n111 47 Stockholm",
}
MEDIUM_ITEMS = {
    "mobile_user": 25,
    "fixed_number": 10,
    "teams_voice": 25,
    "calendar": 25,
    "function_number": 3,
    "number_series_100": 1,
    "startup_help": 1,
    "extra_config": 2,
    "training_half_day": 1,
}


@pytest.fixture(scope="session")
def signing_cert(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("signing")
    cert, key = folder / "cert.pem", folder / "key.pem"
    dev_certificate_create(cert_path=cert, key_path=key, common_name="Testcertifikat")
    return cert, key


@pytest.fixture
def doc_env(settings, signing_cert, tmp_path):
    """Signing with the test certificate, files in a temporary media folder."""
    cert, key = signing_cert
    settings.QUOTE_SIGNING_CERT = str(cert)
    settings.QUOTE_SIGNING_KEY = str(key)
    settings.QUOTE_SIGNING_PKCS12 = ""
    settings.QUOTE_SIGNING_CHAIN = []
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def trust_root(cert_path: Path):
    data = cert_path.read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def make_quote(*, owner, price_list, **overrides) -> Quote:
    """A draft that can be signed as it is (override anything)."""
    values = {**VALID_CUSTOMER, "items": dict(MEDIUM_ITEMS), "owner": owner, "price_list": price_list}
    values.update(overrides)
    return Quote.objects.create(**values)


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pypdf extracts it, spaces normalised (no-break spaces and the
    Unicode minus read as plain characters)."""
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def pdf_pages(data: bytes) -> list[str]:
    from io import BytesIO

    from pypdf import PdfReader

    return [
        " ".join((p.extract_text() or "").replace("\u00a0", " ").split())
        for p in PdfReader(BytesIO(data)).pages
    ]
