"""Assignment, routing by skill and load, queues and vendor isolation, on SQLite and PostgreSQL.

Rows are imported at NOW (Wednesday 2026-11-25 10:00 New York). A catalog C1 line is due
Friday 17:00 New York (16 business hours: Thursday is Thanksgiving); a C2 line is due Monday
2026-11-30 16:00 New York.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import Asset, Event, SkillGrant
from shotline.domain.errors import Conflict, NotFound, PermissionDenied, ShotlineError
from shotline.services import assignment, production, queues, workspaces
from shotline.services.assets import AssetKey, find_asset
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
BACK = AssetKey("TEE-001", "Black", "back")
WHITE_FRONT = AssetKey("TEE-001", "White", "front")
WHITE_BACK = AssetKey("TEE-001", "White", "back")
TEE = [FRONT, BACK, WHITE_FRONT, WHITE_BACK]
# Friday 2026-11-27 15:00 New York: two business hours before the C1 due time.
FRIDAY = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)


def _assign(crew: Crew, keys: list[AssetKey], who: str = "producer", **target: Any) -> int:
    with crew.app.uow() as uow:
        return assignment.assign(uow, crew[who], keys, NOW, **target)


def _grant(crew: Crew, skill: str, who: str = "producer", **target: Any) -> list[str]:
    with crew.app.uow() as uow:
        return assignment.grant_skill(uow, crew[who], skill, NOW, **target)


def _suggest(crew: Crew, key: AssetKey) -> list[tuple[str, int, list[str]]]:
    with crew.app.uow() as uow:
        found = assignment.suggest(uow, crew["producer"], key, NOW)
    return [(c.username, c.load, c.missing_skills) for c in found]


def _queue(
    crew: Crew, track: str, stage: str, who: str = "producer", now: dt.datetime = NOW, **kw: Any
) -> list[queues.QueueItem]:
    with crew.app.uow() as uow:
        return queues.queue(uow, crew[who], track, stage, now, **kw)


def _mine(crew: Crew, who: str, now: dt.datetime = NOW) -> list[queues.QueueItem]:
    with crew.app.uow() as uow:
        return queues.my_work(uow, crew[who], now)


def _keys(items: list[queues.QueueItem]) -> list[tuple[str, str, str]]:
    return [(x.sku, x.colorway, x.view) for x in items]


def _assignees(crew: Crew) -> dict[tuple[str, str, str], tuple[int | None, int | None]]:
    with crew.app.uow() as uow:
        rows = uow.session.scalars(select(Asset))
        return {(a.sku, a.colorway, a.view): (a.assignee_user_id, a.assignee_team_id) for a in rows}


def _events(crew: Crew, kind: str) -> list[dict[str, Any]]:
    with crew.app.uow() as uow:
        query = select(Event.payload).where(Event.kind == kind).order_by(Event.id)
        return list(uow.session.scalars(query))


def _add(crew: Crew, name: str, roles: list[str]) -> None:
    with crew.app.uow() as uow:
        crew.people[name] = workspaces.add_user(uow, crew["admin"], name, roles, NOW)


# assign


def test_assign_several_assets_with_one_event_each(crew: Crew) -> None:
    crew.import_rows([row()])
    assert _assign(crew, [FRONT, BACK, FRONT], username="retoucher") == 2
    retoucher = crew["retoucher"].user_id
    assert _assignees(crew)[("TEE-001", "Black", "front")] == (retoucher, None)
    assert _assign(crew, [FRONT], team="Pixel Lab") == 1
    team = _assignees(crew)[("TEE-001", "Black", "front")]
    assert team[0] is None and team[1] is not None
    assert [(e["before"], e["after"]) for e in _events(crew, "assigned")] == [
        ({}, {"user": "retoucher"}),
        ({}, {"user": "retoucher"}),
        ({"user": "retoucher"}, {"team": "Pixel Lab"}),
    ]


@pytest.mark.parametrize("who", ["retoucher", "merch", "admin"])
def test_only_assign_roles_assign(crew: Crew, who: str) -> None:
    crew.import_rows([row()])
    with pytest.raises(PermissionDenied, match="cannot assign work: needs one of the roles"):
        _assign(crew, [FRONT], who, username="retoucher")
    assert _events(crew, "assigned") == []


def test_assign_refuses_bad_targets(crew: Crew) -> None:
    crew.import_rows([row()])
    with pytest.raises(NotFound, match="user 'nobody' has no roles in workspace default"):
        _assign(crew, [FRONT], username="nobody")
    with pytest.raises(NotFound, match="no team or vendor 'Acme'"):
        _assign(crew, [FRONT], team="Acme")
    with pytest.raises(ShotlineError, match="either a user or a team"):
        _assign(crew, [FRONT], username="retoucher", team="Pixel Lab")
    with pytest.raises(ShotlineError, match="either a user or a team"):
        _assign(crew, [FRONT])
    with pytest.raises(ShotlineError, match="at least one asset"):
        _assign(crew, [], username="retoucher")
    with pytest.raises(NotFound, match="no asset TEE-001 / Black / side"):
        _assign(crew, [FRONT, AssetKey("TEE-001", "Black", "side")], username="retoucher")
    assert set(_assignees(crew).values()) == {(None, None)}


def test_closed_work_is_not_assigned_and_the_batch_changes_nothing(crew: Crew) -> None:
    crew.import_rows([row()])
    with crew.app.uow() as uow:
        production.cancel(uow, crew["producer"], BACK, "dropped", NOW)
    with pytest.raises(Conflict, match="TEE-001 / Black / back is cancelled; closed work"):
        _assign(crew, [FRONT, BACK], username="retoucher")
    assert set(_assignees(crew).values()) == {(None, None)}


# skills


def test_grant_skill_to_a_user_and_to_a_vendor(crew: Crew) -> None:
    assert _grant(crew, "ghost_mannequin", username="retoucher") == ["ghost_mannequin"]
    assert _grant(crew, "color_texture", username="retoucher") == [
        "color_texture",
        "ghost_mannequin",
    ]
    # Granting again changes nothing and logs nothing.
    assert _grant(crew, "ghost_mannequin", username="retoucher") == [
        "color_texture",
        "ghost_mannequin",
    ]
    assert _grant(crew, "skin_beauty", "admin", team="Pixel Lab") == ["skin_beauty"]
    with crew.app.uow() as uow:
        assert len(list(uow.session.scalars(select(SkillGrant)))) == 3
    assert [(e["skill"], e["username"], e["team"]) for e in _events(crew, "skill_granted")] == [
        ("ghost_mannequin", "retoucher", None),
        ("color_texture", "retoucher", None),
        ("skin_beauty", None, "Pixel Lab"),
    ]
    with crew.app.uow() as uow:
        skills = {s.skill: s.holders for s in assignment.list_skills(uow, crew["producer"])}
    assert skills["ghost_mannequin"] == ["retoucher"]
    assert skills["skin_beauty"] == ["Pixel Lab (team)"]
    assert skills["jewelry_reflective"] == []


def test_grant_skill_refusals(crew: Crew) -> None:
    with pytest.raises(ShotlineError, match="unknown skill 'juggling'; expected one of ghost_"):
        _grant(crew, "juggling", username="retoucher")
    with pytest.raises(PermissionDenied, match="cannot grant skills"):
        _grant(crew, "ghost_mannequin", "retoucher", username="retoucher")
    with pytest.raises(NotFound):
        _grant(crew, "ghost_mannequin", username="nobody")
    assert _events(crew, "skill_granted") == []


# suggest and auto-assign


def test_suggest_ranks_full_skills_first_then_load(crew: Crew) -> None:
    _add(crew, "ret2", ["retoucher"])
    crew.import_rows([row(ghost_mannequin="yes")])
    assert _suggest(crew, FRONT) == [("photo", 0, ["ghost_mannequin"])]
    crew.upload("retoucher", FRONT, "retouch", submit=False)
    _assign(crew, [BACK], username="retoucher")
    _assign(crew, [WHITE_FRONT, WHITE_BACK], username="vendor")
    need = ["ghost_mannequin"]
    assert _suggest(crew, FRONT) == [("ret2", 0, need), ("retoucher", 1, need), ("vendor", 2, need)]
    # A skill held by the vendor counts for its people.
    _grant(crew, "ghost_mannequin", team="Pixel Lab")
    assert _suggest(crew, FRONT) == [("vendor", 2, []), ("ret2", 0, need), ("retoucher", 1, need)]
    _grant(crew, "ghost_mannequin", username="ret2")
    assert _suggest(crew, FRONT)[:2] == [("ret2", 0, []), ("vendor", 2, [])]


def test_suggest_follows_the_stage(crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch", submit=True)
    assert [name for name, _, _ in _suggest(crew, FRONT)] == ["qc", "qc2"]
    with crew.app.uow() as uow:
        production.block(uow, crew["producer"], BACK, "sample missing", NOW)
    assert [name for name, _, _ in _suggest(crew, BACK)] == ["photo"]
    with crew.app.uow() as uow:
        production.cancel(uow, crew["producer"], BACK, "dropped", NOW)
    with pytest.raises(ShotlineError, match="is cancelled: there is no work to assign"):
        _suggest(crew, BACK)


def _auto(crew: Crew, track: str, stage: str, limit: int | None = None) -> list[tuple[str, str]]:
    with crew.app.uow() as uow:
        done = assignment.auto_assign(uow, crew["producer"], track, stage, NOW, limit)
    return [(f"{key.colorway} {key.view}", user) for key, user in done]


def test_auto_assign_balances_load_among_the_fully_skilled(crew: Crew) -> None:
    _add(crew, "photo2", ["photographer"])
    crew.import_rows([row()])
    # Same due time and priority: intake order (colorway, then shot list) breaks the tie.
    assert _auto(crew, "catalog", "capture", limit=3) == [
        ("Black front", "photo"),
        ("Black back", "photo2"),
        ("White front", "photo"),
    ]
    assert _auto(crew, "catalog", "capture") == [("White back", "photo2")]
    assert _auto(crew, "catalog", "capture") == []
    assert len(_events(crew, "assigned")) == 4


def test_auto_assign_skips_work_nobody_fully_fits(crew: Crew) -> None:
    _add(crew, "photo2", ["photographer"])
    crew.import_rows([row(ghost_mannequin="yes")])
    assert _auto(crew, "catalog", "capture") == []
    _grant(crew, "ghost_mannequin", username="photo2")
    _assign(crew, [FRONT], username="photo")
    assert [user for _, user in _auto(crew, "catalog", "capture")] == ["photo2"] * 3
    photo = crew["photo"].user_id
    assert _assignees(crew)[("TEE-001", "Black", "front")] == (photo, None)


def test_auto_assign_checks_its_inputs(crew: Crew) -> None:
    with pytest.raises(ShotlineError, match="unknown track 'boat'"):
        _auto(crew, "boat", "capture")
    with pytest.raises(ShotlineError, match="unknown stage 'polish'"):
        _auto(crew, "catalog", "polish")
    with crew.app.uow() as uow, pytest.raises(PermissionDenied):
        assignment.auto_assign(uow, crew["retoucher"], "catalog", "capture", NOW)


# queues


def _four_lines(crew: Crew) -> None:
    """D (deadline tonight), B (urgent), A (low), C (class C2): one asset each."""
    one = {"colorways": "Black", "views": "front"}
    crew.import_rows(
        [
            row(sku="A", priority="low", **one),
            row(sku="B", priority="urgent", **one),
            row(sku="C", complexity="C2", **one),
            row(sku="D", deadline="2026-11-25", **one),
        ]
    )


def test_a_queue_orders_by_due_time_then_priority(crew: Crew) -> None:
    _four_lines(crew)
    items = _queue(crew, "catalog", "capture")
    assert [x.sku for x in items] == ["D", "B", "A", "C"]
    assert {x.sla_state for x in items} == {"on_track"}
    assert (items[0].state, items[0].stage, items[0].age_hours) == ("requested", "capture", 0.0)
    assert [x.sku for x in _queue(crew, "catalog", "capture", limit=2)] == ["D", "B"]


def test_sla_badges_and_the_sla_filter(crew: Crew) -> None:
    _four_lines(crew)
    # B is captured: the capture queue now merges two states.
    crew.upload("photo", AssetKey("B", "Black", "front"), "capture", submit=False)
    items = _queue(crew, "catalog", "capture", now=FRIDAY)
    assert [(x.sku, x.sla_state) for x in items] == [
        ("D", "late"),
        ("B", "at_risk"),
        ("A", "at_risk"),
        ("C", "on_track"),
    ]
    assert items[0].age_hours == 53.0
    by_badge = {
        sla: [x.sku for x in _queue(crew, "catalog", "capture", now=FRIDAY, sla=sla)]
        for sla in ("late", "at_risk", "on_track")
    }
    assert by_badge == {"late": ["D"], "at_risk": ["B", "A"], "on_track": ["C"]}
    first = _queue(crew, "catalog", "capture", now=FRIDAY, sla="at_risk", limit=1)
    assert [x.sku for x in first] == ["B"]


def test_queues_are_kept_apart_by_stage_and_track(crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("photo", FRONT, "capture", submit=False, now=NOW + dt.timedelta(hours=1))
    crew.upload("retoucher", BACK, "retouch", submit=True)
    crew.upload("retoucher", WHITE_FRONT, "retouch", submit=False)
    later = NOW + dt.timedelta(hours=3)
    capture = _queue(crew, "catalog", "capture", now=later)
    assert sorted(_keys(capture)) == [("TEE-001", "Black", "front"), ("TEE-001", "White", "back")]
    front = next(x for x in capture if x.view == "front")
    assert (front.state, front.age_hours) == ("in_capture", 2.0)
    assert _keys(_queue(crew, "catalog", "retouch")) == [("TEE-001", "White", "front")]
    technical = _queue(crew, "catalog", "technical")
    assert [(x.view, x.gate) for x in technical] == [("back", "technical")]
    assert _queue(crew, "catalog", "styling_fit") == []
    assert _queue(crew, "hero", "capture") == []


def test_queue_filters(crew: Crew) -> None:
    _four_lines(crew)
    _assign(crew, [AssetKey("A", "Black", "front")], username="photo")
    _assign(crew, [AssetKey("B", "Black", "front")], team="Pixel Lab")
    _assign(crew, [AssetKey("C", "Black", "front")], username="vendor")

    def skus(**kw: Any) -> list[str]:
        return [x.sku for x in _queue(crew, "catalog", "capture", **kw)]

    assert skus(complexity="C2") == ["C"]
    assert skus(category="apparel") == ["D", "B", "A", "C"]
    assert skus(category="jewelry") == []
    assert skus(assignee="photo") == ["A"]
    assert skus(assignee="Pixel Lab") == ["B"]
    assert skus(vendor="Pixel Lab") == ["B", "C"]
    assert [x.assignee for x in _queue(crew, "catalog", "capture")] == [
        None,
        "Pixel Lab",
        "photo",
        "vendor",
    ]


@pytest.mark.parametrize(
    ("filters", "error", "message"),
    [
        ({"track": "boat"}, ShotlineError, "unknown track 'boat'; expected one of hero, "),
        ({"stage": "polish"}, ShotlineError, "unknown stage 'polish'"),
        ({"category": "cars"}, ShotlineError, "unknown category 'cars'"),
        ({"complexity": "C9"}, ShotlineError, "unknown complexity class 'C9'"),
        ({"sla": "soon"}, ShotlineError, "unknown SLA state 'soon'; expected one of late, "),
        ({"vendor": "Studio"}, NotFound, "no vendor 'Studio'"),
        ({"assignee": "nobody"}, NotFound, "no user or team 'nobody'"),
        ({"limit": 0}, ShotlineError, "the limit must be at least 1"),
    ],
)
def test_queue_refuses_unknown_filters(
    crew: Crew, filters: dict[str, Any], error: type[Exception], message: str
) -> None:
    args: dict[str, Any] = {"track": "catalog", "stage": "capture", **filters}
    with pytest.raises(error, match=message):
        _queue(crew, **args)


def test_my_work_is_mine_and_my_teams_next_first(crew: Crew) -> None:
    _four_lines(crew)
    a, b, c, d = (AssetKey(s, "Black", "front") for s in "ABCD")
    _assign(crew, [a, c], username="retoucher")
    _assign(crew, [b], team="Pixel Lab")
    _assign(crew, [d], username="vendor")
    assert [x.sku for x in _mine(crew, "retoucher")] == ["A", "C"]
    assert [x.sku for x in _mine(crew, "vendor")] == ["D", "B"]
    assert _mine(crew, "photo") == []
    with crew.app.uow() as uow:
        production.cancel(uow, crew["producer"], a, "dropped", NOW)
    assert [x.sku for x in _mine(crew, "retoucher", FRIDAY)] == ["C"]


# vendor isolation


def test_a_vendor_sees_only_its_own_work(crew: Crew) -> None:
    _four_lines(crew)
    _assign(crew, [AssetKey("B", "Black", "front")], team="Pixel Lab")
    _assign(crew, [AssetKey("C", "Black", "front")], username="vendor")
    _assign(crew, [AssetKey("A", "Black", "front")], username="retoucher")
    assert [x.sku for x in _queue(crew, "catalog", "capture", "vendor")] == ["B", "C"]
    assert [x.sku for x in _queue(crew, "catalog", "capture", "vendor", vendor="Pixel Lab")] == [
        "B",
        "C",
    ]
    assert _queue(crew, "catalog", "capture", "vendor", assignee="retoucher") == []
    assert [x.sku for x in _mine(crew, "vendor")] == ["B", "C"]


def test_a_vendor_cannot_find_or_work_on_unassigned_assets(crew: Crew) -> None:
    crew.import_rows([row()])
    with crew.app.uow() as uow, pytest.raises(NotFound, match="assigned to Pixel Lab"):
        find_asset(uow, crew["vendor"], FRONT)
    with pytest.raises(NotFound):
        crew.upload("vendor", FRONT, "retouch")
    _assign(crew, [FRONT], team="Pixel Lab")
    assert crew.upload("vendor", FRONT, "retouch", submit=False).asset_state == "in_retouch"
    assert [x.view for x in _queue(crew, "catalog", "retouch", "vendor")] == ["front"]
    with pytest.raises(NotFound):
        crew.upload("vendor", BACK, "retouch")
