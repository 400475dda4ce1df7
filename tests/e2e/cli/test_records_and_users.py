"""`shotline requests|assets|users ...` and who may act, end to end."""

from __future__ import annotations

import re

import pytest

from shotline.adapters.db.models import User
from support import JEWELRY, row, write_csv


@pytest.fixture
def imported(ready, tmp_path):
    """The CLI after importing one request: TEE-001 (4 catalog assets), RING-001 (2 high
    complexity assets) and a rejected RING-002."""
    bad = row(JEWELRY, sku="RING-002", metal_type="")
    path = write_csv(tmp_path / "spring.csv", [row(), row(JEWELRY), bad])
    ready.ok("intake", "import", str(path))
    return ready


def _cells(stdout: str) -> list[list[str]]:
    """The cells of each body row of a rich table (lines framed by the vertical bar)."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in stdout.splitlines()
        if line.startswith("│")
    ]


# requests


def test_requests_list(imported) -> None:
    (request,) = _cells(imported.ok("requests", "list").stdout)
    assert request[:8] == ["1", "spring.csv", "needs_info", "3", "2", "1", "6", "admin"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", request[8])


def test_requests_show(imported) -> None:
    lines = _cells(imported.ok("requests", "show", "1").stdout)
    assert [cells[:5] for cells in lines] == [
        ["2", "TEE-001", "accepted", "catalog", "C1"],
        ["3", "RING-001", "accepted", "high_complexity", "C4"],
        ["4", "RING-002", "rejected", "", ""],
    ]
    assert lines[2][6] == "metal_type: required for the jewelry category"


def test_requests_show_of_an_unknown_request(imported) -> None:
    assert imported.fail(1, "requests", "show", "99") == (
        "error: no request 99 in workspace default\n"
    )


# assets


def test_assets_list_by_track(imported) -> None:
    out = imported.ok("assets", "list", "--track", "high_complexity").stdout
    assert sorted(cells[:5] for cells in _cells(out)) == [
        ["RING-001", "Gold", "macro", "jewelry", "high_complexity"],
        ["RING-001", "Gold", "main", "jewelry", "high_complexity"],
    ]
    assert out.endswith("2 of 2 asset(s)\n")


def test_assets_list_by_state_with_a_limit(imported) -> None:
    out = imported.ok("assets", "list", "--state", "requested", "--limit", "2").stdout
    assert len(_cells(out)) == 2
    assert {cells[7] for cells in _cells(out)} == {"requested"}
    assert out.endswith("2 of 6 asset(s)\n")


def test_assets_list_by_sku(imported) -> None:
    out = imported.ok("assets", "list", "--sku", "TEE-001").stdout
    assert sorted((c[1], c[2]) for c in _cells(out)) == [
        ("Black", "back"),
        ("Black", "front"),
        ("White", "back"),
        ("White", "front"),
    ]
    assert out.endswith("4 of 4 asset(s)\n")


def test_assets_list_on_an_uninitialised_database(fresh) -> None:
    assert fresh.fail(1, "assets", "list") == (
        f"error: the database at {fresh.database_url} is not initialised or is older than "
        "this Shotline; run `shotline init`\n"
    )


def test_assets_list_on_a_workspace_that_does_not_exist(cli) -> None:
    assert cli.fail(1, "assets", "list") == (
        "error: no workspace 'default'; run `shotline init` first\n"
    )


# users


def test_users_add_and_list(ready) -> None:
    assert ready.ok("users", "add", "pia", "--role", "photographer").stdout == "pia: photographer\n"
    out = ready.ok("users", "add", "v1", "--role", "retoucher", "--vendor", "Pixel Lab").stdout
    assert out == "v1: retoucher\n"
    ready.ok("users", "add", "sam", "--role", "producer", "--role", "qc_lead", "--team", "Studio")
    assert _cells(ready.ok("users", "list").stdout) == [
        ["admin", "admin", ""],
        ["pia", "photographer", ""],
        ["sam", "producer, qc_lead", "Studio"],
        ["v1", "retoucher", "Pixel Lab (vendor)"],
    ]


def test_users_add_an_unknown_role(ready) -> None:
    err = ready.fail(1, "users", "add", "pia", "--role", "wizard")
    assert err.startswith("error: unknown role(s) wizard; expected some of admin, ")
    assert ready.count(User) == 1


def test_users_add_is_refused_to_a_non_admin(ready) -> None:
    ready.ok("users", "add", "pia", "--role", "photographer")
    err = ready.fail(1, "--as", "pia", "users", "add", "eve", "--role", "admin")
    assert err == (
        "error: pia cannot manage users in workspace default: needs one of the roles admin\n"
    )


def test_users_add_with_team_and_vendor_is_a_usage_error(ready) -> None:
    result = ready("users", "add", "x", "--role", "producer", "--team", "A", "--vendor", "B")
    assert result.exit_code == 2
    assert "give --team or --vendor, not both" in result.stderr


def test_a_user_with_no_roles_in_the_workspace(ready) -> None:
    assert ready.fail(1, "--as", "nobody", "users", "list") == (
        "error: user 'nobody' has no roles in workspace 'default'\n"
    )


def test_a_user_with_roles_only_in_another_workspace(ready) -> None:
    ready.ok("users", "add", "pia", "--role", "photographer")
    ready.ok("--workspace", "other", "init")
    assert ready.fail(1, "--workspace", "other", "--as", "pia", "assets", "list") == (
        "error: user 'pia' has no roles in workspace 'other'\n"
    )
    assert ready("--as", "pia", "assets", "list").exit_code == 0


def test_user_and_workspace_from_the_environment(ready) -> None:
    ready.ok("users", "add", "pia", "--role", "photographer")
    err = ready.fail(1, "users", "add", "eve", "--role", "admin", SHOTLINE_USER="pia")
    assert err.startswith("error: pia cannot manage users in workspace default")
    err = ready.fail(1, "users", "list", SHOTLINE_WORKSPACE="nowhere")
    assert err == "error: no workspace 'nowhere'; run `shotline init` first\n"


def test_a_merchandiser_imports_and_the_request_shows_who(ready, tmp_path) -> None:
    ready.ok("users", "add", "maya", "--role", "merchandiser")
    path = write_csv(tmp_path / "spring.csv", [row(), row(JEWELRY)])
    ready.ok("--as", "maya", "intake", "import", str(path))
    (request,) = _cells(ready.ok("--as", "maya", "requests", "list").stdout)
    assert (request[2], request[7]) == ("accepted", "maya")
    out = ready.ok("assets", "list", "--track", "high_complexity", "--state", "requested").stdout
    assert out.endswith("2 of 2 asset(s)\n")
