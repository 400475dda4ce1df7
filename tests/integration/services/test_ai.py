"""AI governance through the services, on SQLite and PostgreSQL: the workflow registry, what
every AI upload must satisfy, the experimental track, rejection rates and model-update
impact on a hand-built history, readiness, retention and replay."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import AiWorkflow, Event, GateDecision, Version
from shotline.domain.ai import AiWorkflowError, parse_spec
from shotline.domain.errors import Conflict, NotFound, PermissionDenied, PolicyError
from shotline.domain.lifecycle import IllegalTransition
from shotline.services import ai, exceptions, policies, production, workspaces
from shotline.services.assets import AssetKey, find_asset
from shotline.services.policies import default_policy_text
from shotline.services.replay import ReplayLineError, replay_file
from shotline.simulation.images import png_bytes, write_png
from support import row

GATES = ("technical", "styling_fit", "brand_merch", "final_qc")
DECIDER = {"technical": "qc", "styling_fit": "cd", "brand_merch": "cd", "final_qc": "qc2"}
AI_FIELDS = {
    "production_path": "ai_generated",
    "source_image": "flat.tif",
    "target_model_type": "f",
    "pose": "front",
    "anatomy_risk": "low",
    "human_qc": "yes",
}
AI_ROW = row(sku="AIT-001", colorways="Black|White", views="front|back|side", **AI_FIELDS)
A1, A2, A3 = (AssetKey("AIT-001", "Black", v) for v in ("front", "back", "side"))
A4, A5, A6 = (AssetKey("AIT-001", "White", v) for v in ("front", "back", "side"))
SPEC: dict[str, Any] = {
    "name": "model-shots",
    "version": 3,
    "tool": "ComfyUI",
    "model": "sdxl-base",
    "model_version": "1.0",
    "loras": [{"name": "drape", "version": "2", "sha256": hashlib.sha256(b"d2").hexdigest()}],
    "prompt": "model shot of {product}",
    "categories": ["apparel"],
}


def h(hours: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


@pytest.fixture
def crew_ai(crew: Crew) -> Crew:
    """The crew plus `owner`, the AI workflow owner."""
    with crew.app.uow() as uow:
        crew.people["owner"] = workspaces.add_user(
            uow, crew["admin"], "owner", ["ai_workflow_owner"], NOW
        )
    return crew


def register(crew: Crew, who: str = "owner", **changes: Any) -> ai.Registered:
    with crew.app.uow() as uow:
        return ai.register_workflow(uow, crew[who], parse_spec({**SPEC, **changes}), NOW)


def approve(crew: Crew, ref: str = "model-shots@3", at: dt.datetime = NOW) -> ai.StatusChange:
    with crew.app.uow() as uow:
        return ai.approve_workflow(uow, crew["owner"], ref, at)


def retire(crew: Crew, ref: str = "model-shots@3") -> ai.StatusChange:
    with crew.app.uow() as uow:
        return ai.retire_workflow(uow, crew["owner"], ref, NOW)


def through_gates(
    crew: Crew, key: AssetKey, at: float = 0, fail: dict[str, Any] | None = None
) -> None:
    """Pass each gate in turn; `fail` = {gate: {item: [defects]}} fails that gate and stops."""
    for step, gate in enumerate(GATES):
        failing = (fail or {}).get(gate)
        crew.decide(DECIDER[gate], key, gate, fail=failing, now=h(at + step / 10))
        if failing:
            return


def events(crew: Crew, kind: str) -> list[Any]:
    """(asset_id, payload) rows of one kind of event, oldest first."""
    with crew.app.uow() as uow:
        query = select(Event.asset_id, Event.payload).where(Event.kind == kind).order_by(Event.id)
        return list(uow.session.execute(query))


def version_count(crew: Crew) -> int:
    with crew.app.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Version)) or 0


# the registry


def test_only_the_ai_workflow_owner_registers_approves_and_retires(crew_ai: Crew) -> None:
    for who in ("aiop", "admin", "ops"):
        with pytest.raises(PermissionDenied, match="needs one of the roles ai_workflow_owner"):
            register(crew_ai, who)
    made = register(crew_ai)
    assert made.created
    view = made.workflow
    assert (view.ref, view.status, view.owner) == ("model-shots@3", "experimental", "owner")
    assert view.prompt_sha256 == hashlib.sha256(b"model shot of {product}").hexdigest()
    for act in (ai.approve_workflow, ai.retire_workflow):
        with crew_ai.app.uow() as uow, pytest.raises(PermissionDenied):
            act(uow, crew_ai["aiop"], "model-shots@3", NOW)
    approved = approve(crew_ai, at=h(1))
    assert approved.changed and approved.workflow.status == "approved"
    assert (approved.workflow.approved_by, approved.workflow.approved_at) == ("owner", h(1))
    assert not approve(crew_ai).changed  # approving again changes nothing
    retired = retire(crew_ai)
    assert retired.workflow.status == "retired" and retired.workflow.retired_by == "owner"
    with pytest.raises(
        AiWorkflowError, match="model-shots@3 is retired; it cannot become approved"
    ):
        approve(crew_ai)
    kinds = ["ai_workflow_registered", "ai_workflow_approved", "ai_workflow_retired"]
    assert [len(events(crew_ai, k)) for k in kinds] == [1, 1, 1]
    registered = events(crew_ai, "ai_workflow_registered")[0].payload
    assert registered["workflow"] == "model-shots@3" and "prompt" not in registered
    assert registered["prompt_sha256"] == view.prompt_sha256


def test_changing_a_prompt_makes_a_new_version_and_the_old_one_keeps_its_history(
    crew_ai: Crew,
) -> None:
    register(crew_ai)
    approve(crew_ai)
    assert not register(crew_ai).created  # the same description again: nothing new
    with pytest.raises(Conflict) as caught:
        register(crew_ai, prompt="model shot of {product}, smiling", model_version="1.1")
    assert str(caught.value) == (
        "model-shots@3 is already registered with a different model_version, prompt; a "
        "registered version never changes: register the change as model-shots@4"
    )
    new = register(crew_ai, version=4, prompt="model shot of {product}, smiling")
    assert new.created and new.workflow.status == "experimental"
    assert new.workflow.prompt_sha256 != register(crew_ai).workflow.prompt_sha256
    with pytest.raises(Conflict, match="must be numbered above the newest, model-shots@4"):
        register(crew_ai, version=2, prompt="older")
    with crew_ai.app.uow() as uow:
        old = ai.show_workflow(uow, crew_ai["owner"], "model-shots@3").workflow
        newest = ai.show_workflow(uow, crew_ai["owner"], "model-shots").workflow
    assert (old.status, old.prompt) == ("approved", "model shot of {product}")
    assert newest.ref == "model-shots@4"
    assert len(events(crew_ai, "ai_workflow_registered")) == 2


def test_a_workflow_must_name_known_categories_and_views(crew_ai: Crew) -> None:
    with pytest.raises(AiWorkflowError, match="unknown category 'hats'"):
        register(crew_ai, categories=["hats"])
    with pytest.raises(AiWorkflowError, match="unknown view 'sky'"):
        register(crew_ai, views=["sky"])
    with crew_ai.app.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AiWorkflow)) == 0


# enforcement on upload


def test_a_version_citing_an_unknown_workflow_is_refused(crew_ai: Crew) -> None:
    crew_ai.import_rows([AI_ROW])
    register(crew_ai)
    approve(crew_ai)
    with pytest.raises(NotFound) as caught:
        crew_ai.upload("aiop", A1, "ai", ai_workflow="model-shots@9")
    assert str(caught.value) == (
        "AI workflow model-shots@9 is not registered in workspace default; "
        "registered: model-shots@3 (approved)"
    )
    with pytest.raises(NotFound, match=r"cleanup@1 is not registered .*; register it first"):
        crew_ai.upload("aiop", A1, "ai", ai_workflow="cleanup@1")
    with pytest.raises(AiWorkflowError, match="expected NAME@VERSION like model-shots@3"):
        crew_ai.upload("aiop", A1, "ai", ai_workflow="model-shots@latest")
    assert version_count(crew_ai) == 0
    assert crew_ai.state(A1)[0] == "requested"


def test_an_unregistered_workflow_is_refused_from_day_one(crew_ai: Crew) -> None:
    crew_ai.import_rows([AI_ROW])
    with pytest.raises(NotFound, match=r"model-shots@3 is not registered.*register it first"):
        crew_ai.upload("aiop", A1, "ai", ai_workflow="model-shots@3")
    register(crew_ai, name="other")
    with pytest.raises(NotFound, match="model-shots@3 is not registered"):
        crew_ai.upload("aiop", A2, "ai", ai_workflow="model-shots@3")


def test_a_retired_workflow_cannot_be_cited_for_new_work(crew_ai: Crew) -> None:
    crew_ai.import_rows([AI_ROW])
    register(crew_ai)
    approve(crew_ai)
    crew_ai.upload("aiop", A1, "ai", ai_workflow="model-shots@3")
    register(crew_ai, version=4, prompt="new prompt")
    retire(crew_ai)
    with pytest.raises(AiWorkflowError) as caught:
        crew_ai.upload("aiop", A2, "ai", ai_workflow="model-shots@3")
    assert str(caught.value) == (
        "model-shots@3 is retired and cannot be cited for new work; "
        "use model-shots@4 (experimental)"
    )
    assert version_count(crew_ai) == 1  # the version made before retirement stays


def test_a_workflow_only_makes_the_categories_and_views_it_is_registered_for(
    crew_ai: Crew,
) -> None:
    crew_ai.import_rows([AI_ROW])
    register(crew_ai, categories=["shoes", "bags"])
    approve(crew_ai)
    with pytest.raises(AiWorkflowError) as caught:
        crew_ai.upload("aiop", A1, "ai", ai_workflow="model-shots@3")
    assert str(caught.value) == (
        "model-shots@3 may not produce apparel images; it is registered for shoes, bags"
    )
    register(crew_ai, version=4, views=["front"])
    approve(crew_ai, "model-shots@4")
    crew_ai.upload("aiop", A1, "ai", ai_workflow="model-shots@4")
    with pytest.raises(AiWorkflowError, match=r"may not produce the back view; .* for front"):
        crew_ai.upload("aiop", A2, "ai", ai_workflow="model-shots@4")


def test_experimental_work_moves_to_the_experimental_track_and_never_delivers(
    crew_ai: Crew,
) -> None:
    crew_ai.import_rows([AI_ROW])
    register(crew_ai)
    crew_ai.upload("aiop", A1, "ai", ai_workflow="model-shots@3", now=h(1))
    with crew_ai.app.uow() as uow:
        assert find_asset(uow, crew_ai["admin"], A1).track == "ai_experimental"
    [moved] = events(crew_ai, "track_changed")
    assert moved.payload == {
        "before": "ai_generated",
        "after": "ai_experimental",
        "ai_workflow": "model-shots@3",
        "reason": "output of an experimental AI workflow",
    }
    through_gates(crew_ai, A1, at=2)
    assert crew_ai.state(A1)[0] == "approved"
    with crew_ai.app.uow() as uow, pytest.raises(IllegalTransition, match="can never deliver"):
        production.deliver(uow, crew_ai["dam"], A1, ["pdp"], h(3))
    # Approving the workflow later does not bring experimental output back.
    approve(crew_ai)
    with crew_ai.app.uow() as uow, pytest.raises(IllegalTransition, match="can never deliver"):
        production.deliver(uow, crew_ai["dam"], A1, ["pdp"], h(4))


def test_ai_output_of_an_approved_workflow_still_needs_a_human_final_qc(crew_ai: Crew) -> None:
    crew_ai.import_rows([AI_ROW])
    register(crew_ai)
    approve(crew_ai)
    crew_ai.upload("aiop", A1, "ai", ai_workflow="model-shots@3")
    for gate in GATES[:3]:
        crew_ai.decide(DECIDER[gate], A1, gate)
    assert crew_ai.state(A1) == ("in_review", "final_qc", 0)
    with crew_ai.app.uow() as uow, pytest.raises(PermissionDenied, match="never be bypassed"):
        from shotline.services import review

        review.bypass_gate(uow, crew_ai["ops"], A1, "final_qc", NOW)
    crew_ai.decide("qc2", A1, "final_qc")
    with crew_ai.app.uow() as uow:
        production.deliver(uow, crew_ai["dam"], A1, ["pdp"], NOW)
    assert crew_ai.state(A1)[0] == "delivered"
    assert events(crew_ai, "track_changed") == []


def test_a_policy_that_switches_off_human_final_qc_is_refused_when_activated(
    crew_ai: Crew,
) -> None:
    text = default_policy_text().replace(
        "ai:\n  refuse:", "ai:\n  human_final_qc: false\n  refuse:"
    )
    with crew_ai.app.uow() as uow, pytest.raises(PolicyError) as caught:
        policies.activate_policy(uow, crew_ai["admin"], text, "lax.yaml", NOW)
    assert "ai.human_final_qc: human final QC of AI output cannot be switched off" in str(
        caught.value
    )
    with crew_ai.app.uow() as uow:
        assert policies.load_active_policy(uow, crew_ai["admin"].workspace_id).version == 1


def test_the_policy_keeps_ai_off_sensitive_work_unless_an_exception_is_granted(
    crew_ai: Crew,
) -> None:
    lace = row(sku="LACE-1", colorways="Ivory", views="front", fabric="lace", **AI_FIELDS)
    crew_ai.import_rows([lace])
    register(crew_ai)
    approve(crew_ai)
    key = AssetKey("LACE-1", "Ivory", "front")
    with pytest.raises(PermissionDenied) as caught:
        crew_ai.upload("aiop", key, "ai", ai_workflow="model-shots@3")
    assert str(caught.value) == (
        "the policy keeps AI off LACE-1 / Ivory / front (complex fabric); AI output for it "
        "needs a granted ai_usage exception"
    )
    asset_id = crew_ai.asset_id(key)
    with crew_ai.app.uow() as uow:
        wanted = exceptions.request_exception(
            uow, crew_ai["producer"], "ai_usage", "brand signed off", [asset_id], NOW
        )
    with pytest.raises(PermissionDenied):
        crew_ai.upload("aiop", key, "ai", ai_workflow="model-shots@3")  # asked, not granted
    with crew_ai.app.uow() as uow:
        exceptions.decide_exception(uow, crew_ai["ops"], wanted, True, "ok once", NOW)
    assert crew_ai.upload("aiop", key, "ai", ai_workflow="model-shots@3").kind == "ai"
    # Studio work on the same asset is not affected by the AI rules.
    crew_ai.upload("retoucher", key, "retouch", submit=False)


# measuring


def _history(crew: Crew) -> None:
    """model-shots@3: 4 reviewed outputs, 2 rejected (anatomy_error, garment_deformation);
    then @4 (a new prompt): 3 reviewed, 1 rejected (anatomy_error at final QC)."""
    crew.import_rows([AI_ROW])
    register(crew)
    approve(crew)
    wf3 = "model-shots@3"
    crew.upload("aiop", A1, "ai", ai_workflow=wf3, now=h(1))
    through_gates(crew, A1, 2, {"technical": {"focus": ["anatomy_error"]}})
    crew.upload("aiop", A1, "ai", ai_workflow=wf3, now=h(3))
    through_gates(crew, A1, 4)
    crew.upload("aiop", A2, "ai", ai_workflow=wf3, now=h(1))
    through_gates(crew, A2, 2)
    crew.upload("aiop", A3, "ai", ai_workflow=wf3, now=h(1))
    through_gates(crew, A3, 2, {"styling_fit": {"hem_shape": ["garment_deformation"]}})
    # The garment deformation is retouched by hand: cleanup caused by the AI output.
    crew.upload("retoucher", A3, "retouch", now=h(5))
    register(crew, version=4, prompt="model shot of {product}, relaxed pose")
    approve(crew, "model-shots@4")
    wf4 = "model-shots@4"
    for key in (A4, A5, A6):
        crew.upload("aiop", key, "ai", ai_workflow=wf4, now=h(10))
    through_gates(crew, A4, 11)
    through_gates(crew, A5, 11)
    through_gates(crew, A6, 11, {"final_qc": {"ai_artifacts": ["anatomy_error"]}})


def test_rejection_rates_and_the_model_update_impact_on_a_hand_built_history(
    crew_ai: Crew,
) -> None:
    _history(crew_ai)
    with crew_ai.app.uow() as uow:
        listed = {s.workflow.ref: s for s in ai.list_workflows(uow, crew_ai["cd"])}
        detail = ai.show_workflow(uow, crew_ai["cd"], "model-shots@4")
    v3, v4 = listed["model-shots@3"].stats, listed["model-shots@4"].stats
    assert (v3.reviewed, v3.rejected, v3.rate) == (4, 2, 0.5)
    assert v3.reasons == {"anatomy_error": 1, "garment_deformation": 1}
    assert (v4.reviewed, v4.rejected) == (3, 1)
    assert v4.reasons == {"anatomy_error": 1}
    impact = detail.impact
    assert impact is not None
    assert (impact.before, impact.after) == ("model-shots@3", "model-shots@4")
    assert (impact.before_stats.reviewed, impact.after_stats.reviewed) == (4, 3)
    assert impact.rate_change == pytest.approx(1 / 3 - 0.5)
    assert impact.reasons() == [("anatomy_error", 1, 1), ("garment_deformation", 1, 0)]
    assert [s.workflow.ref for s in detail.versions] == ["model-shots@3", "model-shots@4"]
    assert not detail.readiness.ready
    assert "fewer than the 50 the policy asks for" in detail.readiness.summary


def test_first_pass_against_studio_work_and_the_cleanup_ai_output_causes(crew_ai: Crew) -> None:
    _history(crew_ai)
    crew_ai.import_rows([row(sku="TEE-9", colorways="Black", views="front|back")])
    crew_ai.upload("retoucher", AssetKey("TEE-9", "Black", "front"), "retouch")
    through_gates(crew_ai, AssetKey("TEE-9", "Black", "front"), 20)
    crew_ai.upload("retoucher", AssetKey("TEE-9", "Black", "back"), "retouch")
    through_gates(crew_ai, AssetKey("TEE-9", "Black", "back"), 20)
    with crew_ai.app.uow() as uow:
        detail = ai.show_workflow(uow, crew_ai["cd"], "model-shots@3")
    [apparel] = detail.first_pass
    assert apparel.category == "apparel"
    assert (apparel.ai.reviewed, apparel.ai.rejected) == (4, 2)
    # The studio's apparel versions: two TEE-9 retouches, both first pass (the A3 retouch
    # was never reviewed).
    assert (apparel.studio.reviewed, apparel.studio.rejected) == (2, 0)
    cleanup = detail.cleanup
    assert (cleanup.ai_versions, cleanup.retouch_versions) == (4, 1)
    assert cleanup.hours == pytest.approx(4.0)  # A3: AI at h(1), retouch at h(5)
    assert cleanup.cost == pytest.approx(12.0)  # the default estimate of a C3 retouch


def test_a_vendor_cannot_read_workflow_figures(crew_ai: Crew) -> None:
    register(crew_ai)
    with crew_ai.app.uow() as uow, pytest.raises(PermissionDenied, match="works for a vendor"):
        ai.list_workflows(uow, crew_ai["vendor"])
    with crew_ai.app.uow() as uow, pytest.raises(NotFound, match="no AI workflow named 'x'"):
        ai.show_workflow(uow, crew_ai["cd"], "x")


def _strict_policy(crew: Crew, min_reviewed: int, days: int | None = 30) -> None:
    text = default_policy_text().replace(
        "readiness: {min_reviewed: 50, max_rejection_rate: 0.10, required_for_approval: false}",
        f"readiness: {{min_reviewed: {min_reviewed}, max_rejection_rate: 0.30, "
        "required_for_approval: true}",
    )
    if days is None:
        text = text.replace("  retention: {rejected_files_days: 30}\n", "")
    with crew.app.uow() as uow:
        policies.activate_policy(uow, crew["admin"], text, "strict.yaml", NOW)


def test_readiness_with_its_interval_gates_approval_where_the_policy_asks(
    crew_ai: Crew,
) -> None:
    _strict_policy(crew_ai, min_reviewed=4)
    crew_ai.import_rows([AI_ROW])
    register(crew_ai)
    with pytest.raises(AiWorkflowError) as caught:
        approve(crew_ai)
    assert str(caught.value) == (
        "model-shots@3 cannot be approved yet: the policy asks for readiness first; not "
        "ready: 0 reviewed output(s), fewer than the 4 the policy asks for"
    )
    # Experimental output is reviewed like any other; that is the evidence.
    for n, key in enumerate((A1, A2, A3, A4)):
        crew_ai.upload("aiop", key, "ai", ai_workflow="model-shots@3", now=h(n))
        fail = {"brand_merch": {"styling": ["off_brand_styling"]}} if key == A4 else None
        through_gates(crew_ai, key, n + 0.5, fail)
    result = approve(crew_ai, at=h(9))
    assert result.changed
    evidence = result.readiness
    assert (evidence.reviewed, evidence.rejected, evidence.rate) == (4, 1, 0.25)
    assert evidence.interval == pytest.approx((0.0456, 0.6994), abs=1e-4)
    assert (
        evidence.summary
        == "ready to scale: 1 of 4 rejected (25.0%, 95% CI 4.6%-69.9%), below 30.0%"
    )
    [approved] = events(crew_ai, "ai_workflow_approved")
    assert approved.payload["readiness"]["ready"] is True
    assert approved.payload["readiness"]["interval_95"] == pytest.approx([0.0456, 0.6994], abs=1e-4)


# retention


def _upload_bytes(crew: Crew, key: AssetKey, content: bytes, at: dt.datetime) -> None:
    content = _image(content)
    path = crew.files / f"{hashlib.sha256(content).hexdigest()[:8]}.png"
    path.write_bytes(content)
    upload = production.Upload(path, "ai", ai_workflow="model-shots@3")
    with crew.app.uow() as uow:
        production.upload_version(uow, crew["aiop"], key, upload, at, submit=True)


def _blob_exists(crew: Crew, content: bytes) -> bool:
    with crew.app.uow() as uow:
        return uow.blobs.exists(hashlib.sha256(_image(content)).hexdigest())


def _image(seed: bytes) -> bytes:
    # Uploads are probed: each seed stands for its own tiny, valid image.
    return png_bytes(seed.decode())


def test_the_retention_rule_deletes_files_of_old_rejections_and_keeps_the_records(
    crew_ai: Crew,
) -> None:
    old = NOW - dt.timedelta(days=45)
    crew_ai.import_rows([AI_ROW], now=old)
    register(crew_ai)
    approve(crew_ai)
    fail = {"technical": {"focus": ["anatomy_error"]}}
    _upload_bytes(crew_ai, A1, b"old reject", old)
    crew_ai.decide("qc", A1, "technical", fail=fail["technical"], now=old)
    _upload_bytes(crew_ai, A1, b"approved later", old + dt.timedelta(hours=1))
    through_gates(crew_ai, A1, -44 * 24)
    # The same bytes rejected once and kept as the version A3 shows: never deleted.
    _upload_bytes(crew_ai, A2, b"shared", old)
    crew_ai.decide("qc", A2, "technical", fail=fail["technical"], now=old)
    _upload_bytes(crew_ai, A3, b"shared", old)
    # Rejected recently: kept until its 30 days are up.
    _upload_bytes(crew_ai, A4, b"recent reject", NOW - dt.timedelta(days=5))
    crew_ai.decide("qc", A4, "technical", fail=fail["technical"], now=NOW - dt.timedelta(days=5))
    with crew_ai.app.uow() as uow, pytest.raises(PermissionDenied):
        ai.apply_retention(uow, crew_ai["aiop"], NOW)
    with crew_ai.app.uow() as uow:
        dry = ai.apply_retention(uow, crew_ai["owner"], NOW, dry_run=True)
    assert [(f.view, f.version) for f in dry.files] == [("front", 1)]
    assert _blob_exists(crew_ai, b"old reject")
    with crew_ai.app.uow() as uow:
        done = ai.apply_retention(uow, crew_ai["owner"], NOW)
    assert (done.days, done.cutoff, done.kept_shared) == (30, NOW - dt.timedelta(days=30), 1)
    assert [(f.sku, f.view, f.version, f.bytes) for f in done.files] == [
        ("AIT-001", "front", 1, len(_image(b"old reject")))
    ]
    assert not _blob_exists(crew_ai, b"old reject")
    for kept in (b"approved later", b"shared", b"recent reject"):
        assert _blob_exists(crew_ai, kept)
    # Rows, decisions and events stay; the deletion is itself recorded on the asset.
    assert version_count(crew_ai) == 5
    with crew_ai.app.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(GateDecision)) == 7
    [deleted] = events(crew_ai, "ai_files_deleted")
    assert deleted.asset_id == crew_ai.asset_id(A1)
    assert deleted.payload["versions"] == [1]
    assert deleted.payload["sha256"] == [hashlib.sha256(_image(b"old reject")).hexdigest()]
    # A second run finds nothing more to do.
    with crew_ai.app.uow() as uow:
        assert ai.apply_retention(uow, crew_ai["admin"], NOW).files == []
    assert len(events(crew_ai, "ai_files_deleted")) == 1


def test_without_a_retention_rule_nothing_is_deleted(crew_ai: Crew) -> None:
    _strict_policy(crew_ai, min_reviewed=1, days=None)
    with crew_ai.app.uow() as uow:
        result = ai.apply_retention(uow, crew_ai["owner"], NOW)
    assert (result.days, result.files) == (None, [])


# replay


def _line(hours: float, actor: str, action: str, **data: Any) -> str:
    at = (NOW + dt.timedelta(hours=hours)).isoformat()
    return json.dumps({"at": at, "actor": actor, "action": action, **data})


def test_replay_registers_approves_and_retires_workflows(crew_ai: Crew, tmp_path: Path) -> None:
    write_png(tmp_path / "ai.png", "ai")
    lines = [
        _line(0, "merch", "intake", rows=[AI_ROW]),
        _line(1, "ada", "ai_register", roles=["ai_workflow_owner"], workflow=SPEC),
        _line(2, "ada", "ai_approve", workflow="model-shots@3"),
        _line(
            3,
            "aiop",
            "upload",
            **{"sku": "AIT-001", "colorway": "Black", "view": "front"},
            kind="ai",
            file="ai.png",
            ai_workflow="model-shots@3",
        ),
        _line(4, "ada", "ai_register", workflow={**SPEC, "version": 4, "prompt": "v4"}),
        _line(5, "ada", "ai_retire", workflow="model-shots@3"),
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = replay_file(crew_ai.app, "default", path)
    assert result.by_action == {
        "intake": 1, "ai_register": 2, "ai_approve": 1, "upload": 1, "ai_retire": 1,
    }  # fmt: skip
    with crew_ai.app.uow() as uow:
        listed = {s.workflow.ref: s.workflow for s in ai.list_workflows(uow, crew_ai["cd"])}
    assert {r: w.status for r, w in listed.items()} == {
        "model-shots@3": "retired",
        "model-shots@4": "experimental",
    }
    assert listed["model-shots@3"].approved_at == NOW + dt.timedelta(hours=2)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        _line(6, "ada", "ai_register", workflow={**SPEC, "prompt": "changed"}) + "\n"
        + _line(7, "ada", "ai_approve", workflow="model-shots") + "\n"
        + _line(8, "ada", "ai_register", workflow={**SPEC, "loras": [{"sha256": "x"}]}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(ReplayLineError, match="line 1: model-shots@3 is already registered"):
        replay_file(crew_ai.app, "default", bad)
    failed = replay_file(crew_ai.app, "default", bad, keep_going=True).failed
    assert [f.line for f in failed] == [1, 2, 3]
    assert "expected NAME@VERSION" in failed[1].reason
    assert failed[2].reason.startswith("ai_register 'workflow' has 3 problem(s): ")
