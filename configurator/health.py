"""``GET /healthz``: for the load balancer and uptime checks.

200 ``{"status": "ok", "database": "ok"}`` when the app answers and the database runs a
query; 503 with ``"database": "error"`` when it does not. No log-in, no session, no
cookies; exempt from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT``) so a probe can use
plain HTTP. It must still send a Host listed in ``ALLOWED_HOSTS``.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
