"""Every /api/v1 route needs a valid bearer token; /healthz needs none."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from conftest import NOW
from crew import Crew
from integration.api.caller import Caller
from shotline.services import tokens, workspaces
from support import csv_bytes, row


def _v1_operations(client: TestClient) -> list[tuple[str, str]]:
    """(method, URL) of every /api/v1 operation the OpenAPI document lists, path parameters
    filled in (test_openapi checks that list against the routes expected)."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), re.sub(r"\{\w+\}", "x", path))
        for path, operations in paths.items()
        if path.startswith("/api/v1")
        for method in operations
    ]


def test_healthz_answers_without_a_token(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_every_api_route_refuses_a_request_without_a_token(client: TestClient, crew: Crew) -> None:
    operations = _v1_operations(client)
    # The nine of the first cut, five of the AI registry, three of the asset store.
    assert len(operations) == 17
    for method, url in operations:
        response = client.request(method, url)
        assert response.status_code == 401, (method, url, response.text)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json() == {"detail": "send an API token: Authorization: Bearer <token>"}


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer nonsense", "unknown API token"),
        ("Bearer sl_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "unknown API token"),
        ("Basic YWRtaW46YWRtaW4=", "send an API token: Authorization: Bearer <token>"),
        ("Bearer", "send an API token: Authorization: Bearer <token>"),
    ],
)
def test_a_bad_token_is_refused(client: TestClient, crew: Crew, header: str, detail: str) -> None:
    response = client.get("/api/v1/work/mine", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": detail}


def test_a_revoked_token_is_refused(call: Caller, crew: Crew) -> None:
    assert call.get("qc", "/api/v1/work/mine").status_code == 200
    with crew.app.uow() as uow:
        (token,) = tokens.list_tokens(uow, crew["qc"])
        tokens.revoke_token(uow, crew["qc"], token.id, NOW)
    response = call.get("qc", "/api/v1/work/mine")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "API token 'qc tests' was revoked"}


def test_a_token_acts_for_its_user_with_the_roles_held_now(call: Caller, crew: Crew) -> None:
    # The photographer may not import intake; once granted merchandiser, the same token may.
    files = {"file": ("tees.csv", csv_bytes([row()]), "text/csv")}
    assert call.post("photo", "/api/v1/intake", files=files).status_code == 403
    with crew.app.uow() as uow:
        workspaces.add_user(uow, crew["admin"], "photo", ["merchandiser"], NOW)
    assert call.post("photo", "/api/v1/intake", files=files).status_code == 201
