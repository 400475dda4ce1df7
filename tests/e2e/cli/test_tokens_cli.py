"""`shotline tokens create|list|revoke` and `shotline serve`, end to end: a token made on the
command line opens the HTTP API, and revoking it closes it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shotline.adapters.db.models import ApiToken
from shotline.config import Settings
from shotline.entrypoints.api.app import create_app


def _cells(stdout: str) -> list[list[str]]:
    """The cells of each body row of a rich table (lines framed by the vertical bar)."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in stdout.splitlines()
        if line.startswith("│")
    ]


def _api(cli: Any) -> FastAPI:
    return create_app(Settings(cli.home, cli.database_url, "default", "admin"))


def _mine(cli: Any, secret: str) -> int:
    """The status of GET /api/v1/work/mine with this token."""
    with TestClient(_api(cli)) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        return client.get("/api/v1/work/mine", headers=headers).status_code


def test_create_prints_the_secret_alone_and_it_opens_the_api(ready) -> None:
    result = ready.ok("tokens", "create", "nightly export")
    secret = result.stdout.strip()
    assert re.fullmatch(r"sl_[A-Za-z0-9_-]{43}", secret), result.stdout
    assert "store it now, it cannot be shown again" in result.stderr
    assert ready.count(ApiToken) == 1
    assert _mine(ready, secret) == 200
    assert _mine(ready, secret[:-1]) == 401


def test_list_shows_tokens_but_never_their_secrets(ready) -> None:
    secret = ready.ok("tokens", "create", "ci").stdout.strip()
    _mine(ready, secret)
    listed = ready.ok("tokens", "list").stdout
    assert secret not in listed
    ((token_id, name, user, created, used, revoked),) = _cells(listed)
    assert (token_id, name, user, revoked) == ("1", "ci", "admin", "")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", created)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", used)


def test_people_see_their_own_tokens_and_the_admin_sees_all(ready) -> None:
    ready.ok("users", "add", "maya", "--role", "merchandiser")
    ready.ok("--as", "maya", "tokens", "create", "maya laptop")
    ready.ok("tokens", "create", "admin laptop")
    mine = [row[1:3] for row in _cells(ready.ok("--as", "maya", "tokens", "list").stdout)]
    everyone = [row[1:3] for row in _cells(ready.ok("tokens", "list").stdout)]
    assert mine == [["maya laptop", "maya"]]
    assert everyone == [["maya laptop", "maya"], ["admin laptop", "admin"]]
    assert ready.fail(1, "--as", "maya", "tokens", "revoke", "2") == (
        "error: no token 2 of yours in workspace default\n"
    )


def test_revoke_closes_the_api_at_once(ready) -> None:
    secret = ready.ok("tokens", "create", "ci").stdout.strip()
    assert ready.ok("tokens", "revoke", "1").stdout == "token 1 (ci) of admin revoked\n"
    assert _mine(ready, secret) == 401
    assert _cells(ready.ok("tokens", "list").stdout)[0][5] != ""
    assert ready.fail(1, "tokens", "revoke", "1") == "error: token 1 (ci) was already revoked\n"
    assert ready.fail(1, "tokens", "revoke", "7") == (
        "error: no token 7 of yours in workspace default\n"
    )


def test_create_needs_a_name(ready) -> None:
    assert ready.fail(1, "tokens", "create", " ") == (
        "error: a token needs a name of 1 to 120 characters\n"
    )
    assert ready.count(ApiToken) == 0


def test_serve_refuses_an_uninitialised_database(fresh) -> None:
    err = fresh.fail(1, "serve")
    assert err.startswith("error: the database at sqlite:///")
    assert err.rstrip().endswith(
        "is not initialised or is older than this Shotline; run `shotline init`"
    )


def test_serve_runs_the_api_with_uvicorn(ready, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: dict[str, Any] = {}

    def run(app: FastAPI, host: str, port: int, log_level: str) -> None:
        served.update(app=app, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", run)
    result = ready.ok("serve", "--host", "127.0.0.2", "--port", "8123")
    assert "Shotline API on http://127.0.0.2:8123" in result.stdout
    assert (served["host"], served["port"]) == ("127.0.0.2", 8123)
    with TestClient(served["app"]) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
