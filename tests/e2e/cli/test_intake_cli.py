"""`shotline intake validate|import`, end to end: JSON contract, exit codes, error export."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from shotline.adapters.db.models import Asset, Event, Request, RequestLine
from shotline.services.policies import default_policy_text
from support import JEWELRY, row, write_csv, write_xlsx

ACCEPTED_KEYS = {"row", "sku", "colorways", "assets", "track", "complexity", "due", "warnings"}
REJECTED_KEYS = {"row", "sku", "errors"}
BAD_RING = row(JEWELRY, sku="RING-002", metal_type="", product_name="=cmd()")


def _document(stdout: str) -> dict[str, object]:
    document = json.loads(stdout)
    assert set(document) == {"rows", "accepted", "rejected"}
    return document


# validate --json


def test_validate_json_all_accepted_exits_0(ready, tmp_path) -> None:
    path = write_xlsx(tmp_path / "req.xlsx", [row(), row(JEWELRY)])
    result = ready("intake", "validate", str(path), "--json")
    assert result.exit_code == 0, result.output
    document = _document(result.stdout)
    assert document["rows"] == 2
    assert document["rejected"] == []
    tee, ring = document["accepted"]
    assert set(tee) == ACCEPTED_KEYS
    assert {k: v for k, v in tee.items() if k != "due"} == {
        "row": 2,
        "sku": "TEE-001",
        "colorways": ["Black", "White"],
        "assets": 4,
        "track": "catalog",
        "complexity": "C1",
        "warnings": [],
    }
    assert dt.datetime.fromisoformat(tee["due"]).utcoffset() == dt.timedelta(0)
    assert (ring["row"], ring["sku"], ring["assets"]) == (3, "RING-001", 2)
    assert (ring["track"], ring["complexity"]) == ("high_complexity", "C4")


def test_validate_json_any_rejected_exits_1(ready, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), BAD_RING])
    result = ready("intake", "validate", str(path), "--json")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    document = _document(result.stdout)
    assert document["rows"] == 2
    assert [line["sku"] for line in document["accepted"]] == ["TEE-001"]
    assert document["rejected"] == [
        {
            "row": 3,
            "sku": "RING-002",
            "errors": [{"field": "metal_type", "message": "required for the jewelry category"}],
        }
    ]
    assert set(document["rejected"][0]) == REJECTED_KEYS


def test_validate_prints_a_summary_without_json(ready, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), BAD_RING])
    result = ready("intake", "validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith("2 row(s): 1 accepted (4 assets), 1 rejected\n")
    assert "required for the jewelry category" in result.stdout


def test_validate_writes_nothing(ready, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), BAD_RING])
    events = ready.count(Event)
    assert ready("intake", "validate", str(path)).exit_code == 1
    assert ready("intake", "validate", str(path), "--json").exit_code == 1
    assert (ready.count(Request), ready.count(RequestLine), ready.count(Asset)) == (0, 0, 0)
    assert ready.count(Event) == events


def test_validate_works_before_init_on_the_default_policy(fresh, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), row(JEWELRY)])
    result = fresh("intake", "validate", str(path), "--json")
    assert result.exit_code == 0, result.output
    document = _document(result.stdout)
    assert [(x["sku"], x["track"]) for x in document["accepted"]] == [
        ("TEE-001", "catalog"),
        ("RING-001", "high_complexity"),
    ]
    # Still uninitialised afterwards: validate did not create the schema.
    assert "run `shotline init`" in fresh.fail(1, "requests", "list")


def test_validate_against_a_policy_file(fresh, tmp_path) -> None:
    jewelry = "required_fields: [metal_type, stone_type, reflection_rules]"
    assert jewelry in default_policy_text()
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        default_policy_text().replace(jewelry, "required_fields: [stone_type, reflection_rules]")
    )
    path = write_csv(tmp_path / "req.csv", [BAD_RING])
    result = fresh("intake", "validate", str(path), "--json", "--policy", str(policy))
    assert result.exit_code == 0, result.output
    assert [x["sku"] for x in _document(result.stdout)["accepted"]] == ["RING-002"]


def test_validate_with_a_missing_policy_file_fails_cleanly(fresh, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row()])
    missing = tmp_path / "missing.yaml"
    err = fresh.fail(1, "intake", "validate", str(path), "--policy", str(missing))
    assert err.startswith(f"error: cannot read policy file {missing}")


# unreadable files: exit 2, one line, no traceback


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "missing.csv"


def _corrupt_xlsx(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    return path


def _unsupported(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("sku,category\nTEE-001,apparel\n")
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_missing, "error: intake file {path} not found"),
        (_corrupt_xlsx, "error: cannot read corrupt.xlsx as an XLSX workbook: "),
        (
            _unsupported,
            "error: notes.txt: unsupported file type '.txt'; expected one of .csv, .xlsx",
        ),
    ],
    ids=["missing", "corrupt-xlsx", "unsupported-extension"],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_validate_of_an_unreadable_file_exits_2(fresh, tmp_path, make, reason, as_json) -> None:
    # The file is read before any database is opened, so one backend is enough.
    path = make(tmp_path)
    args = ["intake", "validate", str(path)] + (["--json"] if as_json else [])
    # 80 columns: what rich uses for a pipe or a CI log.
    err = fresh.fail(2, *args, COLUMNS="80")
    assert len(err.splitlines()) == 1, err
    assert err.startswith(reason.format(path=path))


def test_import_of_an_unreadable_file_exits_2(ready, tmp_path) -> None:
    err = ready.fail(2, "intake", "import", str(_corrupt_xlsx(tmp_path)))
    assert "error: cannot read corrupt.xlsx as an XLSX workbook: " in err
    assert ready.count(Request) == 0


# --errors


def _read_errors_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_validate_errors_csv_holds_rejected_rows_with_formulas_neutralised(ready, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), BAD_RING])
    out = tmp_path / "out.csv"
    assert ready("intake", "validate", str(path), "--errors", str(out)).exit_code == 1
    (rejected,) = _read_errors_csv(out)
    assert rejected["shotline_row"] == "3"
    assert rejected["shotline_errors"] == "metal_type: required for the jewelry category"
    assert rejected["sku"] == "RING-002"
    assert rejected["product_name"] == "'=cmd()"
    assert rejected["metal_type"] == ""


def test_validate_errors_csv_replaces_a_stale_file_when_all_accepted(ready, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row()])
    out = tmp_path / "out.csv"
    out.write_text("stale rows from an earlier run\n")
    assert ready("intake", "validate", str(path), "--errors", str(out)).exit_code == 0
    assert _read_errors_csv(out) == []


def test_import_errors_csv(ready, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), BAD_RING])
    out = tmp_path / "out.csv"
    ready.ok("intake", "import", str(path), "--errors", str(out))
    assert [(r["shotline_row"], r["sku"]) for r in _read_errors_csv(out)] == [("3", "RING-002")]


# import


def test_import_stores_the_request_once(ready, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), row(JEWELRY)])
    first = ready.ok("intake", "import", str(path)).stdout
    assert first.startswith("2 row(s): 2 accepted (6 assets), 0 rejected\n")
    assert first.endswith("stored request 1: state accepted\n")
    assert (ready.count(Request), ready.count(Asset)) == (1, 6)
    again = ready.ok("intake", "import", str(path)).stdout
    assert again == "already imported as request 1 (accepted); nothing new was created\n"
    assert (ready.count(Request), ready.count(Asset)) == (1, 6)


def test_import_with_rejected_lines_waits_as_needs_info(ready, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), BAD_RING])
    out = ready.ok("intake", "import", str(path)).stdout
    assert out.endswith("stored request 1: state needs_info\n")
    assert (ready.count(RequestLine), ready.count(Asset)) == (2, 4)


def test_import_is_refused_to_a_user_who_cannot_submit(ready, tmp_path) -> None:
    ready.ok("users", "add", "pia", "--role", "photographer")
    path = write_csv(tmp_path / "req.csv", [row()])
    err = ready.fail(1, "--as", "pia", "intake", "import", str(path))
    assert err.strip() == (
        "error: pia cannot submit intake requests in workspace default: "
        "needs one of the roles admin, creative_ops_manager, merchandiser, producer"
    )
    assert ready.count(Request) == 0


def test_import_needs_init(cli, tmp_path) -> None:
    path = write_csv(tmp_path / "req.csv", [row()])
    err = cli.fail(1, "intake", "import", str(path))
    assert err.strip() == "error: no workspace 'default'; run `shotline init` first"
