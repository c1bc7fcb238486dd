"""GET /healthz: what a load balancer sees."""

import json

from django.db import OperationalError

from .test_production import HOST, client_script, production_env, run


def test_health_check_answers_anonymously_without_cookies(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}
    assert r.cookies == {}  # no session, no CSRF cookie, no language cookie
    assert "no-cache" in r.headers["Cache-Control"]


def test_health_check_answers_head_and_refuses_post(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_health_check_reports_a_broken_database_with_503(client, db, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("configurator.health.connection", BrokenConnection())
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json() == {"status": "error", "database": "error"}


def test_production_health_check_over_plain_http_while_pages_redirect(tmp_path):
    """In production every page redirects to HTTPS, but the probe gets its answer over
    HTTP; with the database down it gets 503, not an error page."""
    probe = f"""
        r = client.get("/healthz", headers={{"host": "{HOST}"}})
        page = client.get("/login/", headers={{"host": "{HOST}"}})
        print(json.dumps([r.status_code, r.content.decode(), page.status_code]))
    """
    up = run(client_script(probe), production_env(tmp_path))
    assert up.returncode == 0, up.stderr
    status, body, page = json.loads(up.stdout.strip().splitlines()[-1])
    assert (status, json.loads(body), page) == (200, {"status": "ok", "database": "ok"}, 301)

    # Nothing listens on port 1: the database is "down".
    env = production_env(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing")
    down = run(client_script(probe), env)
    assert down.returncode == 0, down.stderr
    status, body, page = json.loads(down.stdout.strip().splitlines()[-1])
    assert (status, json.loads(body)) == (503, {"status": "error", "database": "error"})
