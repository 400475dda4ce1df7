"""Intake: a one-SKU form whose category and path fields appear as they are chosen, and the
spreadsheet upload with its per-row error table (downloadable as CSV).

Both go through the same validation as every other intake (domain/intake via
services/intake): the form is a one-row table, so a form and a spreadsheet row can never
disagree about what is valid.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import tempfile
from pathlib import Path, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.datastructures import FormData
from starlette.responses import Response

from shotline.adapters.intake_files import neutralise_formula, read_intake_file
from shotline.domain.errors import IntakeFileError, ShotlineError
from shotline.domain.intake.fields import PRIORITIES
from shotline.domain.intake.model import IntakeResult, IntakeTable, RawRow, RejectedLine
from shotline.domain.policy import COMPLEXITY_CLASSES, Policy
from shotline.entrypoints.api.deps import NowDep, UowDep
from shotline.entrypoints.web.render import INTAKE_ROLES, page, redirect
from shotline.entrypoints.web.session import CsrfDep, WebUser, requires
from shotline.services import intake, requests
from shotline.services.policies import load_active_policy

router = APIRouter(include_in_schema=False)
IntakeUser = Annotated[WebUser, Depends(requires(*INTAKE_ROLES, staff=True))]
LIST_CHOICES = ("views", "channels")
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
_NAME_MAX = 200


def _specific(policy: Policy, category: str | None, path: str | None) -> list[dict[str, Any]]:
    """The extra fields the chosen category and production path ask for, required first."""
    names: dict[str, bool] = {}
    for spec in (policy.categories.get(category or ""), policy.production_paths.get(path or "")):
        if spec is None:
            continue
        for name in spec.required_fields:
            names[name] = True
        for name in spec.optional_fields:
            names.setdefault(name, False)
    out = []
    for name, required in sorted(names.items(), key=lambda kv: not kv[1]):
        field = policy.fields.get(name)
        if field is None:
            continue
        out.append({"name": name, "spec": field, "required": required})
    return out


def _context(
    policy: Policy,
    values: dict[str, Any],
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    category = values.get("category") or None
    path = values.get("production_path") or None
    shot_list = list(policy.categories[category].shot_list) if category in policy.categories else []
    return {
        "policy": policy,
        "values": values,
        "errors": errors,
        "required": set(policy.intake.required),
        "categories": policy.categories,
        "paths": policy.production_paths,
        "channels": policy.channels,
        "priorities": PRIORITIES,
        "complexities": COMPLEXITY_CLASSES,
        "shot_list": shot_list,
        "specific": _specific(policy, category, path),
    }


@router.get("/intake")
def intake_page(request: Request, user: IntakeUser, uow: UowDep) -> Response:
    """The intake form and the spreadsheet upload."""
    policy = load_active_policy(uow, user.actor.workspace_id).policy
    recent = requests.list_requests(uow, user.actor)[:10]
    return page(request, "intake.html", recent=recent, **_context(policy, {}, {}))


@router.get("/intake/fields")
def intake_fields(
    request: Request,
    user: IntakeUser,
    uow: UowDep,
    category: str = "",
    production_path: str = "",
) -> Response:
    """The category- and path-specific part of the form (htmx swaps it in on change)."""
    policy = load_active_policy(uow, user.actor.workspace_id).policy
    values = {"category": category, "production_path": production_path}
    return page(request, "_intake_fields.html", **_context(policy, values, {}))


def _form_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in form:
        if key in ("csrf_token", "refresh"):
            continue
        if key in LIST_CHOICES:
            values[key] = [v for v in form.getlist(key) if isinstance(v, str) and v]
        else:
            value = form.get(key)
            values[key] = value.strip() if isinstance(value, str) else ""
    return values


@router.post("/intake/refresh", dependencies=[CsrfDep])
async def refresh_form(request: Request, user: IntakeUser, uow: UowDep) -> Response:
    """Without JavaScript: the form again, with the fields of the category just chosen."""
    policy = load_active_policy(uow, user.actor.workspace_id).policy
    values = _form_values(await request.form())
    recent = requests.list_requests(uow, user.actor)[:10]
    return page(request, "intake.html", recent=recent, **_context(policy, values, {}))


def _form_table(user: WebUser, values: dict[str, Any], now: dt.datetime) -> IntakeTable:
    """The form as a one-row intake table. Its checksum covers who sent what, so sending the
    same form twice (a double click) stores one request."""
    cells = {k: "|".join(v) if isinstance(v, list) else v for k, v in values.items()}
    cells = {k: v for k, v in cells.items() if v}
    digest = hashlib.sha256(
        json.dumps({"user": user.username, "cells": cells}, sort_keys=True).encode()
    ).hexdigest()
    source = f"web form by {user.username} at {now:%Y-%m-%d %H:%M}"
    return IntakeTable(source, digest, tuple(cells), (RawRow(2, cells),))


def _errors_by_field(line: RejectedLine) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for error in line.errors:
        by_field.setdefault(error.field, []).append(error.message)
    return by_field


@router.post("/intake", dependencies=[CsrfDep])
async def submit_form(request: Request, user: IntakeUser, uow: UowDep, now: NowDep) -> Response:
    """Validate the form; with any error show it again, every message next to its field;
    otherwise store the request and its assets."""
    policy = load_active_policy(uow, user.actor.workspace_id).policy
    values = _form_values(await request.form())
    table = _form_table(user, values, now)
    checked = intake.validate_with_workspace(uow, user.actor.workspace_id, table, now)
    if checked.rejected:
        errors = _errors_by_field(checked.rejected[0])
        context = _context(policy, values, errors)
        # Errors on fields the form has no input for still show, at the top.
        shown = {"sku", "product_name", "category", "colorways", "views", "channels"}
        shown |= {"deadline", "priority", "creative_reference", "approval_owner"}
        shown |= {"production_path", "complexity"} | {f["name"] for f in context["specific"]}
        other = [m for name, messages in errors.items() if name not in shown for m in messages]
        recent = requests.list_requests(uow, user.actor)[:10]
        return page(
            request, "intake.html", status_code=422, recent=recent, other_errors=other, **context
        )
    outcome = intake.import_intake(uow, user.actor, table, now)
    if not outcome.created:
        return redirect(
            request, "/intake", flash=f"Already submitted as request {outcome.request_id}."
        )
    return redirect(
        request,
        "/intake",
        flash=f"Request {outcome.request_id} stored: {outcome.assets} asset(s) routed "
        f"({outcome.accepted} line accepted).",
    )


def _upload_name(upload: UploadFile) -> str:
    name = PureWindowsPath(upload.filename or "").name.replace("\x00", "")
    return name[-_NAME_MAX:] if name not in ("", ".", "..") else "upload"


def _read_upload(upload: UploadFile) -> IntakeTable:
    with tempfile.TemporaryDirectory(prefix="shotline-intake-") as folder:
        path = Path(folder) / _upload_name(upload)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
            if out.tell() > MAX_UPLOAD_BYTES:
                raise IntakeFileError(f"{path.name} is larger than {MAX_UPLOAD_BYTES >> 20} MiB")
        return read_intake_file(path)


def _error_rows(result: IntakeResult) -> list[dict[str, Any]]:
    return [
        {"row": line.row, "sku": line.sku, "field": e.field, "message": e.message}
        for line in result.rejected
        for e in line.errors
    ]


@router.post("/intake/upload", dependencies=[CsrfDep])
def upload_sheet(
    request: Request,
    user: IntakeUser,
    uow: UowDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
    action: Annotated[str, Form()] = "validate",
) -> Response:
    """Validate a spreadsheet (nothing stored) or import it (accepted lines become assets,
    rejected lines wait as needs_info); either way show the per-row error table."""
    policy = load_active_policy(uow, user.actor.workspace_id).policy
    recent = requests.list_requests(uow, user.actor)[:10]
    base = _context(policy, {}, {})
    try:
        table = _read_upload(file)
    except ShotlineError as exc:
        return page(
            request, "intake.html", status_code=400, recent=recent, upload_error=str(exc), **base
        )
    outcome = None
    if action == "import":
        outcome = intake.import_intake(uow, user.actor, table, now)
        result = outcome.validation
        if result is None:  # imported before: show the stored request's lines instead
            result = intake.validate_with_workspace(uow, user.actor.workspace_id, table, now)
    else:
        result = intake.validate_with_workspace(uow, user.actor.workspace_id, table, now)
    recent = requests.list_requests(uow, user.actor)[:10]
    return page(
        request,
        "intake.html",
        recent=recent,
        sheet=table.source,
        result=result,
        outcome=outcome,
        error_rows=_error_rows(result),
        **base,
    )


def _csv(rows: list[dict[str, Any]], name: str) -> Response:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["row", "sku", "field", "message"])
    for r in rows:
        cells = [str(r["row"]), r["sku"], r["field"], r["message"]]
        writer.writerow([neutralise_formula(c) for c in cells])
    # UTF-8 with BOM, so Excel opens accented names correctly.
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/intake/errors.csv", dependencies=[CsrfDep])
def errors_csv(
    user: IntakeUser,
    uow: UowDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    """The per-row errors of a spreadsheet as CSV (row, sku, field, message)."""
    table = _read_upload(file)
    result = intake.validate_with_workspace(uow, user.actor.workspace_id, table, now)
    stem = Path(table.source).stem or "intake"
    return _csv(_error_rows(result), f"{stem}-errors.csv")


@router.get("/requests/{request_id}/errors.csv")
def request_errors_csv(request_id: int, user: IntakeUser, uow: UowDep) -> Response:
    """The rejected lines of a stored request, with every reason, as CSV."""
    lines = requests.request_lines(uow, user.actor, request_id)
    rows = [
        {
            "row": line.row,
            "sku": line.sku,
            "field": e.get("field", ""),
            "message": e.get("message", ""),
        }
        for line in lines
        if line.status == "rejected"
        for e in line.errors
    ]
    return _csv(rows, f"request-{request_id}-errors.csv")
