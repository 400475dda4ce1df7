"""The web pages over the crew's workspace, on SQLite and PostgreSQL, with a browser-like
client per person (each logs in through the login form, as a person would)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import NOW
from crew import CREW, Crew
from shotline.bootstrap import App
from shotline.config import Settings
from shotline.domain.access import Actor
from shotline.entrypoints.api.app import create_app
from shotline.services import auth, workspaces

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def crew(app: App, admin: Actor, tmp_path: Path) -> Crew:
    """The service tests' crew, with `vendor` (Pixel Lab) and `vendor2` (Other Studio)
    retouching for outside vendors. `browser(name)` gives a person the password PASSWORD."""
    people = {"admin": admin}
    for name, roles in CREW.items():
        with app.uow() as uow:
            people[name] = workspaces.add_user(uow, admin, name, roles, NOW)
    for name, team in (("vendor", "Pixel Lab"), ("vendor2", "Other Studio")):
        with app.uow() as uow:
            people[name] = workspaces.add_user(
                uow, admin, name, ["retoucher"], NOW, team=team, vendor=True
            )
    # qc logs in by hand in the login tests; the others get theirs from `browser`.
    with app.uow() as uow:
        auth.set_password(uow, admin, "qc", PASSWORD, NOW)
    files = tmp_path / "files"
    files.mkdir()
    return Crew(app, people, files)


@pytest.fixture
def web(settings: Settings) -> FastAPI:
    return create_app(settings, clock=lambda: NOW)


class Browser:
    """A TestClient that keeps cookies like a browser and knows the page's CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kwargs)  # type: ignore[arg-type]

    def token(self, url: str = "/work") -> str:
        found = CSRF.search(self.client.get(url).text)
        assert found, f"no CSRF token on {url}"
        return found.group(1)

    def post(
        self,
        url: str,
        data: dict[str, object] | None = None,
        token_from: str = "/work",
        **kwargs: object,
    ):  # type: ignore[no-untyped-def]
        form = {"csrf_token": self.token(token_from), **(data or {})}
        return self.client.post(url, data=form, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def browser(web: FastAPI, crew: Crew) -> Iterator[Callable[[str | None], Browser]]:
    """`browser("qc")`: a client logged in as qc; `browser(None)`: logged out."""
    clients: list[TestClient] = []

    def open_as(name: str | None) -> Browser:
        client = TestClient(web, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        b = Browser(client)
        if name is not None:
            with crew.app.uow() as uow:
                auth.set_password(uow, crew["admin"], name, PASSWORD, NOW)
            token = b.token("/login")
            done = client.post(
                "/login", data={"username": name, "password": PASSWORD, "csrf_token": token}
            )
            assert done.status_code == 303, done.text
        return b

    yield open_as
    for client in clients:
        client.__exit__(None, None, None)
