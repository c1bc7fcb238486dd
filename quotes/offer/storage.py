"""The signed documents in storage: saved with their SHA-256, read back checked.

A PDF is rendered and signed once; every download serves the stored bytes after
checking them against the SHA-256 recorded when they were stored.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import DocumentError
from ..models import Quote

logger = logging.getLogger(__name__)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_bytes(field_file) -> bytes:
    with field_file.storage.open(field_file.name, "rb") as f:
        return f.read()


def quote_pdf_bytes(quote: Quote) -> bytes:
    """The stored, signed offer, checked against the SHA-256 recorded when signing."""
    data = stored_bytes(quote.pdf)
    if sha256_hex(data) != quote.pdf_sha256:
        logger.error("Stored PDF of quote %s does not match its SHA-256", quote.pk)
        raise DocumentError(_("Den lagrade PDF:en stämmer inte med sin kontrollsumma. Kontakta support."))
    return data


def pdf_name(quote: Quote, suffix: str = "") -> str:
    year = quote.number.split("-")[1] if quote.number.count("-") == 2 else str(timezone.now().year)
    return f"quotes/{year}/{quote.number}-{quote.revision}{suffix}.pdf"


def offer_filename(quote: Quote, suffix: str = "") -> str:
    return f"Offert-{quote.number}-{quote.revision}{suffix}.pdf"


class StoredFiles:
    """Files saved during a transaction; deleted again if it fails."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def save(self, name: str, data: bytes) -> str:
        stored = default_storage.save(name, ContentFile(data))
        self.names.append(stored)
        return stored

    def discard(self) -> None:
        for name in self.names:
            try:
                default_storage.delete(name)
            except OSError:  # pragma: no cover - nothing more to do
                logger.exception("Could not delete %s after a failed transaction", name)
