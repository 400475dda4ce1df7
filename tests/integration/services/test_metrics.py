"""Metrics from the event log (services/metrics.py), on SQLite and PostgreSQL.

A small history is driven through the services with explicit times, and every metric of
`build_report` is checked against numbers worked out by hand. A simulated history is then
checked against the same rates recomputed straight from the raw `events` rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import Asset, Event
from shotline.bootstrap import App
from shotline.domain.access import Actor
from shotline.domain.errors import ShotlineError
from shotline.domain.review import ItemAnswer
from shotline.services import assignment, production, review
from shotline.services.assets import AssetKey
from shotline.services.metrics import build_report
from shotline.services.policies import check_policy, default_policy_text, load_active_policy
from shotline.services.replay import replay_file
from shotline.simulation.images import png_bytes
from shotline.simulation.workflow import simulate
from support import JEWELRY, row

# A Monday afternoon, three weeks before NOW; every time below is hours after it.
T0 = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 10, tzinfo=dt.UTC)

BF = AssetKey("TEE-001", "Black", "front")  # reworked twice, delivered on time
BB = AssetKey("TEE-001", "Black", "back")  # first pass, vendor retouch, delivered late
WF = AssetKey("TEE-001", "White", "front")  # AI-assisted, never delivered: overdue
WB = AssetKey("TEE-001", "White", "back")  # cancelled
AIT = AssetKey("AIT-001", "Black", "front")  # AI version rejected, a new one approved
RING = AssetKey("RING-001", "Gold", "main")  # imported just before NOW, not due yet
AI_ROW = row(
    sku="AIT-001",
    colorways="Black",
    views="front",
    production_path="ai_generated",
    source_image="flat.tif",
    target_model_type="f",
    pose="front",
    anatomy_risk="low",
    human_qc="yes",
)
GATES = ("technical", "styling_fit", "brand_merch", "final_qc")
DECIDER = {"technical": "qc", "styling_fit": "cd", "brand_merch": "cd", "final_qc": "qc2"}


def h(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def upload(
    crew: Crew,
    who: str,
    key: AssetKey,
    kind: str,
    hours: float,
    submit: bool = True,
    cost: float | None = None,
    ai_workflow: str | None = None,
) -> None:
    crew.counter += 1
    path = crew.files / f"{key.sku}_{key.colorway}_{key.view}_{crew.counter}.png"
    path.write_bytes(png_bytes(f"image {crew.counter}"))
    upload = production.Upload(path, kind, ai_workflow=ai_workflow, cost=cost)
    with crew.app.uow() as uow:
        production.upload_version(uow, crew[who], key, upload, h(hours), submit)


def decide(
    crew: Crew,
    key: AssetKey,
    gate: str,
    hours: float,
    fail: dict[str, list[str]] | None = None,
    cost: float | None = None,
) -> review.DecisionResult:
    who = DECIDER[gate]
    with crew.app.uow() as uow:
        policy = load_active_policy(uow, crew[who].workspace_id).policy
    fail = fail or {}
    answers = [
        ItemAnswer(item.code, item.code not in fail, tuple(fail.get(item.code, ())))
        for item in policy.gates[gate].checklist
    ]
    decision = review.Decision(gate, answers, comment="", cost=cost)
    with crew.app.uow() as uow:
        return review.decide_gate(uow, crew[who], key, decision, h(hours))


def pass_all(crew: Crew, key: AssetKey, first_hour: float, final_cost: float | None = None) -> None:
    for i, gate in enumerate(GATES):
        cost = final_cost if gate == "final_qc" else None
        decide(crew, key, gate, first_hour + i, cost=cost)


def deliver_and_go_live(crew: Crew, key: AssetKey, hours: float, channels: list[str]) -> None:
    with crew.app.uow() as uow:
        production.deliver(uow, crew["dam"], key, channels, h(hours))
    with crew.app.uow() as uow:
        production.go_live(uow, crew["dam"], key, h(hours + 1))


def report(crew: Crew, start: dt.datetime = START, end: dt.datetime = END, **kw: Any) -> Any:
    with crew.app.uow() as uow:
        return build_report(uow, crew["ops"], start, end, NOW, **kw)


def history(crew: Crew) -> None:
    """The story every test here reads; the comments give the costs the policy estimates
    (catalog apparel is C1: capture 8, retouch 4, Pixel Lab retouch x0.6, review 0.75, AI 1.2)."""
    crew.import_rows([row()], T0)  # TEE-001: 4 assets, catalog C1, due at h31
    crew.import_rows([AI_ROW], T0)  # AIT-001: 1 asset, ai_generated C3, due at h77
    with crew.app.uow() as uow:
        assignment.assign(uow, crew["producer"], [BB], T0, username="vendor")

    # BF: reworked twice (a preventable fail, then one that was not), delivered on time.
    upload(crew, "photo", BF, "capture", 1, submit=False, cost=10.0)  # 10 actual
    upload(crew, "retoucher", BF, "retouch", 2)  # 4
    decide(crew, BF, "technical", 3)  # 0.75
    decide(crew, BF, "styling_fit", 4, fail={"sleeve_length": ["fit_distortion"]})  # 0.75
    upload(crew, "retoucher", BF, "retouch", 5)  # 4
    decide(crew, BF, "technical", 6, fail={"white_balance": ["color_mismatch"]})  # 0.75
    upload(crew, "retoucher", BF, "retouch", 7, cost=5.0)  # 5 actual
    pass_all(crew, BF, 8, final_cost=2.0)  # 0.75 x 3 + 2 actual; approved at h11
    deliver_and_go_live(crew, BF, 12, ["pdp"])

    # BB: first pass, retouched by the vendor, delivered an hour after its due time.
    upload(crew, "photo", BB, "capture", 1, submit=False)  # 8
    upload(crew, "vendor", BB, "retouch", 2)  # 4 x 0.6 = 2.4
    pass_all(crew, BB, 3)  # 0.75 x 4; approved at h6
    deliver_and_go_live(crew, BB, 32, ["pdp", "amazon_main"])

    # WF: passes technical, gets an AI clean-up version, and is never delivered.
    upload(crew, "photo", WF, "capture", 1, submit=False)
    upload(crew, "retoucher", WF, "retouch", 2)
    decide(crew, WF, "technical", 3)
    crew.register_ai("cleanup@1", ("apparel", "shoes", "bags", "jewelry"))
    upload(crew, "aiop", WF, "ai", 4, submit=False, ai_workflow="cleanup@1")

    # WB: cancelled before anyone started.
    with crew.app.uow() as uow:
        production.cancel(uow, crew["producer"], WB, "dropped from the range", h(2))

    # AIT: AI version 1 rejected at technical, AI version 2 (another workflow) approved.
    crew.register_ai("model-shots@3", ("apparel", "shoes", "bags", "jewelry"))
    crew.register_ai("model-shots@4", ("apparel", "shoes", "bags", "jewelry"))
    upload(crew, "aiop", AIT, "ai", 1, ai_workflow="model-shots@3")  # 1.2
    result = decide(crew, AIT, "technical", 2, fail={"capture_defects": ["anatomy_error"]})
    assert result.asset_state == "in_generation"  # 0.75
    upload(crew, "aiop", AIT, "ai", 3, ai_workflow="model-shots@4", cost=3.05)  # 3.05 actual
    pass_all(crew, AIT, 4)  # 0.75 x 4; approved at h7
    deliver_and_go_live(crew, AIT, 8, ["pdp", "amazon_main"])

    # RING-001: two jewelry assets (high_complexity, C4) imported two hours before NOW.
    crew.import_rows([row(JEWELRY)], NOW - dt.timedelta(hours=2))


COST_BF = 10 + 4 + 0.75 + 0.75 + 4 + 0.75 + 5 + 0.75 * 3 + 2  # 29.5
COST_BB = 8 + 4 * 0.6 + 0.75 * 4  # 13.4
COST_AIT = 1.2 + 0.75 + 3.05 + 0.75 * 4  # 8.0
ESTIMATED = (4 + 4 + 0.75 * 6) + COST_BB + (1.2 + 0.75 * 5)


def test_the_history_is_what_the_tests_assume(crew: Crew) -> None:
    history(crew)
    assert crew.state(BF) == ("live", None, 2)
    assert crew.state(BB)[0] == "live"
    assert crew.state(WF)[0] == "in_review"
    assert crew.state(WB)[0] == "cancelled"
    assert crew.state(AIT) == ("live", None, 1)
    with crew.app.uow() as uow:
        due = {
            (a.sku, a.colorway, a.view): (a.due_at, a.track, a.complexity)
            for a in uow.session.scalars(select(Asset))
        }
    assert due[("TEE-001", "Black", "front")] == (h(31), "catalog", "C1")
    assert due[("AIT-001", "Black", "front")] == (h(77), "ai_generated", "C3")
    ring_due, ring_track, _ = due[("RING-001", "Gold", "main")]
    assert NOW <= ring_due < END and ring_track == "high_complexity"


def test_every_metric_of_a_hand_built_history(crew: Crew) -> None:
    history(crew)
    doc = report(crew)
    assert doc["period"] == {"from": START.isoformat(), "to": END.isoformat()}
    assert (doc["assets_approved"], doc["assets_delivered"]) == (3, 3)
    # Approved: BF (failed twice), BB (clean), AIT (version 1 failed).
    assert doc["first_pass_approval_rate"] == pytest.approx(1 / 3)
    # Decided in the period: BF, BB, WF, AIT; BF and AIT failed, three fails in all.
    assert doc["rework_rate"] == 0.5
    assert doc["avg_rework_rounds"] == 0.75
    assert doc["rework_reasons"] == {"fit_distortion": 1, "color_mismatch": 1, "anatomy_error": 1}
    assert doc["preventable_rework_share"] == pytest.approx(1 / 3)
    # Due in the period: BF hit, AIT hit, BB late, WF overdue; WB cancelled and RING not
    # yet due are left out.
    assert doc["sla_hit_rate"] == 0.5
    # Capture or AI upload to live: AIT 8 h, BF 12 h, BB 32 h.
    s2l = doc["shoot_to_live_hours"]
    assert (s2l["p50"], s2l["p90"], s2l["assets"]) == (12.0, pytest.approx(28.0), 3)
    assert s2l["stages_p50"] == {
        "request_to_upload": 1.0,  # 1, 1, 1
        "upload_to_submission": 1.0,  # 1, 1, 0
        "submission_to_approval": 6.0,  # 9, 4, 6
        "approval_to_delivery": 1.0,  # 1, 26, 1
        "delivery_to_live": 1.0,
    }
    total = COST_BF + COST_BB + COST_AIT
    assert doc["cost_total"] == pytest.approx(50.9)
    assert doc["cost_per_image"] == pytest.approx(round(total / 3, 2)) == 16.97
    assert doc["cost_per_sku"] == pytest.approx(25.45)
    assert doc["cost_estimated_share"] == pytest.approx(ESTIMATED / total)
    assert doc["ai_rejection_rate"] == 0.5
    assert doc["ai_versions_reviewed"] == 2
    assert doc["ai_rejections_by_defect"] == {"anatomy_error": 1}
    assert doc["ai_rejection_by_workflow"] == {
        "model-shots@3": {"rejected": 1, "reviewed": 1, "rate": 1.0},
        "model-shots@4": {"rejected": 0, "reviewed": 1, "rate": 0.0},
    }
    assert doc["throughput"] == {"2026-11-02": {"approved": 3, "delivered": 3}}


def test_the_report_as_of_the_middle_of_the_history(crew: Crew) -> None:
    """Only events before the end of the period count: at h6.5 only BB is approved."""
    history(crew)
    doc = report(crew, end=h(6.5))
    assert (doc["assets_approved"], doc["assets_delivered"]) == (1, 0)
    assert doc["first_pass_approval_rate"] == 1.0
    assert (doc["rework_rate"], doc["avg_rework_rounds"]) == (0.5, 0.75)
    # Nothing was due before h6.5.
    assert doc["sla_hit_rate"] is None
    assert doc["cost_per_image"] is None
    # AIT's version 2 has passed three gates by then: 1 of 2 AI versions rejected.
    assert doc["ai_rejection_rate"] == 0.5


def test_a_period_with_nothing_in_it(crew: Crew) -> None:
    history(crew)
    doc = report(crew, dt.datetime(2026, 10, 1, tzinfo=dt.UTC), START)
    assert (doc["assets_approved"], doc["assets_delivered"]) == (0, 0)
    for key in (
        "first_pass_approval_rate",
        "rework_rate",
        "avg_rework_rounds",
        "preventable_rework_share",
        "sla_hit_rate",
        "cost_per_image",
        "cost_per_sku",
        "ai_rejection_rate",
    ):
        assert doc[key] is None, key
    assert doc["rework_reasons"] == {} and doc["throughput"] == {}
    assert (doc["shoot_to_live_hours"]["p50"], doc["shoot_to_live_hours"]["p90"]) == (None, None)


def test_a_later_period_sees_the_due_times_and_the_late_delivery(crew: Crew) -> None:
    history(crew)
    doc = report(crew, h(24), END)
    # Due in [h24, END): BF and AIT (on time), BB (late), WF (overdue); WB cancelled.
    assert doc["sla_hit_rate"] == 0.5
    assert (doc["assets_approved"], doc["assets_delivered"]) == (0, 1)
    assert doc["rework_rate"] is None
    assert doc["cost_per_image"] == pytest.approx(COST_BB)
    assert doc["cost_per_sku"] == pytest.approx(COST_BB)


def slices(crew: Crew, by: str) -> dict[str, Any]:
    doc = report(crew, by=by)
    assert list(doc["by"]) == [by]
    result: dict[str, Any] = doc["by"][by]
    return result


def test_sliced_by_track(crew: Crew) -> None:
    history(crew)
    tracks = slices(crew, "track")
    assert list(tracks) == ["ai_generated", "catalog", "high_complexity"]
    catalog = tracks["catalog"]
    assert (catalog["assets_approved"], catalog["assets_delivered"]) == (2, 2)
    assert catalog["first_pass_approval_rate"] == 0.5
    assert catalog["rework_rate"] == pytest.approx(1 / 3)
    assert catalog["avg_rework_rounds"] == pytest.approx(2 / 3)
    assert catalog["sla_hit_rate"] == pytest.approx(1 / 3)
    assert catalog["cost_per_image"] == pytest.approx((COST_BF + COST_BB) / 2)
    assert catalog["cost_per_sku"] == pytest.approx(COST_BF + COST_BB)
    assert catalog["ai_rejection_rate"] is None
    ai = tracks["ai_generated"]
    assert (ai["first_pass_approval_rate"], ai["ai_rejection_rate"]) == (0.0, 0.5)
    assert (ai["sla_hit_rate"], ai["cost_per_image"]) == (1.0, pytest.approx(COST_AIT))
    ring = tracks["high_complexity"]
    assert (ring["assets_approved"], ring["sla_hit_rate"], ring["rework_rate"]) == (0, None, None)


@pytest.mark.parametrize(
    ("by", "approved"),
    [
        ("category", {"apparel": 3, "jewelry": 0}),
        ("complexity", {"C1": 2, "C3": 1, "C4": 0}),
        ("channel", {"amazon_main": 3, "pdp": 3}),
        ("vendor", {"(none)": 2, "Pixel Lab": 1}),
        ("photographer", {"(none)": 1, "photo": 2}),
        ("retoucher", {"(none)": 1, "retoucher": 1, "vendor": 1}),
        ("ai", {"ai_generated": 1, "none": 2}),
    ],
)
def test_sliced_by_each_dimension(crew: Crew, by: str, approved: dict[str, int]) -> None:
    history(crew)
    result = slices(crew, by)
    assert {value: s["assets_approved"] for value, s in result.items() if value in approved} == (
        approved
    )


def test_how_people_vendors_and_ai_involvement_are_read_from_the_log(crew: Crew) -> None:
    history(crew)
    sla = {by: {k: v["sla_hit_rate"] for k, v in slices(crew, by).items()} for by in ("ai",)}
    # WF got an AI clean-up version on top of a capture: AI-assisted, and overdue.
    assert sla["ai"] == {"ai_assisted": 0.0, "ai_generated": 1.0, "none": 0.5}
    vendor = slices(crew, "vendor")
    assert set(vendor) == {"(none)", "Pixel Lab"}
    assert vendor["Pixel Lab"]["sla_hit_rate"] == 0.0
    assert vendor["Pixel Lab"]["cost_per_image"] == pytest.approx(COST_BB)
    photographers = slices(crew, "photographer")
    assert set(photographers) == {"(none)", "photo"}
    # BF hit, BB late, WF overdue.
    assert photographers["photo"]["sla_hit_rate"] == pytest.approx(1 / 3)
    channels = slices(crew, "channel")
    # Channels are those requested at intake: TEE and AIT ask for pdp and amazon_main, the
    # ring for pdp only.
    assert channels["pdp"]["sla_hit_rate"] == 0.5
    assert channels["amazon_main"]["sla_hit_rate"] == 0.5


def test_sliced_by_week_and_by_month(crew: Crew) -> None:
    history(crew)
    weeks = slices(crew, "week")
    assert list(weeks) == [
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
        "2026-11-23",
        "2026-11-30",
        "2026-12-07",
    ]
    first = weeks["2026-11-02"]
    assert (first["assets_approved"], first["assets_delivered"]) == (3, 3)
    assert first["first_pass_approval_rate"] == pytest.approx(1 / 3)
    assert first["sla_hit_rate"] == 0.5
    for label in list(weeks)[1:]:
        assert weeks[label]["assets_approved"] == 0
        assert weeks[label]["rework_rate"] is None
        assert weeks[label]["sla_hit_rate"] is None
    months = slices(crew, "month")
    assert list(months) == ["2026-11", "2026-12"]
    assert months["2026-11"]["assets_delivered"] == 3
    assert months["2026-12"]["assets_delivered"] == 0


def test_an_asset_approved_by_bypassing_its_last_gate_counts_as_approved(crew: Crew) -> None:
    """A granted bypass of final QC takes the asset to approved: it is an approved asset."""
    from shotline.services import exceptions

    crew.import_rows([row()], T0)
    upload(crew, "retoucher", BF, "retouch", 1)
    for i, gate in enumerate(GATES[:3]):
        decide(crew, BF, gate, 2 + i)
    with crew.app.uow() as uow:
        grant = exceptions.request_exception(
            uow, crew["producer"], "bypass_gate", "launch", [crew.asset_id(BF)], h(5)
        )
    with crew.app.uow() as uow:
        exceptions.decide_exception(uow, crew["ops"], grant, True, "once", h(5))
    with crew.app.uow() as uow:
        assert review.bypass_gate(uow, crew["producer"], BF, "final_qc", h(6)) == "approved"
    doc = report(crew)
    assert doc["assets_approved"] == 1
    assert doc["first_pass_approval_rate"] == 1.0
    assert doc["throughput"] == {"2026-11-02": {"approved": 1, "delivered": 0}}


def test_a_period_given_in_another_timezone_is_the_same_period(crew: Crew) -> None:
    history(crew)
    new_york = dt.timezone(dt.timedelta(hours=-5))
    local = report(crew, START.astimezone(new_york), h(6.5).astimezone(new_york))
    utc = report(crew, START, h(6.5))
    assert local.pop("period") != utc.pop("period")
    assert local == utc


def test_bad_periods_and_dimensions_are_refused(crew: Crew) -> None:
    with pytest.raises(ShotlineError, match="the period is empty"):
        report(crew, END, START)
    with pytest.raises(ShotlineError, match="the period is empty"):
        report(crew, START, START)
    with pytest.raises(ShotlineError, match="unknown dimension 'studio'; expected category"):
        report(crew, by="studio")


# brute force: the same rates straight from the raw events


def _brute_force(
    events: list[Any], assets: list[Any], start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """First-pass, rework and SLA hit rate by hand from event rows (no metrics code)."""
    before_end = [e for e in events if e.at < end]
    inside = [e for e in before_end if start <= e.at]
    approved = {e.asset_id for e in inside if e.kind == "approved"}
    ever_failed = {e.asset_id for e in before_end if e.kind == "gate_failed"}
    decisions = [e for e in inside if e.kind in ("gate_passed", "gate_failed", "approved")]
    decided = {e.asset_id for e in decisions}
    failed = [e for e in decisions if e.kind == "gate_failed"]
    reworked = {e.asset_id for e in failed}
    cancelled = {e.asset_id for e in before_end if e.kind == "cancelled"}
    first_delivery: dict[int, dt.datetime] = {}
    for e in before_end:
        if e.kind == "delivered" and e.asset_id is not None:
            first_delivery[e.asset_id] = min(e.at, first_delivery.get(e.asset_id, e.at))
    hits = counted = 0
    for a in assets:
        if not start <= a.due_at < end or a.id in cancelled:
            continue
        delivered = first_delivery.get(a.id)
        if delivered is None and a.due_at >= NOW:
            continue
        counted += 1
        hits += delivered is not None and delivered <= a.due_at
    reasons = Counter(code for e in failed for code in e.payload["defects"])
    return {
        "assets_approved": len(approved),
        "assets_delivered": len(
            {e.asset_id for e in inside if e.kind == "delivered"},
        ),
        "first_pass_approval_rate": (
            len(approved - ever_failed) / len(approved) if approved else None
        ),
        "rework_rate": len(reworked) / len(decided) if decided else None,
        "avg_rework_rounds": len(failed) / len(decided) if decided else None,
        "rework_reasons": dict(reasons),
        "sla_hit_rate": hits / counted if counted else None,
    }


def test_a_simulated_history_agrees_with_the_raw_events(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    policy = check_policy(default_policy_text(), "default policy")
    path, _ = simulate(tmp_path / "sim", skus=4, days=20, seed=3, policy=policy, end=NOW)
    result = replay_file(app, "default", path)
    assert result.failed == []
    with app.uow() as uow:
        columns = (Event.asset_id, Event.kind, Event.at, Event.payload)
        events = list(uow.session.execute(select(*columns).where(Event.asset_id.is_not(None))))
        assets = list(uow.session.execute(select(Asset.id, Asset.due_at)))
    assert any(e.kind == "gate_failed" for e in events), "the simulation should fail something"
    periods = [
        (NOW - dt.timedelta(days=20), NOW),
        (NOW - dt.timedelta(days=30), NOW + dt.timedelta(days=30)),
        (NOW - dt.timedelta(days=12), NOW - dt.timedelta(days=5)),
        (NOW - dt.timedelta(days=5), NOW),
    ]
    compared = 0
    for start, end in periods:
        expected = _brute_force(events, assets, start, end)
        with app.uow() as uow:
            doc = build_report(uow, admin, start, end, NOW)
        for key, value in expected.items():
            if isinstance(value, float):
                assert doc[key] == pytest.approx(value), (start, end, key)
            else:
                assert doc[key] == value, (start, end, key)
        compared += sum(v is not None for v in expected.values())
    assert compared >= 20
