"""The asset store: files uploaded as multipart and mapped to assets by name, the approved
final of an asset, and rights about to lapse."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from shotline.domain.errors import ShotlineError
from shotline.entrypoints.api.deps import ActorDep, AppDep, NowDep, StaffDep, UowDep
from shotline.entrypoints.api.schemas.asset_store import (
    FinalOut,
    RefusedFileOut,
    RightsOut,
    StoredFileOut,
    UploadReportOut,
)
from shotline.services import asset_store, folder_upload, rights
from shotline.services.assets import AssetKey

# Camera RAW masters run to 100+ MB each; a batch of them is refused (413) while it streams
# in if it would exceed this, rather than after it has filled the disk.
MAX_UPLOAD_BYTES = 8 * 1024**3
router = APIRouter(tags=["asset store"], max_body_size=MAX_UPLOAD_BYTES)

Files = Annotated[
    list[UploadFile], File(description="Image files (or one .zip), named by template")
]


def _unsafe(name: str) -> str | None:
    """Why an uploaded file's name cannot be used as given, or None."""
    try:
        asset_store.check_name(name)
    except ShotlineError as exc:
        return str(exc)
    return None


@router.post("/uploads")
def upload_files(
    app: AppDep,
    actor: ActorDep,
    now: NowDep,
    files: Files,
    kind: Annotated[str, Form(description="capture, retouch or ai")],
    stage: Annotated[str | None, Form()] = None,
    ai_workflow: Annotated[str | None, Form(description="name@version (AI only)")] = None,
    submit: Annotated[bool, Form()] = False,
) -> UploadReportOut:
    """Store each file as a new version of the asset its name points at (the same mapping
    as `shotline upload DIR`). Files whose names match no asset or several, break the
    naming rules, or are not acceptable images come back under `refused`, not stored."""
    options = folder_upload.FolderOptions(kind, stage, ai_workflow, submit)
    refused: list[RefusedFileOut] = []
    with tempfile.TemporaryDirectory(prefix="shotline-upload-") as folder:
        base = Path(folder) / "files"
        base.mkdir()
        zips = []
        for item in files:
            name = item.filename or ""
            problem = _unsafe(name)
            if problem is not None:
                refused.append(RefusedFileOut(file=name, reason=problem))
                continue
            target = base / name
            if target.exists():
                refused.append(RefusedFileOut(file=name, reason="sent twice in one upload"))
                continue
            with target.open("wb") as out:
                shutil.copyfileobj(item.file, out)
            if target.suffix.lower() == ".zip":
                zips.append(target.rename(Path(folder) / name))
        reports = [folder_upload.upload_folder(app.uow, actor, base, options, now)]
        reports += [folder_upload.upload_folder(app.uow, actor, z, options, now) for z in zips]
    return UploadReportOut(
        stored=[
            StoredFileOut(
                file=s.file,
                sku=s.key.sku,
                colorway=s.key.colorway,
                view=s.key.view,
                version=s.version,
                stored_name=s.stored_name,
                renamed=s.renamed,
            )
            for r in reports
            for s in r.stored
        ],
        refused=refused
        + [RefusedFileOut(file=x.file, reason=x.reason) for r in reports for x in r.refused],
        skipped=[name for r in reports for name in r.skipped],
    )


@router.get("/assets/{sku}/{colorway}/{view}/final")
def get_final(uow: UowDep, actor: ActorDep, sku: str, colorway: str, view: str) -> FinalOut:
    """The asset's one approved final (404 while none is approved), with the file each
    channel received."""
    return FinalOut.model_validate(
        asset_store.approved_final(uow, actor, AssetKey(sku, colorway, view))
    )


@router.get("/rights/expiring")
def get_expiring(
    uow: UowDep,
    actor: StaffDep,
    now: NowDep,
    days: Annotated[int, Query(ge=0, le=3650, description="Lapsing within this many days")] = 30,
) -> list[RightsOut]:
    """Rights that lapse within `days` (and those already lapsed), soonest first."""
    return [RightsOut.model_validate(v) for v in rights.expiring(uow, actor, now, days)]
