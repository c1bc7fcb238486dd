"""The API's OpenAPI schema (/api/v1/openapi.json) and docs page (/api/v1/docs).

No OpenAPI validator is installed (openapi-spec-validator is not a dependency), so the
document is checked against the OpenAPI 3.1 structure here: required fields, operations,
parameters (path parameters required and in the path), responses, every ``$ref``
resolving; then every endpoint with its request and response schemas. The answers
themselves are checked against the same models in tests/test_api.py,
tests/test_quotes_api.py."""

from __future__ import annotations

import json
import re

import pytest

from configurator.api_schemas import PriceAnswer, PriceRequest
from configurator.api_v1 import Errors
from quotes.api.schemas import QuoteIn, QuoteOut, QuotePage

SCHEMA_URL = "/api/v1/openapi.json"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PARAMETER_PLACES = {"query", "header", "path", "cookie"}

# path -> method -> (request body model or None, {status: response model name or "pdf"})
ENDPOINTS = {
    "/api/v1/price": {
        "post": ("PriceRequest", {"200": "PriceAnswer", "400": "Errors", "401": "Errors", "403": "Errors", "503": "Errors"}),
    },
    "/api/v1/quotes": {
        "get": (None, {"200": "QuotePage", "400": "Errors", "401": "Errors", "403": "Errors", "404": "Errors"}),
        "post": ("QuoteIn", {"201": "QuoteOut", "400": "Errors", "401": "Errors", "403": "Errors", "503": "Errors"}),
    },
    "/api/v1/quotes/{quote_id}": {
        "get": (None, {"200": "QuoteOut", "401": "Errors", "403": "Errors", "404": "Errors"}),
        "patch": ("QuoteIn", {"200": "QuoteOut", "400": "Errors", "401": "Errors", "403": "Errors",
                              "404": "Errors", "409": "Errors"}),
    },
    "/api/v1/quotes/{quote_id}/pdf": {
        "get": (None, {"200": "pdf", "401": "Errors", "403": "Errors", "404": "Errors", "409": "Errors"}),
    },
    "/api/v1/quotes/{quote_id}/delivery-order": {
        "get": (None, {"200": "object", "401": "Errors", "403": "Errors", "404": "Errors"}),
    },
    "/api/v1/quotes/{quote_id}/accepted-pdf": {
        "get": (None, {"200": "pdf", "401": "Errors", "403": "Errors", "404": "Errors", "409": "Errors"}),
    },
}


@pytest.fixture
def schema(client):
    r = client.get(SCHEMA_URL)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    return r.json()


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def resolve(schema: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = schema
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_the_document_is_openapi_3(schema):
    assert re.fullmatch(r"3\.[01]\.\d+", schema["openapi"])
    assert schema["info"]["title"] == "Smart Connect offert-API" and schema["info"]["version"] == "1"
    assert set(schema) <= {"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components",
                           "security", "tags", "externalDocs"}
    operation_ids = []
    for path, item in schema["paths"].items():
        assert path.startswith("/"), path
        templated = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            assert method in METHODS, (path, method)
            operation_ids.append(operation["operationId"])
            assert operation["responses"], (path, method)
            for status, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5](\d\d|XX)|default", status), status
                assert response["description"], (path, method, status)
                for media in response.get("content", {}).values():
                    assert "schema" in media
            in_path = set()
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in PARAMETER_PLACES and parameter["name"] and "schema" in parameter
                if parameter["in"] == "path":
                    assert parameter["required"] is True
                    in_path.add(parameter["name"])
            assert in_path == templated, (path, method)
            if "requestBody" in operation:
                assert operation["requestBody"]["content"]["application/json"]["schema"]
            assert {next(iter(s)) for s in operation["security"]} == {"TokenAuth", "SessionAuth"}
    assert len(operation_ids) == len(set(operation_ids))
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": schemes["TokenAuth"]["description"],
    }
    assert schemes["SessionAuth"]["in"] == "cookie"
    for ref in refs(schema):
        assert isinstance(resolve(schema, ref), dict), ref
    for name, component in schema["components"]["schemas"].items():
        assert isinstance(component, dict) and ("type" in component or "anyOf" in component or "enum" in component), name


def test_every_endpoint_with_its_request_and_response_schemas(schema):
    for path, methods in ENDPOINTS.items():
        assert path in schema["paths"], path
        for method, (body, responses) in methods.items():
            operation = schema["paths"][path][method]
            if body:
                assert operation["requestBody"]["content"]["application/json"]["schema"] == {
                    "$ref": f"#/components/schemas/{body}"
                }
            else:
                assert "requestBody" not in operation
            assert set(operation["responses"]) == set(responses), (path, method)
            for status, model in responses.items():
                content = operation["responses"][status]["content"]
                if model == "pdf":
                    assert set(content) == {"application/pdf"}
                elif model == "object":
                    assert content["application/json"]["schema"] == {"type": "object"}
                else:
                    assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{model}"}
    documented = {(p, m) for p, item in schema["paths"].items() for m in item}
    assert documented == {(p, m) for p, methods in ENDPOINTS.items() for m in methods}


@pytest.mark.parametrize("model", [PriceRequest, PriceAnswer, QuoteIn, QuoteOut, QuotePage, Errors])
def test_the_components_are_the_models_the_tests_check_answers_against(schema, model):
    component = schema["components"]["schemas"][model.__name__]
    assert set(component["properties"]) == set(model.model_fields)
    assert component.get("additionalProperties") is False


def test_pricing_answers_follow_the_schema(seller_client, price_list):
    """The spec's example with every kind of discount: the answer is exactly PriceAnswer."""
    body = {
        "items": {"mobile_user": 25, "softphone": 25, "teams_voice": 25, "guided_delivery": 1,
                  "answering_service_20": 1},
        "manual_prices": {"answering_service_20": {"monthly": "7900.00"}},
        "traffic": {"sms_domestic": 1200, "calls": 200, "avg_call_seconds": 150},
        "contract_months": 36,
        "discounts": {"lines": {"softphone": {"monthly_percent": "10"}, "guided_delivery": {"one_time_amount": "1995.00"}},
                      "monthly_percent": "5", "one_time_percent": "0", "free_months": 2},
    }
    PriceRequest.model_validate(body)
    r = seller_client.post("/api/v1/price", json.dumps(body), content_type="application/json")
    assert r.status_code == 200
    answer = PriceAnswer.model_validate(r.json())
    assert answer.totals.free_months == 2 and answer.totals.discount_total != "0.00"
    bad = seller_client.post("/api/v1/price", json.dumps({"items": {"x": 1}}), content_type="application/json")
    Errors.model_validate(bad.json())


def test_the_list_documents_its_filters(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/quotes"]["get"]["parameters"]}
    assert set(parameters) == {"status", "mine", "owner", "updated_since", "search", "page", "page_size"}
    assert all(p["in"] == "query" and p["required"] is False and p["description"] for p in parameters.values())
    assert parameters["status"]["schema"]["enum"] == ["draft", "sent", "opened", "accepted", "declined", "expired",
                                                      "superseded"]
    assert parameters["mine"]["schema"]["type"] == "boolean"
    assert parameters["page_size"]["schema"] == {
        "type": "integer", "minimum": 1, "maximum": 100, "default": 25, "description": parameters["page_size"]["description"],
    }


def test_the_docs_page_is_served_from_this_site(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui.css" in page
    assert "cdn" not in page.lower() and "<script>" not in page  # no inline script for the CSP
    assert 'id="swagger-settings"' in page and SCHEMA_URL in page
