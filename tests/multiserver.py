"""Two app servers behind a load balancer, on one PostgreSQL: the harness of
``tests/test_two_servers.py`` (and ``make cluster``).

``Cluster`` builds, on loopback only:

- a fresh PostgreSQL database (``smartconnect_cluster`` on the server of ``DATABASE_URL``,
  dropped and created), migrated once;
- a configuration folder with the signing certificate (``manage.py quote_dev_cert``): a
  file every server reads, configuration like the SECRET_KEY, not shared state;
- the static files collected once (``collectstatic``: hashed names and the manifest, see
  ``COLLECTSTATIC``) and copied into each server's own folder, like a release unpacked on
  each machine;
- N gunicorn servers (``configurator.wsgi``), each in its own temporary working directory
  with its own ``MEDIA_ROOT`` and ``STATIC_ROOT`` under it: no shared disk, the same
  read-only code tree, production settings (``DJANGO_DEBUG=0``), one shared
  ``SECRET_KEY``;
- haproxy (Debian's package) as a foreground child with a generated configuration:
  round robin, ``GET /healthz`` health checks every 500 ms, retries with redispatch, a
  ``maxconn`` per server so waiting requests queue in haproxy (not inside a server that may
  die), an ``X-Cluster-Server`` answer header naming the server that answered, and a CSV
  stats page.

``Browser`` is a small HTTP client with a cookie jar that sends the public ``Host`` (the
load balancer's address, as haproxy passes it through) to whichever server it talks to;
``form_fields`` reads a page's form the way a browser would submit it.

Every wait is bounded in time, every process is a child started in its own process group
and stopped (also when a test fails), and everything binds to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
DB_NAME = os.environ.get("CLUSTER_DB_NAME", "smartconnect_cluster")
HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.access("/usr/sbin/haproxy", os.X_OK) else None)

# Variables of the calling shell (and of pytest) that would change what runs in the
# servers: pytest's PYTEST_VERSION switches the settings to test mode.
SCRUBBED = {
    "PYTEST_VERSION", "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS", "DJANGO_DEBUG", "SECRET_KEY",
    "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "STATIC_ROOT", "MEDIA_ROOT",
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "DJANGO_SETTINGS_MODULE", "TRUSTED_PROXY_COUNT", "EMAIL_BACKEND", "SITE_URL", "BENCH_VIEWS",
    "QUOTE_SIGNING_CERT", "QUOTE_SIGNING_KEY", "QUOTE_SIGNING_PKCS12", "QUOTE_SIGNING_DIR",
    "CONN_MAX_AGE", "LOG_LEVEL", "AXES_ENABLED", "AXES_FAILURE_LIMIT", "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def log(msg: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, check, timeout: float, interval: float = 0.1):
    """``check()`` until it returns something truthy, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - retried until the deadline
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s" + (f" (last error: {last_error!r})" if last_error else ""))


def cluster_db_url() -> str:
    """``smartconnect_cluster`` (``CLUSTER_DB_NAME``) on the PostgreSQL server that
    ``DATABASE_URL`` names: dropped and created by every run."""
    base = os.environ.get("DATABASE_URL", "")
    parsed = urllib.parse.urlparse(base)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise RuntimeError(f"the cluster needs PostgreSQL; DATABASE_URL is {base or '(unset)'}")
    if parsed.path.lstrip("/") in (DB_NAME, "postgres", "template0", "template1"):
        raise RuntimeError(f"refusing to drop {DB_NAME!r}: it is DATABASE_URL's own database")
    return parsed._replace(path=f"/{DB_NAME}").geturl()


def pg_database_recreate(db_url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(db_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- HTTP -------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    server: str  # the server that answered (haproxy's X-Cluster-Server, or the one asked)
    started: float  # time.monotonic() when sent
    ended: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return urllib.parse.urlparse(self.headers.get("location", "")).path


class Browser:
    """Cookies and keep-alive connections; sends ``host`` as the Host header (and Origin on
    POST) to any port: what a browser sends to the site's address, passed through by the
    load balancer."""

    def __init__(self, host: str, timeout: float = 30, user_agent: str = "cluster-test"):
        self.host = host
        self.timeout = timeout
        self.user_agent = user_agent
        self.cookies: dict[str, str] = {}
        self._conns: dict[int, http.client.HTTPConnection] = {}
        self._names: dict[int, str] = {}
        # When a request sent again on a new connection (see request()) went out.
        self.resent: list[float] = []

    def name_port(self, port: int, name: str) -> None:
        self._names[port] = name

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()

    def request(self, port: int, method: str, path: str, form=None, headers=None) -> Response:
        """One request, never retried (a browser does not repeat a POST either)."""
        body = None
        h = {"Host": self.host, "User-Agent": self.user_agent, "Accept-Language": "sv"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            h["Content-Type"] = "application/x-www-form-urlencoded"
            h["Origin"] = f"http://{self.host}"
        h.update(headers or {})
        started = time.monotonic()
        for attempt in (1, 2):
            conn = self._conns.get(port)
            reused = conn is not None
            if conn is None:
                conn = self._conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
            try:
                conn.request(method, path, body=body, headers=h)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                conn.close()
                self._conns.pop(port, None)
                # A kept-alive connection closed with no answer: the server (or haproxy,
                # whose server connection died) closed it as this request went out.
                # Browsers send the request again on a new connection; so does this, once,
                # and counts it.
                if not reused or attempt == 2:
                    raise
                self.resent.append(time.monotonic())
            except Exception:
                conn.close()
                self._conns.pop(port, None)
                raise
        ended = time.monotonic()
        headers_ = {k.lower(): v for k, v in resp.getheaders() if k.lower() != "set-cookie"}
        for raw in resp.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for key, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or morsel.value == "":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        if resp.getheader("Connection", "").lower() == "close":
            conn.close()
            self._conns.pop(port, None)
        server = headers_.get("x-cluster-server") or self._names.get(port, str(port))
        return Response(resp.status, headers_, data, server, started, ended)

    def get(self, port: int, path: str, **kw) -> Response:
        return self.request(port, "GET", path, **kw)

    def post(self, port: int, path: str, form, **kw) -> Response:
        return self.request(port, "POST", path, form=form, **kw)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"id": a.get("id", ""), "action": a.get("action", ""), "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"].append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self._form["fields"].append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and self._select_first is not None:
                self._form["fields"].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._text)
            self._form["fields"].append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(
    html: str, *, form_id: str | None = None, action: str | None = None, having: str | None = None
) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would submit, without any submit button, from the
    page's first form with id ``form_id``, whose action ends with ``action``, or that has a
    field named ``having``."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if (
            (form_id and form["id"] == form_id)
            or (action and form["action"].endswith(action))
            or (having and having in {name for name, _ in form["fields"]})
        ):
            return list(form["fields"])
    raise LookupError(f"no form {form_id or action or having!r} on the page")


def with_values(fields: list[tuple[str, str]], **values) -> list[tuple[str, str]]:
    """``fields`` with the named ones replaced (added when missing)."""
    out = [(k, str(values[k]) if k in values else v) for k, v in fields]
    out += [(k, str(v)) for k, v in values.items() if k not in {n for n, _ in fields}]
    return out


# --- Processes ----------------------------------------------------------------------------


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of the process group ``pgid``."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields_ = stat[stat.rindex(")") + 2 :].split()
        state, pgrp = fields_[0], int(fields_[2])
        if pgrp == pgid and state not in ("Z", "X"):
            members.append(int(entry))
    return members


def _stop_group(proc: subprocess.Popen | None, sig=signal.SIGTERM, timeout: float = 10) -> None:
    if proc is None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)
    # Workers may outlive a killed master for a moment: never leave any behind.
    try:
        wait_until("process group gone", lambda: not _group_members(proc.pid), 10, 0.05)
    except TimeoutError:
        for pid in _group_members(proc.pid):
            os.kill(pid, signal.SIGKILL)


@dataclass
class AppServer:
    name: str
    port: int
    workdir: Path
    env: dict[str, str]
    workers: int
    threads: int
    proc: subprocess.Popen | None = None
    log_file: object = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def start(self) -> None:
        cmd = [
            GUNICORN, "configurator.wsgi",
            "--pythonpath", str(ROOT),
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", "gthread",
            "--threads", str(self.threads),
            "--timeout", "60",
            # Longer than haproxy keeps an idle connection to a server for reuse: the server
            # never closes one just as haproxy sends a request on it.
            "--keep-alive", "75",
            "--log-level", "warning",
            "--worker-tmp-dir", str(self.workdir / "tmp"),
        ]
        config = ROOT / "gunicorn.conf.py"
        if config.is_file():  # found in the working directory only: name it
            cmd += ["--config", str(config)]
        (self.workdir / "tmp").mkdir(exist_ok=True)
        self.log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=self.workdir, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )

    def pids(self) -> list[int]:
        """The master and its workers."""
        return _group_members(self.proc.pid) if self.proc else []

    def kill(self) -> tuple[list[int], float]:
        """kill -9 the master and every worker at once: their pids, and when (monotonic)."""
        pids = self.pids()
        killed_at = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        wait_until(f"{self.name} dead", lambda: not _group_members(self.proc.pid), 10, 0.02)
        return pids, killed_at

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        _stop_group(self.proc)
        if self.log_file:
            self.log_file.close()
            self.log_file = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def local_files(self) -> list[str]:
        """Files the server wrote in its working directory, besides its static copy,
        its log and gunicorn's heartbeat files."""
        found = []
        for path in self.workdir.rglob("*"):
            rel = path.relative_to(self.workdir)
            if path.is_dir() or rel.parts[0] in ("static", "tmp") or rel.name == "server.log":
                continue
            found.append(str(rel))
        return found


class Cluster:
    """``servers`` gunicorn servers behind haproxy on one fresh PostgreSQL database."""

    def __init__(self, *, servers: int = 2, workers: int = 2, threads: int = 4, seed: dict | None = None):
        self.n_servers = servers
        self.workers = workers
        self.threads = threads
        self.seed_config = seed or {}
        self.db_url = cluster_db_url()
        self.lb_port = free_port()
        self.stats_port = free_port()
        self.host = f"127.0.0.1:{self.lb_port}"
        self.site_url = f"http://{self.host}"
        self.secret_key = secrets.token_urlsafe(50)
        self.base = Path(tempfile.mkdtemp(prefix="smartconnect-cluster-"))
        self.config_dir = self.base / "config"
        self.servers: list[AppServer] = []
        self.haproxy: subprocess.Popen | None = None
        self.seed: dict = {}

    # The environment of every server: production settings, the same SECRET_KEY,
    # the same certificate, the public address; only the folders differ.
    def env(self, workdir: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith("PYTEST_")}
        env.update({
            "DJANGO_SETTINGS_MODULE": "configurator.settings",
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.db_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": self.site_url,
            "SITE_URL": self.site_url,
            # Plain HTTP on loopback (no TLS terminator in front of haproxy here).
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "TRUSTED_PROXY_COUNT": "1",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            "QUOTE_SIGNING_CERT": str(self.config_dir / "signing-cert.pem"),
            "QUOTE_SIGNING_KEY": str(self.config_dir / "signing-key.pem"),
            "PYTHONUNBUFFERED": "1",
        })
        if workdir is not None:
            env["MEDIA_ROOT"] = str(workdir / "media")
            env["STATIC_ROOT"] = str(workdir / "static")
        else:  # manage.py and scripts: never the project's media/ or staticfiles/
            env["MEDIA_ROOT"] = str(self.base / "manage-media")
            env["STATIC_ROOT"] = str(self.base / "release-static")
        return env

    # --- set-up -------------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        t0 = time.monotonic()
        if not HAPROXY:
            raise RuntimeError("haproxy is missing: apt-get install -y haproxy (.ci/run and make cluster do it)")
        log(f"database {self.db_url}; folders under {self.base}")
        pg_database_recreate(self.db_url)
        self.config_dir.mkdir()
        env = self.env()
        # Migrate once, collect the static files once, make the certificate: in parallel.
        jobs = {
            "migrate": [PYTHON, "manage.py", "migrate", "--no-input", "-v0"],
            "collectstatic": [PYTHON, "-c", COLLECTSTATIC],
            "quote_dev_cert": [PYTHON, "manage.py", "quote_dev_cert"],
        }
        procs = {
            name: subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for name, cmd in jobs.items()
        }
        took = {}
        for name, proc in procs.items():
            out, _ = proc.communicate(timeout=240)
            took[name] = time.monotonic() - t0
            if proc.returncode:
                raise RuntimeError(f"{name} failed:\n{out.decode(errors='replace')}")
        log("in parallel: " + ", ".join(f"{name} {s:.1f} s" for name, s in took.items()))
        for i in range(self.n_servers):
            name = "ab"[i] if self.n_servers <= 2 else f"s{i}"
            workdir = self.base / f"server-{name}"
            workdir.mkdir()
            shutil.copytree(self.base / "release-static", workdir / "static")
            server = AppServer(name, free_port(), workdir, self.env(workdir), self.workers, self.threads)
            self.servers.append(server)
            server.start()
        t1 = time.monotonic()
        if self.seed_config:  # while the servers boot
            self.seed = self.script(SEED_SCRIPT, self.seed_config)
            log(f"sellers, sessions and drafts made ({time.monotonic() - t1:.1f} s)")
        for server in self.servers:
            self.wait_healthy(server)
        log(f"servers answer /healthz {time.monotonic() - t1:.1f} s after their start")
        self._start_haproxy()
        log(
            f"{len(self.servers)} servers "
            + ", ".join(f"{s.name} :{s.port} (cwd {s.workdir.name})" for s in self.servers)
            + f" behind haproxy :{self.lb_port}, ready in {time.monotonic() - t0:.1f} s"
        )

    def manage(self, *args: str) -> str:
        out = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=120
        )
        if out.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def script(self, code: str, config: dict | None = None) -> dict:
        """Run ``code`` with Django set up against the cluster's database, in a fresh
        process (what an admin's change would be); ``config`` is ``CONFIG`` there, and the
        script's ``RESULT`` (JSON) comes back."""
        prelude = (
            "import json, os\nimport django\ndjango.setup()\n"
            "CONFIG = json.loads(os.environ['CLUSTER_SCRIPT_CONFIG'])\nRESULT = {}\n"
        )
        epilogue = "\nprint('CLUSTER-RESULT ' + json.dumps(RESULT))\n"
        env = {**self.env(), "CLUSTER_SCRIPT_CONFIG": json.dumps(config or {})}
        out = subprocess.run(
            [PYTHON, "-c", prelude + code + epilogue], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        lines = [line for line in out.stdout.splitlines() if line.startswith("CLUSTER-RESULT ")]
        if out.returncode or not lines:
            raise RuntimeError(f"cluster script failed:\n{out.stdout}\n{out.stderr}")
        return json.loads(lines[-1].removeprefix("CLUSTER-RESULT "))

    def wait_healthy(self, server: AppServer, timeout: float = 90) -> None:
        def healthy():
            if not server.alive():
                raise RuntimeError(f"server {server.name} exited:\n{server.log_tail()}")
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            try:
                conn.request("GET", "/healthz", headers={"Host": self.host})
                return conn.getresponse().status == 200
            finally:
                conn.close()

        try:
            wait_until(f"server {server.name} healthy", healthy, timeout, 0.2)
        except TimeoutError as exc:
            raise RuntimeError(f"{exc}\n{server.log_tail()}") from None

    def haproxy_config(self) -> str:
        per_server = self.workers * self.threads
        servers = "\n".join(
            f"    server {s.name} 127.0.0.1:{s.port} check maxconn {per_server}" for s in self.servers
        )
        return f"""\
global
    maxconn 4096
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout queue 30s
    timeout http-request 10s
    timeout check 1s
    # A connection refused by a dead server is tried again, on another server.
    retries 3
    option redispatch 1
    option forwardfor

frontend site
    bind 127.0.0.1:{self.lb_port}
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host {self.host}
    http-check expect status 200
    # Health checks every 500 ms (2 failures: down, 2 successes: up again); a connection
    # refused in live traffic marks the server down at once, so no request freed from the
    # queue goes to a dead server again.
    default-server inter 500ms fastinter 250ms downinter 1s rise 2 fall 2 observe layer4 error-limit 1 on-error mark-down
    http-response set-header X-Cluster-Server %[srv_name]
{servers}

listen stats
    bind 127.0.0.1:{self.stats_port}
    stats enable
    stats uri /stats
"""

    def _start_haproxy(self) -> None:
        path = self.base / "haproxy.cfg"
        path.write_text(self.haproxy_config())
        check = subprocess.run([HAPROXY, "-c", "-q", "-f", str(path)], capture_output=True, text=True, timeout=30)
        if check.returncode:
            raise RuntimeError(f"haproxy refused its configuration:\n{check.stdout}{check.stderr}")
        self.haproxy_log = open(self.base / "haproxy.log", "ab")  # noqa: SIM115 - closed in __exit__
        self.haproxy = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(path)], cwd=self.base, stdout=self.haproxy_log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        wait_until(
            "haproxy sees every server UP",
            lambda: all(v == "UP" for v in self.server_states().values()) and len(self.server_states()) == len(self.servers),
            30, 0.1,
        )

    def server_states(self) -> dict[str, str]:
        """haproxy's view: server name -> UP / DOWN / ... (its CSV stats page)."""
        if self.haproxy is None or self.haproxy.poll() is not None:
            raise RuntimeError("haproxy is not running:\n" + (self.base / "haproxy.log").read_text(errors="replace"))
        conn = http.client.HTTPConnection("127.0.0.1", self.stats_port, timeout=2)
        try:
            conn.request("GET", "/stats;csv")
            rows = conn.getresponse().read().decode().splitlines()
        finally:
            conn.close()
        header = rows[0].lstrip("# ").split(",")
        states = {}
        for row in rows[1:]:
            cols = dict(zip(header, row.split(",")))
            if cols.get("pxname") == "app" and cols.get("svname") not in ("FRONTEND", "BACKEND"):
                states[cols["svname"]] = cols["status"].split()[0]
        return states

    def server(self, name: str) -> AppServer:
        return next(s for s in self.servers if s.name == name)

    def restart(self, server: AppServer) -> None:
        """Start a killed server again (same folder, same port) and wait until haproxy
        sends it requests again."""
        server.stop()
        server.start()
        self.wait_healthy(server)
        wait_until(f"haproxy sees {server.name} UP", lambda: self.server_states().get(server.name) == "UP", 30, 0.1)

    def sql(self, query: str, params=()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.db_url) as conn:
            return conn.execute(query, params).fetchall()

    def browser(self, **kw) -> Browser:
        b = Browser(self.host, **kw)
        for s in self.servers:
            b.name_port(s.port, s.name)
        b.name_port(self.lb_port, "lb")
        return b

    def __exit__(self, *exc) -> None:
        if exc and exc[0] is not None:
            for s in self.servers:
                log(f"last lines of server {s.name}'s log:\n{s.log_tail()}")
        _stop_group(self.haproxy)
        if getattr(self, "haproxy_log", None):
            self.haproxy_log.close()
        for s in self.servers:
            s.stop()
        try:
            import psycopg

            parsed = urllib.parse.urlparse(self.db_url)
            with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
                name = parsed.path.lstrip("/")
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        except Exception:  # noqa: BLE001 - best effort: the next run drops the database anyway
            pass
        if os.environ.get("CLUSTER_KEEP") == "1":
            log(f"kept {self.base} (CLUSTER_KEEP=1)")
        else:
            shutil.rmtree(self.base, ignore_errors=True)


# collectstatic with the production storage's hashed names and manifest (what
# {% static %} and WhiteNoise read), without its .gz/.br copies: compressing them takes half
# a minute on a busy 2-core machine and has nothing to do with what the servers share.
COLLECTSTATIC = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

storages = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
with override_settings(STORAGES=storages):
    call_command("collectstatic", interactive=False, verbosity=0)
"""

# Run in a fresh process against the cluster's database (Cluster.script): the sellers,
# the draft to sign, and a quote on a draft copy of the price list for the catalog check.
SEED_SCRIPT = """
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client

from configurator.roles import ensure_sellers_group
from configurator.selectors import price_list_in_force
from configurator.services import price_list_copy
from quotes.draft.services import quote_create

User = get_user_model()
group = ensure_sellers_group()
password = make_password(CONFIG["password"])  # hashed once, 0.5 s


def seller(username, first, last, usable=True):
    user = User.objects.create(
        username=username, first_name=first, last_name=last, email=f"{username}@example.com",
        password=password if usable else make_password(None),
    )
    user.groups.add(group)
    return user


sara = seller("sara", "Sara", "Säljare")
seller("sven", "Sven", "Säljare")
quote = quote_create(owner=sara, untouched=False)  # a draft with content, in the list
for name, value in CONFIG["customer"].items():
    setattr(quote, name, value)
quote.items = CONFIG["items"]
quote.save()
RESULT["quote"] = quote.pk

draft_list = price_list_copy(price_list=price_list_in_force(), name="Klustertest")
on_draft = quote_create(owner=sara, price_list=draft_list, untouched=False)
on_draft.items = {"mobile_user": 10}
on_draft.save()
RESULT["draft_list"] = draft_list.pk
RESULT["draft_list_quote"] = on_draft.pk

# The load's sellers: a session each, as a log-in writes it (in the database).
RESULT["load_sessions"] = []
for i in range(CONFIG["load_sellers"]):
    user = seller(f"last{i:02d}", "Last", f"Säljare {i}", usable=False)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    RESULT["load_sessions"].append(client.cookies["sessionid"].value)
"""
