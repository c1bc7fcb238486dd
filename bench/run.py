#!/usr/bin/env python
"""`make bench`: measure the recalculation, the PDF and many sellers at once, side by side.

Starts the app under gunicorn itself (production settings, DEBUG off) on loopback, drives
it from this process (and wrk, a second process), prints a table and writes it to
docs/benchmarks.md. SQLite by default (a fresh file under var/bench/), PostgreSQL when
DATABASE_URL says so. The many-sellers run always uses PostgreSQL (BENCH_PG_URL, default
the local server's `smartconnect_bench` database).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scenarios import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
