"""Intake files uploaded as multipart: the same JSON contract as `shotline intake validate
--json`, and an import that stores the request once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from conftest import NOW
from crew import Crew
from integration.api.caller import Caller
from shotline.adapters.db.models import Request
from shotline.adapters.intake_files import read_intake_file
from shotline.entrypoints.cli.intake import result_document
from shotline.services.intake import validate_with_workspace
from support import JEWELRY, csv_bytes, row, write_csv, write_xlsx

BAD_RING = row(JEWELRY, sku="RING-002", metal_type="")
CSV = "text/csv"


def _upload(name: str, data: bytes, kind: str = CSV) -> dict[str, Any]:
    return {"files": {"file": (name, data, kind)}}


def _requests(crew: Crew) -> int:
    with crew.app.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Request)) or 0


def _same_due(document: dict[str, Any]) -> dict[str, Any]:
    """The document with each due time parsed: JSON writes UTC as Z, the CLI as +00:00."""
    for line in document["accepted"]:
        line["due"] = dt.datetime.fromisoformat(line["due"])
    return document


def test_validate_answers_the_cli_json_contract_and_stores_nothing(
    call: Caller, crew: Crew, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "tees.csv", [row(), BAD_RING])
    response = call.post(
        "merch", "/api/v1/intake/validate", **_upload("tees.csv", path.read_bytes())
    )
    assert response.status_code == 200, response.text
    with crew.app.uow() as uow:
        result = validate_with_workspace(
            uow, crew["merch"].workspace_id, read_intake_file(path), NOW
        )
    assert _same_due(response.json()) == _same_due(result_document(result))
    assert response.json()["rejected"] == [
        {
            "row": 3,
            "sku": "RING-002",
            "errors": [{"field": "metal_type", "message": "required for the jewelry category"}],
        }
    ]
    assert _requests(crew) == 0


def test_an_xlsx_file_is_read_too(call: Caller, crew: Crew, tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "req.xlsx", [row(), row(JEWELRY)]).read_bytes()
    response = call.post(
        "merch", "/api/v1/intake/validate", **_upload("req.xlsx", data, "application/octet-stream")
    )
    assert response.status_code == 200, response.text
    assert [line["sku"] for line in response.json()["accepted"]] == ["TEE-001", "RING-001"]


def test_import_stores_the_request_once_under_the_files_name(call: Caller, crew: Crew) -> None:
    upload = _upload("C:\\Users\\maya\\November tees.csv", csv_bytes([row(), BAD_RING]))
    first = call.post("merch", "/api/v1/intake", **upload)
    assert first.status_code == 201, first.text
    stored = first.json()
    assert {k: v for k, v in stored.items() if k not in ("request_id", "validation")} == {
        "created": True, "state": "needs_info", "accepted": 1, "rejected": 1, "assets": 4,
    }  # fmt: skip
    assert stored["validation"]["rows"] == 2
    again = call.post("merch", "/api/v1/intake", **upload)
    assert again.status_code == 200
    assert again.json() | {"created": True, "validation": stored["validation"]} == stored
    assert again.json()["validation"] is None
    with crew.app.uow() as uow:
        sources = list(uow.session.scalars(select(Request.source)))
    assert sources == ["November tees.csv"]
    assets = call.get("merch", "/api/v1/assets?sku=TEE-001").json()
    assert assets["total"] == 4


def test_import_is_refused_to_a_role_that_cannot_submit(call: Caller, crew: Crew) -> None:
    response = call.post("photo", "/api/v1/intake", **_upload("tees.csv", csv_bytes([row()])))
    assert response.status_code == 403
    assert response.json()["detail"].startswith("photo cannot submit intake requests")
    assert _requests(crew) == 0


def test_an_unreadable_file_is_refused_with_the_reason(call: Caller, crew: Crew) -> None:
    cases = [
        ("notes.txt", b"sku\n", "notes.txt: unsupported file type '.txt'; expected one of .csv"),
        ("broken.xlsx", b"PK\x03\x04 no", "cannot read broken.xlsx as an XLSX workbook: "),
        ("empty.csv", b"", "empty.csv is empty"),
    ]
    for name, data, detail in cases:
        for url in ("/api/v1/intake/validate", "/api/v1/intake"):
            response = call.post("merch", url, **_upload(name, data))
            assert response.status_code == 400, (url, response.text)
            assert response.json()["detail"].startswith(detail)
    assert _requests(crew) == 0


def test_a_request_without_a_file_is_refused(call: Caller, crew: Crew) -> None:
    response = call.post("merch", "/api/v1/intake/validate")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_intake_files_may_be_larger_than_json_bodies(call: Caller, crew: Crew) -> None:
    # Over the 1 MiB JSON limit, under the intake limit: read (and refused for its type).
    response = call.post("merch", "/api/v1/intake/validate", **_upload("big.txt", b"x" * (2 << 20)))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("big.txt: unsupported file type")
