"""PDF figures for `make bench`: the offer render (WeasyPrint) against Chromium's
print-to-PDF of the same HTML (what many teams use instead), the cost per line, pyHanko's
signature, serving a stored signed PDF, and the file size."""

from __future__ import annotations

import statistics
import time

from bench.harness import QUICK, Http, Results, Server, percentile, sign_in


def _median_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


class ChromiumPrinter:
    """Debian's Chromium through Playwright, printing HTML whose static files are served
    from the project (the same fonts and print CSS WeasyPrint gets)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        from quotes.offer.pdf import PDF_BASE_URL, static_file_for

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        self.page = self.browser.new_page()

        def serve(route):
            path = static_file_for(route.request.url)
            route.fulfill(body=path.read_bytes(), content_type="font/ttf" if path.suffix == ".ttf" else "text/css")

        self.page.route(PDF_BASE_URL + "**", serve)

    def pdf(self, html: str) -> bytes:
        self.page.set_content(html, wait_until="load")  # its stylesheet and fonts: absolute URLs, routed
        return self.page.pdf(format="A4", print_background=True)

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()


def per_line(results: Results, signed, n: int) -> None:
    """The offer's render time at 1, 10 and 50 lines: a fixed cost plus a cost per line.
    The documents are the signed quote's, with its lines repeated (the seed catalog has
    fewer than 50 priceable services), rendered as signing renders them."""
    import copy

    from django.template.loader import render_to_string
    from django.utils import translation

    from quotes.offer.document import document_read
    from quotes.offer.pdf import html_to_pdf, pdf_context

    template = next(l for l in signed.snapshot["lines"] if l["section"] == "company")
    sizes = {}
    for lines in (1, 10, 50):
        snap = copy.deepcopy(signed.snapshot)
        snap["lines"] = [dict(template, code=f"line_{i}", name=f"{template['name']} {i}") for i in range(lines)]
        with translation.override("sv"):
            html = render_to_string("quotes/offer/pdf/offer.html", pdf_context(document_read(snap, quote=signed)))
        html_to_pdf(html)
        sizes[lines] = statistics.median(_median_ms(lambda: html_to_pdf(html), 1) for _ in range(n))
    slope = (sizes[50] - sizes[1]) / 49
    results.add("Offer PDF render by number of lines (median)", " / ".join(f"{c} lines {ms:.0f} ms" for c, ms in sizes.items()))
    results.add("Offer PDF: fixed cost + cost per line", f"{sizes[1] - slope:.0f} ms + {slope:.1f} ms a line")


def measure_pdf(results: Results, server: Server, seller, quote) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    from quotes.offer.services import quote_sign
    from quotes.offer.pdf import offer_pdf_render, pdf_context
    from quotes.offer.signing import pdf_sign
    from quotes.offer.document import offer_document

    quote.items = {**quote.items}
    signed = quote_sign(quote=quote, user=seller)
    n = 5 if QUICK else 15

    with translation.override("sv"):
        html = render_to_string("quotes/offer/pdf/offer.html", pdf_context(offer_document(signed)))
    offer_pdf_render(quote=signed)  # warm caches (fonts, CSS)
    chromium = ChromiumPrinter()
    try:
        chromium.pdf(html)  # warm
        weasy_ms, chrome_ms = [], []
        for _ in range(n):  # interleaved
            weasy_ms.append(_median_ms(lambda: offer_pdf_render(quote=signed), 1))
            chrome_ms.append(_median_ms(lambda: chromium.pdf(html), 1))
    finally:
        chromium.close()
    weasy, chrome = statistics.median(weasy_ms), statistics.median(chrome_ms)
    results.add(f"Offer PDF, WeasyPrint (the app's), median of {n} [min–max]",
                f"{weasy:.0f} ms [{min(weasy_ms):.0f}–{max(weasy_ms):.0f}]")
    results.add("The same HTML printed to PDF by Chromium (Playwright, browser already running)",
                f"{chrome:.0f} ms [{min(chrome_ms):.0f}–{max(chrome_ms):.0f}]")
    results.add("WeasyPrint / Chromium", f"{weasy / chrome:.2f}×")
    per_line(results, signed, n=max(3, n // 3))
    pdf = offer_pdf_render(quote=signed)
    sign_ms = _median_ms(lambda: pdf_sign(pdf, field_name="Bench", reason="bench", name="Bench"), n)
    results.add("PAdES signature (pyHanko), median", f"{sign_ms:.0f} ms")

    stored = signed.pdf.size
    results.add("Signed offer PDF size", f"{stored / 1024:.0f} KB ({signed.reference}, {len(signed.snapshot['lines'])} lines)")

    session = sign_in(seller)
    client = Http(server.port)
    url = f"/offerter/{signed.pk}/pdf/"
    times = []
    for _ in range(100 if not QUICK else 30):
        t0 = time.perf_counter()
        resp, body = client.request("GET", url, None, session.headers(form=False))
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status == 200 and body[:5] == b"%PDF-", resp.status
        assert len(body) == stored
    results.add(
        "Serving the stored signed PDF (median / p95)",
        f"{statistics.median(times):.1f} ms / {percentile(times, 95):.1f} ms",
        "≤ 20 ms",
        percentile(times, 95) <= 20,
    )
