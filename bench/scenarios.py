"""The measurements of `make bench` (bench/harness.py has the tools, bench/run.py runs them)."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import shutil
import statistics
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path

from bench.harness import (
    DB_URL,
    PG_URL,
    QUICK,
    Endpoint,
    Http,
    Results,
    Server,
    cpu_per_request,
    django_setup,
    latency,
    log,
    median_and_spread,
    percentile,
    prepare_database,
    sign_in,
    write_report,
)

# BENCH_ONLY=cpu,pdf,… runs only those parts (while working on one of them).
ONLY = {p for p in os.environ.get("BENCH_ONLY", "").split(",") if p}


def wanted(part: str) -> bool:
    return not ONLY or part in ONLY

# The issue's realistic quote: 25 users, all with Teams Voice and Softphone, 3 function
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
    quote.untouched = False  # filled in here, not left empty: in the list like a saved draft
    quote.save()
    return quote


def recalc_path(quote) -> str:
    return f"/offerter/{quote.pk}/steg/{RECALC_STEP}/berakna/"


# --- 1 + 2: CPU time per request of each endpoint, and single-client latency ------------


def endpoints_for(seller, quote) -> list[Endpoint]:
    from django.urls import NoReverseMatch, reverse

    from configurator.models import ApiToken

    session = sign_in(seller)
    _token, key = ApiToken.issue(user=seller, name="bench")
    htmx, page = session.headers(htmx=True), session.headers(form=False)
    endpoints = [
        Endpoint("bare view", "POST", "/bench/bare/", RECALC_BODY, htmx),
        Endpoint("recalculation", "POST", recalc_path(quote), RECALC_BODY, htmx),
        Endpoint("step page", "GET", f"/offerter/{quote.pk}/steg/{RECALC_STEP}/", "", page),
        Endpoint("quote list", "GET", "/offerter/", "", page),
        Endpoint("API price", "POST", "/api/v1/price", json.dumps({"items": QUOTE_ITEMS}),
                 {"Authorization": f"Token {key}", "Content-Type": "application/json"}),
    ]
    try:
        endpoints.append(Endpoint("overview", "GET", reverse("quotes:overview"), "", page))
    except NoReverseMatch:
        pass
    return endpoints


def throughput_and_latency(results: Results, server: Server, seller, quote) -> None:
    endpoints = endpoints_for(seller, quote)
    client = Http(server.port)
    for e in endpoints:  # every endpoint answers before anything is measured
        resp, body = client.request(e.method, e.path, e.body or None, e.headers)
        assert resp.status == 200, (e.label, resp.status, body[:300])
    seconds = 3 if QUICK else 5
    samples: dict[str, list[float]] = {e.label: [] for e in endpoints}
    for _round in range(3):  # interleaved: a noisy neighbour hits every endpoint alike
        for e in endpoints:
            samples[e.label].append(cpu_per_request(server, e, seconds))
    for e in endpoints:
        results.add(f"CPU per request, {e.label} (3 rounds: median [min–max])", median_and_spread(samples[e.label]))
    ratios = [b / r for b, r in zip(samples["bare view"], samples["recalculation"])]
    median = statistics.median(ratios)
    results.add(
        "Recalculation vs bare view, CPU per request (bare / recalculation)",
        f"{median:.0%} [{min(ratios):.0%}–{max(ratios):.0%}]",
        "≥ 50 %",
        median >= 0.5,
    )
    results.notes.append(
        "CPU per request is the gunicorn workers' user + system time (/proc) over a wrk run "
        f"({seconds} s, 4 connections), divided by the requests wrk completed; it does not depend "
        "on how the connections land on the workers, as requests per second did."
    )
    session = sign_in(seller)

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


def instructions_per_request(results: Results, seller, quote, n: int = 100) -> None:
    """The recalculation against the bare view in instructions (valgrind's callgrind), in
    process: unlike CPU time or req/s it does not move with the machine's load or with how
    connections land on workers, so a change of a few per cent shows. Each figure is
    (instructions of a run with N requests − those of a run with none) / N."""
    import subprocess

    if not shutil.which("valgrind"):
        results.add("Instructions per request (callgrind)", "valgrind missing: not measured")
        return

    def collected(mode: str) -> int:
        env = {**os.environ, "MODE": mode, "N": str(n), "BENCH_QUOTE": str(quote.pk),
               "BENCH_SELLER": seller.username}
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
             str(Path(__file__).with_name("instructions.py"))],
            env=env, capture_output=True, text=True, check=True,
        )
        return int(re.search(r"Collected : (\d+)", run.stderr).group(1))

    log("instructions per request under callgrind (3 runs of a few minutes)")
    base = collected("none")
    per = {mode: (collected(mode) - base) / n for mode in ("bare", "recalc")}
    results.add("Instructions per request, bare view / recalculation (callgrind, in-process)",
                f"{per['bare'] / 1e6:.2f} M / {per['recalc'] / 1e6:.2f} M")
    share = per["bare"] / per["recalc"]
    results.add("Recalculation vs bare view, instructions (bare / recalculation)", f"{share:.0%}",
                "≥ 50 %", share >= 0.5)


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


# --- 10: the quote list at 100 000 quotes (PostgreSQL) -----------------------------------


def list_at_scale(results: Results, count: int = 100_000) -> None:
    """The seller's list in-process (Django's test client, as a request runs in a worker)
    with 100 000 quotes of 21 sellers: page 1 and the last page."""
    from django.test import Client

    from configurator.selectors import price_list_in_force
    from quotes.models import Quote

    seller = make_seller("bench-list")
    colleagues = [make_seller(f"bench-list-{i}") for i in range(20)]
    owners = [seller, *colleagues]
    price_list = price_list_in_force()
    batch = []
    for i in range(count):
        batch.append(Quote(owner=owners[i % len(owners)], price_list=price_list, company_name=f"Kund {i} AB",
                           org_number="556430-0142", items={"mobile_user": 1 + i % 50}))
        if len(batch) == 5_000:
            Quote.objects.bulk_create(batch)
            batch = []
    Quote.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE quotes_quote")  # the steady state autovacuum keeps
    client = Client()
    client.force_login(seller)
    total = Quote.objects.count()
    last = -(-total // 25)
    timings: dict[str, list[float]] = {"page 1": [], f"last page ({last})": []}
    for _round in range(7):
        for label, number in (("page 1", 1), (f"last page ({last})", last)):
            t0 = time.perf_counter()
            response = client.get("/offerter/", {"sida": number})
            timings[label].append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
    for label, values in timings.items():
        ms = statistics.median(values[1:])  # the first round warms the catalog cache
        results.add(f"Quote list at {total:,} quotes on PostgreSQL, {label}, in-process",
                    median_and_spread(values[1:], digits=1), "< 50 ms", ms < 50)


# --- 9: signing different quotes in parallel (PostgreSQL) --------------------------------


def parallel_signing(results: Results, count: int = 30) -> None:
    """30 sellers press "Signera och skicka" on 30 different drafts at once, against one
    signing at a time. The number is reserved in a short transaction and the PDF is made
    with no lock held (quote_sign), so the signings share the cores instead of queueing."""
    from quotes.models import Quote

    seller = make_seller("bench-signer")
    drafts = [make_quote(seller) for _ in range(count + 3)]
    session = sign_in(seller)
    cores = os.cpu_count() or 1
    from django.db import connections

    connections.close_all()
    with Server(PG_URL, workers=cores, threads=8) as server:
        def sign(quote) -> float:
            client = Http(server.port, timeout=300)
            t0 = time.perf_counter()
            resp, _ = client.request("POST", f"/offerter/{quote.pk}/signera/", "", session.headers())
            assert resp.status == 302, resp.status
            return time.perf_counter() - t0

        one = statistics.median(sign(q) for q in drafts[:3])
        started = time.perf_counter()
        times: list[float] = []
        threads = [threading.Thread(target=lambda q=q: times.append(sign(q))) for q in drafts[3:]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        total = time.perf_counter() - started
    signed = Quote.objects.filter(pk__in=[q.pk for q in drafts], status="sent")
    numbers = list(signed.values_list("number", flat=True))
    assert len(numbers) == count + 3 == len(set(numbers)), "every draft signed, each with its own number"
    limit = 2 * one * count / cores
    results.add("One signing (render, sign, store; median of 3)", f"{one * 1000:.0f} ms")
    results.add(f"{count} signings of different drafts at once on PostgreSQL ({cores} cores)",
                f"{total:.1f} s (each {min(times):.1f}–{max(times):.1f} s)",
                f"≤ 2 × one × {count} / {cores} = {limit:.1f} s", total <= limit)


# --- 11: the admin's price-list page --------------------------------------------------------


def admin_price_list(results: Results) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from configurator.selectors import price_list_in_force

    admin, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(admin)
    for label, price_list in (("36 items", price_list_in_force()), ("500 items", big_price_list(500))):
        url = f"/admin/configurator/pricelist/{price_list.pk}/change/"
        client.get(url)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        ms = statistics.median(times)
        results.add(f"Admin price-list page, {label}: time (median of 5) / queries / size",
                    f"{ms:.0f} ms / {len(ctx)} / {len(response.content) / 1024:.0f} KB",
                    "< 500 ms, constant queries", ms < 500)


# --- 8: a large catalog -------------------------------------------------------------------


def catalog_size(results: Results, server: Server, seller) -> None:
    """The recalculation on a 5 000-item price list against the seed's 36 items: the
    engine and the forms look codes up, they do not walk the catalog."""
    small = make_quote(seller)
    large = make_quote(seller, price_list=big_price_list(5_000))
    endpoints = {
        label: next(e for e in endpoints_for(seller, quote) if e.label == "recalculation")
        for label, quote in (("36 items", small), ("5 000 items", large))
    }
    client = Http(server.port)
    for e in endpoints.values():  # warm: each worker loads each catalog once
        for _ in range(4):
            assert client.request(e.method, e.path, e.body, e.headers)[0].status == 200
    seconds = 3 if QUICK else 5
    cpu: dict[str, list[float]] = {label: [] for label in endpoints}
    for _round in range(3):
        for label, e in endpoints.items():
            cpu[label].append(cpu_per_request(server, e, seconds))
    for label in endpoints:
        results.add(f"CPU per recalculation, price list of {label}", median_and_spread(cpu[label]))
    ratio = statistics.median(cpu["5 000 items"]) / statistics.median(cpu["36 items"])
    results.add("Recalculation at 5 000 items / at 36 items", f"{ratio:.2f}×", "≤ 1.10×", ratio <= 1.10)


# --- 7: database connections in production (PostgreSQL) ---------------------------------

CONNECTION_MODES = (
    ("a new connection per request (CONN_MAX_AGE=0)", {"CONN_MAX_AGE": "0", "DATABASE_POOL": "0"}),
    ("persistent connections (CONN_MAX_AGE=60, health checks) — the default",
     {"CONN_MAX_AGE": "60", "DATABASE_POOL": "0"}),
    ("psycopg's connection pool (DATABASE_POOL=1)", {"DATABASE_POOL": "1"}),
)


def connection_modes(results: Results, seller, quote) -> None:
    """The recalculation on PostgreSQL under each way of holding connections: three
    servers side by side, measured in turn, 3 rounds."""
    from contextlib import ExitStack

    seconds = 3 if QUICK else 5
    with ExitStack() as stack:
        servers = [(label, stack.enter_context(Server(PG_URL, env=env))) for label, env in CONNECTION_MODES]
        endpoint = next(e for e in endpoints_for(seller, quote) if e.label == "recalculation")
        cpu: dict[str, list[float]] = {label: [] for label, _ in CONNECTION_MODES}
        rps: dict[str, list[float]] = {label: [] for label, _ in CONNECTION_MODES}
        for _round in range(3):
            for label, server in servers:
                from bench.harness import cpu_seconds, worker_pids, wrk_requests

                pids = worker_pids(server)
                before = cpu_seconds(pids)
                requests, per_second = wrk_requests(server.port, endpoint, seconds)
                cpu[label].append((cpu_seconds(pids) - before) * 1000 / requests)
                rps[label].append(per_second)
    for label, _env in CONNECTION_MODES:
        results.add(f"PostgreSQL, recalculation with {label}: CPU per request / req/s",
                    f"{median_and_spread(cpu[label])} / {statistics.median(rps[label]):,.0f} req/s")


# --- main ---------------------------------------------------------------------------------


def switch_to_postgres() -> None:
    """A fresh PostgreSQL bench database, and Django in this process pointed at it."""
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    prepare_database(PG_URL)
    connections["default"].close()
    settings.DATABASES["default"] = dj_database_url.parse(PG_URL)
    connections.settings = connections.configure_settings(settings.DATABASES)
    del connections["default"]


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
        if wanted("cpu"):
            throughput_and_latency(results, server, seller, quote)
        if wanted("weight"):
            page_weight(results, server, seller, quote)
        if wanted("pdf"):
            pdf_measurements(results, server, seller, quote)
        if wanted("catalog"):
            catalog_size(results, server, seller)
    if wanted("instructions"):
        instructions_per_request(results, seller, quote)
    if wanted("queries"):
        query_counts(results, seller)
    if wanted("admin"):
        admin_price_list(results)

    if wanted("sellers"):
        log("many sellers on PostgreSQL")
        switch_to_postgres()
        many_sellers(results, sellers=50, seconds=15 if QUICK else 60)
    if wanted("signing"):
        if not wanted("sellers"):
            switch_to_postgres()
        parallel_signing(results)
    if wanted("list"):
        if not (wanted("sellers") or wanted("signing")):
            switch_to_postgres()
        list_at_scale(results, count=20_000 if QUICK else 100_000)
    if wanted("connections"):
        if not (wanted("sellers") or wanted("signing") or wanted("list")):
            switch_to_postgres()
        pg_seller = make_seller("bench-connections")
        connection_modes(results, pg_seller, make_quote(pg_seller))

    text = write_report(results, db_label, started, time.monotonic() - t0)
    print("\n" + text)
    missed = [r for r in results.rows if r[3] == "MISSED"]
    if missed:
        print(f"{len(missed)} target(s) missed: " + "; ".join(r[0] for r in missed))
    return 0
