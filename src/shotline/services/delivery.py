"""Delivery packages: for an approved asset, one package per channel (a folder or a zip)
holding the channel's rendition, named by the channel's template, with embedded metadata
(SKU, colorway, view, creator, copyright, usage terms, and the IPTC digital source type and
AI workflow for AI-made or AI-assisted images) and a manifest in CSV and JSON.

Called by `production.deliver` (which moves the asset to delivered and records the event),
so a package is only ever written for a delivery that is recorded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from shotline.adapters.db.models import Asset, Delivery, Version, Workspace
from shotline.adapters.imaging.metadata import EmbeddedMetadata
from shotline.adapters.imaging.render import analyse, render
from shotline.domain.access import Actor
from shotline.domain.errors import ShotlineError
from shotline.domain.lifecycle import AssetState, IllegalTransition
from shotline.domain.naming import channel_file_name, slug
from shotline.domain.policy import Policy
from shotline.services.rights import RightsView
from shotline.services.unit_of_work import UnitOfWork

MANIFEST_FIELDS = (
    "file",
    "sku",
    "colorway",
    "view",
    "channel",
    "checksum",
    "version",
    "ai_label",
    "ai_workflow",
    "width",
    "height",
    "bytes",
)
_DELIVERABLE = frozenset({AssetState.APPROVED, AssetState.DELIVERED})
AI_LABELS = {"generated": "AI-generated", "assisted": "AI-assisted"}


@dataclass(frozen=True)
class ManifestRow:
    """One delivered file as the manifest lists it."""

    file: str
    sku: str
    colorway: str
    view: str
    channel: str
    checksum: str
    version: int
    ai_label: str
    ai_workflow: str
    width: int
    height: int
    bytes: int


@dataclass(frozen=True)
class Package:
    """A written package: where it is and what it holds."""

    channel: str
    path: Path
    rows: tuple[ManifestRow, ...]


def write_packages(
    uow: UnitOfWork,
    actor: Actor,
    policy: Policy,
    asset: Asset,
    channels: list[str],
    now: dt.datetime,
    out: Path,
    as_zip: bool,
    rights: RightsView | None,
) -> list[Package]:
    """Render the asset's approved version for each channel into its own package under
    `out`, and add a delivery row per channel to the unit of work. Each package appears
    whole or not at all (written under a temporary name, then renamed)."""
    if AssetState(asset.state) not in _DELIVERABLE or asset.current_version_id is None:
        raise IllegalTransition(
            f"{asset.sku} / {asset.colorway} / {asset.view} is {asset.state}, not approved; "
            "only an approved asset is delivered"
        )
    version = uow.session.get(Version, asset.current_version_id)
    assert version is not None
    source = uow.blobs.open_path(version.sha256)
    if not uow.blobs.exists(version.sha256):
        raise ShotlineError(
            f"the file of {asset.sku} / {asset.colorway} / {asset.view} version "
            f"{version.number} is missing from the store (run shotline fsck)"
        )
    source_type, workflow = _ai_origin(uow, version)
    metadata = _metadata(uow, asset, rights, source_type, workflow, now)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ShotlineError(f"cannot create {out}: {exc.strerror or exc}") from None
    analysis = analyse(source, max_pixels=policy.assets.max_pixels)
    index = _image_index(uow, asset)
    stem = f"{slug(asset.sku)}_{slug(asset.colorway)}_{slug(asset.view)}"
    packages = []
    for channel_name in channels:
        channel = policy.channels[channel_name]
        name = channel_file_name(
            policy,
            channel_name,
            sku=asset.sku,
            colorway=asset.colorway,
            view=asset.view,
            version=version.number,
            ext=channel.format,
            index=index,
        )
        package_name = f"{stem}_{channel_name}_{now:%Y%m%dT%H%M%S}"
        with tempfile.TemporaryDirectory(prefix=".package-", dir=out) as staging:
            rendition = render(
                source,
                channel_name,
                channel,
                Path(staging),
                name,
                metadata,
                analysis=analysis,
                max_pixels=policy.assets.max_pixels,
            )
            row = ManifestRow(
                name,
                asset.sku,
                asset.colorway,
                asset.view,
                channel_name,
                rendition.sha256,
                version.number,
                AI_LABELS.get(source_type or "", ""),
                workflow or "",
                rendition.width,
                rendition.height,
                rendition.bytes,
            )
            _write_manifests(Path(staging), [row])
            path = _publish(Path(staging), out, package_name, as_zip)
        uow.session.add(
            Delivery(
                workspace_id=actor.workspace_id,
                asset_id=asset.id,
                version_id=version.id,
                channel=channel_name,
                file_name=name,
                sha256=rendition.sha256,
                bytes=rendition.bytes,
                package=str(path),
                delivered_by_id=actor.user_id,
                delivered_at=now,
            )
        )
        packages.append(Package(channel_name, path, (row,)))
    return packages


def _ai_origin(uow: UnitOfWork, version: Version) -> tuple[str | None, str | None]:
    """`generated` for an AI version; `assisted` for one made from an AI version (its
    parent chain holds one); with the AI workflow that made it."""
    if version.kind == "ai":
        return "generated", version.ai_workflow
    parent_id = version.parent_id
    seen = 0
    while parent_id is not None and seen < 1000:
        parent = uow.session.get(Version, parent_id)
        if parent is None:
            break
        if parent.kind == "ai":
            return "assisted", parent.ai_workflow
        parent_id, seen = parent.parent_id, seen + 1
    return None, None


def _metadata(
    uow: UnitOfWork,
    asset: Asset,
    rights: RightsView | None,
    source_type: str | None,
    workflow: str | None,
    now: dt.datetime,
) -> EmbeddedMetadata:
    workspace = uow.session.get(Workspace, asset.workspace_id)
    owner = workspace.name if workspace is not None else ""
    terms = ""
    if rights is not None:
        terms = rights.usage_terms or f"{rights.licence}; territory {rights.territory}"
        if rights.expires_at is not None:
            terms += f"; until {rights.expires_at:%Y-%m-%d}"
    return EmbeddedMetadata(
        sku=asset.sku,
        colorway=asset.colorway,
        view=asset.view,
        creator=(rights.creator if rights else None) or owner or None,
        copyright=(rights.copyright if rights else None) or f"© {now.year} {owner}".strip(),
        usage_terms=terms or None,
        digital_source_type=source_type,
        ai_workflow=workflow if source_type else None,
    )


def _image_index(uow: UnitOfWork, asset: Asset) -> int:
    """The asset's 1-based place among the views of its SKU and colorway (Amazon's PT01..)."""
    ids = list(
        uow.session.scalars(
            select(Asset.id)
            .where(
                Asset.workspace_id == asset.workspace_id,
                Asset.sku == asset.sku,
                Asset.colorway == asset.colorway,
            )
            .order_by(Asset.id)
        )
    )
    return ids.index(asset.id) + 1 if asset.id in ids else 1


def _write_manifests(folder: Path, rows: list[ManifestRow]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(r) for r in rows)
    (folder / "manifest.csv").write_text(text.getvalue(), encoding="utf-8")
    document: list[dict[str, Any]] = [asdict(r) for r in rows]
    (folder / "manifest.json").write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _publish(staging: Path, out: Path, name: str, as_zip: bool) -> Path:
    """Move a finished package to its final name in one rename (a folder, or a zip)."""
    final = out / (f"{name}.zip" if as_zip else name)
    if final.exists():
        raise ShotlineError(f"{final} already exists; deliver into another folder")
    if as_zip:
        handle, tmp_name = tempfile.mkstemp(prefix=".package-", suffix=".zip", dir=out)
        os.close(handle)
        try:
            with zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_STORED) as zipped:
                for path in sorted(staging.iterdir()):
                    zipped.write(path, f"{name}/{path.name}")
            os.replace(tmp_name, final)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return final
    moved = out / f".package-{name}"
    shutil.copytree(staging, moved)
    os.replace(moved, final)
    return final
