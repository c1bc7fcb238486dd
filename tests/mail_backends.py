"""Mail backends for a worker running in a process of its own (tests/test_task_worker.py).

``JournalBackend`` is Django's locmem backend (the messages land in that process's
``mail.outbox``) that also writes each message it delivers to the folder
``MAIL_JOURNAL`` as JSON, attachments beside it, so the test process can read what the
worker sent. ``MAIL_REFUSE`` makes it a mail server that fails: a comma-separated list of
``address=N`` (refuse the first N messages to that address) or ``address=*`` (refuse
every one), raising ``SMTPServerDisconnected`` from the backend as smtplib would.
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import threading
from pathlib import Path

from django.core.mail.backends import locmem

_lock = threading.Lock()
_refused: dict[str, int] = {}


def _refusals() -> dict[str, int | None]:
    rules: dict[str, int | None] = {}
    for rule in filter(None, (r.strip() for r in os.environ.get("MAIL_REFUSE", "").split(","))):
        address, _, times = rule.partition("=")
        rules[address.strip().lower()] = None if times.strip() == "*" else int(times)
    return rules


class JournalBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        rules = _refusals()
        for message in messages:
            for address in message.recipients():
                address = address.lower()
                if address in rules:
                    limit = rules[address]
                    with _lock:
                        _refused[address] = _refused.get(address, 0) + 1
                        refuse = limit is None or _refused[address] <= limit
                    if refuse:
                        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        sent = super().send_messages(messages)
        folder = Path(os.environ["MAIL_JOURNAL"])
        folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            with _lock:
                number = len(list(folder.glob("*.json"))) + 1
                stem = f"{os.getpid()}-{number:04d}"
                attachments = []
                for i, (name, content, mimetype) in enumerate(message.attachments):
                    data = content if isinstance(content, bytes) else content.encode()
                    path = folder / f"{stem}-{i}.bin"
                    path.write_bytes(data)
                    attachments.append({"name": name, "mimetype": mimetype, "file": path.name,
                                        "sha256": hashlib.sha256(data).hexdigest()})
                record = {"to": message.to, "reply_to": message.reply_to, "subject": message.subject,
                          "body": message.body, "attachments": attachments}
                tmp = folder / f"{stem}.tmp"
                tmp.write_text(json.dumps(record, ensure_ascii=False))
                tmp.rename(folder / f"{stem}.json")  # whole or not at all for the reader
        return sent
