"""The JSON API v1 (django-ninja): authentication, the error format, the schema and docs.

One ``ApiV1`` instance is mounted under ``/api/v1/`` by ``configurator/urls.py``, which
adds the routers: the pricing endpoint (``configurator.api``) and the quotes
(``quotes.api``). This module knows neither: configurator never imports quotes.

- **Authentication.** ``Authorization: Token <key>`` with a per-user key (created in the
  admin, ``ApiToken``), or the signed-in session with its CSRF token (``X-CSRFToken``).
  A header that is there wins: a bad one is 401 even with a session. Only sellers (and
  admins) get in, checked on every request: a key is worth what its user is now.
- **Errors** are ``{"errors": [{"field", "code", "message"}]}`` (the spec's format, the
  pricing endpoint's since its first version) with 400, 401, 403, 404, 409 or 503.
- **Schema and docs.** ``/api/v1/openapi.json`` (OpenAPI 3.1, generated from the code)
  and ``/api/v1/docs`` (Swagger UI from django-ninja's own static files: no CDN, no
  inline script, so it runs under the site's Content Security Policy).

Request bodies are read by each endpoint itself (``json_body``), not by ninja: the
answers keep their exact field-by-field errors, and the body's schema is documented
through ``request_body`` (``openapi_extra``) from the same pydantic models.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security.base import AuthBase
from pydantic import BaseModel, ConfigDict, Field

from .models import ApiToken
from .roles import is_seller

MAX_BODY = 64 * 1024
# Names of the schema's and docs' routes (no URL namespace: the pricing route keeps its
# name "api-price").
SCHEMA_URL_NAME, DOCS_URL_NAME, ROOT_URL_NAME = "openapi-json", "openapi-view", "api-root"


# --- The error format --------------------------------------------------------------------


def field_error(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


class ApiError(Exception):
    """An answer with ``{"errors": [...]}`` and ``status``; raised anywhere below an
    endpoint (or by authentication) and turned into the response by ``ApiV1``."""

    def __init__(self, status: int, errors: list[dict[str, str]], headers: dict[str, str] | None = None):
        super().__init__(status, errors)
        self.status = status
        self.errors = errors
        self.headers = headers or {}

    @classmethod
    def one(cls, status: int, field: str, code: str, message: str, **kw) -> ApiError:
        return cls(status, [field_error(field, code, message)], **kw)


def error_response(status: int, errors: list[dict[str, str]], headers: dict[str, str] | None = None) -> JsonResponse:
    # ASCII escapes: an error may name a key sent with a lone surrogate ("\ud800"), which
    # UTF-8 cannot carry.
    response = JsonResponse({"errors": errors}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def unauthorized(message: str) -> ApiError:
    return ApiError.one(401, "auth", "unauthorized", message, headers={"WWW-Authenticate": "Token"})


def not_a_seller() -> ApiError:
    """The API is for sellers (spec), like the step form: a session or a key of anyone
    else, or of someone who no longer is a seller, is refused."""
    return ApiError.one(403, "user", "not_a_seller", "Bara säljare kan använda pris-API:t.")


def json_body(request: HttpRequest) -> Any:
    """The request's JSON (any JSON value); 400 when too large or not JSON."""
    if len(request.body) > MAX_BODY:
        raise ApiError.one(400, "body", "too_large", "För stor begäran.")
    try:
        return json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
        raise ApiError.one(400, "body", "bad_json", "Ogiltig JSON.")


# --- Authentication ----------------------------------------------------------------------


class TokenAuth(AuthBase):
    """``Authorization: Token <key>``: a per-user key from the admin (*API-nycklar*)."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = "Authorization"
    openapi_description = "`Token <key>`: a per-user key, created in the admin under *API-nycklar*."

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if not header:
            return None  # perhaps the session
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "token" or not key.strip():
            raise unauthorized("Use 'Authorization: Token <key>'.")
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(key.strip()), revoked=False, user__is_active=True)
            .first()
        )
        if token is None:
            raise unauthorized("Ogiltig API-nyckel.")
        if not is_seller(token.user):  # a key is worth what its user is, now
            raise not_a_seller()
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


class SessionAuth(AuthBase):
    """The signed-in seller's session, with the CSRF token in ``X-CSRFToken``."""

    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_name = "sessionid"
    openapi_description = "The signed-in session; send the CSRF token as `X-CSRFToken`."
    csrf = True  # the docs page sends the CSRF token with "Try it out"

    def __call__(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if reason is not None:
            raise ApiError.one(403, "csrf", "csrf_failed", "CSRF-kontrollen misslyckades.")
        if not is_seller(request.user):
            raise not_a_seller()
        return request.user


# --- Schemas shared by every endpoint ------------------------------------------------------


class ErrorItem(Schema):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(description='The field, as a path into the request: "items.mobile_user", "customer.org_number"; "body", "auth", "user", "csrf" for the request as a whole.')
    code: str = Field(description='What is wrong, for programs: "required", "wrong_type", "unknown_item", "negative", …')
    message: str = Field(description="What is wrong, for people (Swedish).")


class Errors(Schema):
    model_config = ConfigDict(extra="forbid")

    errors: list[ErrorItem]


def parameter_schemas(**schemas: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` giving query parameters that an endpoint reads as text (to answer
    bad values in its own words) their real types in the schema."""
    return {"x-parameter-schemas": schemas}


def request_body(model: type[BaseModel], description: str = "") -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON body that the endpoint reads itself."""
    body: dict[str, Any] = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
    }
    if description:
        body["description"] = description
    return {"requestBody": body, "x-body-model": model}


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's static files (``ninja`` is an installed app), the
    schema's URL without a namespace."""

    def get_openapi_url(self, api, path_params) -> str:
        return reverse(SCHEMA_URL_NAME, kwargs=path_params)


class ApiV1(NinjaAPI):
    """The API: our error format for every refusal, the schema with the body models the
    endpoints read themselves, and the docs page served from this site."""

    def __init__(self, **kwargs):
        super().__init__(
            title="Smart Connect offert-API",
            version="1",
            description=(
                "Pricing and quotes for Telia Smart Connect. Authenticate with "
                "`Authorization: Token <key>` (per-user keys, admin → API-nycklar) or a "
                "signed-in session with `X-CSRFToken`. Errors are "
                '`{"errors": [{"field", "code", "message"}]}`. Amounts are strings in '
                "kronor with two decimals, excl. VAT."
            ),
            urls_namespace="api-v1",
            docs=LocalSwagger(),
            auth=[TokenAuth(), SessionAuth()],
            **kwargs,
        )
        self.add_exception_handler(ApiError, self._api_error)
        self.add_exception_handler(AuthenticationError, self._authentication_error)
        self.add_exception_handler(HttpError, self._http_error)
        self.add_exception_handler(ValidationError, self._validation_error)
        self.add_exception_handler(Http404, self._not_found)
        self.add_exception_handler(Exception, self._unexpected)

    # Errors.
    def _api_error(self, request, exc: ApiError):
        return error_response(exc.status, exc.errors, exc.headers)

    def _authentication_error(self, request, exc):
        return self._api_error(request, unauthorized("Logga in eller skicka en API-nyckel."))

    def _http_error(self, request, exc: HttpError):
        return error_response(exc.status_code, [field_error("request", "http_error", str(exc))])

    def _validation_error(self, request, exc: ValidationError):
        errors = [
            field_error(".".join(str(p) for p in e.get("loc", ())[1:]) or "request", "invalid", e.get("msg", ""))
            for e in exc.errors
        ]
        return error_response(400, errors)

    def _unexpected(self, request, exc):
        """Django's own handling, as for any view: a database that does not answer is a
        503 (``configurator.error_views``), anything else a 500, logged."""
        raise exc

    def _not_found(self, request, exc):
        return error_response(404, [field_error("id", "not_found", "Finns inte.")])

    # URLs without a namespace (``reverse("api-price")``), the schema's root from ours.
    def url_patterns(self) -> list:
        return self.urls[0]

    def get_root_path(self, path_params) -> str:
        return reverse(ROOT_URL_NAME, kwargs=path_params)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for methods in schema["paths"].values():
            for operation in methods.values():
                types = operation.pop("x-parameter-schemas", {})
                for parameter in operation.get("parameters", []):
                    if parameter["name"] in types:  # read as text by the endpoint, typed here
                        parameter["schema"] = {**types[parameter["name"]], "description": parameter.get("description", "")}
                model = operation.pop("x-body-model", None)
                if model is not None:
                    found = model.model_json_schema(ref_template="#/components/schemas/{model}")
                    components.update(found.pop("$defs", {}))
                    components[model.__name__] = found
        return schema


