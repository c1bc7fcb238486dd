"""The measurements of `make bench` (bench/harness.py has the tools, bench/run.py runs them)."""

from __future__ import annotations

import gzip
import os
import random
import re
import statistics
import threading
import time
import urllib.parse
from datetime import datetime, timezone

from bench.harness import (
    DB_URL,
    PG_URL,
    QUICK,
    Http,
    Results,
    Server,
    django_setup,
    latency,
    log,
    percentile,
    prepare_database,
    run_wrk,
    sign_in,
    write_report,
)

# The realistic quote: 25 users, all with Teams Voice and Softphone, 3 function
# numbers, a 100-number series, startup help and a half-day training.
QUOTE_ITEMS = {
    "mobile_user": 25, "teams_voice": 25, "softphone": 25, "function_number": 3,
    "number_series_100": 1, "startup_help": 1, "training_half_day": 1,
}
RECALC_STEP = "anvandare"
RECALC_BODY = "mobile_user=25&fixed_number=0&softphone=25"


def make_seller(username: str):
    from django.contrib.auth import get_user_model

    from configurator.roles import ensure_sellers_group

    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"first_name": "Bench"})
    user.groups.add(ensure_sellers_group())
    return user


def make_quote(owner, items=None, price_list=None):
    from quotes.draft.services import quote_create

    quote = quote_create(owner=owner, price_list=price_list)
    quote.items = dict(items or QUOTE_ITEMS)
    quote.company_name = "Bench AB"
    quote.org_number = "556430-0142"
    quote.contact_name = "Berit Bench"
    quote.contact_email = "berit@example.com"
    quote.save()
    return quote


def recalc_path(quote) -> str:
    return f"/offerter/{quote.pk}/steg/{RECALC_STEP}/berakna/"


# --- 1 + 2: throughput ratio and single-client latency -----------------------------------


def throughput_and_latency(results: Results, server: Server, seller, quote) -> None:
    session = sign_in(seller)
    client = Http(server.port)
    resp, body = client.request("POST", recalc_path(quote), RECALC_BODY, session.headers(htmx=True))
    assert resp.status == 200 and b"total-one-time" in body, (resp.status, body[:300])
    resp, bare = client.request("POST", "/bench/bare/", RECALC_BODY, session.headers(htmx=True))
    assert resp.status == 200
    results.notes.append(
        f"Recalculation answer {len(body):,} bytes; bare view answer {len(bare):,} bytes (same server, "
        "same middleware, no database)."
    )
    seconds = 5 if QUICK else 15
    recalc_rps, bare_rps = [], []
    for _ in range(2):  # interleaved, so a noisy neighbour hits both alike
        recalc_rps.append(run_wrk(server.port, recalc_path(quote), session, RECALC_BODY, seconds))
        bare_rps.append(run_wrk(server.port, "/bench/bare/", session, RECALC_BODY, seconds))
    r, b = statistics.mean(recalc_rps), statistics.mean(bare_rps)
    results.add("Recalculation throughput (wrk, 8 connections)", f"{r:,.0f} req/s", "", None)
    results.add("Bare view throughput (same server, same run)", f"{b:,.0f} req/s", "", None)
    results.add("Recalculation / bare view", f"{r / b:.0%}", "≥ 50 %", r / b >= 0.5)

    n = 200 if QUICK else 600
    lat = latency(server.port, recalc_path(quote), session, RECALC_BODY, n)
    results.add(
        f"Recalculation latency, one client, {n} requests (median / p95)",
        f"{lat['median']:.1f} ms / {lat['p95']:.1f} ms",
        "p95 ≤ 20 ms",
        lat["p95"] <= 20,
    )
    if "server_median" in lat:
        results.add(
            "… of which server-side (Server-Timing, median / p95)",
            f"{lat['server_median']:.1f} ms / {lat['server_p95']:.1f} ms",
        )


# --- 3: SQL queries per recalculation ----------------------------------------------------


def big_price_list(size: int = 500):
    """The seed price list copied and padded with generated items to ``size`` items."""
    from configurator.models import PriceItem, PriceList
    from configurator.selectors import price_list_in_force
    from configurator.services import price_list_copy

    copy = price_list_copy(price_list=price_list_in_force(), name=f"Bench {size} artiklar")
    have = copy.items.count()
    PriceItem.objects.bulk_create(
        PriceItem(
            price_list=copy, code=f"bench_item_{i}", name=f"Genererad tjänst {i}",
            section=PriceItem.Section.COMPANY, billed_to=PriceItem.BilledTo.COMPANY,
            monthly_fee=i % 500, sort_order=10_000 + i,
        )
        for i in range(size - have)
    )
    copy.status = PriceList.Status.PUBLISHED  # never in force: valid_from stays empty; save() bumps version
    copy.save()
    return copy


def query_counts(results: Results, seller) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(seller)
    big = big_price_list(500)
    counts = {}
    for label, price_list in (("seed catalog (36 items)", None), ("500-item catalog", big)):
        for users in (1, 100, 1000):
            quote = make_quote(seller, {**QUOTE_ITEMS, "mobile_user": users, "softphone": 1, "teams_voice": 1},
                               price_list=price_list)
            body = f"mobile_user={users}&fixed_number={users}&softphone={users}"
            client.post(recalc_path(quote), body, content_type="application/x-www-form-urlencoded",
                        HTTP_HX_REQUEST="true")  # warm-up
            with CaptureQueriesContext(connection) as ctx:
                r = client.post(recalc_path(quote), body, content_type="application/x-www-form-urlencoded",
                                HTTP_HX_REQUEST="true")
            assert r.status_code == 200, r.status_code
            counts[(label, users)] = len(ctx)
    figures = ", ".join(f"{users} users: {n}" for (label, users), n in counts.items() if label.startswith("seed"))
    figures_big = ", ".join(f"{users} users: {n}" for (label, users), n in counts.items() if label.startswith("500"))
    constant = len(set(counts.values())) == 1
    results.add("SQL queries per recalculation, seed catalog", figures, "constant, ≤ 5",
                constant and max(counts.values()) <= 5)
    results.add("SQL queries per recalculation, 500-item catalog", figures_big, "constant, ≤ 5",
                constant and max(counts.values()) <= 5)


# --- 4: PDF ------------------------------------------------------------------------------


def pdf_measurements(results: Results, server: Server, seller, quote) -> None:
    from bench.pdf import measure_pdf

    measure_pdf(results, server, seller, quote)


# --- 5: page weight ----------------------------------------------------------------------


def page_weight(results: Results, server: Server, seller, quote) -> None:
    session = sign_in(seller)
    client = Http(server.port)
    page = f"/offerter/{quote.pk}/steg/kund/"
    headers = {k: v for k, v in session.headers(form=False).items()}
    resp, html = client.request("GET", page, None, headers)
    assert resp.status == 200, resp.status
    assets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(rb'<script[^>]+src="([^"]+)"', html)
    raw = {page: len(html)}
    wire = {page: len(gzip.compress(html))}  # what gzip on the proxy would send; Django sends it plain
    for url in {a.decode() for a in assets}:
        resp, body = client.request("GET", url, None, {"Accept-Encoding": "identity"})
        assert resp.status == 200, (url, resp.status)
        raw[url] = len(body)
        resp, zipped = client.request("GET", url, None, {"Accept-Encoding": "gzip, br"})
        wire[url] = len(zipped)
    total_raw, total_wire = sum(raw.values()), sum(wire.values())
    detail = "; ".join(f"{urllib.parse.urlparse(u).path.rsplit('/', 1)[-1] or 'html'} {raw[u] / 1024:.1f}" for u in raw)
    results.add(
        "Step form first load, uncompressed (HTML + CSS + JS)",
        f"{total_raw / 1024:.1f} KB ({detail} KB)",
        "≤ 100 KB",
        total_raw <= 100 * 1024,
    )
    results.add("Step form first load, compressed (whitenoise br/gzip; HTML gzip)", f"{total_wire / 1024:.1f} KB")


# --- 6: many sellers on PostgreSQL -------------------------------------------------------


def many_sellers(results: Results, sellers: int = 50, seconds: int = 60) -> None:
    """Each simulated seller: open its draft, change quantities, recalculate, save the
    step — in a loop. Afterwards every draft must hold exactly what was last saved."""
    from django.db import connections

    from quotes.models import Quote

    users = [make_seller(f"bench-seller-{i}") for i in range(sellers)]
    quotes = [make_quote(u) for u in users]
    sessions = [sign_in(u) for u in users]
    connections.close_all()

    latencies: list[float] = []
    errors: list[str] = []
    last_saved: dict[int, dict[str, int]] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    with Server(PG_URL, workers=2, threads=8) as server:

        def seller_loop(i: int) -> None:
            rng = random.Random(i)
            client = Http(server.port)
            quote, session = quotes[i], sessions[i]
            step_url = f"/offerter/{quote.pk}/steg/{RECALC_STEP}/"
            n = 0
            while time.monotonic() < stop_at and n < 10_000:
                n += 1
                users_ = rng.randint(1, 200)
                soft = rng.randint(0, users_)
                fixed = rng.randint(0, users_)
                body = f"mobile_user={users_}&fixed_number={fixed}&softphone={soft}"
                for method, path, data, htmx in (
                    ("GET", step_url, None, False),
                    ("POST", recalc_path(quote), body, True),
                    ("POST", step_url, body + "&nav=next", False),
                ):
                    t0 = time.perf_counter()
                    try:
                        resp, _ = client.request(method, path, data, session.headers(htmx=htmx, form=data is not None))
                    except Exception as exc:  # noqa: BLE001 - every failure is counted
                        with lock:
                            errors.append(f"{method} {path}: {exc!r}")
                        continue
                    ms = (time.perf_counter() - t0) * 1000
                    ok = resp.status in (200, 302)
                    with lock:
                        latencies.append(ms)
                        if not ok:
                            errors.append(f"{method} {path}: HTTP {resp.status}")
                        elif method == "POST" and not htmx:
                            expected = {"mobile_user": users_, "fixed_number": fixed, "softphone": soft}
                            last_saved[quote.pk] = {k: v for k, v in expected.items() if v}

        threads = [threading.Thread(target=seller_loop, args=(i,)) for i in range(sellers)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started

    lost = 0
    for quote in Quote.objects.filter(pk__in=[q.pk for q in quotes]):
        saved = {k: v for k, v in quote.items.items() if k in ("mobile_user", "fixed_number", "softphone") and v}
        if quote.pk in last_saved and saved != last_saved[quote.pk]:
            lost += 1
    results.add(
        f"{sellers} sellers for {seconds} s on PostgreSQL: throughput",
        f"{len(latencies) / elapsed:,.0f} req/s ({len(latencies):,} requests)",
    )
    results.add(
        f"{sellers} sellers: latency median / p95",
        f"{statistics.median(latencies):.0f} ms / {percentile(latencies, 95):.0f} ms",
    )
    results.add(f"{sellers} sellers: errors", str(len(errors)), "0", not errors)
    results.add(f"{sellers} sellers: drafts not holding their last save", f"{lost} of {len(last_saved)}", "0",
                lost == 0 and len(last_saved) == sellers)
    if errors:
        results.notes.append("First errors: " + "; ".join(errors[:5]))


# --- main ---------------------------------------------------------------------------------


def main() -> int:
    started = datetime.now(timezone.utc)
    t0 = time.monotonic()
    results = Results()
    db_label = "PostgreSQL" if DB_URL.startswith("postgres") else "SQLite"
    log(f"database {db_label}: {DB_URL}")
    prepare_database(DB_URL)
    django_setup(DB_URL)

    seller = make_seller("bench-seller")
    quote = make_quote(seller)
    from django.db import connections

    connections.close_all()
    with Server(DB_URL) as server:
        throughput_and_latency(results, server, seller, quote)
        page_weight(results, server, seller, quote)
        pdf_measurements(results, server, seller, quote)
    query_counts(results, seller)

    log("many sellers on PostgreSQL")
    connections.close_all()
    prepare_database(PG_URL)
    # Re-point Django at the PostgreSQL bench database for the fixtures of this part.
    from django.conf import settings
    import dj_database_url

    connections["default"].close()
    settings.DATABASES["default"] = dj_database_url.parse(PG_URL)
    connections.settings = connections.configure_settings(settings.DATABASES)
    del connections["default"]
    many_sellers(results, sellers=50, seconds=15 if QUICK else 60)

    text = write_report(results, db_label, started, time.monotonic() - t0)
    print("\n" + text)
    missed = [r for r in results.rows if r[3] == "MISSED"]
    if missed:
        print(f"{len(missed)} target(s) missed: " + "; ".join(r[0] for r in missed))
    return 0
