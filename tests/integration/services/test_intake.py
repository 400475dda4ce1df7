"""Intake import through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from conftest import NOW
from shotline.adapters.db.models import Asset, Event, Request, RequestLine
from shotline.adapters.intake_files import read_intake_file
from shotline.bootstrap import App
from shotline.domain.access import Actor
from shotline.domain.errors import PermissionDenied
from shotline.services import intake, requests, workspaces
from support import JEWELRY, row, write_csv, write_xlsx


def _import(app: App, actor: Actor, path: Path, now: dt.datetime = NOW) -> intake.ImportResult:
    with app.uow() as uow:
        return intake.import_intake(uow, actor, read_intake_file(path), now)


def _count(app: App, model: type, **where: object) -> int:
    with app.uow() as uow:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return uow.session.scalar(query) or 0


def test_accepted_lines_expand_into_routed_assets_with_due_times(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), row(JEWELRY)])
    outcome = _import(app, admin, path)
    assert (outcome.created, outcome.state, outcome.accepted, outcome.assets) == (
        True,
        "accepted",
        2,
        6,
    )
    with app.uow() as uow:
        assets, total = requests.list_assets(uow, admin, limit=50)
    assert total == 6
    tees = sorted((a.colorway, a.view) for a in assets if a.sku == "TEE-001")
    assert tees == [("Black", "back"), ("Black", "front"), ("White", "back"), ("White", "front")]
    tee = next(a for a in assets if a.sku == "TEE-001")
    # catalog C1: 16 business hours from Wed 10:00 New York; Thursday is Thanksgiving,
    # so Wed 8h + Fri 9h -> due Fri 17:00 New York = 22:00 UTC.
    assert (tee.track, tee.complexity, tee.state) == ("catalog", "C1", "requested")
    assert tee.due_at == dt.datetime(2026, 11, 27, 22, 0, tzinfo=dt.UTC)
    ring = next(a for a in assets if a.sku == "RING-001")
    assert (ring.track, ring.complexity, ring.priority) == ("high_complexity", "C4", "high")


def test_rejected_lines_are_kept_as_needs_info_with_their_errors(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    bad = row(JEWELRY, sku="RING-002", metal_type="", channels="pdp|tiktok")
    path = write_csv(tmp_path / "req.csv", [row(), bad])
    outcome = _import(app, admin, path)
    assert (outcome.state, outcome.accepted, outcome.rejected) == ("needs_info", 1, 1)
    with app.uow() as uow:
        lines = requests.request_lines(uow, admin, outcome.request_id)
    rejected = next(line for line in lines if line.status == "rejected")
    assert rejected.row == 3
    assert {e["field"] for e in rejected.errors} == {"metal_type", "channels"}
    assert _count(app, Asset, sku="RING-002") == 0
    assert _count(app, RequestLine) == 2


def test_importing_the_same_file_twice_creates_nothing_new(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), row(JEWELRY)])
    first = _import(app, admin, path)
    counts = (_count(app, Request), _count(app, Asset), _count(app, Event))
    second = _import(app, admin, path, NOW + dt.timedelta(hours=1))
    assert second.created is False
    assert second.request_id == first.request_id
    assert (_count(app, Request), _count(app, Asset), _count(app, Event)) == counts


def test_a_colorway_already_open_is_refused_in_a_new_file(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    _import(app, admin, write_csv(tmp_path / "a.csv", [row()]))
    again = _import(
        app, admin, write_csv(tmp_path / "b.csv", [row(colorways="white|Navy", product_name="x")])
    )
    assert again.validation is not None
    (rejected,) = again.validation.rejected
    assert rejected.errors[0].message == (
        "SKU TEE-001 colorway 'white' is already open in this workspace"
    )


def test_workspaces_do_not_see_each_other(app: App, admin: Actor, tmp_path: Path) -> None:
    with app.uow() as uow:
        workspaces.initialise_workspace(uow, "other-brand", "Other brand", NOW)
    with app.uow() as uow:
        other = workspaces.resolve_actor(uow, "other-brand", "admin")
    path = write_csv(tmp_path / "req.csv", [row()])
    _import(app, admin, path)
    # The same SKU is not "already open" in another brand, and the same file is new there.
    outcome = _import(app, other, path)
    assert (outcome.created, outcome.accepted) == (True, 1)
    with app.uow() as uow:
        mine = requests.list_requests(uow, admin)
        theirs = requests.list_requests(uow, other)
        _, their_assets = requests.list_assets(uow, other)
    assert [r.id for r in mine] != [r.id for r in theirs]
    assert len(mine) == len(theirs) == 1
    assert their_assets == 4


def test_only_intake_roles_may_submit(app: App, admin: Actor, tmp_path: Path) -> None:
    with app.uow() as uow:
        photographer = workspaces.add_user(uow, admin, "pia", ["photographer"], NOW)
    with pytest.raises(PermissionDenied, match="pia cannot submit intake requests"):
        _import(app, photographer, write_csv(tmp_path / "req.csv", [row()]))
    assert _count(app, Request) == 0


def test_every_line_writes_an_event(app: App, admin: Actor, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "req.csv", [row(), row(JEWELRY, metal_type="")])
    outcome = _import(app, admin, path)
    with app.uow() as uow:
        kinds = list(
            uow.session.scalars(
                select(Event.kind).where(Event.request_id == outcome.request_id).order_by(Event.id)
            )
        )
    assert kinds == ["request_received", "line_accepted", "line_rejected"]


def test_the_event_log_refuses_updates_and_deletes(app: App, admin: Actor) -> None:
    for statement in ("UPDATE events SET kind = 'x'", "DELETE FROM events"):
        with app.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement))
    assert _count(app, Event) > 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings_import_identically(
    app: App, admin: Actor, tmp_path: Path, encoding: str
) -> None:
    path = write_csv(tmp_path / "req.csv", [row(product_name="Café Crème – Tee")], encoding)
    outcome = _import(app, admin, path)
    with app.uow() as uow:
        (line,) = requests.request_lines(uow, admin, outcome.request_id)
        stored = uow.session.scalar(select(RequestLine.fields))
    assert line.status == "accepted"
    assert stored is not None and stored["product_name"] == "Café Crème – Tee"


def test_xlsx_with_real_date_cells_and_formula_text(app: App, admin: Actor, tmp_path: Path) -> None:
    rows = [
        row(deadline=dt.date(2026, 12, 18), product_name='=HYPERLINK("http://x")'),  # type: ignore[arg-type]
    ]
    path = write_xlsx(tmp_path / "req.xlsx", rows)
    outcome = _import(app, admin, path)
    assert outcome.accepted == 1
    with app.uow() as uow:
        assets, _ = requests.list_assets(uow, admin)
        stored = uow.session.scalar(select(RequestLine.fields))
    # A date means the end of that day in New York (EST, UTC-5).
    assert assets[0].due_at == dt.datetime(2026, 12, 19, 4, 59, 59, tzinfo=dt.UTC)
    assert stored is not None and stored["product_name"] == '=HYPERLINK("http://x")'
