"""`shotline audit [--json]`, end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shotline.simulation.images import write_png
from support import row

KEY = {"sku": "TEE-001", "colorway": "Black", "view": "front"}
GATES = (("technical", "quinn"), ("styling_fit", "cd"), ("brand_merch", "cd"), ("final_qc", "qa"))
ROLES = {"quinn": ["qc_lead"], "cd": ["creative_director"], "qa": ["qc_lead"]}


def _line(minute: int, actor: str, action: str, **data: Any) -> str:
    at = f"2026-11-16T10:{minute:02d}:00-05:00"
    return json.dumps({"at": at, "actor": actor, "action": action, **data})


def _history(folder: Path) -> Path:
    """One SKU line (4 assets) and one rejected line; Black front goes live after a capture,
    a retouch and four passed gates."""
    write_png(folder / "images" / "capture.png", "capture")
    write_png(folder / "images" / "wip.png", "wip")
    lines = [
        _line(0, "maya", "intake", roles=["merchandiser"],
              rows=[row(), row(sku="BAD-1", category="")]),
        _line(1, "sam", "upload", roles=["photographer"], **KEY, kind="capture",
              file="images/capture.png"),
        _line(2, "rita", "upload", roles=["retoucher"], **KEY, kind="retouch",
              file="images/wip.png", submit=True),
        *(
            _line(3 + i, who, "review", roles=ROLES[who], **KEY, gate=gate, result="pass")
            for i, (gate, who) in enumerate(GATES)
        ),
        _line(8, "kim", "deliver", roles=["dam_manager"], **KEY, channels=["pdp"]),
        _line(9, "kim", "live", **KEY),
    ]  # fmt: skip
    path = folder / "history.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sections(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        e["question"]: (e["answer"], e["evidence"])
        for entries in document["sections"].values()
        for e in entries
    }


def test_audit_of_a_new_workspace_as_text(ready) -> None:
    out = ready.ok("audit").stdout
    lines = out.splitlines()
    assert lines[0] == "Creative operations audit of workspace default"
    headers = [line for line in lines if line and not line.startswith(" ")]
    assert headers[1:-1] == [
        "Intake",
        "Workflow",
        "Quality Control",
        "Asset Management",
        "AI Governance",
        "Metrics",
    ]
    start = lines.index("Intake")
    assert lines[start + 1 : start + 5] == [
        "  [no]      Is every creative request submitted through one intake process?",
        "            no assets yet: nothing shows requests entering through intake",
        "  [yes]     Are mandatory fields required before work starts?",
        "            the policy requires 8 fields on every line (sku, product_name, category, "
        "colorways, channels, approval_owner, priority, production_path) and 12 category- or "
        "path-specific ones; no request line received yet",
    ]
    assert (
        "  [partial] Are SKU, category, colorway, channel, deadline, and owner included?" in lines
    )
    assert lines[-2:] == [
        "Maturity: level 1 of 5, ad hoc (score 35%: 10 yes, 3 partial, 20 no)",
        "  most answers are no: workflows held together by individual effort",
    ]


def test_evidence_never_wraps_on_a_narrow_terminal(ready) -> None:
    out = ready.ok("audit", COLUMNS="80").stdout
    long = [line for line in out.splitlines() if len(line) > 80]
    assert any(line.strip().startswith("the policy requires 8 fields") for line in long)
    assert len(out.splitlines()) == 1 + 6 * 2 + 33 * 2 + 3


def test_audit_of_a_new_workspace_as_json(ready) -> None:
    document = json.loads(ready.ok("audit", "--json").stdout)
    assert list(document) == ["workspace", "maturity", "sections"]
    assert document["workspace"] == "default"
    assert document["maturity"] == {"level": 1, "label": "ad hoc", "score": 0.348}
    assert {name: len(entries) for name, entries in document["sections"].items()} == {
        "intake": 5,
        "workflow": 6,
        "quality_control": 5,
        "asset_management": 5,
        "ai_governance": 5,
        "metrics": 7,
    }
    answers = _sections(document)
    assert answers["Are QC standards written down?"] == (
        "yes",
        "policy version 1: 4 gates (technical, styling_fit, brand_merch, final_qc) with 35 "
        "binary checklist items and 23 defect codes",
    )


def test_audit_after_a_replayed_history(ready, tmp_path) -> None:
    ready.ok("replay", str(_history(tmp_path)))
    document = json.loads(ready.ok("audit", "--json").stdout)
    answers = _sections(document)
    assert answers["Is every creative request submitted through one intake process?"] == (
        "yes",
        "100% of 4 assets entered through intake; no skip_intake exception was granted",
    )
    assert answers["Are mandatory fields required before work starts?"][1].endswith(
        "; 1 of 2 lines (50%) came complete, 1 rejected before any work started"
    )
    assert answers["Is shoot-to-live time measured?"][0] == "yes"
    assert answers["Is first-pass approval rate tracked?"][1].startswith(
        "first-pass approval 100% (1 of 1 approved asset never failed a gate)"
    )
    assert answers["Are RAW, selects, WIP, final, and archive folders clearly separated?"] == (
        "partial",
        # Approval made the approved version final and archived the capture.
        "each version carries one stage: archive 1, final 1; raw, select, wip unused",
    )
    # Superseded versions are archived on approval: that answer is yes, not partial.
    assert document["maturity"] == {"level": 4, "label": "managed", "score": 0.803}
    text = ready.ok("audit").stdout
    assert "  [yes]     Is shoot-to-live time measured?\n" in text
    assert "            1 asset went live; shoot-to-live runs from the first capture" in text


def test_a_vendor_cannot_audit(ready) -> None:
    ready.ok("users", "add", "pix", "--role", "retoucher", "--vendor", "Pixel Lab")
    assert ready.fail(1, "--as", "pix", "audit") == (
        "error: pix works for a vendor and cannot audit workspace default\n"
    )


def test_audit_on_an_uninitialised_database(fresh) -> None:
    assert fresh.fail(1, "audit", "--json") == (
        f"error: the database at {fresh.database_url} is not initialised or is older than "
        "this Shotline; run `shotline init`\n"
    )
