"""`shotline upload|review|block|hold|deliver|live|history|exceptions ...`, end to end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shotline.adapters.db.models import Event, GateDecision, ProcessException, Version
from shotline.simulation.images import write_png
from support import row, write_csv

TEE = ("TEE-001", "Black", "front")
GATES = ("technical", "styling_fit", "brand_merch", "final_qc")
DECIDER = {"technical": "qc", "styling_fit": "cd", "brand_merch": "cd", "final_qc": "qc2"}
PEOPLE = {
    "maya": "merchandiser",
    "photo": "photographer",
    "rita": "retoucher",
    "qc": "qc_lead",
    "qc2": "qc_lead",
    "cd": "creative_director",
    "pat": "producer",
    "kim": "dam_manager",
    "eve": "creative_ops_manager",
}


def _cells(stdout: str) -> list[list[str]]:
    """The cells of each body row of a rich table (lines framed by the vertical bar)."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in stdout.splitlines()
        if line.startswith("│")
    ]


def _events(stdout: str) -> list[list[str]]:
    """Rows of the history table (a long details cell wraps onto lines with no time)."""
    return [cells for cells in _cells(stdout) if cells[0]]


@pytest.fixture
def crewed(ready, tmp_path):
    """The CLI with a crew, after importing TEE-001 (catalog, Black|White x front|back)."""
    for name, role in PEOPLE.items():
        ready.ok("users", "add", name, "--role", role)
    ready.ok("--as", "maya", "intake", "import", str(write_csv(tmp_path / "tee.csv", [row()])))
    return ready


@pytest.fixture
def png(tmp_path):
    counter = iter(range(1, 1000))

    def make() -> str:
        n = next(counter)
        return str(write_png(tmp_path / "files" / f"tee_{n}.png", f"tee {n}"))

    return make


def _in_review(cli, png) -> None:
    cli.ok("--as", "rita", "upload", png(), *TEE, "--kind", "retouch", "--submit")


# upload and review


def test_an_asset_goes_from_upload_to_live_with_a_rework_round(crewed, png) -> None:
    out = crewed.ok("--as", "photo", "upload", png(), *TEE, "--kind", "capture").stdout
    assert out.startswith("version 1 (capture, raw) stored, sha256 ")
    assert out.endswith("; asset in_capture\n")
    out = crewed.ok("--as", "rita", "upload", png(), *TEE, "--kind", "retouch", "--submit").stdout
    assert out.startswith("version 2 (retouch, wip) stored")
    assert out.endswith("; asset in_review at the technical gate\n")
    out = crewed.ok("--as", "qc", "review", *TEE, "--gate", "technical", "--pass").stdout
    assert out == "passed technical: next gate styling_fit\n"
    out = crewed.ok(
        "--as",
        "cd",
        "review",
        *TEE,
        "--gate",
        "styling_fit",
        "--fail",
        "sleeve_length=fit_distortion",
        "--comment",
        "sleeves shortened",
        "--region",
        "10,20,30,40,left sleeve",
    ).stdout
    assert out == (
        "failed styling_fit (fit_distortion): back to in_retouch by retouch, rework round 1\n"
    )
    _in_review(crewed, png)
    for gate in GATES:
        out = crewed.ok("--as", DECIDER[gate], "review", *TEE, "--gate", gate, "--pass").stdout
        assert out.startswith(f"passed {gate}: ")
    assert out == "passed final_qc: approved\n"
    assert crewed.ok("--as", "kim", "deliver", *TEE, "--channel", "pdp").stdout == "delivered\n"
    assert crewed.ok("--as", "kim", "live", *TEE).stdout == "live\n"
    assert crewed.count(Version) == 3
    assert crewed.count(GateDecision) == 6


def test_upload_and_submit_in_two_steps(crewed, png) -> None:
    crewed.ok("--as", "rita", "upload", png(), *TEE, "--kind", "retouch")
    out = crewed.ok("--as", "rita", "submit", *TEE).stdout
    assert out == "version 1 in review at the technical gate\n"


def test_a_fail_without_a_defect_code_is_refused(crewed, png) -> None:
    _in_review(crewed, png)
    err = crewed.fail(1, "--as", "qc", "review", *TEE, "--gate", "technical", "--fail", "focus")
    assert err == "error: technical decision refused: failed item 'focus' needs a defect code\n"
    assert crewed.count(GateDecision) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "error: give --pass, or one --fail ITEM=DEFECT[,DEFECT] per failed item\n"),
        (("--pass", "--fail", "focus=focus"), "error: give --pass, or one --fail"),
        (("--fail", "sleeve_length=fit_distortion"), "is not on the technical checklist"),
        (("--fail", "focus=nonsense"), "unknown defect code 'nonsense'"),
    ],
)
def test_a_bad_review_is_refused(crewed, png, args, message) -> None:
    _in_review(crewed, png)
    err = crewed.fail(1, "--as", "qc", "review", *TEE, "--gate", "technical", *args)
    assert message in err
    assert crewed.count(GateDecision) == 0


def test_a_review_by_the_wrong_role_is_refused(crewed, png) -> None:
    _in_review(crewed, png)
    err = crewed.fail(1, "--as", "maya", "review", *TEE, "--gate", "technical", "--pass")
    assert err == (
        "error: the technical gate is decided by qc_lead, retouching_lead; you hold merchandiser\n"
    )
    err = crewed.fail(1, "--as", "qc", "review", *TEE, "--gate", "styling_fit", "--pass")
    assert err == "error: the asset waits at the technical gate, not styling_fit\n"
    err = crewed.fail(1, "--as", "qc", "review", *TEE, "--gate", "colour", "--pass")
    assert err.startswith("error: unknown gate 'colour'; expected technical, styling_fit")


def test_upload_errors_are_one_line(crewed, png, tmp_path) -> None:
    missing = str(tmp_path / "missing.png")
    err = crewed.fail(1, "--as", "rita", "upload", missing, *TEE, "--kind", "retouch")
    assert err == f"error: file not found: {missing}\n"
    err = crewed.fail(1, "--as", "photo", "upload", png(), *TEE, "--kind", "retouch")
    assert err == (
        "error: photo cannot upload retouch versions: needs one of the roles retoucher, "
        "retouching_lead\n"
    )
    err = crewed.fail(
        1, "--as", "rita", "upload", png(), "TEE-001", "Pink", "front", "--kind", "retouch"
    )
    assert err == "error: no asset TEE-001 / Pink / front in workspace default\n"
    assert crewed.count(Version) == 0


def test_deliver_before_approval_is_refused(crewed, png) -> None:
    _in_review(crewed, png)
    err = crewed.fail(1, "--as", "kim", "deliver", *TEE, "--channel", "pdp")
    assert err.startswith("error: an asset cannot move from in_review to delivered; ")
    err = crewed.fail(1, "--as", "kim", "deliver", *TEE, "--channel", "tiktok")
    assert err.startswith("error: unknown or missing channel(s) tiktok; expected some of pdp")


# block, hold, cancel


def test_block_unblock_hold_resume_and_cancel(crewed, png) -> None:
    crewed.ok("--as", "photo", "upload", png(), *TEE, "--kind", "capture")
    assert crewed.ok("--as", "pat", "block", *TEE, "--reason", "sample missing").stdout == (
        "blocked\n"
    )
    err = crewed.fail(1, "--as", "photo", "upload", png(), *TEE, "--kind", "capture")
    assert err == "error: cannot upload to an asset that is blocked\n"
    assert crewed.ok("--as", "pat", "unblock", *TEE).stdout == "in_capture\n"
    assert crewed.ok("--as", "pat", "hold", *TEE, "--reason", "range review").stdout == (
        "on_hold\n"
    )
    assert crewed.ok("--as", "pat", "resume", *TEE).stdout == "in_capture\n"
    err = crewed.fail(1, "--as", "pat", "resume", *TEE)
    assert err == "error: TEE-001 / Black / front is in_capture, not blocked or on hold\n"
    assert crewed.ok("--as", "pat", "cancel", *TEE, "--reason", "dropped").stdout == ("cancelled\n")
    err = crewed.fail(1, "--as", "pat", "hold", *TEE, "--reason", "again")
    assert err.startswith("error: an asset cannot move from cancelled to on_hold")


def test_block_needs_a_block_role_and_a_reason(crewed) -> None:
    err = crewed.fail(1, "--as", "photo", "block", *TEE, "--reason", "sample missing")
    assert err.startswith("error: photo cannot put work blocked: needs one of the roles ")
    assert crewed.fail(1, "--as", "pat", "block", *TEE, "--reason", " ") == (
        "error: blocked needs a reason\n"
    )


# history


def test_history_lists_the_trail_of_an_asset(crewed, png) -> None:
    crewed.ok("--as", "photo", "upload", png(), *TEE, "--kind", "capture")
    _in_review(crewed, png)
    crewed.ok("--as", "qc", "review", *TEE, "--gate", "technical", "--fail", "focus=focus")
    out = crewed.ok("history", "TEE-001", "--colorway", "Black", "--view", "front").stdout
    rows = _events(out)
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("line_accepted", "maya", ""),
        ("version_uploaded", "photo", "Black / front"),
        ("version_uploaded", "rita", "Black / front"),
        ("submitted", "rita", "Black / front"),
        ("gate_failed", "qc", "Black / front"),
    ]
    assert '"defects": ["focus"]' in rows[-1][4]
    whole = _events(crewed.ok("history", "TEE-001").stdout)
    assert len(whole) == len(rows)  # nothing happened to the other assets yet


def test_history_of_an_unknown_sku(crewed) -> None:
    assert (
        crewed.fail(1, "history", "NOPE") == "error: no assets for SKU NOPE in workspace default\n"
    )


# exceptions


def test_exceptions_request_decide_list_and_report(crewed, png) -> None:
    out = crewed.ok(
        "--as",
        "pat",
        "exceptions",
        "request",
        "bypass_gate",
        *TEE,
        "--reason",
        "launch date moved up",
        "--days",
        "3",
    ).stdout
    assert out == "exception 1 requested (bypass_gate)\n"
    err = crewed.fail(1, "--as", "kim", "exceptions", "decide", "1", "--grant")
    assert (
        err == "error: a bypass_gate exception is decided by creative_ops_manager, "
        "creative_director\n"
    )
    assert crewed.ok("--as", "eve", "exceptions", "decide", "1", "--grant").stdout == (
        "exception 1 granted\n"
    )
    assert crewed.fail(1, "--as", "cd", "exceptions", "decide", "1", "--refuse") == (
        "error: exception 1 was already granted\n"
    )
    for _ in range(2):
        crewed.ok("--as", "pat", "exceptions", "request", "bypass_gate", *TEE, "--reason", "again")
    crewed.ok("--as", "kim", "exceptions", "request", "old_naming", *TEE, "--reason", "legacy")
    listed = _cells(crewed.ok("exceptions", "list").stdout)
    assert [(r[0], r[1], r[2], r[3]) for r in listed] == [
        ("4", "old_naming", "requested", "kim"),
        ("3", "bypass_gate", "requested", "pat"),
        ("2", "bypass_gate", "requested", "pat"),
        ("1", "bypass_gate", "granted", "pat"),
    ]
    pending = _cells(crewed.ok("exceptions", "list", "--status", "granted").stdout)
    assert [r[0] for r in pending] == ["1"]
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    out = crewed.ok("exceptions", "report", "--month", month).stdout
    assert f"Exceptions {month}" in out
    cells = _cells(out)
    assert ["bypass_gate", "2", "1", "0", "3", "RECURRING"] in cells
    assert ["old_naming", "1", "0", "0", "1", ""] in cells
    assert ["pat", "3"] in cells and ["kim", "1"] in cells
    assert "1 kind(s) recurred 3+ times: formalise them into the process" in out
    assert crewed.count(ProcessException) == 4


def test_exceptions_report_of_another_month_is_empty(crewed) -> None:
    crewed.ok("--as", "pat", "exceptions", "request", "bypass_gate", *TEE, "--reason", "launch")
    out = crewed.ok("exceptions", "report", "--month", "2001-01").stdout
    assert "Exceptions 2001-01" in out
    assert _cells(out) == []
    assert "recurred" not in out


def test_exceptions_report_with_a_bad_month(crewed) -> None:
    assert crewed.fail(1, "exceptions", "report", "--month", "2026-13") == (
        "error: expected a month like 2026-11, got '2026-13'\n"
    )


def test_exceptions_request_with_a_bad_kind_changes_nothing(crewed) -> None:
    err = crewed.fail(
        1, "--as", "pat", "exceptions", "request", "skip_review", *TEE, "--reason", "x"
    )
    assert err.startswith("error: unknown exception kind 'skip_review'; expected skip_intake")
    assert crewed.count(ProcessException) == 0
    assert crewed.count(Event) > 0


def test_every_production_command_lists_in_the_help(cli) -> None:
    out = cli.ok("--help").stdout
    for command in (
        "upload",
        "review",
        "block",
        "unblock",
        "hold",
        "resume",
        "cancel",
        "deliver",
        "live",
        "history",
        "exceptions",
        "replay",
        "simulate",
    ):
        assert command in out


def test_a_png_from_the_simulation_is_stored_with_its_checksum(crewed, png) -> None:
    import hashlib

    path = Path(png())
    out = crewed.ok("--as", "rita", "upload", str(path), *TEE, "--kind", "retouch").stdout
    assert f"sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:12]}" in out
