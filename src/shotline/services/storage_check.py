"""`shotline fsck`: every version's file exists and matches its checksum; nothing is stored
that no version cites.

Blobs are shared by every workspace on one store, so the check covers the whole store and
needs the admin role.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from shotline.adapters.db.models import Asset, Event, Version, Workspace
from shotline.adapters.storage import BlobHealth, StrayFile
from shotline.domain.access import Actor, require_role
from shotline.domain.events import EventKind
from shotline.services.unit_of_work import UnitOfWork

# An orphan or leftover younger than this may belong to an upload still in flight (its file
# is written before its row commits), so `repair` leaves it alone.
REPAIR_GRACE = dt.timedelta(hours=1)
_BATCH = 5000


@dataclass(frozen=True)
class VersionProblem:
    """A version whose file is missing or no longer matches its checksum."""

    workspace: str
    sku: str
    colorway: str
    view: str
    version: int
    sha256: str
    problem: str

    def __str__(self) -> str:
        what = "file missing" if self.problem == BlobHealth.MISSING else "checksum mismatch"
        return (
            f"{self.workspace}: {self.sku} / {self.colorway} / {self.view} v{self.version}: "
            f"{what} (sha256 {self.sha256[:12]})"
        )


@dataclass(frozen=True)
class Orphan:
    """A stored blob no version cites."""

    sha256: str
    bytes: int
    modified: float


@dataclass
class StorageReport:
    """What fsck found."""

    versions: int = 0
    files: int = 0
    retention_deleted: int = 0
    problems: list[VersionProblem] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)
    strays: list[StrayFile] = field(default_factory=list)
    removed: int = 0

    @property
    def ok(self) -> bool:
        """No missing or corrupt file, no orphan, no leftover."""
        return not (self.problems or self.orphans or self.strays)


def check_storage(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, repair: bool = False
) -> StorageReport:
    """Re-hash every file a version cites (each distinct file once), then list blobs no
    version cites and leftovers of interrupted writes. Files the AI retention rule deleted
    on purpose are counted, not reported. With `repair`, orphans and leftovers older than
    an hour are removed (a missing or corrupt file cannot be repaired from here)."""
    require_role(actor, ("admin",), "check the file store")
    report = StorageReport()
    deleted = _deleted_by_retention(uow)
    health: dict[str, BlobHealth] = {}
    last_id = 0
    while True:
        rows = uow.session.execute(
            select(
                Version.id,
                Version.sha256,
                Version.number,
                Workspace.slug,
                Asset.sku,
                Asset.colorway,
                Asset.view,
            )
            .join(Asset, Asset.id == Version.asset_id)
            .join(Workspace, Workspace.id == Version.workspace_id)
            .where(Version.id > last_id)
            .order_by(Version.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        for version_id, sha, number, slug, sku, colorway, view in rows:
            report.versions += 1
            if sha not in health:
                health[sha] = uow.blobs.check(sha)
            state = health[sha]
            if state == BlobHealth.MISSING and version_id in deleted:
                report.retention_deleted += 1
            elif state != BlobHealth.OK:
                report.problems.append(
                    VersionProblem(slug, sku, colorway, view, number, sha, state.value)
                )
    report.files = len(health)
    for sha in uow.blobs.iter_blobs():
        if sha not in health:
            stat = uow.blobs.open_path(sha).stat()
            report.orphans.append(Orphan(sha, stat.st_size, stat.st_mtime))
    report.strays = sorted(uow.blobs.strays(), key=lambda s: s.name)
    report.orphans.sort(key=lambda o: o.sha256)
    if repair:
        _repair(uow, report, now)
    return report


def _deleted_by_retention(uow: UnitOfWork) -> set[int]:
    payloads = uow.session.scalars(
        select(Event.payload).where(Event.kind == EventKind.AI_FILES_DELETED.value)
    )
    return {int(i) for payload in payloads for i in payload.get("version_ids", [])}


def _repair(uow: UnitOfWork, report: StorageReport, now: dt.datetime) -> None:
    cutoff = (now - REPAIR_GRACE).timestamp()
    kept_orphans = []
    for orphan in report.orphans:
        # Cited since the scan began (an upload committed meanwhile)? Then it stays.
        cited = uow.session.scalar(select(Version.id).where(Version.sha256 == orphan.sha256))
        if orphan.modified < cutoff and cited is None:
            uow.blobs.delete(orphan.sha256)
            report.removed += 1
        else:
            kept_orphans.append(orphan)
    kept_strays = []
    for stray in report.strays:
        if stray.modified < cutoff:
            uow.blobs.remove_stray(stray.name)
            report.removed += 1
        else:
            kept_strays.append(stray)
    report.orphans, report.strays = kept_orphans, kept_strays
