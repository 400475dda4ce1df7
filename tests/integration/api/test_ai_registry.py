"""The AI workflow registry through the API: register, approve, list, show, retire."""

from __future__ import annotations

from typing import Any

from conftest import NOW
from integration.api.caller import Caller
from shotline.services import workspaces

SPEC: dict[str, Any] = {
    "name": "model-shots",
    "version": 3,
    "tool": "ComfyUI",
    "model": "sdxl-base",
    "model_version": "1.0",
    "loras": [],
    "prompt": "model shot of {product}",
    "categories": ["apparel"],
}


def _owner(call: Caller) -> None:
    crew = call.crew
    with crew.app.uow() as uow:
        crew.people["ada"] = workspaces.add_user(
            uow, crew["admin"], "ada", ["ai_workflow_owner"], NOW
        )


def test_the_registry_through_the_api(call: Caller) -> None:
    _owner(call)
    assert call.post("producer", "/api/v1/ai/workflows", json=SPEC).status_code == 403
    created = call.post("ada", "/api/v1/ai/workflows", json=SPEC)
    assert created.status_code == 201, created.text
    assert created.json()["workflow"]["status"] == "experimental"
    changed = call.post("ada", "/api/v1/ai/workflows", json={**SPEC, "prompt": "other"})
    assert changed.status_code == 409 and "model-shots@4" in changed.json()["detail"]
    approved = call.post("ada", "/api/v1/ai/workflows/model-shots@3/approve")
    assert approved.status_code == 200 and approved.json()["workflow"]["status"] == "approved"
    listed = call.get("producer", "/api/v1/ai/workflows").json()
    assert [w["workflow"]["ref"] for w in listed] == ["model-shots@3"]
    shown = call.get("producer", "/api/v1/ai/workflows/model-shots@3")
    assert shown.status_code == 200 and shown.json()["readiness"] is not None
    retired = call.post("ada", "/api/v1/ai/workflows/model-shots@3/retire")
    assert retired.json()["workflow"]["status"] == "retired"
    assert call.get("producer", "/api/v1/ai/workflows/nope@1").status_code == 404
