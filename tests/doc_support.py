"""Fixtures and helpers for the document tests (signing, PDF, customer link).

Import the fixtures into a test module (``from .doc_support import ...``): a throwaway
self-signed certificate for the session, media files in a temporary folder. Quotes ready
to sign come from ``tests.factories.QuoteFactory``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from asn1crypto import pem, x509

from quotes.models import Quote
from quotes.offer.signing import dev_certificate_create

from .factories import MEDIUM_ITEMS, VALID_CUSTOMER, QuoteFactory  # noqa: F401 - kept importable here


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
    """Deprecated: use ``QuoteFactory(owner=..., **overrides)``. Kept only while
    tests/test_offer_document.py (owned elsewhere for now) still calls it."""
    return QuoteFactory(owner=owner, price_list=price_list, **overrides)


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
