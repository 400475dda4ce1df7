"""Intake spreadsheets (CSV, XLSX) uploaded as multipart: validate, or import a request."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PureWindowsPath
from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile, status

from shotline.adapters.intake_files import read_intake_file
from shotline.domain.intake.model import IntakeTable
from shotline.entrypoints.api.deps import ActorDep, NowDep, UowDep
from shotline.entrypoints.api.schemas.intake import ImportOut, IntakeDocument
from shotline.services.intake import import_intake, validate_with_workspace

# Intake spreadsheets run to thousands of rows; anything far larger is a mistake, refused
# (413) while it streams in rather than after it has filled the disk.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
router = APIRouter(tags=["intake"], max_body_size=MAX_UPLOAD_BYTES)

_NAME_MAX = 200
Upload = Annotated[UploadFile, File(description="The intake file, .csv or .xlsx")]


def _file_name(upload: UploadFile) -> str:
    # Browsers on Windows may send a full path; only the last part names the file.
    name = PureWindowsPath(upload.filename or "").name.replace("\x00", "")
    return name[-_NAME_MAX:] if name not in ("", ".", "..") else "upload"


@contextmanager
def _saved(upload: UploadFile) -> Iterator[Path]:
    """The upload on disk under its own name, which the request keeps as its source, in a
    temporary folder that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="shotline-intake-") as folder:
        path = Path(folder) / _file_name(upload)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        yield path


def _table(upload: UploadFile) -> IntakeTable:
    with _saved(upload) as path:
        return read_intake_file(path)


@router.post("/intake/validate")
def validate(uow: UowDep, actor: ActorDep, now: NowDep, file: Upload) -> IntakeDocument:
    """Check a file against the workspace's policy and open work. Stores nothing; rejected
    rows come back with every reason (the document of `shotline intake validate --json`)."""
    result = validate_with_workspace(uow, actor.workspace_id, _table(file), now)
    return IntakeDocument.of(result)


@router.post(
    "/intake",
    status_code=status.HTTP_201_CREATED,
    responses={status.HTTP_200_OK: {"model": ImportOut, "description": "Imported before"}},
)
def import_file(
    uow: UowDep, actor: ActorDep, now: NowDep, file: Upload, response: Response
) -> ImportOut:
    """Store a request: accepted lines become assets, rejected lines wait as needs_info.
    The same file again creates nothing and answers 200 with the first import's request."""
    outcome = import_intake(uow, actor, _table(file), now)
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    validation = IntakeDocument.of(outcome.validation) if outcome.validation else None
    return ImportOut(
        request_id=outcome.request_id,
        created=outcome.created,
        state=outcome.state,
        accepted=outcome.accepted,
        rejected=outcome.rejected,
        assets=outcome.assets,
        validation=validation,
    )
