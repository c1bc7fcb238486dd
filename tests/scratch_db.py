"""A database of a test module's own, for processes started by the test (workers, crash
workers): a PostgreSQL database on the suite's server when the suite runs on PostgreSQL,
otherwise an SQLite file. Dropped again afterwards."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings


@contextmanager
def scratch_database(name: str, folder):
    """Yield the DATABASE_URL of a fresh database ``name`` (or ``folder/name.sqlite3``)."""
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        yield f"sqlite:///{folder / f'{name}.sqlite3'}"
        return
    import psycopg

    admin = psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                            password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
    try:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
        yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        admin.close()
