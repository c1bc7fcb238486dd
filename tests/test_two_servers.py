"""Two app servers, one database: the servers keep no state of their own.

Two gunicorn servers, each in its own working directory (no shared disk), behind haproxy
(Debian's package) on one PostgreSQL database (``tests/multiserver.py`` builds it). A seller
signs in and signs a quote on server A; the customer opens the link from the e-mail and
accepts on server B; the seller downloads the signed and the accepted PDF from A and B
(the same bytes, the SHA-256 recorded when signing); a session, a CSRF token, a flash
message, a log-in lock and the catalog cache hold across the two. Then 50 sellers save the
steps of their drafts through haproxy while server A is killed (kill -9, master and
workers): no save that was answered is lost, and after the failover window no request
fails.

PostgreSQL only (``DATABASE_URL=postgres://…``: CI's second run, ``make cluster``); on
SQLite the module is skipped. ``-s`` shows the figures.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from .factories import MEDIUM_ITEMS, VALID_CUSTOMER
from .multiserver import Cluster, Response, form_fields, log, wait_until, with_values

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="two app servers share one PostgreSQL database: runs when DATABASE_URL is postgres:// "
        "(CI's PostgreSQL run in .ci/run, `make cluster`), not on SQLite",
    ),
]

LOAD_SELLERS = int(os.environ.get("CLUSTER_SELLERS", "50"))
LOAD_SECONDS = float(os.environ.get("CLUSTER_SECONDS", "36"))
KILL_AFTER = LOAD_SECONDS / 2
# Requests may fail only while haproxy finds out: those in flight on the killed server,
# until its health check (every 500 ms, 2 failures) takes it out. After this many seconds
# from the kill, none may.
FAILOVER_WINDOW = 5.0
THINK_TIME = (0.05, 0.3)  # seconds between a seller's saves
PASSWORD = "kluster-lösen-8472"
# The factories' customer with an org.nr whose check digit the Kund step accepts
CUSTOMER = dict(VALID_CUSTOMER)


@pytest.fixture(scope="module")
def cluster():
    t0 = time.monotonic()
    seed = {"password": PASSWORD, "customer": CUSTOMER, "items": MEDIUM_ITEMS, "load_sellers": LOAD_SELLERS}
    with Cluster(servers=2, workers=2, threads=4, seed=seed) as c:
        yield c
        files = {s.name: s.local_files() for s in c.servers}
        log(f"files the servers wrote in their own folders (besides static, log): {files}")
        assert files == {s.name: [] for s in c.servers}, files
    log(f"the module took {time.monotonic() - t0:.0f} s, set-up and clean-up included")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_errors(html: str) -> list[str]:
    """The messages of a page: form errors and flash messages, as text."""
    found = re.findall(r'<(?:ul class="errorlist"|div class="[^"]*(?:error-box|message)[^"]*")[^>]*>(.*?)</(?:ul|div)>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found]


def ok(resp: Response, status: int = 200, where: str = "") -> Response:
    assert resp.status == status, (
        f"{where}: HTTP {resp.status} from {resp.server}, expected {status}: {page_errors(resp.text)}"
    )
    return resp


def redirected(resp: Response, location: str, where: str = "") -> Response:
    assert resp.status == 302 and resp.location == location, (
        f"{where}: HTTP {resp.status} {resp.location} from {resp.server}, expected 302 to {location}: "
        f"{page_errors(resp.text)}"
    )
    return resp


def kronor(html: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, f"no #{element_id}"
    return int(re.sub(r"\D", "", match.group(1).split(",")[0]))


def mailed_links(log_text: str) -> list[str]:
    """Customer links in the mails a server printed (the console e-mail backend)."""
    return re.findall(r"https?://[^\s\"<>]+/offert/[A-Za-z0-9_-]{20,64}/", log_text)


# --- One seller, one customer, two servers ------------------------------------------------


def test_signed_on_a_accepted_on_b_the_same_documents_sessions_and_catalog_on_both(cluster):
    a, b = cluster.server("a"), cluster.server("b")
    assert a.alive() and b.alive(), "runs before the failover test (which kills A), as in the file"
    A, B, LB = a.port, b.port, cluster.lb_port
    pk = cluster.seed["quote"]

    # The seller signs in on A (the real log-in form); the session works on B.
    seller = cluster.browser()
    page = ok(seller.get(A, "/login/"), where="log-in page on A")
    redirected(seller.post(A, "/login/", with_values(form_fields(page.text, having="username"),
                                                     username="sara", password=PASSWORD)), "/offerter/", "log-in on A")
    listing = ok(seller.get(B, "/offerter/"), where="quote list on B with A's session")
    assert "Sara Säljare" in listing.text and f"/offerter/{pk}/" in listing.text

    # A draft edited on A reads back on B (no copy kept by A).
    step = ok(seller.get(A, f"/offerter/{pk}/steg/kund/"))
    resp = redirected(seller.post(A, f"/offerter/{pk}/steg/kund/", with_values(
        form_fields(step.text, form_id="step-form"), contact_name="Eva Lind", goto="sammanstallning")),
        f"/offerter/{pk}/steg/sammanstallning/", "Kund step saved on A")
    summary = ok(seller.get(B, resp.location), where="summary on B")
    assert "Eva Lind" in summary.text

    # Sign on A ("Signera och skicka"), with the CSRF token of B's page; A's flash message
    # shows on B.
    csrf = dict(form_fields(summary.text, form_id="step-form"))["csrfmiddlewaretoken"]
    t0 = time.monotonic()
    resp = redirected(seller.post(A, f"/offerter/{pk}/signera/", [("csrfmiddlewaretoken", csrf)]),
                      f"/offerter/{pk}/", "signing on A")
    sign_seconds = time.monotonic() - t0
    detail = ok(seller.get(B, resp.location), where="the signed quote on B")
    (number, status, pdf_name, pdf_sha, token), = cluster.sql(
        "SELECT number, status, pdf, pdf_sha256, token FROM quotes_quote WHERE id = %s", (pk,))
    assert status == "sent" and number.startswith("SC-") and len(pdf_sha) == 64
    assert "är signerad" in detail.text and number in detail.text

    # The stored document: in the database, with the SHA-256 recorded when signing.
    (stored_sha,), = cluster.sql("SELECT sha256 FROM quotes_storeddocument WHERE name = %s", (pdf_name,))
    assert stored_sha == pdf_sha

    # The customer opens the offer's link and accepts on B. When A mailed the offer at once
    # (console backend: its log), the mail's link is on the site's address, not on A's.
    path = f"/offert/{token}/"
    mailed = mailed_links(a.log_path.read_text(errors="replace"))
    assert all(link == cluster.site_url + path for link in mailed), mailed
    customer = cluster.browser(user_agent="Kundens webbläsare")
    offer = ok(customer.get(B, path), where="the customer's page on B")
    accept = form_fields(offer.text, action=f"/offert/{token}/acceptera/")
    assert dict(accept)["document_sha256"] == pdf_sha
    t0 = time.monotonic()
    redirected(customer.post(B, f"/offert/{token}/acceptera/", with_values(
        accept, name="Erik Lind", title="vd", accept_terms="on")), path, "acceptance on B")
    accept_seconds = time.monotonic() - t0
    ok(customer.get(A, path), where="the accepted offer on A")
    (status, accepted_name, accepted_pdf), = cluster.sql(
        "SELECT status, accepted_name, accepted_pdf FROM quotes_quote WHERE id = %s", (pk,))
    assert status == "accepted" and accepted_name == "Erik Lind" and accepted_pdf
    (accepted_sha,), = cluster.sql("SELECT sha256 FROM quotes_storeddocument WHERE name = %s", (accepted_pdf,))

    # The seller downloads both documents from A, from B and through haproxy: the same bytes.
    downloads = {}
    for port in (A, B, LB):
        signed = ok(seller.get(port, f"/offerter/{pk}/pdf/"), where=f"signed PDF from {port}")
        accepted = ok(seller.get(port, f"/offerter/{pk}/pdf/godkand/"), where=f"accepted PDF from {port}")
        by_customer = ok(customer.get(port, f"/offert/{token}/pdf/"), where=f"customer's PDF from {port}")
        assert signed.headers["content-type"] == "application/pdf" and signed.body.startswith(b"%PDF")
        downloads[signed.server] = (sha256(signed.body), sha256(accepted.body), sha256(by_customer.body))
    assert set(downloads) >= {"a", "b"}
    assert set(downloads.values()) == {(pdf_sha, accepted_sha, pdf_sha)}, downloads
    assert accepted_sha != pdf_sha

    # The catalog cache: each worker of each server keeps the catalog per (list, version).
    # An admin's price change bumps the version in the database; both servers price anew.
    on_draft = cluster.seed["draft_list_quote"]
    page = ok(seller.get(A, f"/offerter/{on_draft}/steg/anvandare/"))
    recalc = form_fields(page.text, form_id="step-form")

    def monthly_totals() -> set[tuple[str, int]]:
        seen = set()
        for port in (A, B, A, B, A, B, A, B):  # 4 requests a server: both workers, most likely
            r = ok(seller.post(port, f"/offerter/{on_draft}/steg/anvandare/berakna/", recalc,
                               headers={"HX-Request": "true"}), where="recalculation")
            seen.add((r.server, kronor(r.text, "total-monthly")))
        return seen

    before = monthly_totals()
    assert len({total for _, total in before}) == 1 and {s for s, _ in before} == {"a", "b"}, before
    change = cluster.script(
        "from configurator.models import PriceItem, PriceList\n"
        "item = PriceItem.objects.get(price_list_id=CONFIG['list'], code='mobile_user')\n"
        "item.monthly_fee += 100\n"
        "item.save()\n"
        "RESULT['version'] = PriceList.objects.get(pk=CONFIG['list']).version\n",
        {"list": cluster.seed["draft_list"]},
    )
    after = monthly_totals()
    (old,), (new,) = {t for _, t in before}, {t for _, t in after}
    assert len({t for _, t in after}) == 1 and new == old + 10 * 100, (before, after)

    # A log-in lock (django-axes) counts wrong passwords from both servers.
    intruder = cluster.browser()
    statuses = []
    for attempt, port in enumerate((A, B, A, B, A)):
        page = ok(intruder.get(port, "/login/"), where="log-in page")
        fields = form_fields(page.text, having="username")
        statuses.append(intruder.post(port, "/login/", with_values(fields, username="sven", password=f"fel{attempt}")).status)
    page = ok(intruder.get(B, "/login/"))
    locked = intruder.post(B, "/login/", with_values(form_fields(page.text, having="username"), username="sven", password=PASSWORD))
    assert statuses[:4] == [200] * 4 and statuses[4] == 429 and locked.status == 429, (statuses, locked.status)

    # Logging out on B ends the session on A too.
    ok(seller.post(B, "/logout/", [("csrfmiddlewaretoken", form_fields(listing.text, action="/logout/")[0][1])]), 302)
    gone = seller.get(A, "/offerter/")
    assert gone.status == 302 and gone.location.startswith("/login/"), gone.status

    log(
        f"signed {number} on A ({sign_seconds:.1f} s), accepted on B ({accept_seconds:.1f} s); "
        f"customer link in a mail printed by A: {'yes' if mailed else 'no (mail queued)'}; "
        f"signed PDF sha256 {pdf_sha[:16]}…, accepted {accepted_sha[:16]}…, the same from A, B and haproxy; "
        f"catalog {old} → {new} kr/month on both after the price change (version {change['version']}); "
        f"log-in lock across servers: {statuses} then {locked.status}"
    )


# --- 50 sellers, one server killed --------------------------------------------------------


@dataclass
class Outcome:
    started: float
    ended: float
    ok: bool
    server: str
    what: str


@dataclass
class SellerRun:
    index: int
    session: str
    quote: int | None = None
    attempted: dict[str, list[int]] = field(default_factory=lambda: {"kund": [], "anvandare": []})
    acked: dict[str, list[int]] = field(default_factory=lambda: {"kund": [], "anvandare": []})
    resent: list[float] = field(default_factory=list)  # Browser.resent
    last_answered: float = 0.0  # when the last answered save came back


STEPS = {"kund": ("company_name", "anvandare"), "anvandare": ("mobile_user", "kund")}


def step_value(step: str, run: SellerRun, k: int) -> str:
    return f"Last {run.index} sparning {k}" if step == "kund" else str(k)


def seller_load(cluster: Cluster, run: SellerRun, stop_at: float, outcomes: list[Outcome], lock: threading.Lock) -> None:
    """One seller through haproxy: create a draft, then save its Kund and Användare steps
    in turn (each save moves to the other step, as the stepper does), until ``stop_at``.
    Nothing is retried by the client: a failed request is counted and the seller goes on."""
    rng = random.Random(run.index)
    browser = cluster.browser(timeout=60)
    browser.cookies["sessionid"] = run.session
    port = cluster.lb_port

    def call(what: str, method: str, path: str, form=None, expect=200, location=None) -> Response | None:
        started = time.monotonic()
        try:
            resp = browser.request(port, method, path, form=form)
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            with lock:
                outcomes.append(Outcome(started, time.monotonic(), False, "?", f"{what}: {exc!r}"))
            return None
        good = resp.status == expect and (location is None or resp.location == location)
        with lock:
            outcomes.append(Outcome(started, resp.ended, good, resp.server,
                                    what if good else f"{what}: HTTP {resp.status} {resp.location} from {resp.server}"))
        return resp if good else None

    step, k, page = "kund", 0, None
    for _ in range(10_000):  # bounded; the clock ends it first
        if time.monotonic() >= stop_at:
            break
        if run.quote is None:
            listing = call("quote list", "GET", "/offerter/")
            created = listing and call("new draft", "POST", "/offerter/ny/",
                                       form_fields(listing.text, action="/offerter/ny/"), expect=302)
            if created:
                run.quote = int(re.search(r"/offerter/(\d+)/", created.location).group(1))
            time.sleep(rng.uniform(*THINK_TIME))
            continue
        url = f"/offerter/{run.quote}/steg/{step}/"
        if page is None:
            page = call(f"GET {step}", "GET", url)
            if page is None:
                time.sleep(rng.uniform(*THINK_TIME))
                continue
        k += 1
        name, next_step = STEPS[step]
        run.attempted[step].append(k)
        form = with_values(form_fields(page.text, form_id="step-form"), **{name: step_value(step, run, k)}, goto=next_step)
        saved = call(f"save {step}", "POST", url, form, expect=302, location=f"/offerter/{run.quote}/steg/{next_step}/")
        if saved:
            run.acked[step].append(k)
            run.last_answered = saved.ended
            step = next_step
        page = None
        time.sleep(rng.uniform(*THINK_TIME))
    run.resent = browser.resent
    browser.close()


def lost_drafts(cluster: Cluster, runs: list[SellerRun]) -> list[str]:
    """Drafts not holding every answered save: per step, the stored value is the last
    answered save or a later unanswered one, and the audit trail has a "step_saved" event
    for every answered save (and none beyond the saves sent)."""
    ids = [r.quote for r in runs if r.quote]
    rows = {pk: (company, items or {}) for pk, company, items in cluster.sql(
        "SELECT id, company_name, items FROM quotes_quote WHERE id = ANY(%s)", (ids,))}
    events = dict(cluster.sql(
        "SELECT quote_id, count(*) FROM quotes_quoteevent WHERE kind = 'step_saved' AND quote_id = ANY(%s) "
        "GROUP BY quote_id", (ids,)))
    problems = []
    for run in runs:
        if run.quote is None:
            problems.append(f"seller {run.index}: no draft created")
            continue
        if run.quote not in rows:
            problems.append(f"seller {run.index}: draft {run.quote} missing")
            continue
        company, items = rows[run.quote]
        stored = {
            "kund": int(m.group(1)) if (m := re.fullmatch(rf"Last {run.index} sparning (\d+)", company)) else None,
            "anvandare": items.get("mobile_user"),
        }
        for step in ("kund", "anvandare"):
            acked, attempted = run.acked[step], run.attempted[step]
            last = acked[-1] if acked else None
            allowed = {last} | {k for k in attempted if last is None or k > last}
            if stored[step] not in allowed:
                problems.append(f"seller {run.index}: {step} holds {stored[step]}, last answered save {last}")
        n_acked = sum(len(v) for v in run.acked.values())
        n_sent = sum(len(v) for v in run.attempted.values())
        if not n_acked <= events.get(run.quote, 0) <= n_sent:
            problems.append(f"seller {run.index}: {events.get(run.quote, 0)} step_saved events, "
                            f"{n_acked} answered saves, {n_sent} sent")
    return problems


def test_fifty_sellers_carry_on_through_b_when_a_is_killed(cluster):
    t_test = time.monotonic()
    a = cluster.server("a")
    runs = [SellerRun(i, s) for i, s in enumerate(cluster.seed["load_sessions"])]
    assert len(runs) == LOAD_SELLERS
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    t0 = time.monotonic()
    stop_at = t0 + LOAD_SECONDS
    threads = [
        threading.Thread(target=seller_load, args=(cluster, run, stop_at, outcomes, lock), daemon=True)
        for run in runs
    ]
    for t in threads:
        t.start()
    try:
        time.sleep(max(0.0, t0 + KILL_AFTER - time.monotonic()))
        served_before = Counter(o.server for o in list(outcomes) if o.ok)
        pids, t_kill = a.kill()
        wait_until("haproxy marks A down", lambda: cluster.server_states().get("a") == "DOWN", 10, 0.02)
        detected = time.monotonic() - t_kill
        log(f"killed server A (kill -9 of {len(pids)} processes: master and workers) at "
            f"{t_kill - t0:.1f} s; haproxy marked it DOWN after {detected:.2f} s")
    finally:
        for t in threads:
            t.join(timeout=max(1.0, stop_at - time.monotonic() + 90))
    hung = [t for t in threads if t.is_alive()]
    load_seconds = time.monotonic() - t0

    outcomes = sorted(outcomes, key=lambda o: o.ended)
    errors = [o for o in outcomes if not o.ok]
    before = [o for o in errors if o.ended < t_kill]
    during = [o for o in errors if t_kill <= o.ended <= t_kill + FAILOVER_WINDOW]
    after = [o for o in errors if o.ended > t_kill + FAILOVER_WINDOW]
    resent = sorted(t for r in runs for t in r.resent)
    resent_in_window = [t for t in resent if t_kill <= t <= t_kill + FAILOVER_WINDOW]
    served_after = Counter(o.server for o in outcomes if o.ok and o.started > t_kill + FAILOVER_WINDOW)
    saves_sent = sum(len(v) for r in runs for v in r.attempted.values())
    saves_answered = sum(len(v) for r in runs for v in r.acked.values())
    lost = lost_drafts(cluster, runs)
    carried_on = sum(1 for r in runs if r.last_answered > t_kill + FAILOVER_WINDOW)
    cluster_ok = cluster.server_states()

    times = sorted(o.ended - o.started for o in outcomes)
    in_window = [o.ended - o.started for o in outcomes if t_kill <= o.ended <= t_kill + FAILOVER_WINDOW]
    log(f"latency median {times[len(times) // 2] * 1000:.0f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms; "
        f"slowest answer within the failover window {max(in_window, default=0) * 1000:.0f} ms")
    log(
        f"{LOAD_SELLERS} sellers for {load_seconds:.1f} s through haproxy: {len(outcomes)} requests "
        f"({len(outcomes) / load_seconds:.0f}/s); answered before the kill by "
        f"{dict(served_before)}, after the window by {dict(served_after)}"
    )
    log(f"saves: {saves_sent} sent, {saves_answered} answered; drafts: "
        f"{sum(1 for r in runs if r.quote)} created, {len(lost)} lost; "
        f"{carried_on} of {LOAD_SELLERS} sellers saved after the failover window")
    log(f"errors: {len(before)} before the kill, {len(during)} within {FAILOVER_WINDOW:.0f} s of it "
        f"(the failover window), {len(after)} after it")
    log(f"requests sent again on a new connection after a kept-alive one closed unanswered (as a "
        f"browser does): {len(resent_in_window)} within the window"
        + (f" ({min(resent_in_window) - t_kill:+.2f} to {max(resent_in_window) - t_kill:+.2f} s from the kill)"
           if resent_in_window else "")
        + f", {len(resent) - len(resent_in_window)} outside it")
    for o in (before + during + after)[:12]:
        log(f"  error at {o.ended - t0:.2f} s ({o.ended - t_kill:+.2f} s from the kill): {o.what}")

    assert not hung, f"{len(hung)} seller threads still running"
    assert not lost, lost[:10]
    assert not before, [o.what for o in before[:5]]
    assert not after, [o.what for o in after[:5]]
    assert len(resent) == len(resent_in_window), resent  # only when a server dies
    assert all(r.quote for r in runs)
    assert saves_answered > 5 * LOAD_SELLERS, saves_answered  # the load was a load
    assert carried_on == LOAD_SELLERS, carried_on
    assert set(served_before) == {"a", "b"} and set(served_after) == {"b"}, (served_before, served_after)
    assert cluster_ok == {"a": "DOWN", "b": "UP"}, cluster_ok

    total = time.monotonic() - t_test
    log(f"the load test took {total:.0f} s")
