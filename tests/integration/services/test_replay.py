"""Replay of JSON-lines history files through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import NOW
from shotline.adapters.db.models import (
    Event,
    GateDecision,
    ProcessException,
    Request,
    User,
    Version,
)
from shotline.bootstrap import App
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound
from shotline.services import workspaces
from shotline.services.assets import AssetKey, find_asset
from shotline.services.policies import check_policy, default_policy_text
from shotline.services.replay import ReplayLineError, replay_file
from shotline.simulation.images import write_png
from shotline.simulation.workflow import simulate
from support import row

# A Monday afternoon in New York, nine days before NOW.
T0 = dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC)
NEW_YORK = dt.timezone(dt.timedelta(hours=-5))
FRONT = AssetKey("TEE-001", "Black", "front")
KEY = {"sku": FRONT.sku, "colorway": FRONT.colorway, "view": FRONT.view}
WHITE = {"sku": "TEE-001", "colorway": "White", "view": "front"}


def when(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def line(hours: float, actor: str, action: str, **data: Any) -> dict[str, Any]:
    """One replay action `hours` after T0, written with a New York offset."""
    return {
        "at": when(hours).astimezone(NEW_YORK).isoformat(),
        "actor": actor,
        "action": action,
        **data,
    }


def image(folder: Path, name: str) -> str:
    """A tiny PNG next to the replay file; returns its path relative to the file."""
    write_png(folder / "images" / f"{name}.png", name)
    return f"images/{name}.png"


def write_replay(folder: Path, lines: list[dict[str, Any] | str], name: str = "replay") -> Path:
    path = folder / f"{name}.jsonl"
    text = [raw if isinstance(raw, str) else json.dumps(raw) for raw in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def counts(app: App) -> tuple[int, int]:
    """(versions, events) in the database."""
    with app.uow() as uow:
        versions = uow.session.scalar(select(func.count()).select_from(Version)) or 0
        events = uow.session.scalar(select(func.count()).select_from(Event)) or 0
    return versions, events


@dataclass(frozen=True)
class Logged:
    kind: str
    at: dt.datetime
    payload: dict[str, Any]
    actor_id: int | None


def events_where(app: App, *where: Any) -> list[Logged]:
    with app.uow() as uow:
        rows = uow.session.scalars(select(Event).where(*where).order_by(Event.id))
        return [Logged(e.kind, e.at, e.payload, e.actor_id) for e in rows]


def asset_events(app: App, admin: Actor, key: AssetKey = FRONT) -> list[Logged]:
    with app.uow() as uow:
        asset_id = find_asset(uow, admin, key).id
    return events_where(app, Event.asset_id == asset_id)


def asset_of(app: App, admin: Actor, key: AssetKey = FRONT) -> tuple[str, str | None, int]:
    with app.uow() as uow:
        asset = find_asset(uow, admin, key)
        return asset.state, asset.gate, asset.rework_rounds


def setup_lines(folder: Path) -> list[dict[str, Any]]:
    """Intake of TEE-001 (catalog, Black|White x front|back), then FRONT waits at technical."""
    return [
        line(0, "maya", "intake", roles=["merchandiser"], rows=[row()]),
        line(
            1,
            "sam",
            "upload",
            roles=["photographer"],
            **KEY,
            kind="capture",
            file=image(folder, "capture"),
        ),
        line(
            2,
            "rita",
            "upload",
            roles=["retoucher"],
            **KEY,
            kind="retouch",
            file=image(folder, "wip"),
            submit=True,
        ),
    ]


def story_lines(folder: Path) -> list[dict[str, Any]]:
    """FRONT from intake to live with one rework round at styling_fit."""
    return [
        *setup_lines(folder),
        line(3, "quinn", "review", roles=["qc_lead"], **KEY, gate="technical", result="pass"),
        line(
            4,
            "alex",
            "review",
            roles=["creative_director"],
            **KEY,
            gate="styling_fit",
            result="fail",
            defects=["fit_distortion"],
            failed_items=["sleeve_length"],
            comment="sleeves shortened",
            cost=1.5,
            regions=[{"x": 1, "y": 2, "w": 3, "h": 4, "note": "left sleeve"}],
        ),
        line(5, "rita", "upload", **KEY, kind="retouch", file=image(folder, "fix"), submit=True),
        line(6, "quinn", "review", **KEY, gate="technical", result="pass"),
        line(7, "alex", "review", **KEY, gate="styling_fit", result="pass"),
        line(8, "alex", "review", **KEY, gate="brand_merch", result="pass"),
        line(9, "jo", "review", roles=["qc_lead"], **KEY, gate="final_qc", result="pass"),
        line(10, "kim", "deliver", roles=["dam_manager"], **KEY, channels=["pdp"]),
        line(11, "kim", "live", **KEY),
    ]


STORY_KINDS = [
    "version_uploaded",  # capture: requested -> in_capture
    "version_uploaded",  # retouch: in_capture -> in_retouch
    "submitted",
    "gate_passed",
    "gate_failed",
    "version_uploaded",
    "submitted",
    "gate_passed",
    "gate_passed",
    "gate_passed",
    "approved",
    "delivered",
    "live",
]


# the whole story


def test_a_replay_drives_an_asset_from_intake_to_live_with_a_rework_round(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    result = replay_file(app, "default", write_replay(tmp_path, story_lines(tmp_path)))
    assert result.failed == []
    assert result.applied == 12
    assert result.by_action == {"intake": 1, "upload": 3, "review": 6, "deliver": 1, "live": 1}
    assert asset_of(app, admin) == ("live", None, 1)
    events = asset_events(app, admin)
    assert [e.kind for e in events] == STORY_KINDS
    failed = events[4].payload
    assert failed["defects"] == ["fit_distortion"]
    assert failed["failed_items"] == ["sleeve_length"]
    assert (failed["route"], failed["after"], failed["round"]) == ("retouch", "in_retouch", 1)
    assert (failed["comment"], failed["cost"], failed["asked_by"]) == (
        "sleeves shortened",
        1.5,
        "alex",
    )
    assert events[-2].payload["channels"] == ["pdp"]
    with app.uow() as uow:
        decision = uow.session.scalars(
            select(GateDecision).where(GateDecision.passed.is_(False))
        ).one()
        failing = [a for a in decision.answers if not a["passed"]]
        assert failing == [
            {"item": "sleeve_length", "passed": False, "defects": ["fit_distortion"]}
        ]
        assert len(decision.answers) == 9
        assert decision.annotations == [{"x": 1, "y": 2, "w": 3, "h": 4, "note": "left sleeve"}]
        versions = list(uow.session.scalars(select(Version).order_by(Version.number)))
        assert [(v.number, v.kind, v.stage, v.original_name) for v in versions] == [
            # Approval makes the approved version final and archives the others.
            (1, "capture", "archive", "capture.png"),
            (2, "retouch", "archive", "wip.png"),
            (3, "retouch", "final", "fix.png"),
        ]


def test_the_clock_comes_from_each_lines_at(app: App, admin: Actor, tmp_path: Path) -> None:
    replay_file(app, "default", write_replay(tmp_path, story_lines(tmp_path)))
    events = asset_events(app, admin)
    hours = [1, 2, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10, 11]
    assert [e.at for e in events] == [when(h) for h in hours]
    assert all(e.at.utcoffset() == dt.timedelta(0) for e in events)
    with app.uow() as uow:
        request = uow.session.scalars(select(Request)).one()
        assert request.created_at == when(0)
        assert request.source == "replay line 1"
        assert uow.session.scalars(select(User).where(User.username == "kim")).one().created_at == (
            when(10)
        )


def test_the_intake_line_event_comes_first_and_rows_expand_into_assets(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    replay_file(app, "default", write_replay(tmp_path, setup_lines(tmp_path)[:1]))
    with app.uow() as uow:
        kinds = list(uow.session.scalars(select(Event.kind).order_by(Event.id)))
        request = uow.session.scalars(select(Request)).one()
        assert (request.accepted_lines, request.asset_count) == (1, 4)
    assert kinds[-3:] == ["user_added", "request_received", "line_accepted"]
    assert asset_of(app, admin, AssetKey("TEE-001", "White", "back")) == ("requested", None, 0)


def test_a_defect_that_names_a_checklist_item_fails_that_item(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    lines = [
        *setup_lines(tmp_path),
        line(
            3,
            "quinn",
            "review",
            roles=["qc_lead"],
            **KEY,
            gate="technical",
            result="fail",
            defects=["focus"],
        ),
    ]
    replay_file(app, "default", write_replay(tmp_path, lines))
    assert asset_of(app, admin) == ("in_capture", None, 1)  # focus goes back to a reshoot
    with app.uow() as uow:
        decision = uow.session.scalars(select(GateDecision)).one()
        assert [a["item"] for a in decision.answers if not a["passed"]] == ["focus"]


def test_a_defect_without_a_failed_item_fails_the_first_checklist_item(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    lines = [
        *setup_lines(tmp_path),
        line(
            3,
            "quinn",
            "review",
            roles=["qc_lead"],
            **KEY,
            gate="technical",
            result="fail",
            defects=["wrong_crop"],
        ),
    ]
    replay_file(app, "default", write_replay(tmp_path, lines))
    assert asset_of(app, admin) == ("in_retouch", None, 1)
    with app.uow() as uow:
        decision = uow.session.scalars(select(GateDecision)).one()
        failing = [(a["item"], a["defects"]) for a in decision.answers if not a["passed"]]
        assert failing == [("focus", ["wrong_crop"])]


# actors


def test_unknown_actors_are_created_from_their_roles(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    lines = [
        line(0, "eve", "join", roles=["creative_ops_manager", "producer"]),
        line(0, "ravi", "join", roles=["retoucher"], vendor="Pixel Lab"),
        line(0, "omar", "join", roles=["retoucher"], member_of="Studio A"),
    ]
    result = replay_file(app, "default", write_replay(tmp_path, lines))
    assert (result.applied, result.by_action) == (3, {"join": 3})
    with app.uow() as uow:
        eve = workspaces.resolve_actor(uow, "default", "eve")
        ravi = workspaces.resolve_actor(uow, "default", "ravi")
        omar = workspaces.resolve_actor(uow, "default", "omar")
    assert eve.roles == {"creative_ops_manager", "producer"}
    assert (eve.team, eve.is_vendor) == (None, False)
    assert (ravi.roles, ravi.team, ravi.is_vendor) == ({"retoucher"}, "Pixel Lab", True)
    assert (omar.team, omar.is_vendor) == ("Studio A", False)


def test_known_actors_need_no_roles(app: App, admin: Actor, tmp_path: Path) -> None:
    with app.uow() as uow:
        workspaces.add_user(uow, admin, "maya", ["merchandiser"], NOW)
    result = replay_file(
        app, "default", write_replay(tmp_path, [line(0, "maya", "intake", rows=[row()])])
    )
    assert result.applied == 1


def test_an_unknown_actor_without_roles_stops_the_replay(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    lines = [
        *setup_lines(tmp_path)[:1],
        line(1, "ghost", "upload", **KEY, kind="capture", file=image(tmp_path, "x")),
    ]
    with pytest.raises(ReplayLineError) as caught:
        replay_file(app, "default", write_replay(tmp_path, lines))
    assert caught.value.line == 2
    assert str(caught.value) == (
        "line 2: unknown actor 'ghost'; give their roles in a \"roles\" list"
    )
    assert counts(app)[0] == 0


def test_a_vendor_works_only_on_what_is_assigned_to_its_vendor(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    lines = [
        *setup_lines(tmp_path)[:2],
        line(2, "pat", "join", roles=["producer"]),
        line(2, "ravi", "join", roles=["retoucher"], vendor="Pixel Lab"),
        line(3, "pat", "assign", **KEY, team="Pixel Lab"),
        line(4, "ravi", "upload", **KEY, kind="retouch", file=image(tmp_path, "v"), submit=True),
        line(5, "ravi", "upload", **WHITE, kind="retouch", file=image(tmp_path, "w")),
    ]
    with pytest.raises(ReplayLineError) as caught:
        replay_file(app, "default", write_replay(tmp_path, lines))
    assert caught.value.line == 7
    assert "no asset TEE-001 / White / front assigned to Pixel Lab" in caught.value.reason
    assert asset_of(app, admin) == ("in_review", "technical", 0)


def test_assign_needs_exactly_one_target(app: App, admin: Actor, tmp_path: Path) -> None:
    lines = [
        *setup_lines(tmp_path)[:1],
        line(1, "pat", "assign", roles=["producer"], **KEY, to="rita", team="Pixel Lab"),
    ]
    with pytest.raises(ReplayLineError, match="line 2: assign needs exactly one of 'to'"):
        replay_file(app, "default", write_replay(tmp_path, lines))


# stop at the first failure


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            line(4, "maya", "review", **KEY, gate="technical", result="pass"),
            "the technical gate is decided by qc_lead, retouching_lead; you hold merchandiser",
        ),
        (
            line(4, "kim", "deliver", **KEY, channels=["pdp"]),
            "an asset cannot move from in_review to delivered",
        ),
        (
            line(4, "quinn", "review", **KEY, gate="technical", result="fail"),
            "a failed review needs defect codes",
        ),
        (
            line(
                4,
                "quinn",
                "review",
                **KEY,
                gate="technical",
                result="fail",
                defects=["fit_distortion"],
            ),
            "defect 'fit_distortion' is not used at the technical gate",
        ),
        (
            line(4, "quinn", "review", **KEY, gate="technical", result="ok"),
            "review result must be pass or fail, got 'ok'",
        ),
        (line(4, "quinn", "review", **KEY, gate="colour", result="pass"), "unknown gate 'colour'"),
        (line(4, "maya", "publish", **KEY), "unknown action 'publish'; expected intake, upload"),
        (line(4, "kim", "live", sku="TEE-001"), "live needs sku, colorway and view"),
        (
            line(4, "rita", "upload", **KEY, kind="retouch", file="images/missing.png"),
            "file not found",
        ),
        (line(4, "ghost", "hold", **KEY, reason="x"), "unknown actor 'ghost'"),
    ],
)
def test_a_rule_breaking_line_stops_the_replay_and_nothing_after_it_is_applied(
    app: App, admin: Actor, tmp_path: Path, bad: dict[str, Any], message: str
) -> None:
    setup = [
        *setup_lines(tmp_path),
        line(2, "quinn", "join", roles=["qc_lead"]),
        line(2, "kim", "join", roles=["dam_manager"]),
    ]
    replay_file(app, "default", write_replay(tmp_path, setup, "setup"))
    before = counts(app)
    with app.uow() as uow:
        last_id = uow.session.scalar(select(func.max(Event.id)))
    lines: list[dict[str, Any] | str] = [
        line(3, "sam", "upload", **WHITE, kind="capture", file=image(tmp_path, "white")),
        "",  # blank lines are skipped, but still counted
        bad,
        line(5, "quinn", "review", **KEY, gate="technical", result="pass"),
        line(6, "sam", "upload", **WHITE, kind="capture", file=image(tmp_path, "white2")),
    ]
    with pytest.raises(ReplayLineError) as caught:
        replay_file(app, "default", write_replay(tmp_path, lines))
    assert caught.value.line == 3
    assert message in caught.value.reason
    assert str(caught.value).startswith("line 3: ")
    # Only line 1 landed: one version and its one event.
    assert counts(app) == (before[0] + 1, before[1] + 1)
    assert asset_of(app, admin) == ("in_review", "technical", 0)
    added = events_where(app, Event.id > last_id)
    assert [(e.kind, e.at) for e in added] == [("version_uploaded", when(3))]


def test_a_failing_line_that_introduces_someone_leaves_no_user_behind(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    """A line that breaks a rule changes nothing, not even the person it introduces."""
    replay_file(app, "default", write_replay(tmp_path, setup_lines(tmp_path), "setup"))
    before = counts(app)
    bad = line(3, "kim", "deliver", roles=["dam_manager"], **KEY, channels=["pdp"])
    with pytest.raises(ReplayLineError, match="line 1: an asset cannot move from in_review"):
        replay_file(app, "default", write_replay(tmp_path, [bad]))
    assert counts(app) == before
    with app.uow() as uow:
        assert uow.session.scalars(select(User).where(User.username == "kim")).first() is None


def test_a_failing_exception_line_leaves_no_exception_behind(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    """One line is one action: when the decision part of an exception line is refused, the
    request part must not stay behind either (a fixed file replayed again would ask twice)."""
    lines = [
        *setup_lines(tmp_path),
        line(3, "kim", "join", roles=["dam_manager"]),
        line(
            4,
            "pat",
            "exception",
            roles=["producer"],
            **KEY,
            kind="bypass_gate",
            reason="launch date moved up",
            granted_by="kim",
        ),
    ]
    with pytest.raises(ReplayLineError) as caught:
        replay_file(app, "default", write_replay(tmp_path, lines))
    assert caught.value.line == 5
    assert "bypass_gate exception is decided by creative_ops_manager" in caught.value.reason
    with app.uow() as uow:
        assert uow.session.scalars(select(ProcessException)).all() == []


# keep going


def test_keep_going_records_the_failure_and_applies_later_lines(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    lines = [
        *setup_lines(tmp_path),
        line(3, "kim", "deliver", roles=["dam_manager"], **KEY, channels=["pdp"]),
        "{not json",
        line(5, "quinn", "review", roles=["qc_lead"], **KEY, gate="technical", result="pass"),
    ]
    result = replay_file(app, "default", write_replay(tmp_path, lines), keep_going=True)
    assert [f.line for f in result.failed] == [4, 5]
    assert "cannot move from in_review to delivered" in result.failed[0].reason
    assert result.applied == 4
    assert result.by_action == {"intake": 1, "upload": 2, "review": 1}
    assert asset_of(app, admin) == ("in_review", "styling_fit", 0)
    rows = events_where(app, Event.kind == "replay_line_failed")
    assert [r.payload["line"] for r in rows] == [4, 5]
    assert rows[0].payload["reason"] == result.failed[0].reason
    assert rows[0].actor_id == admin.user_id
    # A failure is logged at the time of its line (or of the last line read, for a line
    # whose own time cannot be read).
    assert [r.at for r in rows] == [when(3), when(3)]


def test_keep_going_with_nothing_wrong_records_nothing(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    result = replay_file(app, "default", write_replay(tmp_path, setup_lines(tmp_path)), True)
    assert (result.applied, result.failed) == (3, [])
    assert events_where(app, Event.kind == "replay_line_failed") == []


# the envelope


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"at": "2026-11-16T10:00:00Z", "actor": "maya"', "line 2: not valid JSON ("),
        ('["a list"]', "line 2: each line must be a JSON object"),
        ('{"actor": "maya", "action": "join"}', "line 2: missing at"),
        ('{"at": "2026-11-16T10:00:00Z"}', "line 2: missing actor, action"),
        (
            '{"at": "yesterday", "actor": "maya", "action": "join"}',
            "line 2: 'at' is not an ISO datetime: 'yesterday'",
        ),
        (
            '{"at": "2026-11-16T10:00:00", "actor": "maya", "action": "join"}',
            "line 2: 'at' needs a timezone offset (e.g. Z or +01:00)",
        ),
    ],
)
def test_a_bad_envelope_gives_a_clear_message(
    app: App, admin: Actor, tmp_path: Path, raw: str, message: str
) -> None:
    first = line(0, "maya", "join", roles=["merchandiser"])
    with pytest.raises(ReplayLineError) as caught:
        replay_file(app, "default", write_replay(tmp_path, [first, raw]))
    assert str(caught.value).startswith(message)
    assert caught.value.line == 2


def test_z_and_offsets_name_the_same_instant(app: App, admin: Actor, tmp_path: Path) -> None:
    lines: list[dict[str, Any] | str] = [
        {"at": "2026-11-16T15:00:00Z", "actor": "a", "action": "join", "roles": ["producer"]},
        {"at": "2026-11-16T16:00:00+01:00", "actor": "b", "action": "join", "roles": ["producer"]},
    ]
    replay_file(app, "default", write_replay(tmp_path, lines))
    with app.uow() as uow:
        added = uow.session.scalars(
            select(Event.at).where(Event.kind == "user_added").order_by(Event.id)
        ).all()
    assert added[-2:] == [T0, T0]


# simulate then replay


def test_a_simulated_month_replays_without_a_single_failure(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    policy = check_policy(default_policy_text(), "default policy")
    path, written = simulate(tmp_path / "sim", skus=3, days=20, seed=5, policy=policy, end=NOW)
    assert path == tmp_path / "sim" / "replay.jsonl"
    result = replay_file(app, "default", path, keep_going=True)
    assert result.failed == []
    assert result.applied == written
    assert result.by_action["join"] == 15
    assert result.by_action["intake"] >= 1
    with app.uow() as uow:
        versions = uow.session.scalar(select(func.count()).select_from(Version))
        assert versions == result.by_action["upload"]
        last = uow.session.scalar(select(func.max(Event.at)))
    assert last is not None and last <= NOW


def test_the_same_seed_writes_the_same_replay_file(tmp_path: Path) -> None:
    policy = check_policy(default_policy_text(), "default policy")
    one, _ = simulate(tmp_path / "one", skus=3, days=20, seed=5, policy=policy, end=NOW)
    two, _ = simulate(tmp_path / "two", skus=3, days=20, seed=5, policy=policy, end=NOW)
    other, _ = simulate(tmp_path / "other", skus=3, days=20, seed=6, policy=policy, end=NOW)
    assert one.read_bytes() == two.read_bytes()
    assert one.read_bytes() != other.read_bytes()
    images = sorted(p.relative_to(one.parent) for p in (one.parent / "images").iterdir())
    assert images == sorted(p.relative_to(two.parent) for p in (two.parent / "images").iterdir())
    assert all((one.parent / p).read_bytes() == (two.parent / p).read_bytes() for p in images)


def test_a_vendor_cannot_be_found_for_work_it_does_not_hold(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    lines = [
        *setup_lines(tmp_path)[:1],
        line(1, "ravi", "join", roles=["retoucher"], vendor="Pixel Lab"),
    ]
    replay_file(app, "default", write_replay(tmp_path, lines))
    with app.uow() as uow:
        ravi = workspaces.resolve_actor(uow, "default", "ravi")
    with app.uow() as uow, pytest.raises(NotFound):
        find_asset(uow, ravi, FRONT)
