"""PDF figures for `make bench`: the offer render against a bare WeasyPrint render of the
same HTML, pyHanko's signature, serving a stored signed PDF, and the file size."""

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


def measure_pdf(results: Results, server: Server, seller, quote) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    from quotes.offer.services import quote_sign
    from quotes.offer.pdf import html_to_pdf, offer_pdf_render, pdf_context
    from quotes.offer.signing import pdf_sign
    from quotes.offer.document import offer_document

    quote.items = {**quote.items}
    signed = quote_sign(quote=quote, user=seller)
    n = 5 if QUICK else 15

    def bare() -> bytes:
        return html_to_pdf(html)

    with translation.override("sv"):
        html = render_to_string("quotes/offer/pdf/offer.html", pdf_context(offer_document(signed)))
    bare()  # warm caches (fonts, CSS) for both alike
    offer_pdf_render(quote=signed)
    full_ms, bare_ms = [], []
    for _ in range(n):  # interleaved
        full_ms.append(_median_ms(lambda: offer_pdf_render(quote=signed), 1))
        bare_ms.append(_median_ms(bare, 1))
    full, plain = statistics.median(full_ms), statistics.median(bare_ms)
    results.add(f"Offer PDF render, median of {n}", f"{full:.0f} ms")
    results.add("Bare WeasyPrint render of the same HTML, median", f"{plain:.0f} ms")
    results.add("PDF render / bare render", f"{full / plain:.2f}×", "≤ 1.3×", full / plain <= 1.3)
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
