"""Folder (or zip) upload: each file is mapped to its asset by name and stored as a new
version; a file that matches no asset, or several, is reported and not stored.

Names follow the policy's naming template (`naming.parse_name`). A name that does not is
refused, or, when the policy says `assets.nonconforming_names: rename`, matched by the
SKU, colorway and view words it contains and stored under the template's name (the
original name stays on the version). Each file is its own unit of work: one refusal never
undoes the files stored before it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import or_, select

from shotline.adapters.db.models import Asset, Team, Version
from shotline.domain.access import Actor
from shotline.domain.errors import ShotlineError
from shotline.domain.lifecycle import CLOSED_STATES
from shotline.domain.naming import parse_name, slug
from shotline.domain.policy import Policy
from shotline.services import production
from shotline.services.assets import AssetKey
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

# A zip whose contents would unpack past these is refused before anything is written.
MAX_ARCHIVE_FILES = 10_000
MAX_ARCHIVE_BYTES = 20 * 1024**3
_WORD = re.compile(r"[a-z0-9]+")


class ArchiveRefused(ShotlineError):
    """A zip archive that would write outside its folder, or is far too large."""


@dataclass(frozen=True)
class StoredFile:
    """A file stored as a new version."""

    file: str
    key: AssetKey
    version: int
    stored_name: str | None
    renamed: bool


@dataclass(frozen=True)
class RefusedFile:
    """A file not stored, and why."""

    file: str
    reason: str


@dataclass
class FolderReport:
    """What a folder upload stored and refused."""

    stored: list[StoredFile] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)
    # Hidden files (.DS_Store, ._ resource forks): listed, never stored, not an error.
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FolderOptions:
    """How each file is uploaded."""

    kind: str
    stage: str | None = None
    ai_workflow: str | None = None
    submit: bool = False


def upload_folder(
    new_uow: Callable[[], UnitOfWork],
    actor: Actor,
    source: Path,
    options: FolderOptions,
    now: dt.datetime,
) -> FolderReport:
    """Upload every file of a folder (sub-folders included; hidden files listed as skipped,
    symbolic links refused) or of a zip archive. `new_uow` opens one unit of work per
    file."""
    with _files_of(source) as files:
        with new_uow() as uow:
            policy = load_active_policy(uow, actor.workspace_id).policy
            assets = _open_assets(uow, actor)
        report = FolderReport()
        for name, path, hidden in files:
            if hidden:
                report.skipped.append(name)
                continue
            if path.is_symlink():
                report.refused.append(RefusedFile(name, "a symbolic link; not followed"))
                continue
            try:
                key, renamed = _match(policy, assets, name)
                item = production.Upload(
                    path,
                    options.kind,
                    options.stage,
                    options.ai_workflow,
                    original_name=name,
                )
                with new_uow() as uow:
                    view = production.upload_version(uow, actor, key, item, now, options.submit)
                    stored = uow.session.get(Version, view.version_id)
                    stored_name = stored.stored_name if stored is not None else None
                report.stored.append(StoredFile(name, key, view.number, stored_name, renamed))
            except ShotlineError as exc:
                report.refused.append(RefusedFile(name, _reason(str(exc), name)))
    return report


def _reason(message: str, name: str) -> str:
    # Image refusals already start with the file name; the report names it once.
    return message.removeprefix(f"{name}: ")


@dataclass(frozen=True)
class _Candidate:
    key: AssetKey
    words: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    slugs: tuple[str, str, str]


def _open_assets(uow: UnitOfWork, actor: Actor) -> list[_Candidate]:
    """Every open asset the actor may see, as plain rows: one query per folder, not one
    per file (a vendor sees only the work assigned to it or its vendor)."""
    query = select(Asset.sku, Asset.colorway, Asset.view).where(
        Asset.workspace_id == actor.workspace_id,
        Asset.state.not_in([s.value for s in CLOSED_STATES]),
    )
    if actor.is_vendor:
        team = uow.session.scalar(
            select(Team.id).where(Team.workspace_id == actor.workspace_id, Team.name == actor.team)
        )
        query = query.where(
            or_(Asset.assignee_team_id == team, Asset.assignee_user_id == actor.user_id)
        )
    found = []
    for sku, colorway, view in uow.session.execute(query):
        parts = (sku, colorway, view)
        words = tuple(tuple(_WORD.findall(p.lower())) for p in parts)
        slugs = tuple(slug(p).casefold() for p in parts)
        found.append(_Candidate(AssetKey(*parts), words, slugs))  # type: ignore[arg-type]
    return found


def _match(policy: Policy, assets: list[_Candidate], name: str) -> tuple[AssetKey, bool]:
    """The one asset a file name points at, and whether the name had to be renamed."""
    parts = parse_name(policy, name)
    if parts is not None and parts.sku and parts.colorway and parts.view:
        wanted = (parts.sku.casefold(), parts.colorway.casefold(), parts.view.casefold())
        matches = [a for a in assets if a.slugs == wanted]
        renamed = False
    elif policy.assets.nonconforming_names == "refuse":
        raise ShotlineError(
            f"does not follow the naming template {policy.naming.template} "
            "(the policy refuses non-conforming names)"
        )
    else:
        words = tuple(_WORD.findall(Path(name).stem.lower()))
        matches = [a for a in assets if all(_contains(words, w) for w in a.words)]
        renamed = True
    keys = sorted({str(m.key) for m in matches})
    if not keys:
        raise ShotlineError("matches no open asset in this workspace")
    if len(keys) > 1:
        raise ShotlineError(f"matches {len(keys)} assets ({'; '.join(keys)}); rename it")
    return matches[0].key, renamed


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return n > 0 and any(words[i : i + n] == part for i in range(len(words) - n + 1))


@contextmanager
def _files_of(source: Path) -> Iterator[list[tuple[str, Path, bool]]]:
    if source.is_dir():
        yield _walk(source)
        return
    if source.is_file() and source.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="shotline-zip-") as folder:
            _extract(source, Path(folder))
            yield _walk(Path(folder))
        return
    raise ShotlineError(f"{source} is neither a folder nor a .zip archive")


def _walk(folder: Path) -> list[tuple[str, Path, bool]]:
    """(name, path, hidden) of every file under `folder`; hidden ones (a part of the path
    starts with a dot: .DS_Store, ._ resource forks, editors' swap files) are flagged."""
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        hidden = any(part.startswith(".") for part in relative.parts)
        if path.is_symlink() or path.is_file():
            files.append((path.name, path, hidden))
    return files


def _extract(archive: Path, into: Path) -> None:
    """Unpack a zip after checking every member: no absolute paths, no `..`, no links, and
    a bounded size; otherwise the whole archive is refused and nothing is written."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            if len(members) > MAX_ARCHIVE_FILES:
                raise ArchiveRefused(
                    f"{archive.name}: {len(members)} entries, over {MAX_ARCHIVE_FILES}"
                )
            total = 0
            for member in members:
                _check_member(archive.name, member)
                total += member.file_size
            if total > MAX_ARCHIVE_BYTES:
                raise ArchiveRefused(
                    f"{archive.name} would unpack to {total:,} bytes, over {MAX_ARCHIVE_BYTES:,}"
                )
            for member in members:
                if member.is_dir():
                    continue
                target = into.joinpath(*PurePosixPath(member.filename).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ArchiveRefused(f"{archive.name}: not a readable zip archive ({exc})") from None


def _check_member(archive: str, member: zipfile.ZipInfo) -> None:
    name = member.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    mode = member.external_attr >> 16
    if (
        name.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", name)
        or ".." in parts
        or "\\" in name
        or "\x00" in name
    ):
        raise ArchiveRefused(
            f"{archive}: entry {name!r} would write outside the archive's folder; "
            "nothing was stored"
        )
    if stat.S_ISLNK(mode):
        raise ArchiveRefused(f"{archive}: entry {name!r} is a symbolic link; nothing was stored")
