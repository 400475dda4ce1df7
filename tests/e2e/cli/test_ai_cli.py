"""`shotline ai register|approve|retire|workflows|show|retention`, end to end."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from shotline.adapters.db.models import AiWorkflow, Event, Version
from shotline.entrypoints.cli import ai as ai_cli
from shotline.entrypoints.cli import main
from shotline.simulation.images import write_png
from support import row, write_csv

SPEC: dict[str, Any] = {
    "name": "model-shots",
    "version": 3,
    "tool": "ComfyUI",
    "model": "sdxl-base",
    "model_version": 1.0,
    "loras": [{"name": "drape", "version": 2, "sha256": hashlib.sha256(b"d2").hexdigest()}],
    "prompt": "model shot of {product}",
    "categories": ["apparel"],
}
AI_ROW = row(
    sku="AIT-001",
    colorways="Black",
    views="front|back",
    production_path="ai_generated",
    source_image="flat.tif",
    target_model_type="f",
    pose="front",
    anatomy_risk="low",
    human_qc="yes",
)


@pytest.fixture(autouse=True)
def ai_command(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`shotline ai`, until main.py registers it (then this adds nothing)."""
    if any(g.name == "ai" for g in main.app.registered_groups):
        yield
        return
    monkeypatch.setattr(main.app, "registered_groups", list(main.app.registered_groups))
    main.app.add_typer(ai_cli.app, name="ai")
    yield


@pytest.fixture
def team(ready: Any, tmp_path: Path) -> Any:
    for name, role in {
        "ada": "ai_workflow_owner",
        "nova": "ai_operator",
        "maya": "merchandiser",
    }.items():
        ready.ok("users", "add", name, "--role", role)
    ready.ok("--as", "maya", "intake", "import", str(write_csv(tmp_path / "ai.csv", [AI_ROW])))
    return ready


def spec_file(tmp_path: Path, **changes: Any) -> str:
    path = tmp_path / f"wf-{len(list(tmp_path.glob('wf-*')))}.yaml"
    path.write_text(yaml.safe_dump({**SPEC, **changes}), encoding="utf-8")
    return str(path)


def test_register_approve_list_show_and_retire(team: Any, tmp_path: Path) -> None:
    out = team.ok("--as", "ada", "ai", "register", spec_file(tmp_path)).stdout
    prompt_sha = hashlib.sha256(b"model shot of {product}").hexdigest()
    assert out == (
        f"registered model-shots@3 (experimental); prompt sha256 {prompt_sha[:12]}; "
        "approve it with `shotline ai approve model-shots@3`\n"
    )
    again = team.ok("--as", "ada", "ai", "register", spec_file(tmp_path)).stdout
    assert again == "model-shots@3 is already registered with this description; nothing changed\n"
    approved = team.ok("--as", "ada", "ai", "approve", "model-shots@3").stdout
    assert approved == (
        "evidence: not ready: 0 reviewed output(s), fewer than the 50 the policy asks for\n"
        "model-shots@3 approved\n"
    )
    listed = team.ok("ai", "workflows").stdout
    assert "model-shots@3" in listed and "approved" in listed
    assert listed.rstrip().endswith("1 workflow version(s)")
    [data] = json.loads(team.ok("ai", "workflows", "--json").stdout)
    assert (data["ref"], data["status"], data["model_version"], data["approved_by"]) == (
        "model-shots@3", "approved", "1.0", "ada",
    )  # fmt: skip
    assert data["loras"] == [
        {"name": "drape", "version": "2", "sha256": SPEC["loras"][0]["sha256"]}
    ]
    assert data["stats"] == {
        "reviewed": 0, "rejected": 0, "rejection_rate": None, "interval_95": None, "reasons": {},
    }  # fmt: skip
    shown = team.ok("ai", "show", "model-shots").stdout
    assert shown.startswith("model-shots@3  approved\ntool ComfyUI; model sdxl-base 1.0\n")
    assert f"prompt sha256 {prompt_sha}: model shot of {{product}}\n" in shown
    assert "views: any" in shown and "approved by ada" in shown
    retired = team.ok("--as", "ada", "ai", "retire", "model-shots@3").stdout
    assert retired.endswith("model-shots@3 retired\n")
    assert team.count(AiWorkflow) == 1
    assert team.count(Event) > 0


def test_a_changed_prompt_must_be_a_new_version(team: Any, tmp_path: Path) -> None:
    team.ok("--as", "ada", "ai", "register", spec_file(tmp_path))
    err = team.fail(1, "--as", "ada", "ai", "register", spec_file(tmp_path, prompt="new words"))
    assert err == (
        "error: model-shots@3 is already registered with a different prompt; a registered "
        "version never changes: register the change as model-shots@4\n"
    )
    team.ok("--as", "ada", "ai", "register", spec_file(tmp_path, version=4, prompt="new words"))
    detail = json.loads(team.ok("ai", "show", "model-shots@3", "--json").stdout)
    assert detail["prompt"] == "model shot of {product}"
    newest = json.loads(team.ok("ai", "show", "model-shots", "--json").stdout)
    assert newest["ref"] == "model-shots@4"
    assert newest["model_update_impact"]["before"] == "model-shots@3"
    assert [v["workflow"] for v in newest["versions"]] == ["model-shots@3", "model-shots@4"]


def test_errors_are_one_clear_line(team: Any, tmp_path: Path) -> None:
    err = team.fail(1, "--as", "nova", "ai", "register", spec_file(tmp_path))
    assert err == (
        "error: nova cannot register AI workflows: needs one of the roles ai_workflow_owner\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    assert team.fail(1, "--as", "ada", "ai", "register", str(bad)).startswith(
        f"error: {bad}: YAML syntax error at line 2"
    )
    missing = tmp_path / "missing.yaml"
    assert team.fail(1, "--as", "ada", "ai", "register", str(missing)).startswith(
        f"error: cannot read workflow file {missing}: "
    )
    err = team.fail(1, "--as", "ada", "ai", "register", spec_file(tmp_path, loras=[{"name": "x"}]))
    assert err.startswith("error: ")
    assert "loras[0].version: required" in err and "loras[0].sha256: required" in err
    assert team.fail(1, "ai", "show", "ghost").startswith("error: no AI workflow named 'ghost'")
    assert team.fail(1, "--as", "ada", "ai", "approve", "model-shots").startswith(
        "error: expected NAME@VERSION like model-shots@3, got 'model-shots'"
    )


def test_uploads_must_cite_a_registered_workflow(team: Any, tmp_path: Path) -> None:
    team.ok("--as", "ada", "ai", "register", spec_file(tmp_path))
    image = str(write_png(tmp_path / "ai.png", "ai"))
    args = ("upload", image, "AIT-001", "Black", "front", "--kind", "ai", "--submit")
    err = team.fail(1, "--as", "nova", *args, "--ai-workflow", "model-shots@7")
    assert err == (
        "error: AI workflow model-shots@7 is not registered in workspace default; "
        "registered: model-shots@3 (experimental)\n"
    )
    assert team.count(Version) == 0
    out = team.ok("--as", "nova", *args, "--ai-workflow", "model-shots@3").stdout
    assert "asset in_review at the technical gate" in out
    history = team.ok("history", "AIT-001", "--colorway", "Black", "--view", "front").stdout
    assert "track_changed" in history


def _line(at: dt.datetime, actor: str, action: str, **data: Any) -> str:
    return json.dumps({"at": at.isoformat(), "actor": actor, "action": action, **data})


def test_retention_deletes_old_rejected_files_and_keeps_the_records(
    team: Any, tmp_path: Path
) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
    write_png(tmp_path / "rejected.png", "rejected")
    key = {"sku": "AIT-001", "colorway": "Black", "view": "back"}
    lines = [
        _line(old, "ada", "ai_register", workflow=SPEC),
        _line(old, "ada", "ai_approve", workflow="model-shots@3"),
        _line(
            old,
            "nova",
            "upload",
            **key,
            kind="ai",
            file="rejected.png",
            submit=True,
            ai_workflow="model-shots@3",
        ),
        _line(
            old,
            "qc",
            "review",
            **key,
            gate="technical",
            result="fail",
            defects=["anatomy_error"],
            roles=["qc_lead"],
        ),
    ]
    history = tmp_path / "history.jsonl"
    history.write_text("\n".join(lines) + "\n", encoding="utf-8")
    team.ok("replay", str(history))
    sha = hashlib.sha256((tmp_path / "rejected.png").read_bytes()).hexdigest()
    blob = team.home / "blobs" / sha[:2] / sha[2:4] / sha
    assert blob.is_file()
    dry = team.ok("--as", "ada", "ai", "retention", "--dry-run").stdout
    assert dry.startswith("would delete AIT-001 / Black / back v1 (")
    assert blob.is_file()
    err = team.fail(1, "--as", "nova", "ai", "retention")
    assert err.startswith("error: nova cannot apply the AI retention rule")
    out = team.ok("ai", "retention").stdout
    assert out.startswith("deleted AIT-001 / Black / back v1 (")
    assert "deleted 1 file(s)" in out and "(30 days); 0 kept" in out
    assert not blob.exists()
    assert team.count(Version) == 1
    again = team.ok("ai", "retention", "--times", "2", "--every", "0").stdout
    assert again.count("deleted 0 file(s)") == 2
