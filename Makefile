# Smart Connect quote configurator. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_DEBUG ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test chromium migrate setup bench cluster fuzz mutate check clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium).
chromium:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/bin/chromium

migrate: install
	$(PY) manage.py migrate --no-input

# Price list (data migration), demo admin + seller, development signing certificate.
setup: migrate
	$(PY) manage.py demo_setup

# The web server and, next to it, the task queue's worker (mail, the daily jobs; README:
# "Bakgrundsjobb"). The daily jobs are queued once at start. Ctrl+C stops both.
run: setup
	$(PY) manage.py quote_daily
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-test chromium
	DJANGO_DEBUG=0 $(VENV)/bin/pytest $(PYTEST_ARGS)

check: install
	$(PY) manage.py check

# wrk (Debian) drives the load from a second process; valgrind counts instructions per request.
bench: install-test chromium
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
	DJANGO_DEBUG=0 $(PY) bench/run.py

# Two app servers (gunicorn, each in its own folder) behind Debian's haproxy on one
# PostgreSQL: tests/test_two_servers.py with its figures (README: "Flera appservrar").
# Installs haproxy when missing and starts the local PostgreSQL when it is down.
CLUSTER_PG ?= postgres://postgres@127.0.0.1:5432/test

cluster: install-test
	@command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || { echo "Installing Debian's haproxy"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }
	@pg_isready -h 127.0.0.1 -p 5432 -q || { \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start; \
	  for _ in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; }
	DJANGO_DEBUG=0 DATABASE_URL=$(CLUSTER_PG) nice -n 10 $(VENV)/bin/pytest tests/test_two_servers.py -m cluster -s -q $(PYTEST_ARGS)

fuzz: install-test
	DJANGO_DEBUG=0 HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest tests -m fuzz -p no:randomly $(PYTEST_ARGS)

# Mutation testing of the pricing engine (configurator/pricing.py and limits.py) with mutmut,
# configured in pyproject.toml. It runs in a copy of the project under var/ (git-ignored), so
# mutmut's mutants/ stays out of the working tree. Figures and equivalent survivors:
# docs/testing.md. MUTATE_ARGS: e.g. --max-children 1, or mutant names.
MUTATE_DIR := var/mutate

$(VENV)/.installed-mutate: $(VENV)/.installed-test pyproject.toml
	$(PIP) install --quiet -e '.[test,mutate]'
	touch $@

mutate: $(VENV)/.installed-mutate
	rm -rf $(MUTATE_DIR)
	mkdir -p $(MUTATE_DIR)
	cp -R configurator quotes templates static locale tests manage.py pyproject.toml $(MUTATE_DIR)/
	cd $(MUTATE_DIR) && DJANGO_DEBUG=0 nice -n 10 $(CURDIR)/$(PY) $(CURDIR)/tests/mutation_report.py $(MUTATE_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
