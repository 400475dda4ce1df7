"""The OpenAPI document is derived from the typed routes: every route is there, behind the
bearer scheme, with a typed response; nothing is fetched from a CDN."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

ROUTES = {
    ("get", "/healthz"),
    ("get", "/api/v1/dashboard"),
    ("get", "/api/v1/report"),
    ("get", "/api/v1/assets"),
    ("get", "/api/v1/assets/{sku}/{colorway}/{view}/history"),
    ("get", "/api/v1/queues/{track}/{stage}"),
    ("get", "/api/v1/work/mine"),
    ("post", "/api/v1/intake/validate"),
    ("post", "/api/v1/intake"),
    ("post", "/api/v1/assets/{sku}/{colorway}/{view}/decisions"),
    ("get", "/api/v1/ai/workflows"),
    ("post", "/api/v1/ai/workflows"),
    ("get", "/api/v1/ai/workflows/{ref}"),
    ("post", "/api/v1/ai/workflows/{ref}/approve"),
    ("post", "/api/v1/ai/workflows/{ref}/retire"),
    ("post", "/api/v1/uploads"),
    ("get", "/api/v1/assets/{sku}/{colorway}/{view}/final"),
    ("get", "/api/v1/rights/expiring"),
}


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def _success_schema(operation: dict[str, Any]) -> dict[str, Any]:
    code = next(c for c in operation["responses"] if c.startswith("2"))
    schema: dict[str, Any] = operation["responses"][code]["content"]["application/json"]["schema"]
    return schema.get("items", schema)


def test_the_document_lists_every_route(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Shotline"
    assert set(_operations(document)) == ROUTES


def test_every_api_route_needs_the_bearer_token_and_answers_typed_json(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for (method, path), operation in _operations(document).items():
        assert "$ref" in _success_schema(operation), (method, path)
        if path == "/healthz":
            assert "security" not in operation
            continue
        assert operation["security"] == [{"HTTPBearer": []}], (method, path)
        assert {"400", "401", "403", "404", "409"} <= set(operation["responses"]), path
        error = operation["responses"]["403"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorOut"}


def test_no_page_loads_scripts_from_a_cdn(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
