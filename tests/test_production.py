"""Production mode, as the README's "Produktion" section documents it.

Each test starts a fresh Python process without ``PYTEST_VERSION`` (pytest sets it, and
the settings treat it as test mode), so the real production settings are loaded:
``check --deploy``, the SECRET_KEY guard, collectstatic with hashed names, and the pages
and static files as WhiteNoise serves them behind HTTPS.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "offert.example.se"

# Variables of the calling shell that would change what is tested.
SCRUBBED = {
    "PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "STATIC_ROOT", "MEDIA_ROOT", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "DJANGO_SETTINGS_MODULE",
    "TRUSTED_PROXY_COUNT", "EMAIL_BACKEND", "SITE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by browser tests while Playwright runs; async.E001
}


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """The README's production environment, with a fresh random SECRET_KEY.

    An override of ``None`` removes that variable."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update({
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),  # 67 characters
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "SITE_URL": f"https://{HOST}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "staticfiles"),
    })
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run(["manage.py", *args], env)


def client_script(body: str) -> list[str]:
    """``python -c`` running ``body`` with Django set up and ``client`` a test Client;
    ``body`` prints one JSON line."""
    prelude = textwrap.dedent("""
        import json, os
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "configurator.settings")
        import django
        django.setup()
        from django.test import Client
        client = Client()
    """)
    return ["-c", prelude + textwrap.dedent(body)]


def test_check_deploy_passes_clean_with_the_documented_environment(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_fails_when_https_is_turned_off(tmp_path):
    # The check above can fail: switching the HTTPS redirect off is reported and fails.
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = manage(production_env(tmp_path, SECRET_KEY=None), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


@pytest.mark.parametrize("weak_key", [
    "short-key",
    "django-insecure-" + secrets.token_urlsafe(50),
    "a" * 60,
])
def test_production_refuses_a_weak_secret_key(tmp_path, weak_key):
    result = manage(production_env(tmp_path, SECRET_KEY=weak_key), "check")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_debug_mode_still_starts_without_secret_key(tmp_path):
    result = manage(production_env(tmp_path, SECRET_KEY=None, DJANGO_DEBUG="1"), "check")
    assert result.returncode == 0, result.stderr


@pytest.fixture
def collected(tmp_path) -> dict[str, str]:
    """Production environment after ``collectstatic --noinput``."""
    env = production_env(tmp_path)
    result = manage(env, "collectstatic", "--noinput")
    assert result.returncode == 0, result.stderr
    return env


def test_collectstatic_writes_hashed_and_compressed_names(collected):
    static_root = Path(collected["STATIC_ROOT"])
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    assert re.fullmatch(r"css/app\.[0-9a-f]{12}\.css", manifest["css/app.css"])
    assert re.fullmatch(
        r"django_htmx/htmx-2\.min\.[0-9a-f]{12}\.js", manifest["django_htmx/htmx-2.min.js"]
    )
    hashed_css = static_root / manifest["css/app.css"]
    assert hashed_css.read_bytes() == (ROOT / "static/css/app.css").read_bytes()
    assert (static_root / (manifest["css/app.css"] + ".gz")).exists()


def test_production_pages_link_hashed_files_that_whitenoise_serves_for_a_year(collected):
    result = run(client_script(f"""
        page = client.get("/login/", secure=True, headers={{"host": "{HOST}"}})
        html = page.content.decode()
        import re
        css = re.search(r'href="(/static/css/app\\.[0-9a-f]{{12}}\\.css)"', html).group(1)
        js = re.search(r'src="(/static/django_htmx/htmx-2\\.min\\.[0-9a-f]{{12}}\\.js)"', html).group(1)
        served = client.get(css, secure=True, headers={{"host": "{HOST}"}})
        gz = client.get(js, secure=True, headers={{"host": "{HOST}", "accept-encoding": "gzip"}})
        plain = client.get("/login/", headers={{"host": "{HOST}"}})
        print(json.dumps({{
            "page": page.status_code,
            "hsts": page.headers.get("Strict-Transport-Security"),
            "cookies": {{name: {{"secure": bool(c["secure"]), "httponly": bool(c["httponly"])}}
                        for name, c in page.cookies.items()}},
            "css": served.status_code,
            "css_cache": served.headers.get("Cache-Control"),
            "js_encoding": gz.headers.get("Content-Encoding"),
            "plain_http": [plain.status_code, plain.headers.get("Location")],
        }}))
    """), collected)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["page"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["cookies"]["csrftoken"] == {"secure": True, "httponly": False}
    assert seen["css"] == 200
    assert "immutable" in seen["css_cache"] and "max-age=315360000" in seen["css_cache"]
    assert seen["js_encoding"] == "gzip"
    assert seen["plain_http"] == [301, f"https://{HOST}/login/"]


def test_production_refuses_to_start_without_a_site_address(tmp_path):
    """Links in e-mails come from SITE_URL, never from a request's Host header."""
    result = run(["manage.py", "check"], production_env(tmp_path, SITE_URL=None))
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr
