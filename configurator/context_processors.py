"""Template context shared by every page."""

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """``csp_nonce`` for django-htmx's ``{% htmx_script %}``, which reads that name (django-csp
    names its own ``CSP_NONCE``). Lazy: the nonce is made, and added to the
    Content-Security-Policy header, only when a template prints it."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
