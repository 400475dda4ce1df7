"""The asset page: details, versions, viewer and compare, automated checks, the gate
checklist, upload, submit and deliver, and the history; plus the files of its versions.

Every route reads through services/asset_page.py (workspace and vendor fence) and acts through
the same services as the CLI and API. A refused action shows the page again with the reason
next to the form that caused it.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import FileResponse, Response

from shotline.adapters.db.models import Asset, Version
from shotline.adapters.imaging.preview import PREVIEW_SIZES, make_preview
from shotline.domain.access import Actor
from shotline.domain.errors import Conflict, NotFound, ShotlineError
from shotline.domain.policy import Policy
from shotline.domain.review import Annotation, ItemAnswer, answers_from_defects
from shotline.entrypoints.api.deps import AppDep, NowDep, UowDep
from shotline.entrypoints.web.render import page, redirect
from shotline.entrypoints.web.session import CsrfDep, WebUserDep
from shotline.services import production, review
from shotline.services.asset_page import (
    AssetDetail,
    asset_detail,
    check_overlay,
    key_of,
    version_file,
    visible_asset,
)
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

# Masters (TIFF, RAW) run to a few hundred megabytes; larger is a mistake, refused as it
# streams in rather than after it has filled the disk.
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024
router = APIRouter(include_in_schema=False, max_body_size=MAX_UPLOAD_BYTES)
_NAME_MAX = 200
_MAX_ANNOTATIONS = 50
_NOTE_MAX = 500
# Previews are content-addressed (blob sha256 + size): they never change.
_IMMUTABLE = {"Cache-Control": "private, max-age=31536000, immutable"}


async def form_data(request: Request) -> AsyncIterator[FormData]:
    """The posted form, read once (repeated fields such as defect codes stay lists); its
    uploaded files are closed when the response is done."""
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(form_data)]


class FormProblem(ShotlineError):
    """A form field that cannot be read as what it should be."""


@router.get("/assets/{asset_id}")
def asset_page(
    request: Request, uow: UowDep, user: WebUserDep, asset_id: int, v: int | None = None
) -> Response:
    """The asset page, showing version `v` (default: the one under review, or the newest)."""
    return _render(request, uow, user.actor, asset_id, version=v)


def _render(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    asset_id: int,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    answers: dict[str, Any] | None = None,
    version: int | None = None,
) -> Response:
    detail = asset_detail(uow, actor, asset_id)
    return page(
        request,
        "asset.html",
        status_code=status_code,
        **asset_context(detail, version),
        errors=errors or {},
        answers=answers or {},
        decision_action=f"/assets/{asset_id}/decision",
        review_name=None,
    )


def asset_context(detail: AssetDetail, version: int | None = None) -> dict[str, Any]:
    """What the asset templates need besides the detail: the version shown in the viewer and
    the sources the compare panel offers (every version, and the reference swatch)."""
    shown = next((v for v in detail.versions if v.number == version), detail.current_version)
    if version is not None and (shown is None or shown.number != version):
        raise NotFound(f"{detail.key} has no version {version}")
    sources: list[dict[str, str]] = [
        {
            "id": f"v{v.number}",
            "label": f"v{v.number} {v.kind}" + (" (current)" if v.is_current else ""),
            "preview": f"/assets/{detail.id}/versions/{v.number}/preview?size=1600",
        }
        for v in detail.versions
    ]
    if detail.swatch:
        sources.append(
            {"id": "swatch", "label": f"reference swatch {detail.swatch}", "color": detail.swatch}
        )
    return {"asset": detail, "shown": shown, "compare_sources": sources}


@router.get("/assets/{asset_id}/versions/{number}/file")
def download_version(uow: UowDep, user: WebUserDep, asset_id: int, number: int) -> Response:
    """The version's original file, as uploaded."""
    found = version_file(uow, user.actor, asset_id, number)
    media = mimetypes.guess_type(found.original_name)[0] or "application/octet-stream"
    return FileResponse(
        found.path,
        media_type=media,
        filename=found.original_name,
        content_disposition_type="attachment",
        headers=_IMMUTABLE,
    )


@router.get("/assets/{asset_id}/versions/{number}/preview")
def preview_version(
    app: AppDep,
    uow: UowDep,
    user: WebUserDep,
    asset_id: int,
    number: int,
    size: Annotated[int, Query(description="long side; 0 for full resolution")] = 1600,
) -> Response:
    """An sRGB JPEG of the version for the browser: downscaled to fit, or (size 0) full
    resolution for the 100% loupe. Made once, then served from the cache."""
    if size not in PREVIEW_SIZES:
        raise FormProblem(f"preview size must be one of {', '.join(map(str, PREVIEW_SIZES))}")
    found = version_file(uow, user.actor, asset_id, number)
    cache = app.settings.home / "previews"
    path = make_preview(found.path, found.original_name, found.sha256, size, cache)
    return FileResponse(path, media_type="image/jpeg", headers=_IMMUTABLE)


@router.get("/assets/{asset_id}/versions/{number}/checks/{check}/overlay")
def check_overlay_image(
    uow: UowDep, user: WebUserDep, asset_id: int, number: int, check: str
) -> Response:
    """The overlay (mask or heatmap) an automated check made for the version."""
    found = check_overlay(uow, user.actor, asset_id, number, check)
    return FileResponse(found.path, media_type="image/png", headers=_IMMUTABLE)


@router.post("/assets/{asset_id}/decision", dependencies=[CsrfDep])
def decide(
    request: Request,
    uow: UowDep,
    now: NowDep,
    user: WebUserDep,
    form: FormDep,
    asset_id: int,
) -> Response:
    """Record the gate decision from the checklist form, then show the asset again."""
    asset = visible_asset(uow, user.actor, asset_id)
    try:
        gate, result = decide_from_form(uow, user.actor, asset, form, now)
    except ShotlineError as exc:
        uow.session.rollback()
        return _render(
            request,
            uow,
            user.actor,
            asset_id,
            status_code=_status(exc),
            errors={"decision": str(exc)},
            answers=answers_echo(form),
        )
    return redirect(request, f"/assets/{asset_id}", outcome_message(gate, result))


@router.post("/assets/{asset_id}/versions", dependencies=[CsrfDep])
def upload(
    request: Request,
    uow: UowDep,
    now: NowDep,
    user: WebUserDep,
    form: FormDep,
    asset_id: int,
) -> Response:
    """Add the uploaded file as a new version (and submit it for review when ticked)."""
    asset = visible_asset(uow, user.actor, asset_id)
    key = key_of(asset)
    try:
        upload_file = form.get("file")
        if not isinstance(upload_file, UploadFile) or not upload_file.filename:
            raise FormProblem("choose a file to upload")
        kind = _text(form, "kind") or "retouch"
        workflow = _text(form, "ai_workflow") or None
        submit = _text(form, "submit") in ("1", "on", "yes", "true")
        with _saved(upload_file) as path:
            made = production.upload_version(
                uow,
                user.actor,
                key,
                production.Upload(path, kind, ai_workflow=workflow, original_name=path.name),
                now,
                submit=submit,
            )
    except ShotlineError as exc:
        uow.session.rollback()
        return _render(
            request,
            uow,
            user.actor,
            asset_id,
            status_code=_status(exc),
            errors={"upload": str(exc)},
        )
    message = f"version {made.number} uploaded" + (
        f"; in review at {made.gate}" if made.gate and made.asset_state == "in_review" else ""
    )
    return redirect(request, f"/assets/{asset_id}", message)


@router.post("/assets/{asset_id}/submit", dependencies=[CsrfDep])
def submit(request: Request, uow: UowDep, now: NowDep, user: WebUserDep, asset_id: int) -> Response:
    """Put the newest version in review at the track's first gate."""
    asset = visible_asset(uow, user.actor, asset_id)
    try:
        made = production.submit_version(uow, user.actor, key_of(asset), now)
    except ShotlineError as exc:
        uow.session.rollback()
        return _render(
            request,
            uow,
            user.actor,
            asset_id,
            status_code=_status(exc),
            errors={"submit": str(exc)},
        )
    message = f"version {made.number} submitted; in review at {made.gate}"
    return redirect(request, f"/assets/{asset_id}", message)


@router.post("/assets/{asset_id}/deliver", dependencies=[CsrfDep])
def deliver(
    request: Request,
    uow: UowDep,
    now: NowDep,
    user: WebUserDep,
    form: FormDep,
    asset_id: int,
) -> Response:
    """Deliver the approved version to the chosen channels."""
    asset = visible_asset(uow, user.actor, asset_id)
    channels = [c for c in form.getlist("channels") if isinstance(c, str) and c]
    try:
        production.deliver(uow, user.actor, key_of(asset), channels, now)
    except ShotlineError as exc:
        uow.session.rollback()
        return _render(
            request,
            uow,
            user.actor,
            asset_id,
            status_code=_status(exc),
            errors={"deliver": str(exc)},
        )
    return redirect(request, f"/assets/{asset_id}", f"delivered to {', '.join(channels)}")


def decide_from_form(
    uow: UnitOfWork, actor: Actor, asset: Asset, form: FormData, now: dt.datetime
) -> tuple[str, review.DecisionResult]:
    """Decide the asset's gate from the checklist form; returns the gate and the result.
    The form names the version it was shown: a decision never lands on a version the
    reviewer did not see (a newer one submitted meanwhile)."""
    shown = _text(form, "version")
    if shown and asset.current_version_id is not None:
        current = uow.session.get(Version, asset.current_version_id)
        if current is not None and str(current.number) != shown:
            raise Conflict(
                f"version {current.number} was submitted since you opened version {shown}; "
                "look at it first"
            )
    policy = load_active_policy(uow, actor.workspace_id).policy
    decision = decision_from_form(form, policy)
    return decision.gate, review.decide_gate(uow, actor, key_of(asset), decision, now)


def decision_from_form(form: FormData, policy: Policy) -> review.Decision:
    """A gate decision from the checklist form: `gate`, `item.<code>` = pass or fail,
    `defects.<code>` (repeated), `comment`, `override_reason`, and the regions either as
    `annotations` (JSON drawn by the viewer) or as `regions` lines `x,y,w,h[,note]`.

    Two shortcuts (buttons, and keys in review mode): `verdict=pass_all` passes every item;
    `verdict=fail_defect` fails with the defect codes of `quick_defects`, each on the item
    of the same code or else the first item (as imported history does)."""
    gate = _text(form, "gate")
    spec = policy.gates.get(gate)
    if spec is None:
        raise FormProblem(f"the form names no known gate ({gate or 'none'})")
    verdict = _text(form, "verdict")
    if verdict == "pass_all":
        answers = [ItemAnswer(item.code, True) for item in spec.checklist]
    elif verdict == "fail_defect":
        defects = [d for d in form.getlist("quick_defects") if isinstance(d, str) and d]
        if not defects:
            raise FormProblem("choose the defect code the image fails on")
        answers = answers_from_defects(policy, gate, defects)
    else:
        answers = _item_answers(form)
    annotations = parse_annotations(_text(form, "annotations"), _text(form, "regions"))
    return review.Decision(
        gate=gate,
        answers=answers,
        comment=_text(form, "comment")[:4000],
        annotations=annotations,
        override_reason=_text(form, "override_reason") or None,
    )


def _item_answers(form: FormData) -> list[ItemAnswer]:
    answers: list[ItemAnswer] = []
    for name, value in form.multi_items():
        if not name.startswith("item.") or not isinstance(value, str):
            continue
        item = name.removeprefix("item.")
        if value not in ("pass", "fail"):
            raise FormProblem(f"checklist item {item!r}: answer pass or fail")
        defects = tuple(
            d for d in form.getlist(f"defects.{item}") if isinstance(d, str) and d.strip()
        )
        passed = value == "pass"
        # A defect picked on an item later marked pass is a leftover, not an answer.
        answers.append(ItemAnswer(item, passed, () if passed else defects))
    return answers


def parse_annotations(drawn: str, typed: str) -> tuple[Annotation, ...]:
    """Regions from the viewer's JSON and from typed lines, in pixels of the version."""
    found: list[Annotation] = []
    if drawn.strip():
        try:
            items = json.loads(drawn)
        except json.JSONDecodeError:
            raise FormProblem("the drawn regions could not be read; draw them again") from None
        if not isinstance(items, list):
            raise FormProblem("the drawn regions could not be read; draw them again")
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise FormProblem(f"drawn region {n} could not be read")
            found.append(
                _region(
                    f"drawn region {n}",
                    [item.get(k) for k in ("x", "y", "w", "h")],
                    str(item.get("note", "")),
                )
            )
    for n, line in enumerate(typed.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",", 4)]
        if len(parts) < 4:
            raise FormProblem(f"region line {n}: expected x,y,w,h[,note], got {line.strip()!r}")
        found.append(_region(f"region line {n}", parts[:4], parts[4] if len(parts) > 4 else ""))
    if len(found) > _MAX_ANNOTATIONS:
        raise FormProblem(f"at most {_MAX_ANNOTATIONS} regions per decision")
    return tuple(found)


def _region(where: str, values: list[Any], note: str) -> Annotation:
    try:
        x, y, w, h = (float(v) for v in values)
    except (TypeError, ValueError):
        raise FormProblem(f"{where}: x, y, w and h must be numbers") from None
    if min(x, y) < 0 or w <= 0 or h <= 0:
        raise FormProblem(f"{where}: x and y must be 0 or more, w and h more than 0")
    return Annotation(round(x, 1), round(y, 1), round(w, 1), round(h, 1), note.strip()[:_NOTE_MAX])


def answers_echo(form: FormData) -> dict[str, Any]:
    """What the reviewer had ticked, so a refused decision comes back as they left it."""
    echo: dict[str, Any] = {"comment": _text(form, "comment"), "regions": _text(form, "regions")}
    echo["annotations"] = _text(form, "annotations")
    echo["override_reason"] = _text(form, "override_reason")
    for name, value in form.multi_items():
        if name.startswith("item.") and isinstance(value, str):
            echo[name] = value
        elif name.startswith("defects.") and isinstance(value, str):
            echo.setdefault(name, []).append(value)
    return echo


def outcome_message(gate: str, result: review.DecisionResult) -> str:
    """One line saying what the decision did."""
    if result.passed:
        if result.next_gate:
            return f"{gate} passed; now waiting at {result.next_gate}"
        return f"{gate} passed; the asset is {result.asset_state}"
    return (
        f"{gate} failed ({', '.join(result.defects)}); sent back for {result.route}, "
        f"round {result.rework_rounds}"
    )


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _status(exc: ShotlineError) -> int:
    from shotline.entrypoints.api.errors import status_for

    return status_for(exc)


def _file_name(upload: UploadFile) -> str:
    # Browsers on Windows may send a full path; only the last part names the file.
    name = PureWindowsPath(upload.filename or "").name.replace("\x00", "").replace("/", "_")
    return name[-_NAME_MAX:] if name not in ("", ".", "..") else "upload"


@contextmanager
def _saved(upload: UploadFile) -> Iterator[Path]:
    """The upload on disk under its own name (kept as the version's original name), in a
    temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="shotline-upload-") as folder:
        path = Path(folder) / _file_name(upload)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        yield path
