"""The metric projections (services/projections.py), on SQLite and PostgreSQL.

Three things must hold on any history: the projections kept up to date event by event equal
the ones rebuilt from the whole log; the report computed from them equals the metric
definitions applied to each asset's facts read from the raw events (`gather`, the brute
force); and the dashboard's 30-day questions from the rollups equal the same questions asked
of gate_decisions. Random histories come from hypothesis (events recorded straight into the
log, in random batches and orders, including what the services rarely do: approvals without
a decision, deliveries after going live, uploads after live, cancellations of delivered work)
and from simulated studio work replayed through every service.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from conftest import NOW
from crew import Crew
from shotline.adapters.db import migrate
from shotline.adapters.db.models import Asset, Version, table_of
from shotline.bootstrap import App
from shotline.domain import metrics
from shotline.domain.access import Actor
from shotline.domain.events import EventKind, NewEvent
from shotline.services import dashboard as dash
from shotline.services import metrics as svc_metrics
from shotline.services import projections
from shotline.services.assets import AssetKey
from shotline.services.policies import check_policy, default_policy_text
from shotline.services.replay import replay_file
from shotline.simulation.workflow import simulate
from support import JEWELRY, row

T0 = dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.UTC)
COST_KEYS = ("cost_total", "cost_per_image", "cost_per_sku")


def snapshot(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection row, ids left out (they follow insertion order), sorted."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with app.engine.connect() as conn:
        for model in projections.TABLES:
            table = table_of(model)
            columns = [c for c in table.c if c.name != "id"]
            rows = conn.execute(select(*columns)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def rebuilt(app: App) -> dict[str, list[tuple[Any, ...]]]:
    with app.uow() as uow:
        projections.rebuild(uow.session)
        uow.commit()
    return snapshot(app)


def assert_same_summary(fast: dict[str, Any], slow: dict[str, Any], where: Any) -> None:
    assert fast.keys() == slow.keys(), where
    for key, expected in slow.items():
        got = fast[key]
        if key in COST_KEYS and expected is not None:
            # The same amounts summed in another order, then rounded to cents.
            assert got == pytest.approx(expected, abs=0.011), (where, key)
        elif key == "cost_estimated_share" and expected is not None:
            assert got == pytest.approx(expected, rel=1e-9), (where, key)
        else:
            assert got == expected, (where, key, got, expected)


def compare_reports(app: App, actor: Actor, periods: list[tuple[dt.datetime, dt.datetime]],
                    now: dt.datetime) -> int:  # fmt: skip
    """Fast summary against the definitions over `gather`'s facts; returns how many metrics
    had something to measure."""
    measured = 0
    for start, end in periods:
        with app.uow() as uow:
            fast = svc_metrics.summary(uow, actor, start, end, now)
            slow = metrics.summary(svc_metrics.gather(uow, actor, start, end), start, end, now)
        assert_same_summary(fast, slow, (start, end))
        measured += sum(v not in (None, 0, {}) for v in slow.values())
    compare_slices(app, actor, *periods[0], now)
    return measured


def compare_slices(app: App, actor: Actor, start: dt.datetime, end: dt.datetime,
                   now: dt.datetime) -> None:  # fmt: skip
    """Slices by the asset's own columns, read from the projections, against the same slices
    of `gather`'s facts: the same slice values, the same summary in each."""
    with app.uow() as uow:
        facts = svc_metrics.gather(uow, actor, start, end)
    for by in svc_metrics.ASSET_DIMENSIONS:
        with app.uow() as uow:
            fast = svc_metrics.build_report(uow, actor, start, end, now, by)["by"][by]
        slow = metrics.report(facts, start, end, now, by)["by"][by]
        assert fast.keys() == slow.keys(), by
        for value, summary in slow.items():
            assert_same_summary(fast[value], summary, (by, value))


# --- random histories straight into the log ---------------------------------------------

KEYS = [AssetKey("TEE-001", c, v) for c in ("Black", "White") for v in ("front", "back")]
DECISIONS = (EventKind.GATE_PASSED, EventKind.GATE_FAILED, EventKind.APPROVED)
SIMPLE = (EventKind.SUBMITTED, EventKind.DELIVERED, EventKind.LIVE, EventKind.CANCELLED)
DEFECTS = ("fit_distortion", "color_mismatch", "anatomy_error", "dust")


@pytest.fixture
def studio(crew: Crew) -> tuple[Crew, list[int], list[tuple[int, int]]]:
    """TEE-001 (four assets) with a capture, a retouch and an AI version on each: the
    assets and (asset, version) pairs random events may name."""
    crew.import_rows([row()], T0)
    crew.register_ai("cleanup@1", ("apparel", "shoes", "bags", "jewelry"))
    for i, key in enumerate(KEYS):
        crew.upload("photo", key, "capture", submit=False, now=T0 + dt.timedelta(hours=1 + i))
        crew.upload("retoucher", key, "retouch", submit=False, now=T0 + dt.timedelta(hours=2))
        crew.upload("aiop", key, "ai", submit=False, now=T0 + dt.timedelta(hours=3),
                    ai_workflow="cleanup@1")  # fmt: skip
    with crew.app.uow() as uow:
        assets = list(uow.session.scalars(select(Asset.id).order_by(Asset.id)))
        versions = [(a, v) for v, a in uow.session.execute(select(Version.id, Version.asset_id))]
    return crew, assets, sorted(versions)


# One random event: (asset index, kind, hours after T0, version index, flags, defect codes,
# cost, batch). Times fall on quarter hours, often around the assets' due times (31 hours after
# T0), some on exactly the same instant.
EVENT = st.tuples(
    st.integers(0, 3),
    st.sampled_from([*DECISIONS, *SIMPLE, EventKind.VERSION_UPLOADED, EventKind.GATE_BYPASSED]),
    st.one_of(st.integers(0, 60), st.integers(0, 24 * 40)).map(lambda m: m * 0.75),
    st.integers(0, 11),
    st.booleans(),
    st.lists(st.sampled_from(DEFECTS), max_size=2, unique=True),
    st.one_of(st.none(), st.sampled_from([0.0, 0.4, 2.5, 7.25])),
    st.integers(0, 3),
)


def _payload(kind: EventKind, version: int, flag: bool, defects: list[str],
             cost: float | None) -> dict[str, Any]:  # fmt: skip
    if kind in DECISIONS:
        failed = kind == EventKind.GATE_FAILED
        return {"gate": "technical", "version_id": version, "cost": cost,
                "defects": defects if failed else [], "preventable": failed and flag}  # fmt: skip
    if kind == EventKind.VERSION_UPLOADED:
        kinds = ("capture", "retouch", "ai")
        return {"kind": kinds[version % 3], "version_id": version, "cost": cost}
    if kind == EventKind.GATE_BYPASSED:
        return {"gate": "final_qc", "next_gate": None if flag else "final_qc"}
    return {}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(EVENT, min_size=5, max_size=40))
def test_random_histories(studio: tuple[Crew, list[int], list[tuple[int, int]]],
                          events: list[Any]) -> None:  # fmt: skip
    crew, assets, versions = studio
    app = crew.app
    actor = crew["ops"]
    # The log is append-only: each example adds to what earlier ones recorded, so later
    # examples check longer histories.
    for batch in range(4):
        with app.uow() as uow:
            for a, kind, hours, v, flag, defects, cost, b in events:
                if b != batch:
                    continue
                asset, version = assets[a], versions[v][1]
                if kind in DECISIONS:
                    # A decision names a version of its own asset (or, now and then, one the
                    # log does not know).
                    own = [vid for aid, vid in versions if aid == asset]
                    version = own[v % len(own)] if v < 10 else 10**6
                payload = _payload(kind, version, flag, defects, cost)
                at = T0 + dt.timedelta(hours=hours)
                user = crew["qc"].user_id if not flag else crew["retoucher"].user_id
                uow.record(actor.workspace_id, user, at, NewEvent(kind, payload, asset_id=asset))
            uow.commit()
    incremental = snapshot(app)
    assert rebuilt(app) == incremental
    day = dt.timedelta(days=1)
    periods = [(T0, T0 + 41 * day), (T0 + 3 * day, T0 + 10 * day),
               (T0 + 10 * day, T0 + 11 * day), (T0 - 9 * day, T0)]  # fmt: skip
    for now in (T0 + 12 * day, T0 + dt.timedelta(hours=20)):
        compare_reports(app, actor, periods, now)


def test_times_a_hair_before_the_next_second_keep_their_microseconds(
    studio: tuple[Crew, list[int], list[tuple[int, int]]],
) -> None:
    """SQLite's date functions round a fraction of a second to milliseconds, so a time at
    :59.9997 must not be read as the next second: shoot-to-live is exact to the microsecond
    on both databases, as the definitions over the raw events have it."""
    crew, assets, versions = studio
    app, actor = crew.app, crew["ops"]
    asset = assets[0]
    capture = next(v for a, v in versions if a == asset and v % 3 == 0)
    hair = dt.timedelta(seconds=59, microseconds=999_700)
    steps = [
        (EventKind.VERSION_UPLOADED, dt.timedelta(minutes=30) + hair),
        (EventKind.SUBMITTED, dt.timedelta(hours=5)),
        (EventKind.APPROVED, dt.timedelta(hours=6) + hair),
        (EventKind.DELIVERED, dt.timedelta(hours=7, microseconds=999_501)),
        (EventKind.LIVE, dt.timedelta(hours=8) + hair),
    ]
    with app.uow() as uow:
        for kind, after in steps:
            payload = _payload(kind, capture, False, [], None)
            uow.record(actor.workspace_id, crew["qc"].user_id, T0 + after,
                       NewEvent(kind, payload, asset_id=asset))  # fmt: skip
        uow.commit()
    period = (T0, T0 + dt.timedelta(days=2))
    with app.uow() as uow:
        fast = svc_metrics.summary(uow, actor, *period, T0 + dt.timedelta(days=3))
    # From the capture at 00:30:59.9997 (earlier than the studio's uploads) to live.
    assert fast["shoot_to_live_hours"]["p50"] == 7.5
    compare_reports(app, actor, [period], T0 + dt.timedelta(days=3))


def test_a_slice_touched_only_by_a_bypass_is_still_a_slice(
    studio: tuple[Crew, list[int], list[tuple[int, int]]],
) -> None:
    """A bypass that leaves the asset in review is in no projection, yet `gather` counts its
    asset as touched: the jewelry slice must exist on both readings, empty of metrics."""
    crew, _, _ = studio
    crew.import_rows([row(JEWELRY, deadline="2027-03-01")], T0)
    with crew.app.uow() as uow:
        ring = uow.session.scalars(select(Asset.id).where(Asset.category == "jewelry")).first()
        moved_on = {"gate": "technical", "next_gate": "styling_fit"}
        bypass = NewEvent(EventKind.GATE_BYPASSED, moved_on, asset_id=ring)
        uow.record(crew["ops"].workspace_id, crew["qc"].user_id, T0 + dt.timedelta(days=2), bypass)
        uow.commit()
    start, end = T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=3)
    compare_slices(crew.app, crew["ops"], start, end, T0 + dt.timedelta(days=4))
    with crew.app.uow() as uow:
        assert "jewelry" in svc_metrics.slice_values(uow, crew["ops"], "category", start, end)


# --- simulated studio work through the services -------------------------------------------


def _dashboard_from_gate_decisions(app: App, actor: Actor, now: dt.datetime) -> dict[str, Any]:
    since = now - dash.WINDOW
    with app.uow() as uow:
        teams = dash._vendors(uow, actor, since)
        return {
            "failed_qc": dash._failed_recently(uow, actor, since),
            "teams": [{k: t[k] for k in ("team", "decisions", "pass_rate")} for t in teams],
            "ai_workflows": dash._ai_workflows(uow, actor, since),
        }


@pytest.mark.parametrize("seed", [3, 11])
def test_simulated_work_agrees_with_the_raw_events(app: App, admin: Actor, tmp_path: Path,
                                                   seed: int) -> None:  # fmt: skip
    policy = check_policy(default_policy_text(), "default policy")
    path, _ = simulate(tmp_path / "sim", skus=5, days=25, seed=seed, policy=policy, end=NOW)
    assert replay_file(app, "default", path).failed == []
    incremental = snapshot(app)
    assert incremental["metric_decisions"], "the simulation should decide something"
    assert rebuilt(app) == incremental

    day = dt.timedelta(days=1)
    periods = [(NOW - 25 * day, NOW), (NOW - 40 * day, NOW + 30 * day),
               (NOW - 12 * day, NOW - 5 * day), (NOW - 5 * day, NOW),
               (NOW - 16 * day + dt.timedelta(minutes=7), NOW - 9 * day)]  # fmt: skip
    assert compare_reports(app, admin, periods, NOW) >= 40
    with app.uow() as uow:
        weekly = svc_metrics.build_report(uow, admin, NOW - 25 * day, NOW, NOW, by="week")
        slow = metrics.report(svc_metrics.gather(uow, admin, NOW - 25 * day, NOW),
                              NOW - 25 * day, NOW, NOW, "week")  # fmt: skip
    assert weekly["by"]["week"].keys() == slow["by"]["week"].keys()
    for label, values in slow["by"]["week"].items():
        assert_same_summary(weekly["by"]["week"][label], values, label)

    for now in (NOW, NOW - 4 * day - dt.timedelta(minutes=23), NOW - 11 * day):
        with app.uow() as uow:
            fast = dash.dashboard(uow, admin, now)
        slow_dash = _dashboard_from_gate_decisions(app, admin, now)
        assert fast["failed_qc"]["failed_decisions"] == slow_dash["failed_qc"]["failed_decisions"]
        assert fast["failed_qc"]["by_category"] == slow_dash["failed_qc"]["by_category"]
        assert fast["teams"] == slow_dash["teams"]
        assert fast["ai_workflows"] == slow_dash["ai_workflows"]
        assert any(t["decisions"] for t in fast["teams"]) or now < NOW


def test_a_migrated_database_fills_its_projections_from_the_log(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    """What migration 0009 does to a database with history: rebuild from the events."""
    policy = check_policy(default_policy_text(), "default policy")
    path, _ = simulate(tmp_path / "sim", skus=2, days=10, seed=5, policy=policy, end=NOW)
    assert replay_file(app, "default", path).failed == []
    before = snapshot(app)
    with app.uow() as uow:
        projections.clear(uow.session)
        uow.commit()
    assert not any(snapshot(app).values())
    with app.uow() as uow:
        done = projections.rebuild(uow.session, workspace_id=admin.workspace_id)
        uow.commit()
    assert done.events_followed > 0 and done.events_read >= done.events_followed
    assert snapshot(app) == before
    assert math.isfinite(done.seconds)


def test_a_database_upgraded_from_before_the_projections_gets_them_from_its_log(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    """A database with history at revision 0008 (before the projections existed) upgraded to
    the newest: the projections are rebuilt from its log, in their newest shape, equal to the
    ones kept event by event."""
    policy = check_policy(default_policy_text(), "default policy")
    path, _ = simulate(tmp_path / "sim", skus=2, days=10, seed=7, policy=policy, end=NOW)
    assert replay_file(app, "default", path).failed == []
    kept = snapshot(app)
    assert kept["metric_assets"]
    config = migrate.alembic_config(app.engine)
    with app.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    assert migrate.current_revision(app.engine) == "0008"
    migrate.upgrade(app.engine)
    assert snapshot(app) == kept


def test_the_latest_approval_and_delivery_are_filled_from_the_milestones(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    """Migration 0012 on a database whose projections exist: the two new columns come from
    the milestones already projected, equal to what the projections keep."""
    policy = check_policy(default_policy_text(), "default policy")
    path, _ = simulate(tmp_path / "sim", skus=2, days=10, seed=9, policy=policy, end=NOW)
    assert replay_file(app, "default", path).failed == []
    kept = snapshot(app)
    assert any(row[-1] is not None for row in kept["metric_assets"])
    config = migrate.alembic_config(app.engine)
    with app.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
    migrate.upgrade(app.engine)
    assert snapshot(app) == kept
