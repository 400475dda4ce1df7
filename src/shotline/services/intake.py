"""Intake use cases: validate a file without writing, import it as a request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from shotline.adapters.db import repository
from shotline.adapters.db.models import Asset, Request, RequestLine, table_of
from shotline.domain.access import Actor, require_role
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.intake.model import AcceptedLine, IntakeResult, IntakeTable, RejectedLine
from shotline.domain.intake.validation import skus_in, validate_intake
from shotline.domain.lifecycle import AssetState
from shotline.domain.policy import Policy
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

ACCEPTED = "accepted"
NEEDS_INFO = "needs_info"


@dataclass(frozen=True)
class ImportResult:
    """What an import stored. `created` is False when the same file was imported before."""

    request_id: int
    created: bool
    state: str
    accepted: int
    rejected: int
    assets: int
    validation: IntakeResult | None


def validate_with_workspace(
    uow: UnitOfWork, workspace_id: int, table: IntakeTable, now: dt.datetime
) -> IntakeResult:
    """Validate against the workspace's active policy and its open work. Writes nothing."""
    policy = load_active_policy(uow, workspace_id).policy
    open_keys = repository.open_colorways(uow.session, workspace_id, skus_in(table, policy))
    return validate_intake(table, policy, now, open_keys)


def validate_without_workspace(
    policy: Policy, table: IntakeTable, now: dt.datetime
) -> IntakeResult:
    """Validate against a policy alone, when no database exists yet."""
    return validate_intake(table, policy, now)


def import_intake(
    uow: UnitOfWork, actor: Actor, table: IntakeTable, now: dt.datetime
) -> ImportResult:
    """Store a request: accepted lines expand into assets, rejected lines wait in needs_info."""
    active = load_active_policy(uow, actor.workspace_id)
    require_role(actor, active.policy.intake.submit_roles, "submit intake requests")
    previous = uow.session.scalar(
        select(Request).where(
            Request.workspace_id == actor.workspace_id, Request.checksum == table.checksum
        )
    )
    if previous is not None:
        return ImportResult(
            previous.id,
            False,
            previous.state,
            previous.accepted_lines,
            previous.rejected_lines,
            previous.asset_count,
            None,
        )
    open_keys = repository.open_colorways(
        uow.session, actor.workspace_id, skus_in(table, active.policy)
    )
    result = validate_intake(table, active.policy, now, open_keys)
    request = Request(
        workspace_id=actor.workspace_id,
        source=table.source[:255],
        checksum=table.checksum,
        state=NEEDS_INFO if result.rejected else ACCEPTED,
        rows=result.rows,
        accepted_lines=len(result.accepted),
        rejected_lines=len(result.rejected),
        asset_count=result.asset_count,
        policy_version_id=active.id,
        submitted_by_id=actor.user_id,
        created_at=now,
    )
    uow.session.add(request)
    uow.session.flush()
    _store_lines(uow, actor, request, result, now)
    uow.commit()
    return ImportResult(
        request.id,
        True,
        request.state,
        len(result.accepted),
        len(result.rejected),
        result.asset_count,
        result,
    )


def _line_row(
    workspace_id: int, request_id: int, line: AcceptedLine | RejectedLine
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "workspace_id": workspace_id,
        "request_id": request_id,
        "row": line.row,
        "sku": line.sku[:120],
        "fields": line.fields,
        "category": None,
        "track": None,
        "complexity": None,
        "deadline": None,
        "due_at": None,
    }
    if isinstance(line, AcceptedLine):
        row |= {
            "status": ACCEPTED,
            "errors": [],
            "warnings": line.warnings,
            "category": line.category,
            "track": line.track,
            "complexity": line.complexity,
            "deadline": line.deadline,
            "due_at": line.due,
            "fields": {
                **line.fields,
                "colorways": line.colorways,
                "views": line.views,
                "channels": line.channels,
            },
        }
    else:
        errors = [{"field": e.field, "message": e.message} for e in line.errors]
        row |= {"status": "rejected", "errors": errors, "warnings": []}
    return row


def _store_lines(
    uow: UnitOfWork, actor: Actor, request: Request, result: IntakeResult, now: dt.datetime
) -> None:
    lines: list[AcceptedLine | RejectedLine] = [*result.accepted, *result.rejected]
    rows = [_line_row(actor.workspace_id, request.id, line) for line in lines]
    if rows:
        # A plain executemany is far cheaper than INSERT .. RETURNING for thousands of rows;
        # row numbers are unique within a request, so they find the new ids in one query.
        uow.session.execute(table_of(RequestLine).insert(), rows)
    stored = uow.session.execute(
        select(RequestLine.row, RequestLine.id).where(RequestLine.request_id == request.id)
    )
    id_of_row = {row_number: line_id for row_number, line_id in stored}
    ids = [id_of_row[line.row] for line in lines]
    assets: list[dict[str, Any]] = []
    received = {"source": request.source, "rows": result.rows, "notes": result.notes}
    uow.record(
        actor.workspace_id,
        actor.user_id,
        now,
        NewEvent(EventKind.REQUEST_RECEIVED, received, request_id=request.id),
    )
    for line, line_id in zip(lines, ids, strict=True):
        if isinstance(line, AcceptedLine):
            assets += _asset_rows(actor.workspace_id, line_id, line, now)
        uow.record(actor.workspace_id, actor.user_id, now, _line_event(request.id, line_id, line))
    if assets:
        uow.session.execute(table_of(Asset).insert(), assets)


def _line_event(request_id: int, line_id: int, line: AcceptedLine | RejectedLine) -> NewEvent:
    if isinstance(line, AcceptedLine):
        payload: dict[str, Any] = {
            "line_id": line_id,
            "row": line.row,
            "sku": line.sku,
            "colorways": line.colorways,
            "views": line.views,
            "track": line.track,
            "complexity": line.complexity,
            "due": line.due.isoformat(),
            "assets": len(line.colorways) * len(line.views),
            "warnings": line.warnings,
        }
        return NewEvent(EventKind.LINE_ACCEPTED, payload, request_id=request_id)
    errors = [{"field": e.field, "message": e.message} for e in line.errors]
    payload = {"line_id": line_id, "row": line.row, "sku": line.sku, "errors": errors}
    return NewEvent(EventKind.LINE_REJECTED, payload, request_id=request_id)


def _asset_rows(
    workspace_id: int, line_id: int, line: AcceptedLine, now: dt.datetime
) -> list[dict[str, Any]]:
    return [
        {
            "workspace_id": workspace_id,
            "request_line_id": line_id,
            "sku": spec.sku,
            "colorway": spec.colorway,
            "view": spec.view,
            "category": line.category,
            "track": line.track,
            "complexity": line.complexity,
            "priority": line.priority,
            "state": AssetState.REQUESTED.value,
            "due_at": line.due,
            "created_at": now,
            "updated_at": now,
            "lock_version": 1,
        }
        for spec in line.assets()
    ]
