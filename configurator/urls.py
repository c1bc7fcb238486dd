from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from quotes.api.endpoints import router as quotes_router

from . import api, health
from .api_v1 import ApiV1

# The API v1 (one django-ninja instance): the pricing endpoint and the quotes, with the
# OpenAPI schema (/api/v1/openapi.json) and its docs page (/api/v1/docs). Composed here,
# the one module that may import both configurator and quotes.
api_v1 = ApiV1()
api_v1.add_router("", api.router)
api_v1.add_router("/quotes", quotes_router)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("", RedirectView.as_view(pattern_name="quotes:list", permanent=False), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1.url_patterns())),
    path("admin/", admin.site.urls),
    path("offerter/", include("quotes.urls")),
    path("offert/", include("quotes.customer.urls")),
]

if settings.BENCH_VIEWS:
    from . import benchmarking

    urlpatterns.append(path("bench/bare/", benchmarking.bare, name="bench-bare"))


# Clear pages for errors (configurator/error_views.py), the database being down included.
handler400 = "configurator.error_views.bad_request"
handler403 = "configurator.error_views.permission_denied"
handler404 = "configurator.error_views.page_not_found"
handler500 = "configurator.error_views.server_error"
