"""Customer tokens never reach a log in full.

A customer's link (``/offert/<token>/``) is the customer's key to the offer: whoever has
it can accept. Logs are read by more people than should hold that key, so every log line
shows only the token's first six characters: ``/offert/AbCdEf…/``. ``MaskCustomerTokens``
is a logging filter (Django's log, settings.LOGGING); ``GunicornLogger`` masks gunicorn's
access log (``gunicorn.conf.py``), where the request line and the referrer carry it.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as _GunicornLogger

TOKEN_IN_PATH = re.compile(r"(/offert/)([A-Za-z0-9_-]{6})[A-Za-z0-9_-]{14,}")


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1\2…", text)


class MaskCustomerTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        return True


class GunicornLogger(_GunicornLogger):
    """Gunicorn's logger with the customer tokens masked in the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: mask_tokens(v) if isinstance(v, str) else v for k, v in atoms.items()}
