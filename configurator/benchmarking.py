"""Only with BENCH_VIEWS=1 (set by `make bench`): the bare view the recalculation is
compared with, and a Server-Timing header with the server-side time of each request."""

import time

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

ROWS = [(f"Rad {i}", f"{i * 89}", f"{i * 29}") for i in range(40)]


@csrf_exempt
@require_POST
def bare(request):
    """Renders a template about the size of the totals partial; no database, no session."""
    return render(request, "bench/bare.html", {"rows": ROWS})


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
        return response
