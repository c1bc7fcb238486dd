"""The bench's tools: the app under gunicorn on loopback, HTTP and wrk clients, the
results table and its report. The scenarios (bench/scenarios.py, bench/pdf.py) use these;
bench/run.py runs them.

Every load loop is bounded in count and time and talks only to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench"
VAR.mkdir(parents=True, exist_ok=True)

DEFAULT_DB = f"sqlite:///{VAR / 'bench.sqlite3'}"
DB_URL = os.environ.get("DATABASE_URL") or DEFAULT_DB
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/smartconnect_bench")
QUICK = os.environ.get("BENCH_QUICK") == "1"  # shorter runs while developing the bench

SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "configurator.settings",
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SITE_URL": "http://127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "BENCH_VIEWS": "1",
    "LOG_LEVEL": "ERROR",
    "STATIC_ROOT": str(VAR / "static"),
}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Database and fixtures (in this process, through Django) ----------------------------


def django_setup(db_url: str) -> None:
    os.environ.update(SERVER_ENV)
    os.environ["DATABASE_URL"] = db_url
    import django

    django.setup()


def prepare_database(db_url: str) -> None:
    """Fresh schema + seed price list (migrations), collectstatic for the manifest."""
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": db_url}
    if db_url.startswith("sqlite"):
        path = Path(urllib.parse.urlparse(db_url).path)
        path.unlink(missing_ok=True)
    else:
        ensure_pg_database(db_url)
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, "manage.py", "quote_dev_cert"], cwd=ROOT, env=env, check=True, capture_output=True)


def ensure_pg_database(db_url: str) -> None:
    """Drop and create the bench database on the local PostgreSQL server."""
    import psycopg

    parsed = urllib.parse.urlparse(db_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- The server ---------------------------------------------------------------------------


class Server:
    def __init__(self, db_url: str, workers: int = 2, threads: int = 4, env: dict[str, str] | None = None):
        self.port = free_port()
        self.db_url = db_url
        self.extra_env = env or {}
        self.workers = workers
        self.threads = threads
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, **SERVER_ENV, "DATABASE_URL": self.db_url, **self.extra_env}
        cmd = [
            str(Path(sys.executable).parent / "gunicorn"),
            "configurator.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", "gthread",
            "--threads", str(self.threads),
            "--log-level", "warning",
            "--access-logfile", "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        ]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        if self.proc:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


@dataclass
class Session:
    """A signed-in seller: cookies and the CSRF header for raw HTTP clients."""

    cookie: str
    csrf: str

    def headers(self, htmx: bool = False, form: bool = True) -> dict[str, str]:
        h = {"Cookie": self.cookie, "X-CSRFToken": self.csrf, "Connection": "keep-alive"}
        if form:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            h["HX-Request"] = "true"
        return h


def sign_in(user) -> Session:
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    return Session(cookie=f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}", csrf=csrf)


class Http:
    """A keep-alive HTTP/1.1 client to the bench server."""

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, body: str | bytes | None = None, headers=None):
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                return resp, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


# --- Measurements -------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run_wrk(port: int, path: str, session: Session, body: str, seconds: int, connections: int = 8) -> float:
    """Requests per second from wrk (a second process on loopback)."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: apt-get install -y wrk (make bench does it)")
    script = VAR / "post.lua"
    headers = session.headers(htmx=True)
    lua = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    lua += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    lua.append(
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("ERRORS %d %d %d\\n", summary.errors.status, '
        "summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))\n"
        "end"
    )
    script.write_text("\n".join(lua) + "\n")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    status_errors = int(re.search(r"ERRORS (\d+) (\d+) (\d+)", out).group(1))
    if status_errors:
        raise RuntimeError(f"wrk saw {status_errors} non-2xx answers on {path}:\n{out}")
    return rps


def latency(port: int, path: str, session: Session, body: str, n: int) -> dict[str, float]:
    client = Http(port)
    times, server = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        resp, _ = client.request("POST", path, body, session.headers(htmx=True))
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status == 200, resp.status
        timing = resp.getheader("Server-Timing") or ""
        m = re.search(r"app;dur=([\d.]+)", timing)
        if m:
            server.append(float(m.group(1)))
    result = {"n": n, "median": statistics.median(times), "p95": percentile(times, 95)}
    if server:
        result["server_median"] = statistics.median(server)
        result["server_p95"] = percentile(server, 95)
    return result


@dataclass
class Results:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)  # what, figure, target, verdict
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, figure: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        self.rows.append((what, figure, target, verdict))
        log(f"{what}: {figure} {('(' + target + ': ' + verdict + ')') if target else ''}")


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def write_report(results: Results, db_label: str, started: datetime, seconds: float) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Run of `make bench` on {started:%Y-%m-%d %H:%M} UTC, {seconds:.0f} s in all.",
        f"Machine: {machine()}.",
        f"Database: {db_label}. Server: gunicorn (gthread), production settings, DEBUG off, loopback.",
        "",
        "| measurement | figure | target | verdict |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in results.rows]
    if results.notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in results.notes]
    text = "\n".join(lines) + "\n"
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text(text)
    return text


# --- CPU time per request -----------------------------------------------------------------
# Requests per second swing with how wrk's keep-alive connections land on gunicorn's
# workers (all on one worker: one core does the work). The CPU time the workers spend per
# request does not: it is what the endpoint costs, whatever the spread.


def worker_pids(server: Server) -> list[int]:
    """The gunicorn master's worker processes (from /proc: their parent is the master)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.proc.pid:
            pids.append(int(stat.parent.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Endpoint:
    label: str
    method: str
    path: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def wrk_requests(port: int, endpoint: Endpoint, seconds: int, connections: int = 4) -> tuple[int, float]:
    """Run wrk against ``endpoint``: (requests completed, requests per second). Any
    non-2xx/3xx answer is an error."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: apt-get install -y wrk (make bench does it)")
    script = VAR / f"wrk-{secrets.token_hex(4)}.lua"
    lua = [f"wrk.method = {json.dumps(endpoint.method)}"]
    if endpoint.body:
        lua.append(f"wrk.body = {json.dumps(endpoint.body)}")
    lua += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in endpoint.headers.items()]
    lua.append(
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("ERRORS %d\\n", summary.errors.status))\n'
        "end"
    )
    script.write_text("\n".join(lua) + "\n")
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
             f"http://127.0.0.1:{port}{endpoint.path}"],
            capture_output=True, text=True, timeout=seconds + 30, check=True,
        ).stdout
    finally:
        script.unlink(missing_ok=True)
    if int(re.search(r"ERRORS (\d+)", out).group(1)):
        raise RuntimeError(f"wrk saw error answers on {endpoint.label}:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return requests, float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def cpu_per_request(server: Server, endpoint: Endpoint, seconds: int) -> float:
    """Milliseconds of worker CPU per request of ``endpoint`` over one wrk run."""
    pids = worker_pids(server)
    before = cpu_seconds(pids)
    requests, _rps = wrk_requests(server.port, endpoint, seconds)
    return (cpu_seconds(pids) - before) * 1000 / requests


def median_and_spread(values: list[float], unit: str = "ms", digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} {unit} [{min(values):.{digits}f}–{max(values):.{digits}f}]"
