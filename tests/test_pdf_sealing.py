"""The PDF rendering is sealed: whatever the customer's text holds, rendering the offer
(and the accepted offer) fetches nothing — no local file, no network — and the text is
printed as text.

A tiny HTTP server on a random 127.0.0.1 port counts the requests that reach it while
the quote is signed and accepted; it must count none.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import pytest
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from quotes.customer.services import quote_accept

from quotes.offer.services import quote_sign

from quotes.offer.storage import stored_bytes
from quotes.offer.pdf import ResourceRefused, StaticFilesOnlyFetcher, html_to_pdf, static_file_for

from .doc_support import doc_env, pdf_text, signing_cert  # noqa: F401
from .factories import QuoteFactory

PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "daemon:x:")


@pytest.fixture
def counting_server():
    """An HTTP server on 127.0.0.1 that counts every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def hostile(port: int) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        '<link rel=attachment href="file:///etc/passwd">',
        f"<style>@import url(http://127.0.0.1:{port}/x.css)</style>",
        f'<div style="background:url(http://127.0.0.1:{port}/x.png)">x</div>',
    ]


def squeeze(text: str) -> str:
    """Text without any whitespace (the PDF wraps long lines where it likes)."""
    return "".join(text.split())


def attachments(data: bytes) -> dict:
    return PdfReader(BytesIO(data)).attachments


def test_customer_text_with_html_fetches_nothing_and_prints_as_text(doc_env, seller, price_list, counting_server):
    port, hits = counting_server
    img, link, style, div = hostile(port)
    quote = QuoteFactory(
        owner=seller,
        company_name=f"{img} AB",
        contact_name=link,
        customer_address=f"{style}\n{div}",
        customer_note=" ".join(hostile(port)),
    )
    signed = quote_sign(quote=quote, user=seller)
    offer = stored_bytes(signed.pdf)
    accepted = quote_accept(quote=signed, name=img, title=style, ip="192.0.2.1", user_agent=div)
    accepted_pdf = stored_bytes(accepted.accepted_pdf)

    assert hits == []  # neither rendering reached the network
    assert attachments(offer) == {}  # the offer carries no file at all
    # The accepted offer carries exactly one file: the signed offer, added by the app.
    (name, [content]), = attachments(accepted_pdf).items()
    assert name == f"Offert-{signed.number}-A-signerad.pdf" and content == offer
    for data in (offer, accepted_pdf, content):
        raw_text = pdf_text(data)
        for marker in PASSWD_MARKERS:
            assert marker not in raw_text
            assert marker.encode() not in data
    text = squeeze(pdf_text(offer))
    for payload in (img, link, style, div):
        assert squeeze(payload) in text  # printed literally, as the customer typed it
    acceptance_page = squeeze(pdf_text(accepted_pdf))
    assert squeeze(img) in acceptance_page and squeeze(style) in acceptance_page


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "http://127.0.0.1:{port}/x.css",
        "https://127.0.0.1:{port}/x.png",
        "data:text/plain,root:x:0:0",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "ftp://127.0.0.1:{port}/x",
        "/etc/passwd",
        "static/../../etc/passwd",
    ],
)
def test_the_fetcher_itself_refuses_local_files_the_network_and_data_urls(url, counting_server):
    port, hits = counting_server
    url = url.format(port=port)
    with pytest.raises(ResourceRefused):
        static_file_for(url)
    with pytest.raises(ResourceRefused):
        StaticFilesOnlyFetcher().fetch(url)
    assert hits == []


def test_html_asking_the_local_server_is_never_rendered(counting_server):
    """Were unescaped HTML ever to reach WeasyPrint, the rendering stops without a request."""
    port, hits = counting_server
    for html in hostile(port):
        with pytest.raises(FatalURLFetchingError):
            html_to_pdf(f"<html><body>{html}<p>x</p></body></html>")
    assert hits == []
