"""`shotline metrics-rebuild`, end to end: the projections recomputed from the log give the
same report, and only a creative-ops manager (or admin) may run it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shotline.adapters.db.models import MetricDecision, MetricMilestone
from shotline.simulation.images import write_png
from support import row

KEY = {"sku": "TEE-001", "colorway": "Black", "view": "front"}
GATES = (("technical", "quinn"), ("styling_fit", "cora"), ("brand_merch", "cora"),
         ("final_qc", "quinn"))  # fmt: skip
ROLES = {"maya": ["merchandiser"], "sam": ["photographer"], "rita": ["retoucher"],
         "quinn": ["qc_lead"], "cora": ["creative_director"], "kim": ["dam_manager"]}  # fmt: skip


def _line(at: str, actor: str, action: str, **data: Any) -> str:
    return json.dumps({"at": at, "actor": actor, "action": action, "roles": ROLES[actor], **data})


def _story(folder: Path) -> Path:
    """One asset captured, retouched, failed once at styling, then passed, delivered, live."""
    write_png(folder / "images" / "capture.png", "capture")
    write_png(folder / "images" / "wip.png", "wip")
    day = "2026-11-02"
    lines = [
        _line(f"{day}T14:00:00Z", "maya", "intake", rows=[row()]),
        _line(
            f"{day}T15:00:00Z",
            "sam",
            "upload",
            **KEY,
            kind="capture",
            file="images/capture.png",
            cost=10,
        ),
        _line(
            f"{day}T16:00:00Z",
            "rita",
            "upload",
            **KEY,
            kind="retouch",
            file="images/wip.png",
            submit=True,
        ),
        _line(f"{day}T17:00:00Z", "quinn", "review", **KEY, gate="technical", result="pass"),
        _line(
            f"{day}T18:00:00Z",
            "cora",
            "review",
            **KEY,
            gate="styling_fit",
            result="fail",
            defects=["fit_distortion"],
        ),
        _line(
            f"{day}T19:00:00Z",
            "rita",
            "upload",
            **KEY,
            kind="retouch",
            file="images/wip.png",
            submit=True,
        ),
        *(
            _line(f"{day}T{20 + i}:00:00Z", who, "review", **KEY, gate=gate, result="pass")
            for i, (gate, who) in enumerate(GATES)
        ),
        _line("2026-11-03T00:00:00Z", "kim", "deliver", **KEY, channels=["pdp"]),
        _line("2026-11-03T01:00:00Z", "kim", "live", **KEY),
    ]
    path = folder / "story.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rebuild_gives_the_same_report(ready, tmp_path) -> None:
    ready.ok("replay", str(_story(tmp_path)))
    period = ("--from", "2026-11-02", "--to", "2026-11-09", "--json")
    before = json.loads(ready.ok("report", *period).stdout)
    assert (before["assets_approved"], before["assets_delivered"]) == (1, 1)
    assert before["rework_reasons"] == {"fit_distortion": 1}
    decisions, milestones = ready.count(MetricDecision), ready.count(MetricMilestone)
    assert (decisions, milestones) == (6, 3)  # 6 reviews; approved, delivered, live

    out = ready.ok("metrics-rebuild").stdout
    assert "rebuilt the metric projections of default from 13 events" in out
    assert (ready.count(MetricDecision), ready.count(MetricMilestone)) == (decisions, milestones)
    assert json.loads(ready.ok("report", *period).stdout) == before


def test_rebuild_needs_a_creative_ops_manager(ready) -> None:
    ready.ok("users", "add", "maya", "--role", "merchandiser")
    error = ready.fail(1, "--as", "maya", "metrics-rebuild")
    assert "maya cannot rebuild the metric projections in workspace default" in error
