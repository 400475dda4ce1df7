"""Gate decisions through HTTP: the asset moves as the service says; refusals carry the
reason and change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crew import Crew
from integration.api.caller import Caller, decision_body
from shotline.adapters.db.models import GateDecision
from shotline.services.assets import AssetKey
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
URL = "/api/v1/assets/TEE-001/Black/front/decisions"


@pytest.fixture
def in_review(crew: Crew) -> Crew:
    """TEE-001 Black front waits at the technical gate."""
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    return crew


def test_a_pass_moves_the_asset_to_the_next_gate(call: Caller, in_review: Crew) -> None:
    body = decision_body(in_review, "technical", comment="sharp", cost=4.5)
    response = call.post("qc", URL, json=body)
    assert response.status_code == 201, response.text
    result = response.json()
    assert {k: v for k, v in result.items() if k != "decision_id"} == {
        "passed": True, "asset_state": "in_review", "next_gate": "styling_fit", "route": None,
        "defects": [], "rework_rounds": 0,
    }  # fmt: skip
    assert in_review.state(FRONT) == ("in_review", "styling_fit", 0)


def test_a_fail_sends_the_asset_back_with_its_regions(call: Caller, in_review: Crew) -> None:
    call.post("qc", URL, json=decision_body(in_review, "technical"))
    region = {"x": 10, "y": 20.5, "w": 300, "h": 120, "note": "left sleeve shorter"}
    body = decision_body(
        in_review, "styling_fit", {"sleeve_length": ["fit_distortion"]}, annotations=[region]
    )
    response = call.post("cd", URL, json=body)
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["passed"], result["route"], result["asset_state"]) == (
        False, "retouch", "in_retouch",
    )  # fmt: skip
    assert (result["defects"], result["rework_rounds"]) == (["fit_distortion"], 1)
    assert in_review.state(FRONT) == ("in_retouch", None, 1)
    with in_review.app.uow() as uow:
        stored = uow.session.scalar(
            select(GateDecision).where(GateDecision.id == result["decision_id"])
        )
        assert stored is not None
        assert stored.annotations == [
            {"x": 10.0, "y": 20.5, "w": 300.0, "h": 120.0, "note": "left sleeve shorter"}
        ]


def test_deciding_an_asset_that_is_not_in_review_is_a_conflict(call: Caller, crew: Crew) -> None:
    crew.import_rows([row()])
    response = call.post("qc", URL, json=decision_body(crew, "technical"))
    assert response.status_code == 409
    assert response.json() == {"detail": "TEE-001 / Black / front is requested, not in review"}
    assert crew.state(FRONT) == ("requested", None, 0)


def test_deciding_another_gate_than_the_one_waited_at_is_a_conflict(
    call: Caller, in_review: Crew
) -> None:
    response = call.post("cd", URL, json=decision_body(in_review, "styling_fit"))
    assert response.status_code == 409
    assert response.json() == {"detail": "the asset waits at the technical gate, not styling_fit"}


def test_an_incomplete_checklist_is_refused_and_changes_nothing(
    call: Caller, in_review: Crew
) -> None:
    body = decision_body(in_review, "technical")
    dropped = body["answers"].pop()["item"]
    response = call.post("qc", URL, json=body)
    assert response.status_code == 400
    assert f"checklist item {dropped!r} is not answered" in response.json()["detail"]
    assert in_review.state(FRONT) == ("in_review", "technical", 0)


@pytest.mark.parametrize(
    "change",
    [
        {"answers": "all good"},
        {"annotations": [{"x": 1, "y": 1, "w": 0, "h": 5}]},
        {"cost": -3},
        {"gate": None},
    ],
)
def test_a_malformed_body_is_refused_before_the_service(
    call: Caller, in_review: Crew, change: dict[str, object]
) -> None:
    response = call.post("qc", URL, json=decision_body(in_review, "technical") | change)
    assert response.status_code == 422
    assert in_review.state(FRONT) == ("in_review", "technical", 0)


def test_an_unknown_asset_is_not_found(call: Caller, in_review: Crew) -> None:
    url = "/api/v1/assets/TEE-001/Purple/front/decisions"
    response = call.post("qc", url, json=decision_body(in_review, "technical"))
    assert response.status_code == 404
    assert response.json() == {"detail": "no asset TEE-001 / Purple / front in workspace default"}


def test_an_oversized_body_is_refused(call: Caller, in_review: Crew) -> None:
    body = decision_body(in_review, "technical", comment="x" * (2 << 20))
    assert call.post("qc", URL, json=body).status_code == 413
    assert in_review.state(FRONT) == ("in_review", "technical", 0)
