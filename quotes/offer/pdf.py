"""The offer as a PDF (WeasyPrint, A4): rendered once, when the seller signs.

Rendering goes through ``StaticFilesOnlyFetcher``: the document may load the project's
own static files (print CSS, fonts) and nothing else. ``file://``, ``http(s)://`` to any
other host, ``data:`` and every other scheme are refused, and a refused or missing
resource stops the rendering (a PDF without its fonts or stylesheet is never signed).
"""

from __future__ import annotations

import mimetypes
import posixpath
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .document import OfferDocument, offer_document

# A base URL that can never be fetched (.invalid is reserved): relative URLs in the
# templates resolve against it, and the fetcher maps only its static prefix to files.
PDF_BASE_URL = "https://offert.invalid/"


def static_base() -> str:
    return PDF_BASE_URL + settings.STATIC_URL.strip("/") + "/"


class ResourceRefused(ValueError):
    """The PDF asked for something that is not one of the project's static files."""


def static_file_for(url: str) -> Path:
    """The project's static file behind ``url``, or ``ResourceRefused``."""
    base = static_base()
    if not url.startswith(base):
        raise ResourceRefused(f"Refused to fetch {url[:80]!r}: only the project's static files.")
    parts = urlsplit(url)
    if parts.query:
        raise ResourceRefused(f"Refused to fetch {url[:80]!r}: no query strings.")
    relative = unquote(parts.path)[len(urlsplit(base).path):]
    normalised = posixpath.normpath(relative)
    if not relative or normalised.startswith(("../", "/")) or normalised in {".", ".."} or "\\" in relative:
        raise ResourceRefused(f"Refused to fetch {url[:80]!r}: not a static path.")
    found = finders.find(normalised)
    if found:
        return Path(found)
    try:  # collected static files (production, manifest storage)
        collected = Path(staticfiles_storage.path(normalised))
    except (NotImplementedError, ValueError):
        collected = None
    if collected is not None and collected.is_file():
        return collected
    raise ResourceRefused(f"No static file {normalised!r}.")


class StaticFilesOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher, reduced to the project's static files."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"https"}, allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):  # noqa: ARG002 - WeasyPrint's signature
        path = static_file_for(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".ttf":
            content_type = "font/ttf"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def html_to_pdf(html: str) -> bytes:
    """Render ``html`` (a whole document) to PDF through the static-only fetcher."""
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticFilesOnlyFetcher()).write_pdf()


def pdf_context(document: OfferDocument, **extra) -> dict:
    return {"doc": document, "static_base": static_base(), **extra}


def offer_pdf_render(*, quote) -> bytes:
    """The offer of a signed quote (number, revision, snapshot set), in Swedish."""
    document = offer_document(quote)
    with translation.override("sv"):
        html = render_to_string("quotes/offer/pdf/offer.html", pdf_context(document))
    return html_to_pdf(html)


def acceptance_pdf_render(*, quote) -> bytes:
    """The page recording the customer's acceptance (appended to the signed offer)."""
    document = offer_document(quote)
    with translation.override("sv"):
        html = render_to_string("quotes/offer/pdf/acceptance.html", pdf_context(document, quote=quote))
    return html_to_pdf(html)


def pdf_append(*, original: bytes, extra: bytes, attachment_name: str) -> bytes:
    """A new PDF: the pages of ``original`` then those of ``extra``, with ``original``
    itself attached unchanged (its own signature stays verifiable in the attachment).

    The signature fields of ``original`` are dropped from the copied pages: the new
    document is signed again as a whole."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    for source in (original, extra):
        for page in PdfReader(BytesIO(source)).pages:
            added = writer.add_page(page)
            annots = added.get("/Annots")
            if annots is None:
                continue
            kept = [a for a in annots.get_object() if a.get_object().get("/FT") != "/Sig"]
            if kept:
                added[NameObject("/Annots")] = type(annots.get_object())(kept)
            else:
                del added["/Annots"]
    reader = PdfReader(BytesIO(original))
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
    writer.add_attachment(attachment_name, original)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
