"""The client's address behind a reverse proxy or load balancer.

Behind a proxy ``REMOTE_ADDR`` is the proxy's address, yet the audit trail records the
client's address and the log-in throttling locks per address. With
``TRUSTED_PROXY_COUNT=n`` (the number of proxies in front of the app, each appending the
address it saw to ``X-Forwarded-For``), ``REMOTE_ADDR`` becomes the n-th entry from the
right: the address the outermost trusted proxy saw. Entries further left come from the
client and are never trusted. ``0`` (the default): the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed


def _address(entry: str) -> str | None:
    """``entry`` as a plain IP address (proxies may add a port), or None."""
    entry = entry.strip()
    if entry.startswith("[") and "]" in entry:  # [2001:db8::1]:443
        entry = entry[1 : entry.index("]")]
    elif entry.count(":") == 1:  # 192.0.2.1:443
        entry = entry.partition(":")[0]
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return None


class ForwardedForMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.count = settings.TRUSTED_PROXY_COUNT
        if self.count <= 0:
            raise MiddlewareNotUsed

    def __call__(self, request):
        entries = [e for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
        if len(entries) >= self.count:
            address = _address(entries[-self.count])
            if address is not None:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)
