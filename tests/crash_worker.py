"""A separate process for tests/test_crash_safety.py: it signs or accepts a quote (to be
killed with SIGKILL at any moment), sets up drafts, or reports the invariants of what is
stored. Run as ``python -m tests.crash_worker <action> [pk]`` with DATABASE_URL set.

Environment: PAUSE_AFTER_DOCUMENT=1 prints "document-written" right after the PDF is
written (inside the transaction, before the commit) and waits there to be killed;
SQLITE_MAX_PAGES=N caps an SQLite database at N pages, so it is full for real.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "configurator.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402

from configurator.roles import ensure_sellers_group  # noqa: E402
from configurator.selectors import price_list_in_force  # noqa: E402
from quotes.models import Quote, QuoteCounter, StoredDocument  # noqa: E402

SIGNABLE = {
    "company_name": "Kraschtest AB", "org_number": "556036-0793", "contact_name": "Erik Lind",
    "contact_email": "erik@example.se",
    "items": {"mobile_user": 12, "teams_voice": 12, "function_number": 2, "startup_help": 1},
}


def _cap_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA max_page_count = {int(os.environ['SQLITE_MAX_PAGES'])}")


def _pause_after_document() -> None:
    from quotes.offer import storage

    original = storage.DocumentStorage._save

    def _save(self, name, content):
        stored = original(self, name, content)
        print("document-written", flush=True)
        time.sleep(60)  # killed here, before the transaction commits
        return stored

    storage.DocumentStorage._save = _save


def setup(count: int) -> None:
    seller, _ = get_user_model().objects.get_or_create(username="krasch", defaults={"first_name": "Kim"})
    seller.groups.add(ensure_sellers_group())
    price_list = price_list_in_force()
    pks = [Quote.objects.create(owner=seller, price_list=price_list, **SIGNABLE).pk for _ in range(count)]
    print(json.dumps(pks))


def check() -> None:
    """Every invariant that a kill or a full database could break, as JSON."""
    documents = {d.name: d for d in StoredDocument.objects.all()}
    referenced = {}
    for q in Quote.objects.all():
        for field in (q.pdf, q.accepted_pdf):
            if field.name:
                referenced[field.name] = q
    partial = [
        name for name, d in documents.items()
        if len(bytes(d.data)) != d.size or hashlib.sha256(bytes(d.data)).hexdigest() != d.sha256
        or not bytes(d.data).rstrip().endswith(b"%%EOF")
    ]
    numbers = list(Quote.objects.exclude(number="").values_list("number", "revision"))
    counters = {c.year: c.last for c in QuoteCounter.objects.all()}
    used = sorted(int(n.rsplit("-", 1)[1]) for n, rev in numbers if rev == "A")
    report = {
        "orphans": sorted(set(documents) - set(referenced)),
        "missing": sorted(set(referenced) - set(documents)),
        "partial": partial,
        "sha_mismatch": [q.pk for q in Quote.objects.exclude(pdf="") if documents.get(q.pdf.name)
                         and documents[q.pdf.name].sha256 != q.pdf_sha256],
        "duplicate_numbers": len(numbers) - len(set(numbers)),
        # A number is reserved on its draft before the PDF is made (quote_sign, step 1): a
        # draft may hold one without a document; a signed quote never does.
        "numbers_without_document": list(
            Quote.objects.exclude(number="").exclude(status="draft").filter(pdf="").values_list("pk", flat=True)
        ),
        "half_signed": list(
            Quote.objects.filter(signed_at__isnull=False).exclude(status__in=["sent", "opened", "accepted", "declined", "expired", "superseded"]).values_list("pk", flat=True)
        ) + list(Quote.objects.filter(signed_at__isnull=True).exclude(status="draft").values_list("pk", flat=True)),
        "half_accepted": list(Quote.objects.filter(status="accepted", accepted_pdf="").values_list("pk", flat=True))
        + list(Quote.objects.exclude(accepted_pdf="").exclude(status="accepted").values_list("pk", flat=True)),
        "gapless": used == list(range(1, len(used) + 1)) and (not used or max(counters.values()) == len(used)),
        "signed": list(Quote.objects.filter(signed_at__isnull=False).values_list("pk", flat=True)),
        "accepted": list(Quote.objects.filter(status="accepted").values_list("pk", flat=True)),
    }
    print(json.dumps(report))


def main() -> None:
    action = sys.argv[1]
    if os.environ.get("SQLITE_MAX_PAGES"):
        connection_created.connect(_cap_sqlite, weak=False)
    if action == "setup":
        return setup(int(sys.argv[2]))
    if action == "check":
        return check()
    if action == "pages":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA page_count")
            print(cursor.fetchone()[0])
        return None
    if os.environ.get("PAUSE_AFTER_DOCUMENT"):
        _pause_after_document()
    quote = Quote.objects.select_related("owner").get(pk=int(sys.argv[2]))
    print("ready", flush=True)
    if action == "sign":
        from quotes.offer.services import quote_sign

        quote_sign(quote=quote, user=quote.owner)
    elif action == "accept":
        from quotes.customer.services import quote_accept

        quote_accept(quote=quote, name="Erik Lind", title="Vd", ip="127.0.0.1", user_agent="crash-test")
    print("done", flush=True)
    if os.environ.get("CHECK_AFTER"):
        check()
    return None


if __name__ == "__main__":
    main()
