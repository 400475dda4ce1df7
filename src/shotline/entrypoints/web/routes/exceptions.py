"""Exceptions: the list, asking for one, and granting or refusing (services/exceptions)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from shotline.domain.errors import ShotlineError
from shotline.entrypoints.api.deps import NowDep, UowDep
from shotline.entrypoints.web.render import page, redirect
from shotline.entrypoints.web.session import CsrfDep, WebUser, requires
from shotline.services import exceptions
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

router = APIRouter(include_in_schema=False)
StaffUser = Annotated[WebUser, Depends(requires(staff=True))]
STATUSES = (exceptions.REQUESTED, exceptions.GRANTED, exceptions.REFUSED)


def _asset_ids(text: str) -> list[int]:
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    if not parts:
        raise ShotlineError("name at least one asset id (the number in its page address)")
    bad = [p for p in parts if not p.isdigit()]
    if bad:
        raise ShotlineError(f"asset ids are numbers; not {', '.join(bad[:3])}")
    return sorted({int(p) for p in parts})


def _page(
    request: Request,
    user: WebUser,
    uow: UnitOfWork,
    status: str | None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    policy = load_active_policy(uow, user.actor.workspace_id).policy
    rows = exceptions.list_exceptions(uow, user.actor, status or None)
    report = exceptions.exceptions_report(uow, user.actor)
    deciders = {kind: user.has_any(spec.grant_roles) for kind, spec in policy.exceptions.items()}
    return page(
        request,
        "exceptions.html",
        status_code=status_code,
        rows=rows,
        report=report,
        kinds=policy.exceptions,
        deciders=deciders,
        statuses=STATUSES,
        chosen=status or "",
        errors=errors or {},
        values=values or {},
    )


@router.get("/exceptions")
def exception_list(
    request: Request, user: StaffUser, uow: UowDep, status: str | None = None
) -> Response:
    """Every exception of the workspace (newest first), this month's review, and the form."""
    if status and status not in STATUSES:
        raise ShotlineError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    return _page(request, user, uow, status)


@router.post("/exceptions", dependencies=[CsrfDep])
def ask(
    request: Request,
    user: StaffUser,
    uow: UowDep,
    now: NowDep,
    kind: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    assets: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
) -> Response:
    """Ask for an exception; a problem shows the form again with the message by its field."""
    values = {"kind": kind, "reason": reason, "assets": assets, "days": days}
    errors: dict[str, str] = {}
    ids: list[int] = []
    try:
        ids = _asset_ids(assets)
    except ShotlineError as exc:
        errors["assets"] = str(exc)
    length = None
    if days.strip():
        if days.strip().isdigit():
            length = int(days)
        else:
            errors["days"] = "days is a whole number"
    if not errors:
        try:
            made = exceptions.request_exception(uow, user.actor, kind, reason, ids, now, length)
        except ShotlineError as exc:
            uow.session.rollback()
            message = str(exc)
            field = next(
                (
                    f
                    for f, word in (("kind", "kind"), ("reason", "reason"), ("days", "days"))
                    if word in message
                ),
                "form",
            )
            errors[field] = message
        else:
            return redirect(request, "/exceptions", flash=f"Exception {made} requested.")
    return _page(request, user, uow, None, errors, values, status_code=422)


@router.post("/exceptions/{exception_id}/decide", dependencies=[CsrfDep])
def decide(
    request: Request,
    exception_id: int,
    user: StaffUser,
    uow: UowDep,
    now: NowDep,
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Grant or refuse a pending exception (only its kind's grant roles may)."""
    if decision not in ("grant", "refuse"):
        raise ShotlineError("choose grant or refuse")
    try:
        status = exceptions.decide_exception(
            uow, user.actor, exception_id, decision == "grant", note.strip(), now
        )
    except ShotlineError as exc:
        uow.session.rollback()
        return redirect(request, "/exceptions", flash=f"Exception {exception_id}: {exc}")
    return redirect(request, "/exceptions", flash=f"Exception {exception_id} {status}.")
