"""`shotline report`, end to end: the JSON document, CSV, slices and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from shotline.simulation.images import write_png
from support import row

BF = {"sku": "TEE-001", "colorway": "Black", "view": "front"}
BB = {"sku": "TEE-001", "colorway": "Black", "view": "back"}
ROLES = {
    "maya": ["merchandiser"],
    "sam": ["photographer"],
    "rita": ["retoucher"],
    "quinn": ["qc_lead"],
    "cora": ["creative_director"],
    "kim": ["dam_manager"],
}
GATES = {"technical": "quinn", "styling_fit": "cora", "brand_merch": "cora", "final_qc": "quinn"}
RATES = (
    "first_pass_approval_rate",
    "rework_rate",
    "preventable_rework_share",
    "sla_hit_rate",
    "ai_rejection_rate",
)
PERIOD = ("--from", "2026-11-02", "--to", "2026-11-09")
CSV_HEADER = [
    "assets_approved",
    "assets_delivered",
    "first_pass_approval_rate",
    "rework_rate",
    "avg_rework_rounds",
    "preventable_rework_share",
    "sla_hit_rate",
    "cost_per_image",
    "cost_per_sku",
    "ai_rejection_rate",
    "shoot_to_live_p50_hours",
    "shoot_to_live_p90_hours",
]


def _line(at: str, actor: str, action: str, **data: Any) -> str:
    return json.dumps({"at": at, "actor": actor, "action": action, "roles": ROLES[actor], **data})


def _upload(at: str, actor: str, key: dict[str, str], kind: str, **data: Any) -> str:
    file = "images/capture.png" if kind == "capture" else "images/wip.png"
    return _line(at, actor, "upload", **key, kind=kind, file=file, **data)


def _passes(key: dict[str, str], day: str, first_hour: int) -> list[str]:
    """Pass every gate, one an hour from `first_hour`."""
    return [
        _line(f"{day}T{first_hour + i}:00:00Z", who, "review", **key, gate=gate, result="pass")
        for i, (gate, who) in enumerate(GATES.items())
    ]


def _story(folder: Path) -> Path:
    """TEE-001 (4 catalog C1 assets, due 2026-11-03 21:00 UTC). Black front is captured
    (actual cost 10), retouched, fails styling once (fit_distortion, preventable), passes every
    gate and goes live ten hours after its capture; Black back passes first time and is
    never delivered; the White assets never start."""
    write_png(folder / "images" / "capture.png", "capture")
    write_png(folder / "images" / "wip.png", "wip")
    day = "2026-11-02"
    fail = {"gate": "styling_fit", "result": "fail", "defects": ["fit_distortion"]}
    lines = [
        _line(f"{day}T14:00:00Z", "maya", "intake", rows=[row()]),
        _upload(f"{day}T15:00:00Z", "sam", BF, "capture", cost=10),
        _upload(f"{day}T15:00:00Z", "sam", BB, "capture"),
        _upload(f"{day}T16:00:00Z", "rita", BF, "retouch", submit=True),
        _upload(f"{day}T16:00:00Z", "rita", BB, "retouch", submit=True),
        _line(f"{day}T17:00:00Z", "quinn", "review", **BF, gate="technical", result="pass"),
        _line(f"{day}T18:00:00Z", "cora", "review", **BF, **fail),
        _upload(f"{day}T19:00:00Z", "rita", BF, "retouch", submit=True),
        *_passes(BB, day, 17),
        *_passes(BF, day, 20),
        _line("2026-11-03T00:00:00Z", "kim", "deliver", **BF, channels=["pdp"]),
        _line("2026-11-03T01:00:00Z", "kim", "live", **BF),
    ]
    path = folder / "story.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def story(ready, tmp_path):
    ready.ok("replay", str(_story(tmp_path)))
    return ready


def _json(cli, *args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(cli.ok("report", "--json", *args).stdout)
    return document


def _check_types(summary: dict[str, Any]) -> None:
    for key in RATES:
        value = summary[key]
        assert value is None or (isinstance(value, float) and 0 <= value <= 1), (key, value)
    for key in ("assets_approved", "assets_delivered"):
        assert isinstance(summary[key], int) and summary[key] >= 0
    for key in ("avg_rework_rounds", "cost_per_image", "cost_per_sku"):
        assert summary[key] is None or (isinstance(summary[key], int | float) and summary[key] >= 0)
    assert all(
        isinstance(k, str) and isinstance(v, int) for k, v in summary["rework_reasons"].items()
    )
    s2l = summary["shoot_to_live_hours"]
    assert all(s2l[k] is None or isinstance(s2l[k], float) for k in ("p50", "p90"))


def test_report_json_has_every_metric_with_exact_values(story) -> None:
    doc = _json(story, *PERIOD)
    assert doc["period"] == {"from": "2026-11-02T00:00:00+00:00", "to": "2026-11-09T00:00:00+00:00"}
    _check_types(doc)
    assert (doc["assets_approved"], doc["assets_delivered"]) == (2, 1)
    assert doc["first_pass_approval_rate"] == 0.5
    assert (doc["rework_rate"], doc["avg_rework_rounds"]) == (0.5, 0.5)
    assert doc["rework_reasons"] == {"fit_distortion": 1}
    assert doc["preventable_rework_share"] == 1.0
    # Black front on time; Black back and both White assets overdue and undelivered.
    assert doc["sla_hit_rate"] == 0.25
    assert (doc["shoot_to_live_hours"]["p50"], doc["shoot_to_live_hours"]["p90"]) == (10.0, 10.0)
    # 10 (actual capture) + 2 x 4 (estimated C1 retouch) + 6 x 0.75 (estimated reviews).
    assert (doc["cost_per_image"], doc["cost_per_sku"]) == (22.5, 22.5)
    assert doc["ai_rejection_rate"] is None
    assert doc["throughput"] == {"2026-11-02": {"approved": 2, "delivered": 1}}


def test_report_json_has_the_documented_keys(story) -> None:
    doc = _json(story, *PERIOD)
    required = {
        "period",
        "assets_approved",
        "assets_delivered",
        "first_pass_approval_rate",
        "rework_rate",
        "avg_rework_rounds",
        "rework_reasons",
        "preventable_rework_share",
        "sla_hit_rate",
        "shoot_to_live_hours",
        "cost_per_image",
        "cost_per_sku",
        "ai_rejection_rate",
        "by",
    }
    assert required <= set(doc), sorted(required - set(doc))
    assert isinstance(doc["by"], dict)


def test_report_json_of_an_empty_period_is_nulls(story) -> None:
    doc = _json(story, "--from", "2025-01-01", "--to", "2025-02-01")
    _check_types(doc)
    assert (doc["assets_approved"], doc["assets_delivered"]) == (0, 0)
    assert all(doc[key] is None for key in RATES)
    assert doc["avg_rework_rounds"] is None and doc["cost_per_image"] is None
    assert doc["rework_reasons"] == {}


def test_report_json_defaults_to_the_last_thirty_days(story) -> None:
    import datetime as dt

    period = _json(story)["period"]
    start, end = (dt.datetime.fromisoformat(period[k]) for k in ("from", "to"))
    assert end - start == dt.timedelta(days=30)


def test_report_json_by_track(story) -> None:
    doc = _json(story, *PERIOD, "--by", "track")
    assert list(doc["by"]) == ["track"]
    tracks = doc["by"]["track"]
    assert list(tracks) == ["catalog"]
    _check_types(tracks["catalog"])
    assert tracks["catalog"]["first_pass_approval_rate"] == 0.5
    assert tracks["catalog"]["sla_hit_rate"] == 0.25


def test_report_json_by_week(story) -> None:
    doc = _json(story, "--from", "2026-11-02", "--to", "2026-11-16", "--by", "week")
    weeks = doc["by"]["week"]
    assert list(weeks) == ["2026-11-02", "2026-11-09"]
    for summary in weeks.values():
        _check_types(summary)
    assert weeks["2026-11-02"]["assets_approved"] == 2
    assert weeks["2026-11-09"]["assets_approved"] == 0
    assert weeks["2026-11-09"]["first_pass_approval_rate"] is None


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_report_csv(story) -> None:
    rows = _csv(story.ok("report", "--csv", *PERIOD).stdout)
    assert rows[0] == ["slice", *CSV_HEADER]
    assert rows[1:] == [
        ["all", "2", "1", "0.5", "0.5", "0.5", "1.0", "0.25", "22.5", "22.5", "", "10.0", "10.0"]
    ]


def test_report_csv_by_track_and_week(story) -> None:
    rows = _csv(story.ok("report", "--csv", *PERIOD, "--by", "track").stdout)
    assert rows[0] == ["track", *CSV_HEADER]
    assert [r[0] for r in rows[1:]] == ["all", "catalog"]
    assert rows[1][1:] == rows[2][1:]
    weekly = ("--from", "2026-11-02", "--to", "2026-11-16", "--by", "week")
    rows = _csv(story.ok("report", "--csv", *weekly).stdout)
    assert rows[0][0] == "week"
    assert [r[0] for r in rows[1:]] == ["all", "2026-11-02", "2026-11-09"]
    assert rows[3][1:3] == ["0", "0"]
    assert all(len(r) == len(CSV_HEADER) + 1 for r in rows)


def test_report_table(story) -> None:
    out = story.ok("report", *PERIOD).stdout
    assert "2026-11-02 to 2026-11-09" in out
    assert "rework reasons: fit_distortion 1" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--by", "studio"),
            "error: unknown dimension 'studio'; expected category, track, complexity, channel, "
            "vendor, photographer, retoucher, ai, week, month\n",
        ),
        (
            ("--from", "2026-13-01"),
            "error: expected a date like 2026-11-01, got '2026-13-01'\n",
        ),
        (
            ("--to", "last tuesday"),
            "error: expected a date like 2026-11-01, got 'last tuesday'\n",
        ),
        (
            ("--from", "2026-11-09", "--to", "2026-11-02"),
            "error: the period is empty: --to must be after --from\n",
        ),
    ],
)
def test_report_bad_input_is_one_clear_line(story, args: tuple[str, ...], message: str) -> None:
    for output in ((), ("--json",), ("--csv",)):
        assert story.fail(1, "report", *args, *output) == message


def test_dashboard_text_and_json(ready) -> None:
    text = ready.ok("dashboard").stdout
    assert "in production: 0" in text and "SLA: 0 overdue, 0 at risk" in text
    document = json.loads(ready.ok("dashboard", "--json").stdout)
    assert set(document) >= {
        "in_production",
        "waiting_for_review",
        "blocked",
        "sla",
        "failed_qc",
        "teams",
        "ai_workflows",
    }
