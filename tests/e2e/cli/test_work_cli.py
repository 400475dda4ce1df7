"""`shotline work ...`: queues, my work, assignment, suggestions and skills, end to end."""

from __future__ import annotations

import pytest

from shotline.entrypoints.cli import work
from support import row, write_csv

# The CLI reads the real clock here, so SLA badges are only checked to be one of these.
BADGES = {"late", "at_risk", "on_track"}
COLUMNS = ["sku", "colorway", "view", "category", "class", "priority", "state"]


@pytest.fixture
def team(ready, tmp_path):
    """A producer, two retouchers (one at the vendor Pixel Lab), a photographer, and TEE-001
    imported: 4 catalog assets in the capture queue."""
    ready.ok("users", "add", "prod", "--role", "producer")
    ready.ok("users", "add", "ret", "--role", "retoucher")
    ready.ok("users", "add", "v1", "--role", "retoucher", "--vendor", "Pixel Lab")
    ready.ok("users", "add", "pia", "--role", "photographer")
    ready.ok("intake", "import", str(write_csv(tmp_path / "tees.csv", [row()])))
    return ready


def _cells(stdout: str) -> list[list[str]]:
    """The cells of each body row of a rich table (lines framed by the vertical bar)."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in stdout.splitlines()
        if line.startswith("│")
    ]


def _queue(cli, *args: str) -> list[dict[str, str]]:
    out = cli.ok(*args).stdout
    header = [*COLUMNS, "due (UTC)", "sla", "age (h)", "assignee"]
    return [dict(zip(header, cells, strict=True)) for cells in _cells(out)]


def test_assign_and_see_the_queue(team) -> None:
    out = team.ok(
        "--as", "prod", "work", "assign", "TEE-001", "Black", "front",
        "--asset", "TEE-001/White/back", "--to", "ret",
    ).stdout  # fmt: skip
    assert out == "assigned 2 asset(s) to ret\n"
    team.ok(
        "--as", "prod", "work", "assign", "--asset", "TEE-001/Black/back", "--team", "Pixel Lab"
    )
    rows = _queue(team, "work", "queue", "catalog", "capture")
    assert [(r["colorway"], r["view"], r["assignee"]) for r in rows] == [
        ("Black", "front", "ret"),
        ("Black", "back", "Pixel Lab"),
        ("White", "front", ""),
        ("White", "back", "ret"),
    ]
    assert {r["sla"] for r in rows} <= BADGES
    assert {(r["state"], r["class"], r["category"]) for r in rows} == {
        ("requested", "C1", "apparel")
    }
    out = team.ok("work", "queue", "catalog", "capture", "--assignee", "ret").stdout
    assert out.endswith("2 asset(s) in the catalog capture queue\n")
    assert _queue(team, "work", "queue", "catalog", "retouch") == []


def test_mine_and_vendor_isolation(team) -> None:
    team.ok("--as", "prod", "work", "assign", "TEE-001", "White", "front", "--to", "ret")
    team.ok("--as", "prod", "work", "assign", "TEE-001", "Black", "back", "--team", "Pixel Lab")
    out = team.ok("--as", "ret", "work", "mine").stdout
    assert [cells[:3] for cells in _cells(out)] == [["TEE-001", "White", "front"]]
    assert _cells(out)[0][6:8] == ["catalog", "capture"]
    assert out.endswith("1 asset(s) assigned to ret or -\n")
    vendor = team.ok("--as", "v1", "work", "queue", "catalog", "capture").stdout
    assert [cells[:3] for cells in _cells(vendor)] == [["TEE-001", "Black", "back"]]
    mine = team.ok("--as", "v1", "work", "mine").stdout
    assert mine.endswith("1 asset(s) assigned to v1 or Pixel Lab\n")


def test_skills_suggest_and_auto_assign(team) -> None:
    assert team.ok("work", "skills", "grant", "color_texture", "--user", "pia").stdout == (
        "pia: color_texture\n"
    )
    team.ok("--as", "prod", "work", "skills", "grant", "skin_beauty", "--team", "Pixel Lab")
    skills = {cells[0]: cells[2] for cells in _cells(team.ok("work", "skills", "list").stdout)}
    assert (skills["color_texture"], skills["skin_beauty"]) == ("pia", "Pixel Lab (team)")
    suggested = _cells(
        team.ok("--as", "prod", "work", "suggest", "TEE-001", "Black", "front").stdout
    )
    assert suggested == [["pia", "", "0", "color_texture", ""]]
    out = team.ok("--as", "prod", "work", "auto-assign", "catalog", "capture", "--limit", "3")
    assert out.stdout.splitlines() == [
        "TEE-001 / Black / front -> pia",
        "TEE-001 / Black / back -> pia",
        "TEE-001 / White / front -> pia",
        "assigned 3 asset(s)",
    ]
    suggested = _cells(
        team.ok("--as", "prod", "work", "suggest", "TEE-001", "White", "back").stdout
    )
    assert suggested[0][:3] == ["pia", "", "3"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["work", "queue", "catalog", "polish"], "error: unknown stage 'polish'; expected one of "),
        (["work", "queue", "boat", "capture"], "error: unknown track 'boat'; expected one of "),
        (["work", "queue", "catalog", "capture", "--sla", "soon"], "error: unknown SLA state"),
        (["--as", "ret", "work", "assign", "TEE-001", "Black", "front", "--to", "ret"],
         "error: ret cannot assign work: needs one of the roles "),
        (["--as", "prod", "work", "assign", "TEE-001", "Black", "front", "--to", "ghost"],
         "error: user 'ghost' has no roles in workspace default\n"),
        (["--as", "prod", "work", "assign", "TEE-001", "Black", "front"],
         "error: name either a user or a team, not both and not neither\n"),
        (["work", "skills", "grant", "juggling", "--user", "ret"], "error: unknown skill"),
        (["--as", "v1", "work", "suggest", "TEE-001", "Black", "front"], "error: v1 cannot"),
    ],
)  # fmt: skip
def test_clear_errors(team, args: list[str], message: str) -> None:
    assert team.fail(1, *args).startswith(message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--asset", "TEE-001/front", "--to", "ret"], "expected SKU/COLORWAY/VIEW"),
        (["TEE-001", "Black", "--to", "ret"], "give SKU, COLORWAY and VIEW together"),
    ],
)
def test_bad_asset_names_are_usage_errors(team, args: list[str], message: str) -> None:
    assert message in team.fail(2, "--as", "prod", "work", "assign", *args)


def test_parse_asset_keeps_slashes_in_the_colorway() -> None:
    key = work.parse_asset("TEE-1/Black/White/front")
    assert (key.sku, key.colorway, key.view) == ("TEE-1", "Black/White", "front")
