"""The signed documents in storage: saved with their SHA-256, read back checked.

A PDF is rendered and signed once; every download serves the stored bytes after
checking them against the SHA-256 recorded when they were stored. The bytes live in the
database (``quotes.models.StoredDocument``, through ``DocumentStorage``), written in the
transaction that signs or accepts the quote: both commit or neither does.
"""

from __future__ import annotations

import io
import logging

from django.core.files.base import ContentFile
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import DocumentError
from ..events import quote_event_record
from ..models import Quote, QuoteEvent
from ..stored_documents import DocumentStorage, _documents, sha256_hex  # noqa: F401 - sha256_hex for callers

logger = logging.getLogger(__name__)


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


def offer_download_bytes(quote: Quote, *, accepted: bool, request: HttpRequest | None = None, actor=None) -> bytes:
    """The stored offer (or the accepted offer) of ``quote`` for a download, checked. A
    missing or changed document is recorded in the quote's audit trail and raised
    (``DocumentError``); the caller answers in its own form (a page, the API's 409)."""
    field = quote.accepted_pdf if accepted else quote.pdf
    try:
        return document_bytes(field, expected_sha256="" if accepted else quote.pdf_sha256)
    except DocumentError as error:
        quote_event_record(quote=quote, kind=QuoteEvent.Kind.DOCUMENT_ERROR, request=request, actor=actor,
                           detail=f"{field.name}: {error.message}")
        raise


def pdf_response(data: bytes, *, filename: str) -> FileResponse:
    """A stored PDF as the browser shows it: inline, never cached."""
    response = FileResponse(io.BytesIO(data), content_type="application/pdf", filename=filename)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_name(quote: Quote, suffix: str = "") -> str:
    year = quote.number.split("-")[1] if quote.number.count("-") == 2 else str(timezone.now().year)
    return f"quotes/{year}/{quote.number}-{quote.revision}{suffix}.pdf"


def offer_filename(quote: Quote, suffix: str = "") -> str:
    return f"Offert-{quote.number}-{quote.revision}{suffix}.pdf"


def document_save(name: str, data: bytes) -> str:
    """Store a signed PDF; call inside the transaction that writes its quote."""
    return DocumentStorage().save(name, ContentFile(data))
