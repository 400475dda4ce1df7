"""The metric definitions (domain/metrics.py) on hand-built asset facts, with exact numbers.

Every expected value here is worked out by hand from the facts in the test; the percentile
values are those numpy's default ("linear") method gives.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shotline.domain import metrics
from shotline.domain.metrics import AssetFacts, DecisionFact, WorkFact

# A Monday, midnight UTC: the period is the two weeks from here.
START = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
END = START + dt.timedelta(days=14)
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
STAGES = (
    "request_to_upload",
    "upload_to_submission",
    "submission_to_approval",
    "approval_to_delivery",
    "delivery_to_live",
)


def at(hours: float) -> dt.datetime:
    """`hours` after the start of the period (negative: before it)."""
    return START + dt.timedelta(hours=hours)


def asset(asset_id: int = 1, **changes: Any) -> AssetFacts:
    """The facts of one asset: catalog apparel, C1, in pdp, requested just before the period,
    due well after it; nothing has happened to it yet unless `changes` says so."""
    base: dict[str, Any] = {
        "asset_id": asset_id,
        "sku": f"SKU-{asset_id}",
        "category": "apparel",
        "track": "catalog",
        "complexity": "C1",
        "channels": ("pdp",),
        "due_at": at(24 * 60),
        "requested_at": at(-1),
    }
    return AssetFacts(**(base | changes))


def passed(
    hours: float, version: int = 1, kind: str = "retouch", wf: str | None = None
) -> DecisionFact:
    return DecisionFact(at(hours), True, (), False, version, kind, wf)


def failed(
    hours: float,
    *defects: str,
    preventable: bool = False,
    version: int = 1,
    kind: str = "retouch",
    wf: str | None = None,
) -> DecisionFact:
    return DecisionFact(at(hours), False, defects, preventable, version, kind, wf)


def work(hours: float, kind: str, cost: float, estimated: bool = True) -> WorkFact:
    return WorkFact(at(hours), kind, cost, estimated)


# an empty period


EMPTY_SUMMARY: dict[str, Any] = {
    "assets_approved": 0,
    "assets_delivered": 0,
    "first_pass_approval_rate": None,
    "rework_rate": None,
    "avg_rework_rounds": None,
    "rework_reasons": {},
    "preventable_rework_share": None,
    "sla_hit_rate": None,
    "shoot_to_live_hours": {
        "p50": None,
        "p90": None,
        "assets": 0,
        "stages_p50": dict.fromkeys(STAGES),
    },
    "cost_total": 0,
    "cost_estimated_share": None,
    "cost_per_image": None,
    "cost_per_sku": None,
    "ai_rejection_rate": None,
    "ai_versions_reviewed": 0,
    "ai_rejections_by_defect": {},
    "ai_rejection_by_workflow": {},
    "throughput": {},
}


def assert_holds(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every key of `expected` is in `actual` with the same value (nested dicts alike);
    `actual` may carry more (a later metric or chart data)."""
    for key, value in expected.items():
        assert key in actual, key
        if isinstance(value, dict) and value and isinstance(actual[key], dict):
            assert_holds(actual[key], value)
        else:
            assert actual[key] == value, (key, actual[key], value)


def test_no_assets_at_all_gives_zero_counts_and_null_rates() -> None:
    document = metrics.report([], START, END, NOW)
    assert document["period"] == {
        "from": "2026-11-02T00:00:00+00:00",
        "to": "2026-11-16T00:00:00+00:00",
    }
    assert_holds(document, EMPTY_SUMMARY)
    assert "by" not in document or document["by"] == {}


def test_a_period_where_nothing_happened_gives_null_rates() -> None:
    """Everything about this asset happened (and fell due) before the period."""
    before = asset(
        uploads=[(at(-50), "capture")],
        submissions=[at(-49)],
        decisions=[failed(-48, "focus"), passed(-40)],
        approvals=[at(-40)],
        deliveries=[at(-39)],
        lives=[at(-38)],
        due_at=at(-30),
        work=[work(-50, "capture", 8.0), work(-48, "review", 0.75)],
    )
    assert_holds(metrics.summary([before], START, END, NOW), EMPTY_SUMMARY)


# first-pass approval and rework


def reworked_twice() -> AssetFacts:
    """Failed twice (once preventable, once not), then passed and approved."""
    return asset(
        1,
        decisions=[
            failed(10, "fit_distortion", "over_retouching", preventable=True),
            failed(20, "color_mismatch", "fit_distortion"),
            passed(30, version=3),
            passed(40, version=3),
        ],
        approvals=[at(40)],
    )


def clean() -> AssetFacts:
    return asset(2, decisions=[passed(12), passed(14)], approvals=[at(14)])


def in_review() -> AssetFacts:
    """Passed one gate in the period; not approved yet."""
    return asset(3, decisions=[passed(16)])


def failed_before_the_period() -> AssetFacts:
    """Failed before the period, approved in it: not first pass, but no rework in the period."""
    return asset(
        4, decisions=[failed(-5, "wrong_crop", preventable=True), passed(50)], approvals=[at(50)]
    )


def test_first_pass_counts_only_assets_that_never_failed() -> None:
    facts = [reworked_twice(), clean(), in_review(), failed_before_the_period()]
    # Approved in the period: 1, 2 and 4; only 2 never failed.
    assert len(metrics.approved_in(facts, START, END)) == 3
    assert metrics.first_pass_approval_rate(facts, START, END) == pytest.approx(1 / 3)
    assert metrics.first_pass_approval_rate([clean()], START, END) == 1.0
    assert metrics.first_pass_approval_rate([reworked_twice()], START, END) == 0.0
    assert metrics.first_pass_approval_rate([in_review()], START, END) is None


def test_a_fail_after_the_period_does_not_spoil_first_pass() -> None:
    later = asset(decisions=[passed(12), failed(24 * 20, "wrong_crop")], approvals=[at(12)])
    assert metrics.first_pass_approval_rate([later], START, END) == 1.0


def test_an_asset_reworked_twice() -> None:
    result = metrics.rework([reworked_twice()], START, END)
    assert result == {
        "rework_rate": 1.0,
        "avg_rework_rounds": 2.0,
        "rework_reasons": {"fit_distortion": 2, "over_retouching": 1, "color_mismatch": 1},
        "preventable_rework_share": 0.5,
    }
    # Most frequent reason first.
    assert next(iter(result["rework_reasons"])) == "fit_distortion"


def test_rework_over_several_assets() -> None:
    facts = [reworked_twice(), clean(), in_review(), failed_before_the_period()]
    result = metrics.rework(facts, START, END)
    # Four assets have a decision in the period; one failed (twice) in it. The fail of asset 4
    # was before the period, so it is no rework of this period.
    assert result["rework_rate"] == 0.25
    assert result["avg_rework_rounds"] == 0.5
    assert result["rework_reasons"] == {
        "fit_distortion": 2,
        "over_retouching": 1,
        "color_mismatch": 1,
    }
    assert result["preventable_rework_share"] == 0.5


def test_no_failed_decision_gives_zero_rework_and_no_preventable_share() -> None:
    assert metrics.rework([clean(), in_review()], START, END) == {
        "rework_rate": 0.0,
        "avg_rework_rounds": 0.0,
        "rework_reasons": {},
        "preventable_rework_share": None,
    }


def test_preventable_share_counts_failed_decisions_marked_preventable() -> None:
    facts = [
        asset(1, decisions=[failed(1, "wrong_crop", preventable=True), failed(2, "focus")]),
        asset(2, decisions=[failed(3, "resolution", "file_naming", preventable=True)]),
        asset(3, decisions=[failed(-3, "focus"), passed(4)]),
    ]
    result = metrics.rework(facts, START, END)
    assert result["preventable_rework_share"] == pytest.approx(2 / 3)
    assert result["rework_rate"] == pytest.approx(2 / 3)
    assert result["avg_rework_rounds"] == 1.0
    assert result["rework_reasons"] == {
        "wrong_crop": 1,
        "focus": 1,
        "resolution": 1,
        "file_naming": 1,
    }


def test_decisions_at_the_end_of_the_period_belong_to_the_next_one() -> None:
    edge = asset(decisions=[failed(0, "focus"), failed(24 * 14, "focus")])
    assert metrics.rework([edge], START, END)["avg_rework_rounds"] == 1.0
    assert metrics.rework([edge], END, END + dt.timedelta(days=1))["avg_rework_rounds"] == 1.0


# AI rejection


def ai_rejected_then_approved() -> AssetFacts:
    """AI version 11 (model-shots@3) rejected; AI version 12 (model-shots@4) approved."""
    return asset(
        5,
        uploads=[(at(1), "ai"), (at(3), "ai")],
        decisions=[
            failed(2, "anatomy_error", "ai_artifact", version=11, kind="ai", wf="model-shots@3"),
            passed(4, version=12, kind="ai", wf="model-shots@4"),
            passed(5, version=12, kind="ai", wf="model-shots@4"),
        ],
        approvals=[at(5)],
        ai="ai_generated",
    )


def test_an_ai_version_rejected_then_a_new_one_approved() -> None:
    assert metrics.ai_rejection([ai_rejected_then_approved()], START, END) == {
        "ai_rejection_rate": 0.5,
        "ai_versions_reviewed": 2,
        "ai_rejections_by_defect": {"anatomy_error": 1, "ai_artifact": 1},
        "ai_rejection_by_workflow": {
            "model-shots@3": {"rejected": 1, "reviewed": 1, "rate": 1.0},
            "model-shots@4": {"rejected": 0, "reviewed": 1, "rate": 0.0},
        },
    }


def test_ai_rejection_counts_versions_not_decisions_and_ignores_human_versions() -> None:
    twice = asset(
        6,
        decisions=[
            failed(1, "anatomy_error", version=21, kind="ai", wf="model-shots@4"),
            failed(2, "anatomy_error", "texture_loss", version=21, kind="ai", wf="model-shots@4"),
            # Rejected before the period, passed in it: not a rejection of this period.
            failed(-10, "anatomy_error", version=22, kind="ai", wf="cleanup@1"),
            passed(3, version=22, kind="ai", wf="cleanup@1"),
            # Human versions never count.
            failed(4, "focus", version=23, kind="capture"),
            failed(5, "wrong_crop", version=24, kind="retouch"),
        ],
    )
    facts = [ai_rejected_then_approved(), twice]
    result = metrics.ai_rejection(facts, START, END)
    assert result["ai_versions_reviewed"] == 4
    assert result["ai_rejection_rate"] == 0.5
    assert result["ai_rejections_by_defect"] == {
        "anatomy_error": 3,
        "ai_artifact": 1,
        "texture_loss": 1,
    }
    assert result["ai_rejection_by_workflow"] == {
        "cleanup@1": {"rejected": 0, "reviewed": 1, "rate": 0.0},
        "model-shots@3": {"rejected": 1, "reviewed": 1, "rate": 1.0},
        "model-shots@4": {"rejected": 1, "reviewed": 2, "rate": 0.5},
    }
    only_human = asset(decisions=[failed(4, "focus", version=23, kind="capture")])
    assert metrics.ai_rejection([only_human], START, END)["ai_rejection_rate"] is None


def test_an_ai_version_with_no_recorded_workflow_is_unknown() -> None:
    odd = asset(decisions=[failed(1, "anatomy_error", version=31, kind="ai")])
    by_workflow = metrics.ai_rejection([odd], START, END)["ai_rejection_by_workflow"]
    assert by_workflow == {"(unknown)": {"rejected": 1, "reviewed": 1, "rate": 1.0}}


# SLA


SLA_NOW = at(200)


def sla_cases() -> dict[str, AssetFacts]:
    due = at(100)
    return {
        "on time": asset(1, due_at=due, deliveries=[at(90)]),
        "exactly at due": asset(2, due_at=due, deliveries=[due]),
        "delivered before the period": asset(3, due_at=at(10), deliveries=[at(-5)]),
        "first delivery counts": asset(4, due_at=due, deliveries=[at(99), at(150)]),
        "delivered late": asset(5, due_at=at(50), deliveries=[at(60)]),
        "undelivered, overdue": asset(6, due_at=at(60)),
        "undelivered, not yet due": asset(7, due_at=at(250)),
        "delivered before due, due later": asset(8, due_at=at(250), deliveries=[at(190)]),
        "cancelled, overdue": asset(9, due_at=at(70), cancelled_at=at(65)),
        "cancelled after delivery was late": asset(
            10, due_at=at(70), deliveries=[at(80)], cancelled_at=at(81)
        ),
        "due after the period": asset(11, due_at=at(24 * 14), deliveries=[at(24 * 15)]),
        "due before the period": asset(12, due_at=at(-1)),
    }


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("on time", 1.0),
        ("exactly at due", 1.0),
        ("delivered before the period", 1.0),
        ("first delivery counts", 1.0),
        ("delivered late", 0.0),
        ("undelivered, overdue", 0.0),
        ("undelivered, not yet due", None),
        ("delivered before due, due later", 1.0),
        ("cancelled, overdue", None),
        ("cancelled after delivery was late", None),
        ("due after the period", None),
        ("due before the period", None),
    ],
)
def test_sla_case_by_case(case: str, expected: float | None) -> None:
    assert metrics.sla_hit_rate([sla_cases()[case]], START, END, SLA_NOW) == expected


def test_sla_hit_rate_over_every_case() -> None:
    # Counted: 1, 2, 3, 4, 8 (hits) and 5, 6 (misses).
    facts = list(sla_cases().values())
    assert metrics.sla_hit_rate(facts, START, END, SLA_NOW) == pytest.approx(5 / 7)


def test_an_undelivered_asset_becomes_a_miss_once_its_due_time_passes() -> None:
    pending = asset(due_at=at(100))
    assert metrics.sla_hit_rate([pending], START, END, at(99)) is None
    assert metrics.sla_hit_rate([pending], START, END, at(100)) is None
    assert metrics.sla_hit_rate([pending], START, END, at(101)) == 0.0


# percentiles (expected values are numpy.percentile's, default method)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4], 90, 3.7),
        ([10], 50, 10.0),
        ([10], 90, 10.0),
        ([3, 1, 2], 50, 2.0),
        ([3, 1, 2], 90, 2.8),
        ([1, 5], 90, 4.6),
        ([2.5, 7.5, 100, 4], 50, 5.75),
        ([2.5, 7.5, 100, 4], 90, 72.25),
        (list(range(0, 101, 10)), 90, 90.0),
        (list(range(0, 101, 10)), 50, 50.0),
        ([5, 5, 5, 9], 90, 7.8),
        ([4, 8, 15, 16, 23, 42], 50, 15.5),
        ([4, 8, 15, 16, 23, 42], 90, 32.5),
        ([4, 8, 15, 16, 23, 42], 25, 9.75),
        ([7, 3], 0, 3.0),
        ([7, 3], 100, 7.0),
    ],
)
def test_percentile_matches_numpy(values: list[float], q: float, expected: float) -> None:
    assert metrics.percentile(values, q) == pytest.approx(expected, abs=1e-12)


def test_percentile_of_nothing_is_none() -> None:
    assert metrics.percentile([], 50) is None


def test_histogram_buckets_of_hours() -> None:
    hours = [0, 23.9, 24, 47.5, 100, 200, 336, 1000]
    assert metrics.histogram(hours) == {
        "0-24": 2,
        "24-48": 2,
        "48-72": 0,
        "72-120": 1,
        "120-168": 0,
        "168-336": 1,
        "336+": 2,
    }
    assert set(metrics.histogram([]).values()) == {0}


# shoot to live


def went_live(
    asset_id: int, first: float, stages: list[float], kind: str = "capture"
) -> AssetFacts:
    """Requested at hour 0; first capture (or AI upload) at `first`; then submitted,
    approved, delivered and live after each of `stages` more hours."""
    submitted = first + stages[0]
    approved = submitted + stages[1]
    delivered = approved + stages[2]
    live = delivered + stages[3]
    return asset(
        asset_id,
        requested_at=at(0),
        uploads=[(at(first), kind), (at(submitted), "retouch")],
        submissions=[at(submitted)],
        approvals=[at(approved)],
        deliveries=[at(delivered)],
        lives=[at(live)],
    )


def test_shoot_to_live_from_first_capture_or_ai_upload() -> None:
    facts = [
        went_live(1, 4, [6, 20, 4, 6]),  # 36 h from capture to live
        went_live(2, 2, [0, 10, 1, 1], kind="ai"),  # 12 h from the AI upload
        went_live(3, 1, [4, 10, 3, 3]),  # 20 h
    ]
    # A second, later capture does not move the start.
    facts[2].uploads.append((at(6), "capture"))
    # Never captured or generated (a retouch-only asset): no start, left out.
    retouch_only = went_live(4, 1, [1, 1, 1, 1], kind="retouch")
    # Live before the period: left out.
    early = went_live(5, -100, [1, 1, 1, 1])
    result = metrics.shoot_to_live([*facts, retouch_only, early], START, END)
    assert result["assets"] == 3
    # Totals 12, 20, 36.
    assert result["p50"] == 20.0
    assert result["p90"] == pytest.approx(32.8)
    assert result["stages_p50"] == {
        "request_to_upload": 2.0,  # 4, 2, 1
        "upload_to_submission": 4.0,  # 6, 0, 4
        "submission_to_approval": 10.0,  # 20, 10, 10
        "approval_to_delivery": 3.0,  # 4, 1, 3
        "delivery_to_live": 3.0,  # 6, 1, 3
    }


def test_shoot_to_live_stages_missing_a_step_are_left_out() -> None:
    partial = asset(requested_at=at(0), uploads=[(at(2), "capture")], lives=[at(10)])
    result = metrics.shoot_to_live([partial], START, END)
    assert (result["p50"], result["p90"], result["assets"]) == (8.0, 8.0, 1)
    assert result["stages_p50"] == {
        "request_to_upload": 2.0,
        "upload_to_submission": None,
        "submission_to_approval": None,
        "approval_to_delivery": None,
        "delivery_to_live": None,
    }


def test_shoot_to_live_uses_the_last_approval_and_delivery_before_live() -> None:
    reworked = asset(
        requested_at=at(0),
        uploads=[(at(1), "capture")],
        submissions=[at(2), at(5)],
        approvals=[at(4), at(8)],
        deliveries=[at(9)],
        lives=[at(12)],
    )
    stages = metrics.shoot_to_live([reworked], START, END)["stages_p50"]
    assert stages == {
        "request_to_upload": 1.0,
        "upload_to_submission": 1.0,  # the first submission
        "submission_to_approval": 6.0,  # to the last approval before live
        "approval_to_delivery": 1.0,
        "delivery_to_live": 3.0,
    }


# cost


def test_cost_per_image_and_per_sku_with_actual_and_estimated_work() -> None:
    shot = asset(
        1,
        sku="TEE-1",
        deliveries=[at(50)],
        work=[
            work(-10, "capture", 12.0, estimated=False),  # before the period: still counts
            work(5, "retouch", 7.0),
            work(6, "review", 0.75),
            work(7, "review", 0.75),
            work(24 * 15, "retouch", 100.0),  # after the period: not yet spent
        ],
    )
    generated = asset(
        2,
        sku="TEE-1",
        deliveries=[at(60)],
        work=[work(1, "ai", 1.2), work(2, "review", 2.0, estimated=False)],
    )
    vendor = asset(
        3,
        sku="TEE-2",
        deliveries=[at(70)],
        work=[work(1, "retouch", 4.2), work(2, "review", 1.0, estimated=False)],
    )
    undelivered = asset(4, sku="TEE-3", work=[work(1, "capture", 500.0)])
    delivered_before = asset(5, sku="TEE-4", deliveries=[at(-1)], work=[work(-2, "ai", 9.0)])
    result = metrics.cost([shot, generated, vendor, undelivered, delivered_before], START, END)
    # 20.5 + 3.2 + 5.2 = 28.9 over 3 images of 2 SKUs; 8.5 + 1.2 + 4.2 = 13.9 estimated.
    assert result == {
        "cost_total": 28.9,
        "cost_estimated_share": pytest.approx(13.9 / 28.9),
        "cost_per_image": 9.63,
        "cost_per_sku": 14.45,
    }


def test_cost_of_nothing_delivered() -> None:
    assert metrics.cost([asset(work=[work(1, "capture", 8.0)])], START, END) == {
        "cost_total": 0,
        "cost_estimated_share": None,
        "cost_per_image": None,
        "cost_per_sku": None,
    }


def test_cost_of_delivered_work_that_cost_nothing() -> None:
    free = asset(deliveries=[at(1)], work=[work(0, "review", 0.0, estimated=False)])
    assert metrics.cost([free], START, END) == {
        "cost_total": 0.0,
        "cost_estimated_share": None,
        "cost_per_image": 0.0,
        "cost_per_sku": 0.0,
    }


# throughput


def test_throughput_per_monday_start_utc_week() -> None:
    plus_five = dt.timezone(dt.timedelta(hours=5))
    facts = [
        asset(1, approvals=[at(24 + 10)], deliveries=[at(24 * 8)]),  # Tue; next Tue
        asset(2, approvals=[at(48), at(24 * 9)]),  # twice: counted once, the first time
        asset(3, approvals=[dt.datetime(2026, 11, 9, tzinfo=dt.UTC)]),  # Monday 00:00 UTC
        asset(4, approvals=[dt.datetime(2026, 11, 8, 23, 59, tzinfo=dt.UTC)]),  # Sunday
        # Monday 01:00 at +05:00 is Sunday 20:00 UTC: the week before.
        asset(5, approvals=[dt.datetime(2026, 11, 9, 1, 0, tzinfo=plus_five)]),
        asset(6, approvals=[at(-24)], deliveries=[at(24 * 3)]),  # approved before the period
        asset(7, approvals=[at(24 * 14)]),  # the end is outside the period
    ]
    assert metrics.throughput(facts, START, END) == {
        "2026-11-02": {"approved": 4, "delivered": 1},
        "2026-11-09": {"approved": 1, "delivered": 1},
    }


def test_week_start_is_the_utc_monday() -> None:
    assert metrics.week_start(dt.datetime(2026, 11, 2, tzinfo=dt.UTC)) == dt.date(2026, 11, 2)
    assert metrics.week_start(dt.datetime(2026, 11, 8, 23, 59, tzinfo=dt.UTC)) == dt.date(
        2026, 11, 2
    )
    new_york = dt.timezone(dt.timedelta(hours=-5))
    # Sunday 20:00 in New York is Monday 01:00 UTC.
    sunday_evening = dt.datetime(2026, 11, 8, 20, 0, tzinfo=new_york)
    assert metrics.week_start(sunday_evening) == dt.date(2026, 11, 9)


# periods


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_periods_split_into_monday_weeks_clipped_to_the_period() -> None:
    assert metrics.periods(utc(2026, 11, 4), utc(2026, 11, 20, 12), "week") == [
        ("2026-11-02", utc(2026, 11, 4), utc(2026, 11, 9)),
        ("2026-11-09", utc(2026, 11, 9), utc(2026, 11, 16)),
        ("2026-11-16", utc(2026, 11, 16), utc(2026, 11, 20, 12)),
    ]
    assert metrics.periods(START, END, "week") == [
        ("2026-11-02", START, utc(2026, 11, 9)),
        ("2026-11-09", utc(2026, 11, 9), END),
    ]


def test_periods_split_into_calendar_months() -> None:
    assert metrics.periods(utc(2026, 10, 15), utc(2027, 1, 10), "month") == [
        ("2026-10", utc(2026, 10, 15), utc(2026, 11, 1)),
        ("2026-11", utc(2026, 11, 1), utc(2026, 12, 1)),
        ("2026-12", utc(2026, 12, 1), utc(2027, 1, 1)),
        ("2027-01", utc(2027, 1, 1), utc(2027, 1, 10)),
    ]
    # A leap February, starting on the 31st of January.
    assert metrics.periods(utc(2028, 1, 31), utc(2028, 3, 2), "month") == [
        ("2028-01", utc(2028, 1, 31), utc(2028, 2, 1)),
        ("2028-02", utc(2028, 2, 1), utc(2028, 3, 1)),
        ("2028-03", utc(2028, 3, 1), utc(2028, 3, 2)),
    ]


def test_an_empty_period_has_no_slices() -> None:
    assert metrics.periods(START, START, "week") == []
    assert metrics.periods(START, START, "month") == []


# the report and its slices


def sample() -> list[AssetFacts]:
    """Two catalog assets (one reworked twice, one clean), one AI asset on another track."""
    reworked = reworked_twice()
    reworked.deliveries.append(at(41))
    reworked.photographer, reworked.retoucher, reworked.vendor = "sam", "rita", "Pixel Lab"
    first_time = clean()
    first_time.deliveries.append(at(24 * 8))
    first_time.photographer, first_time.retoucher = "sam", "ron"
    ai = ai_rejected_then_approved()
    ai.track, ai.channels = "ai_generated", ("pdp", "amazon_main")
    return [reworked, first_time, ai]


def test_the_report_without_slices_is_the_summary_with_its_period() -> None:
    document = metrics.report(sample(), START, END, NOW)
    assert document == {
        "period": {"from": START.isoformat(), "to": END.isoformat()},
        **metrics.summary(sample(), START, END, NOW),
        "by": {},
    }
    assert document["assets_approved"] == 3
    assert document["assets_delivered"] == 2
    assert document["first_pass_approval_rate"] == pytest.approx(1 / 3)
    assert document["rework_rate"] == pytest.approx(2 / 3)
    assert document["avg_rework_rounds"] == 1.0
    assert document["ai_rejection_rate"] == 0.5


def test_the_report_sliced_by_track() -> None:
    document = metrics.report(sample(), START, END, NOW, by="track")
    slices = document["by"]["track"]
    assert list(slices) == ["ai_generated", "catalog"]
    assert slices["catalog"]["assets_approved"] == 2
    assert slices["catalog"]["first_pass_approval_rate"] == 0.5
    assert slices["catalog"]["rework_rate"] == 0.5
    assert slices["catalog"]["avg_rework_rounds"] == 1.0
    assert slices["catalog"]["ai_rejection_rate"] is None
    assert slices["ai_generated"]["assets_approved"] == 1
    assert slices["ai_generated"]["first_pass_approval_rate"] == 0.0
    assert slices["ai_generated"]["ai_rejection_rate"] == 0.5
    assert slices["ai_generated"]["assets_delivered"] == 0
    # Each slice is the whole summary of its assets.
    ai_only = [f for f in sample() if f.track == "ai_generated"]
    assert slices["ai_generated"] == metrics.summary(ai_only, START, END, NOW)


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("vendor", {"(none)": 2, "Pixel Lab": 1}),
        ("photographer", {"(none)": 1, "sam": 2}),
        ("retoucher", {"(none)": 1, "rita": 1, "ron": 1}),
        ("ai", {"ai_generated": 1, "none": 2}),
        ("category", {"apparel": 3}),
        ("complexity", {"C1": 3}),
        ("channel", {"amazon_main": 1, "pdp": 3}),
    ],
)
def test_the_report_sliced_by_each_dimension(by: str, expected: dict[str, int]) -> None:
    slices = metrics.report(sample(), START, END, NOW, by=by)["by"][by]
    assert {value: s["assets_approved"] for value, s in slices.items()} == expected


def test_an_asset_in_two_channels_counts_in_both() -> None:
    both = asset(1, channels=("pdp", "amazon_main"), approvals=[at(1)], deliveries=[at(2)])
    pdp = asset(2, channels=("pdp",), approvals=[at(3)])
    nowhere = asset(3, channels=(), approvals=[at(4)])
    slices = metrics.report([both, pdp, nowhere], START, END, NOW, by="channel")["by"]["channel"]
    assert list(slices) == ["(none)", "amazon_main", "pdp"]
    assert [s["assets_approved"] for s in slices.values()] == [1, 1, 2]
    assert [s["assets_delivered"] for s in slices.values()] == [0, 1, 1]
    # The whole report counts each asset once.
    assert metrics.report([both, pdp, nowhere], START, END, NOW)["assets_approved"] == 3


def test_dimension_values_of_an_asset() -> None:
    facts = asset(channels=("pdp", "amazon_main"), photographer="sam", ai="ai_assisted")
    assert facts.dimension("channel") == ("pdp", "amazon_main")
    assert facts.dimension("photographer") == ("sam",)
    assert facts.dimension("retoucher") == ("(none)",)
    assert facts.dimension("vendor") == ("(none)",)
    assert facts.dimension("ai") == ("ai_assisted",)
    assert facts.dimension("track") == ("catalog",)
    assert asset(channels=()).dimension("channel") == ("(none)",)
    assert set(metrics.DIMENSIONS) == {
        "category",
        "track",
        "complexity",
        "channel",
        "vendor",
        "photographer",
        "retoucher",
        "ai",
        "week",
        "month",
    }


def test_the_report_sliced_by_week() -> None:
    document = metrics.report(sample(), START, END, NOW, by="week")
    weeks = document["by"]["week"]
    assert list(weeks) == ["2026-11-02", "2026-11-09"]
    first, second = weeks["2026-11-02"], weeks["2026-11-09"]
    # All three approvals and the failed decisions fall in the first week.
    assert (first["assets_approved"], second["assets_approved"]) == (3, 0)
    assert (first["assets_delivered"], second["assets_delivered"]) == (1, 1)
    assert first["first_pass_approval_rate"] == pytest.approx(1 / 3)
    assert second["first_pass_approval_rate"] is None
    assert first["rework_rate"] == pytest.approx(2 / 3)
    assert second["rework_rate"] is None
    assert first["throughput"] == {"2026-11-02": {"approved": 3, "delivered": 1}}
    assert second["throughput"] == {"2026-11-09": {"approved": 0, "delivered": 1}}
    assert weeks["2026-11-02"] == metrics.summary(sample(), START, utc(2026, 11, 9), NOW)


def test_the_report_sliced_by_month() -> None:
    start, end = utc(2026, 10, 20), utc(2026, 12, 5)
    document = metrics.report(sample(), start, end, NOW, by="month")
    months = document["by"]["month"]
    assert list(months) == ["2026-10", "2026-11", "2026-12"]
    assert [m["assets_approved"] for m in months.values()] == [0, 3, 0]
    assert [m["assets_delivered"] for m in months.values()] == [0, 2, 0]
    assert months["2026-11"] == metrics.summary(sample(), utc(2026, 11, 1), utc(2026, 12, 1), NOW)
    assert document["period"] == {"from": start.isoformat(), "to": end.isoformat()}
