"""The asset store's rules for versions: what a file must be to be stored (probed, named
safely, of a type its kind accepts), its stages, and which version is an asset's approved
final.

Upload (services/production.py) calls `inspect_upload` before anything is stored; approval
(services/review.py) calls `promote_final`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from shotline.adapters.db.models import Asset, Delivery, Event, Version
from shotline.adapters.imaging.source import ImageInfo, ImageRefused, probe
from shotline.domain import naming
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound, ShotlineError
from shotline.domain.lifecycle import AssetState
from shotline.domain.policy import Policy
from shotline.services.assets import AssetKey, find_asset
from shotline.services.unit_of_work import UnitOfWork

# Formats every kind of version may be; camera RAW and HEIC only as captures.
EVERYWHERE = frozenset({"jpeg", "png", "tiff", "webp"})
CAPTURE_ONLY = frozenset({"raw", "heic", "heif"})
# Stages a person may choose on upload; `final` and `archive` are given by approval.
UPLOAD_STAGES = ("raw", "select", "wip")
FINAL, ARCHIVE = "final", "archive"
# States in which an asset has an approved version (its current version).
APPROVED_STATES = frozenset({AssetState.APPROVED, AssetState.DELIVERED, AssetState.LIVE})


@dataclass(frozen=True)
class FileFacts:
    """What a version records about its file, probed before it is stored."""

    info: ImageInfo
    original_name: str

    def columns(self) -> dict[str, Any]:
        """The version columns these facts fill."""
        icc = self.info.icc_description
        return {
            "format": self.info.format,
            "width": self.info.width,
            "height": self.info.height,
            "bit_depth": self.info.bit_depth,
            "icc_description": icc[:200] if icc else None,
        }


def check_name(name: str) -> str:
    """The file name as given, unless it could point anywhere but at one file in one folder:
    path separators, `..`, control characters and empty names are refused."""
    if not name or name in (".", ".."):
        raise ShotlineError(f"file name {name!r} is empty")
    if "/" in name or "\\" in name:
        raise ShotlineError(f"file name {name!r} contains a path separator; send the file alone")
    if ".." in name:
        raise ShotlineError(f"file name {name!r} contains '..'")
    if any(ord(c) < 32 for c in name):
        raise ShotlineError(f"file name {name!r} contains a control character")
    if len(name) > 255:
        raise ShotlineError(f"file name {name[:40]!r}... is longer than 255 characters")
    return name


def inspect_upload(policy: Policy, kind: str, path: Path, name: str) -> FileFacts:
    """Probe a file about to become a version: its name is safe, every pixel decodes, it is
    within the policy's pixel limit, and its type suits the version's kind. Raises a
    `ShotlineError` naming the file and the problem; nothing has been stored then."""
    check_name(name)
    if not path.is_file():
        raise ShotlineError(f"file not found: {name}")
    try:
        info = probe(path, max_pixels=policy.assets.max_pixels)
    except ImageRefused as exc:
        # Refusals name the path on disk; the person knows the file by its own name.
        raise ImageRefused(name, exc.reason) from None
    if info.format in CAPTURE_ONLY and kind != "capture":
        raise ImageRefused(
            name,
            f"{info.format.upper()} files are accepted as captures only; a {kind} version "
            "must be JPEG, PNG, TIFF or WebP",
        )
    if info.format not in EVERYWHERE | CAPTURE_ONLY:
        raise ImageRefused(name, f"unsupported image type {info.format}")
    return FileFacts(info, name)


def stored_name_for(
    policy: Policy, asset: Asset, number: int, image_format: str, original_name: str
) -> str | None:
    """The name the naming template gives version `number` of `asset` (None when the
    template cannot name it; the version then goes by its original name). A camera RAW
    keeps its own extension (.cr3, .nef, .dng...): "raw" names no file type."""
    ext = Path(original_name).suffix.lstrip(".").lower() if image_format == "raw" else image_format
    try:
        return naming.stored_name(
            policy,
            sku=asset.sku,
            colorway=asset.colorway,
            view=asset.view,
            version=number,
            ext=ext or image_format,
        )
    except ShotlineError:
        return None


def provenance(
    facts: FileFacts, kind: str, ai_workflow: str | None, device: str | None = None
) -> dict[str, Any]:
    """Where a version came from: its source file, and the capture device or AI workflow."""
    record: dict[str, Any] = {"source_file": facts.original_name, "kind": kind}
    if device:
        record["capture_device"] = device
    if ai_workflow:
        record["ai_workflow"] = ai_workflow
    return record


def promote_final(uow: UnitOfWork, asset: Asset, version: Version) -> list[int]:
    """On approval: the approved version becomes the asset's one `final`, and every other
    version moves to `archive` (kept, never deleted). Returns the numbers archived now."""
    others = uow.session.scalars(
        select(Version).where(
            Version.asset_id == asset.id, Version.id != version.id, Version.stage != ARCHIVE
        )
    )
    archived = []
    for other in others:
        other.stage = ARCHIVE
        archived.append(other.number)
    version.stage = FINAL
    return sorted(archived)


@dataclass(frozen=True)
class FinalView:
    """An asset's approved final, and where it was delivered."""

    sku: str
    colorway: str
    view: str
    asset_state: str
    version: int
    version_id: int
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


def approved_final(uow: UnitOfWork, actor: Actor, key: AssetKey) -> FinalView:
    """The one approved final of an asset ("teams can quickly identify the approved final
    asset"), with the file last delivered to each channel. NotFound when none is approved."""
    asset = find_asset(uow, actor, key)
    version = uow.session.scalars(
        select(Version).where(Version.asset_id == asset.id, Version.stage == FINAL)
    ).first()
    if version is None:
        raise NotFound(f"{key} has no approved final yet (the asset is {asset.state})")
    deliveries = uow.session.execute(
        select(Delivery.channel, Delivery.file_name)
        .where(Delivery.asset_id == asset.id)
        .order_by(Delivery.id)
    )
    approved_at = uow.session.scalar(
        select(Event.at)
        .where(Event.asset_id == asset.id, Event.kind == "approved")
        .order_by(Event.id.desc())
        .limit(1)
    )
    return FinalView(
        asset.sku,
        asset.colorway,
        asset.view,
        asset.state,
        version.number,
        version.id,
        version.kind,
        version.sha256,
        version.original_name,
        version.stored_name,
        version.format,
        version.width,
        version.height,
        version.ai_workflow,
        approved_at,
        {channel: file for channel, file in deliveries},
    )
