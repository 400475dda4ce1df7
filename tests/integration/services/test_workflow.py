"""The lifecycle and review gates through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import select

from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import CheckResult, Event, GateDecision
from shotline.domain.errors import Conflict, PermissionDenied, ShotlineError
from shotline.domain.lifecycle import IllegalTransition
from shotline.domain.review import ReviewError
from shotline.services import exceptions, production, review, workspaces
from shotline.services.assets import AssetKey
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
GATES = ("technical", "styling_fit", "brand_merch", "final_qc")
DECIDER = {"technical": "qc", "styling_fit": "cd", "brand_merch": "cd", "final_qc": "qc2"}


def test_an_asset_goes_from_intake_to_live_with_a_rework_round(crew: Crew) -> None:
    crew.import_rows([row()])
    assert crew.state(FRONT) == ("requested", None, 0)
    crew.upload("photo", FRONT, "capture", submit=False)
    assert crew.state(FRONT)[0] == "in_capture"
    crew.upload("retoucher", FRONT, "retouch", submit=True)
    assert crew.state(FRONT) == ("in_review", "technical", 0)
    crew.decide("qc", FRONT, "technical")
    result = crew.decide("cd", FRONT, "styling_fit", fail={"sleeve_length": ["fit_distortion"]})
    assert (result.passed, result.route, result.asset_state) == (False, "retouch", "in_retouch")
    assert crew.state(FRONT) == ("in_retouch", None, 1)
    # A new version is checked again from the first gate.
    crew.upload("retoucher", FRONT, "retouch", submit=True)
    assert crew.state(FRONT) == ("in_review", "technical", 1)
    for gate in GATES:
        crew.decide(DECIDER[gate], FRONT, gate)
    assert crew.state(FRONT)[0] == "approved"
    with crew.app.uow() as uow:
        production.deliver(uow, crew["dam"], FRONT, ["pdp"], NOW)
    with crew.app.uow() as uow:
        production.go_live(uow, crew["dam"], FRONT, NOW)
    assert crew.state(FRONT)[0] == "live"
    with crew.app.uow() as uow:
        query = select(Event.kind).where(Event.asset_id.is_not(None)).order_by(Event.id)
        kinds = list(uow.session.scalars(query))
    assert kinds.count("gate_failed") == 1 and kinds[-3:] == ["approved", "delivered", "live"]


def test_a_fail_without_a_defect_code_is_refused(crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    with pytest.raises(ReviewError, match="failed item 'focus' needs a defect code"):
        crew.decide("qc", FRONT, "technical", fail={"focus": []})
    assert crew.state(FRONT) == ("in_review", "technical", 0)


def test_only_the_gate_role_decides(crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    with pytest.raises(PermissionDenied, match="technical gate is decided by qc_lead"):
        crew.decide("merch", FRONT, "technical")
    with pytest.raises(PermissionDenied):
        crew.decide("admin", FRONT, "technical")


def test_four_eyes_on_final_qc(crew: Crew) -> None:
    with crew.app.uow() as uow:
        roles = ["qc_lead", "retoucher"]
        crew.people["qcr"] = workspaces.add_user(uow, crew["admin"], "qcr", roles, NOW)
    crew.import_rows([row()])
    crew.upload("qcr", FRONT, "retouch")
    for gate in GATES[:3]:
        crew.decide(DECIDER[gate], FRONT, gate)
    with pytest.raises(PermissionDenied, match="four eyes"):
        crew.decide("qcr", FRONT, "final_qc")
    assert crew.decide("qc", FRONT, "final_qc").asset_state == "approved"


def test_illegal_moves_are_refused(crew: Crew) -> None:
    crew.import_rows([row()])
    with crew.app.uow() as uow, pytest.raises(IllegalTransition, match="requested to delivered"):
        production.deliver(uow, crew["dam"], FRONT, ["pdp"], NOW)
    with crew.app.uow() as uow, pytest.raises(IllegalTransition, match="from requested to live"):
        production.go_live(uow, crew["dam"], FRONT, NOW)


def test_block_and_resume_return_to_the_paused_state(crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("photo", FRONT, "capture", submit=False)
    with crew.app.uow() as uow:
        production.block(uow, crew["producer"], FRONT, "sample missing", NOW)
    assert crew.state(FRONT)[0] == "blocked"
    with pytest.raises(IllegalTransition, match="cannot upload"):
        crew.upload("photo", FRONT, "capture")
    with crew.app.uow() as uow:
        production.resume(uow, crew["producer"], FRONT, NOW)
    assert crew.state(FRONT)[0] == "in_capture"
    with crew.app.uow() as uow:
        production.cancel(uow, crew["producer"], FRONT, "dropped from the range", NOW)
    with crew.app.uow() as uow, pytest.raises(IllegalTransition):
        production.resume(uow, crew["producer"], FRONT, NOW)


def test_ai_versions_need_a_workflow_and_human_final_qc(crew: Crew) -> None:
    crew.import_rows(
        [
            row(
                production_path="ai_generated",
                source_image="flat.tif",
                target_model_type="f",
                pose="front",
                anatomy_risk="low",
                human_qc="yes",
            )
        ]
    )
    with pytest.raises(ShotlineError, match="must name the AI workflow"):
        crew.upload("aiop", FRONT, "ai")
    crew.register_ai("model-shots@3")
    crew.upload("aiop", FRONT, "ai", ai_workflow="model-shots@3")
    for gate in GATES[:3]:
        crew.decide(DECIDER[gate], FRONT, gate)
    assert crew.state(FRONT) == ("in_review", "final_qc", 0)
    result = crew.decide("qc", FRONT, "final_qc", fail={"ai_artifacts": ["anatomy_error"]})
    assert (result.route, result.asset_state) == ("retouch", "in_retouch")


def test_concurrent_decisions_land_once(crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    crew.decide("qc", FRONT, "technical")
    with pytest.raises((Conflict, IllegalTransition)):
        crew.decide("qc2", FRONT, "technical")
    with crew.app.uow() as uow:
        assert len(list(uow.session.scalars(select(GateDecision)))) == 1


def test_passing_over_a_failed_check_needs_an_override_recorded_as_exception(crew: Crew) -> None:
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    with crew.app.uow() as uow:
        uow.session.add(
            CheckResult(
                workspace_id=crew["admin"].workspace_id,
                version_id=version.version_id,
                check="focus",
                passed=False,
                value=0.1,
                threshold=0.3,
                unit="",
                explanation="soft",
                measured_at=NOW,
            )
        )
        uow.commit()
    with pytest.raises(ReviewError, match=r"failed automated checks \(focus\)"):
        crew.decide("qc", FRONT, "technical")
    crew.decide("qc", FRONT, "technical", override="soft focus is the look of this drop")
    with crew.app.uow() as uow:
        (made,) = exceptions.list_exceptions(uow, crew["admin"])
    assert (made.kind, made.status) == ("override_check", "granted")


def test_a_gate_is_bypassed_only_with_a_granted_exception(crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    with crew.app.uow() as uow, pytest.raises(PermissionDenied, match="bypass_gate"):
        review.bypass_gate(uow, crew["producer"], FRONT, "technical", NOW)
    asset_id = crew.asset_id(FRONT)
    with crew.app.uow() as uow:
        ex = exceptions.request_exception(
            uow, crew["producer"], "bypass_gate", "launch tomorrow", [asset_id], NOW
        )
    with crew.app.uow() as uow, pytest.raises(PermissionDenied):
        exceptions.decide_exception(uow, crew["producer"], ex, True, "", NOW)
    with crew.app.uow() as uow:
        exceptions.decide_exception(uow, crew["ops"], ex, True, "once", NOW)
    with crew.app.uow() as uow:
        assert review.bypass_gate(uow, crew["producer"], FRONT, "technical", NOW) == "in_review"
    assert crew.state(FRONT)[1] == "styling_fit"


def test_two_reviewers_at_once_exactly_one_decision_lands(
    crew: Crew, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real concurrent sessions: both reviewers read the asset before either writes."""
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    barrier = threading.Barrier(2, timeout=10)
    real_check = review.check_reviewer

    def check_then_wait(*args: Any) -> None:
        real_check(*args)
        barrier.wait()

    monkeypatch.setattr(review, "check_reviewer", check_then_wait)
    outcomes: dict[str, object] = {}

    def decide(who: str) -> None:
        try:
            outcomes[who] = crew.decide(who, FRONT, "technical")
        except Exception as exc:
            outcomes[who] = exc

    threads = [threading.Thread(target=decide, args=(who,)) for who in ("qc", "qc2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    landed = [o for o in outcomes.values() if isinstance(o, review.DecisionResult)]
    refused = [o for o in outcomes.values() if isinstance(o, Conflict)]
    assert (len(landed), len(refused)) == (1, 1), outcomes
    assert "decided by someone else at the same time" in str(refused[0])
    with crew.app.uow() as uow:
        assert len(list(uow.session.scalars(select(GateDecision)))) == 1
    assert crew.state(FRONT)[1] == "styling_fit"


def test_moving_work_across_queues_needs_a_granted_exception(crew: Crew) -> None:
    crew.import_rows([row()])
    with crew.app.uow() as uow, pytest.raises(PermissionDenied, match="move_queue"):
        production.move_track(uow, crew["producer"], FRONT, "hero", NOW)
    with crew.app.uow() as uow:
        ex = exceptions.request_exception(
            uow, crew["producer"], "move_queue", "campaign pick", [crew.asset_id(FRONT)], NOW
        )
    with crew.app.uow() as uow:
        exceptions.decide_exception(uow, crew["ops"], ex, True, "", NOW)
    with crew.app.uow() as uow:
        assert production.move_track(uow, crew["producer"], FRONT, "hero", NOW) == "hero"
    # Granted exceptions expire: 14 days for move_queue in the default policy.
    later = NOW + dt.timedelta(days=15)
    with crew.app.uow() as uow, pytest.raises(PermissionDenied):
        production.move_track(uow, crew["producer"], FRONT, "catalog", later)
