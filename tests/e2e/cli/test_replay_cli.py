"""`shotline replay` and `shotline simulate`, end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shotline.adapters.db.models import Event, User, Version
from shotline.simulation.images import write_png
from support import row

KEY = {"sku": "TEE-001", "colorway": "Black", "view": "front"}


def _line(minute: int, actor: str, action: str, **data: Any) -> str:
    at = f"2026-11-16T10:{minute:02d}:00-05:00"
    return json.dumps({"at": at, "actor": actor, "action": action, **data})


def _replay(folder: Path, *lines: str) -> Path:
    write_png(folder / "images" / "capture.png", "capture")
    write_png(folder / "images" / "wip.png", "wip")
    path = folder / "history.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _good(folder: Path) -> list[str]:
    return [
        _line(0, "maya", "intake", roles=["merchandiser"], rows=[row()]),
        _line(
            1,
            "sam",
            "upload",
            roles=["photographer"],
            **KEY,
            kind="capture",
            file="images/capture.png",
        ),
        _line(
            2,
            "rita",
            "upload",
            roles=["retoucher"],
            **KEY,
            kind="retouch",
            file="images/wip.png",
            submit=True,
        ),
        _line(3, "quinn", "review", roles=["qc_lead"], **KEY, gate="technical", result="pass"),
    ]


def test_replay_applies_every_line_and_prints_a_summary(ready, tmp_path) -> None:
    path = _replay(tmp_path, *_good(tmp_path))
    out = ready.ok("replay", str(path)).stdout
    assert out == "applied 4 of 4 line(s): 1 intake, 1 review, 2 upload\n"
    assert ready.count(Version) == 2
    rows = ready.ok("history", "TEE-001", "--colorway", "Black", "--view", "front").stdout
    assert "2026-11-16 15:03" in rows  # the line's time, in UTC
    assert "gate_passed" in rows


def test_replay_stops_at_a_bad_line_with_its_number(ready, tmp_path) -> None:
    bad = _line(3, "maya", "review", **KEY, gate="technical", result="pass")
    after = _line(4, "quinn", "review", roles=["qc_lead"], **KEY, gate="technical", result="pass")
    path = _replay(tmp_path, *_good(tmp_path)[:3], bad, after)
    err = ready.fail(1, "replay", str(path))
    assert err == (
        "error: line 4: the technical gate is decided by qc_lead, retouching_lead; "
        "you hold merchandiser\n"
    )
    assert ready.count(Version) == 2
    assert ready.count(User) == 4  # admin, maya, sam, rita: quinn's line never ran


def test_replay_of_a_malformed_line(ready, tmp_path) -> None:
    path = _replay(tmp_path, _good(tmp_path)[0], "", '{"at": "2026-11-16T10:00:00"')
    err = ready.fail(1, "replay", str(path))
    assert err.startswith("error: line 3: not valid JSON (")
    path = _replay(
        tmp_path,
        _good(tmp_path)[0],
        '{"at": "2026-11-16T10:05", "actor": "maya", "action": "join"}',
    )
    assert ready.fail(1, "replay", str(path)) == (
        "error: line 2: 'at' needs a timezone offset (e.g. Z or +01:00)\n"
    )


def test_replay_continue_lists_the_skipped_lines(ready, tmp_path) -> None:
    lines = _good(tmp_path)
    deliver = _line(3, "kim", "deliver", roles=["dam_manager"], **KEY, channels=["pdp"])
    ghost = _line(3, "ghost", "live", **KEY)
    path = _replay(tmp_path, *lines[:3], deliver, ghost, lines[3])
    result = ready("replay", "--continue", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout == "applied 4 of 6 line(s): 1 intake, 1 review, 2 upload\n"
    skipped = result.stderr.splitlines()
    assert len(skipped) == 2
    assert skipped[0].startswith("skipped line 4: an asset cannot move from in_review to ")
    assert (
        skipped[1] == "skipped line 5: unknown actor 'ghost'; give their roles in a \"roles\" list"
    )
    assert ready.count(Event) > 0
    history = ready.ok("history", "TEE-001", "--colorway", "Black", "--view", "front").stdout
    assert "gate_passed" in history  # line 6 was applied after the failures


def test_replay_of_a_missing_file(ready, tmp_path) -> None:
    err = ready.fail(1, "replay", str(tmp_path / "nope.jsonl"))
    assert err.startswith(f"error: cannot read replay file {tmp_path / 'nope.jsonl'}: ")


def test_replay_needs_an_initialised_database(cli, tmp_path) -> None:
    path = _replay(tmp_path, *_good(tmp_path))
    err = cli.fail(1, "replay", str(path))
    assert err.endswith("no workspace 'default'; run `shotline init` first\n")
    assert cli.count(User) == 0


def test_simulate_then_replay(ready, tmp_path) -> None:
    out_dir = tmp_path / "sim"
    out = ready.ok("simulate", "--skus", "2", "--days", "10", "--out", str(out_dir)).stdout
    path = out_dir / "replay.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert out.startswith(f"wrote {len(lines)} actions to {path}; replay with `shotline replay")
    assert any((out_dir / "images").iterdir())
    summary = ready.ok("replay", str(path)).stdout
    assert summary.startswith(f"applied {len(lines)} of {len(lines)} line(s): ")
    assert "15 join" in summary
    uploads = sum(1 for line in lines if json.loads(line)["action"] == "upload")
    assert ready.count(Version) == uploads


def test_simulate_needs_no_database(fresh, tmp_path) -> None:
    fresh.ok("simulate", "--skus", "1", "--days", "5", "--out", str(tmp_path / "sim"))
    assert (tmp_path / "sim" / "replay.jsonl").is_file()
    assert not (tmp_path / "new").exists()
