"""The signed documents in storage: saved with their SHA-256, read back checked.

A PDF is rendered and signed once; every download serves the stored bytes after
checking them against the SHA-256 recorded when they were stored. The bytes live in the
database (``quotes.models.StoredDocument``, through ``DocumentStorage``), written in the
transaction that signs or accepts the quote: both commit or neither does.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from typing import TYPE_CHECKING

from django.apps import apps

from ..errors import DocumentError

if TYPE_CHECKING:  # quotes.models names DocumentStorage for its file fields
    from ..models import Quote

logger = logging.getLogger(__name__)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _documents():
    return apps.get_model("quotes", "StoredDocument").objects


@deconstructible
class DocumentStorage(Storage):
    """Django's storage API over ``StoredDocument``: the PDFs in the database."""

    def _open(self, name, mode="rb"):
        data = _documents().filter(name=name).values_list("data", flat=True).first()
        if data is None:
            raise FileNotFoundError(f"No stored document {name!r}")
        return ContentFile(bytes(data), name=name)

    def _save(self, name, content):
        content.seek(0)
        data = content.read()
        _documents().create(name=name, data=data, size=len(data), sha256=sha256_hex(data))
        return name

    def exists(self, name) -> bool:
        return _documents().filter(name=name).exists()

    def delete(self, name) -> None:
        _documents().filter(name=name).delete()

    def size(self, name) -> int:
        size = _documents().filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(f"No stored document {name!r}")
        return size

    def listdir(self, path):
        names = _documents().filter(name__startswith=path.rstrip("/") + "/" if path else "")
        return [], [n.rsplit("/", 1)[-1] for n in names.values_list("name", flat=True)]

    def url(self, name):
        raise NotImplementedError("Stored documents are served by the app's views, never by URL.")


def stored_bytes(field_file) -> bytes:
    with field_file.storage.open(field_file.name, "rb") as f:
        return f.read()


def document_bytes(field_file, *, expected_sha256: str = "") -> bytes:
    """A stored document's bytes, checked: against the SHA-256 stored with them and, when
    given, the one recorded on the quote. A missing or changed document is a
    ``DocumentError`` (logged), never served."""
    name = field_file.name
    row = _documents().filter(name=name).values_list("data", "sha256").first()
    if row is None:
        logger.error("Stored document %s is missing", name)
        raise DocumentError(_("Det lagrade dokumentet saknas. Det kan inte visas; kontakta support."))
    data = bytes(row[0])
    digest = sha256_hex(data)
    if digest != row[1] or (expected_sha256 and digest != expected_sha256):
        logger.error("Stored document %s does not match its SHA-256", name)
        raise DocumentError(_("Den lagrade PDF:en stämmer inte med sin kontrollsumma. Den visas inte; kontakta support."))
    return data


def quote_pdf_bytes(quote: Quote) -> bytes:
    """The stored, signed offer, checked against the SHA-256 recorded when signing."""
    return document_bytes(quote.pdf, expected_sha256=quote.pdf_sha256)


def pdf_name(quote: Quote, suffix: str = "") -> str:
    year = quote.number.split("-")[1] if quote.number.count("-") == 2 else str(timezone.now().year)
    return f"quotes/{year}/{quote.number}-{quote.revision}{suffix}.pdf"


def offer_filename(quote: Quote, suffix: str = "") -> str:
    return f"Offert-{quote.number}-{quote.revision}{suffix}.pdf"


def document_save(name: str, data: bytes) -> str:
    """Store a signed PDF; call inside the transaction that writes its quote."""
    return DocumentStorage().save(name, ContentFile(data))
