"""HTTP calls made as one of the crew, each person with an API token of their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx2
from fastapi.testclient import TestClient

from conftest import NOW
from crew import Crew
from shotline.services import tokens
from shotline.services.policies import load_active_policy


@dataclass
class Caller:
    """`call.get("qc", "/api/v1/...")`: the request with qc's bearer token."""

    client: TestClient
    crew: Crew
    secrets: dict[str, str] = field(default_factory=dict)

    def token(self, who: str) -> str:
        """`who`'s token, made on first use."""
        if who not in self.secrets:
            with self.crew.app.uow() as uow:
                self.secrets[who] = tokens.create_token(uow, self.crew[who], f"{who} tests", NOW)
        return self.secrets[who]

    def get(self, who: str, url: str, **kwargs: Any) -> httpx2.Response:
        return self.client.get(url, headers=self.auth(who), **kwargs)

    def post(self, who: str, url: str, **kwargs: Any) -> httpx2.Response:
        return self.client.post(url, headers=self.auth(who), **kwargs)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(who)}"}


def decision_body(
    crew: Crew, gate: str, fail: dict[str, list[str]] | None = None, **extra: Any
) -> dict[str, Any]:
    """A JSON decision answering every item of the gate's checklist: passed, unless named in
    `fail` with its defect codes."""
    with crew.app.uow() as uow:
        policy = load_active_policy(uow, crew["admin"].workspace_id).policy
    fail = fail or {}
    answers = [
        {"item": item.code, "passed": item.code not in fail, "defects": fail.get(item.code, [])}
        for item in policy.gates[gate].checklist
    ]
    return {"gate": gate, "answers": answers, **extra}
