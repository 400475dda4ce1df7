"""A workspace with a full crew, for workflow tests on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import NOW
from crew import CREW, Crew
from shotline.bootstrap import App
from shotline.domain.access import Actor
from shotline.services import workspaces


@pytest.fixture
def crew(app: App, admin: Actor, tmp_path: Path) -> Crew:
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
