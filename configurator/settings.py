"""Settings for the Smart Connect quote configurator.

One module, driven by environment variables:

- ``DATABASE_URL``: SQLite file in the project when unset, PostgreSQL when a postgres URL.
- ``SECRET_KEY``: required when ``DJANGO_DEBUG`` is off (50+ random characters).
- ``DJANGO_DEBUG``: "1"/"true" for development (the Makefile's ``run`` sets it).
- ``ALLOWED_HOSTS``: comma separated.
- ``VAT_RATE``: Swedish VAT, 0.25 unless told otherwise.
"""

from decimal import Decimal
from pathlib import Path
import os

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
# pytest (>= 8.2) sets PYTEST_VERSION: tests run without the production HTTPS settings.
TESTING = "PYTEST_VERSION" in os.environ

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "django-insecure-development-key-not-for-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DJANGO_DEBUG is off (see README: Produktion)."
        )
elif not (DEBUG or TESTING) and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    # The same rule as Django's security.W009, enforced: a guessable key signs sessions.
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: use 50+ random characters (see README: Produktion)."
    )

# The site's own address, for links that leave the site (the customer's link in e-mails):
# never taken from a request's Host header.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL:
    if DEBUG:
        SITE_URL = "http://127.0.0.1:8000"
    elif TESTING:
        SITE_URL = "http://testserver"
    else:
        raise ImproperlyConfigured(
            "SITE_URL must be set when DJANGO_DEBUG is off, e.g. https://offert.example.se "
            "(see README: Produktion)."
        )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "ninja",  # the API's docs page: its templates and Swagger UI's static files (no CDN)
    "django_tasks_db",
    "configurator",
    "quotes",
]

MIDDLEWARE = [
    "configurator.proxy.ForwardedForMiddleware",  # only with TRUSTED_PROXY_COUNT > 0
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "configurator.middleware.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# `make bench` only: the bare comparison view and a Server-Timing header.
BENCH_VIEWS = env_bool("BENCH_VIEWS", False)
if BENCH_VIEWS:
    MIDDLEWARE.insert(0, "configurator.benchmarking.ServerTimingMiddleware")

ROOT_URLCONF = "configurator.urls"
WSGI_APPLICATION = "configurator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "configurator.context_processors.csp_nonce",
            ],
        },
    },
]

# Database connections persist in production: a new PostgreSQL connection per request cost
# 0.38x the throughput (make bench compares CONN_MAX_AGE=0, persistent connections and
# psycopg's pool). Persistent connections with a health check are the default;
# DATABASE_POOL=1 uses psycopg's connection pool instead (CONN_MAX_AGE is then 0).
DATABASE_POOL = env_bool("DATABASE_POOL", False)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0 if DATABASE_POOL else int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASE_POOL and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN", "2")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX", "10")),
        "timeout": 10,
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two processes write to an SQLite file in development: the web server and the task
    # queue's worker. A transaction takes the write lock when it begins (and waits for it
    # up to 20 s), instead of failing with "database is locked" when it first writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "quotes:list"
LOGOUT_REDIRECT_URL = "login"

# Log-in throttling (django-axes): lock a user name + IP after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Development and tests serve static files straight from the finders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "offert@smartconnect.example")

# The task queue (quotes/queue.py; README: "Bakgrundsjobb"): mail and the daily jobs run
# in `manage.py db_worker`, on this database. A failed task is tried again after each of
# these delays (seconds), then given up: 1 min, 5 min, 30 min, 2 h, 6 h.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASK_RETRY_DELAYS = [
    float(s) for s in os.environ.get("TASK_RETRY_DELAYS", "60,300,1800,7200,21600").split(",") if s.strip()
]
# Webhooks (quotes/webhooks.py; README: "Webhooks"): a delivery that fails is tried again
# after each of these delays (the Standard Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h, 10 h), then given up (an admin can send it again). Requests go only over HTTPS to
# public addresses unless a receiver allows more, or WEBHOOK_ALLOW_INSECURE does for all
# (development and tests only).
WEBHOOK_RETRY_DELAYS = [
    float(s) for s in os.environ.get("WEBHOOK_RETRY_DELAYS", "5,300,1800,7200,18000,36000,36000").split(",")
    if s.strip()
]
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
WEBHOOK_ALLOW_INSECURE = env_bool("WEBHOOK_ALLOW_INSECURE", False)
# Reminders of an unanswered offer this many days before its last valid day (the seller's;
# the customer's too when QUOTE_CUSTOMER_REMINDER is on). 0 turns them off.
QUOTE_REMINDER_DAYS = int(os.environ.get("QUOTE_REMINDER_DAYS", "3"))
QUOTE_CUSTOMER_REMINDER = env_bool("QUOTE_CUSTOMER_REMINDER", False)

# Money.
VAT_RATE = Decimal(os.environ.get("VAT_RATE", "0.25"))

# The seller company shown on offers.
SELLER_COMPANY = {
    "name": os.environ.get("SELLER_COMPANY_NAME", "Telia Sverige AB"),
    "org_number": os.environ.get("SELLER_COMPANY_ORGNR", "556430-0142"),
    "address": os.environ.get("SELLER_COMPANY_ADDRESS", "169 94 Solna"),
}

# Signing offers (PAdES, pyHanko). A PEM certificate + key, or a PKCS#12 file (which wins
# when set). `make run` creates a self-signed development certificate at the default
# paths under var/signing/; README: "Signera offerter med ett riktigt certifikat".
QUOTE_SIGNING_DIR = Path(os.environ.get("QUOTE_SIGNING_DIR", BASE_DIR / "var" / "signing"))
QUOTE_SIGNING_CERT = os.environ.get("QUOTE_SIGNING_CERT", str(QUOTE_SIGNING_DIR / "dev-cert.pem"))
QUOTE_SIGNING_KEY = os.environ.get("QUOTE_SIGNING_KEY", str(QUOTE_SIGNING_DIR / "dev-key.pem"))
QUOTE_SIGNING_KEY_PASSPHRASE = os.environ.get("QUOTE_SIGNING_KEY_PASSPHRASE", "")
QUOTE_SIGNING_CHAIN = [p for p in os.environ.get("QUOTE_SIGNING_CHAIN", "").split(",") if p.strip()]
QUOTE_SIGNING_PKCS12 = os.environ.get("QUOTE_SIGNING_PKCS12", "")
QUOTE_SIGNING_PKCS12_PASSPHRASE = os.environ.get("QUOTE_SIGNING_PKCS12_PASSPHRASE", "")

# Production hardening; `manage.py check --deploy` passes with DJANGO_DEBUG off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies in front of the app that append to X-Forwarded-For (the client's address for the
# audit trail and the log-in throttling); 0 ignores the header. See configurator/proxy.py.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# A load balancer probes the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# django-csp 4: NONCE is a sentinel replaced by 'nonce-<random>' on pages that use
# request.csp_nonce ({% htmx_script %} does); a literal "'nonce'" string would not be.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Customer links are secrets: "/offert/<token>/" is logged as "/offert/AbCdEf…/".
    "filters": {"mask_tokens": {"()": "configurator.logmask.MaskCustomerTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
