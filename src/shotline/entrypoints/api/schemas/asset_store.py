"""The asset store over HTTP: folder uploads, approved finals, expiring rights."""

from __future__ import annotations

import datetime as dt

from shotline.entrypoints.api.schemas.common import View


class StoredFileOut(View):
    """A file stored as a new version of the asset its name points at."""

    file: str
    sku: str
    colorway: str
    view: str
    version: int
    stored_name: str | None
    renamed: bool


class RefusedFileOut(View):
    """A file not stored, and why."""

    file: str
    reason: str


class UploadReportOut(View):
    """What a folder upload stored and refused; nothing refused was stored."""

    stored: list[StoredFileOut]
    refused: list[RefusedFileOut]
    skipped: list[str]


class FinalOut(View):
    """An asset's one approved final, and the file each channel received."""

    sku: str
    colorway: str
    view: str
    asset_state: str
    version: int
    kind: str
    sha256: str
    original_name: str
    stored_name: str | None
    format: str | None
    width: int | None
    height: int | None
    ai_workflow: str | None
    approved_at: dt.datetime | None
    channels: dict[str, str]


class RightsOut(View):
    """Usage rights of an asset (version None) or of one version."""

    sku: str
    colorway: str
    view: str
    version: int | None
    licence: str
    territory: str
    model_release: str | None
    expires_at: dt.datetime | None
    creator: str | None
    copyright: str | None
    usage_terms: str
