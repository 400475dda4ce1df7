"""The HTTP API over the crew's workspace, on SQLite and PostgreSQL.

The FastAPI app is built by `create_app` from the same Settings as the `app` fixture (so both
see one database and one blob store), on a clock stopped at NOW.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import NOW
from crew import CREW, Crew
from integration.api.caller import Caller
from shotline.bootstrap import App
from shotline.config import Settings
from shotline.domain.access import Actor
from shotline.entrypoints.api.app import create_app
from shotline.services import workspaces


@pytest.fixture
def crew(app: App, admin: Actor, tmp_path: Path) -> Crew:
    """The same people as the service tests' crew, with `vendor` working for Pixel Lab."""
    people = {"admin": admin}
    for name, roles in CREW.items():
        with app.uow() as uow:
            people[name] = workspaces.add_user(uow, admin, name, roles, NOW)
    with app.uow() as uow:
        people["vendor"] = workspaces.add_user(
            uow, admin, "vendor", ["retoucher"], NOW, team="Pixel Lab", vendor=True
        )
    files = tmp_path / "files"
    files.mkdir()
    return Crew(app, people, files)


@pytest.fixture
def api(settings: Settings) -> FastAPI:
    return create_app(settings, clock=lambda: NOW)


@pytest.fixture
def client(api: FastAPI) -> Iterator[TestClient]:
    """A client on the app; leaving it runs the lifespan's end, which closes the engine."""
    with TestClient(api) as test_client:
        yield test_client


@pytest.fixture
def call(client: TestClient, crew: Crew) -> Caller:
    return Caller(client, crew)
