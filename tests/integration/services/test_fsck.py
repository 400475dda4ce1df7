"""fsck: every version's file exists and matches its checksum; orphans and leftovers listed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from conftest import NOW
from crew import Crew
from shotline.domain.errors import PermissionDenied
from shotline.services import storage_check
from shotline.services.assets import AssetKey
from support import row

FRONT, BACK = AssetKey("TEE-001", "Black", "front"), AssetKey("TEE-001", "Black", "back")


def _check(crew: Crew, repair: bool = False) -> storage_check.StorageReport:
    with crew.app.uow() as uow:
        return storage_check.check_storage(uow, crew["admin"], NOW, repair)


def _sha(crew: Crew, key: AssetKey) -> str:
    with crew.app.uow() as uow:
        from sqlalchemy import select

        from shotline.adapters.db.models import Version

        return uow.session.scalars(
            select(Version.sha256).where(Version.asset_id == crew.asset_id(key))
        ).one()


def test_a_clean_store_passes(crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("photo", FRONT, submit=False)
    report = _check(crew)
    assert (report.ok, report.versions, report.files) == (True, 1, 1)


def test_fsck_finds_a_corrupted_file_a_missing_file_and_orphans(crew: Crew, tmp_path: Path) -> None:
    crew.import_rows([row()])
    crew.upload("photo", FRONT, submit=False)
    crew.upload("photo", BACK, submit=False)
    blobs = crew.app.blobs
    corrupt = blobs.open_path(_sha(crew, FRONT))
    corrupt.write_bytes(corrupt.read_bytes()[:-1] + b"\x00")
    blobs.open_path(_sha(crew, BACK)).unlink()
    stray = tmp_path / "stray.bin"
    stray.write_bytes(b"nobody cites me")
    orphan = blobs.put_file(stray)
    (blobs.open_path(orphan.sha256).parent.parent.parent / ".incoming-x").write_bytes(b"half")
    report = _check(crew)
    assert not report.ok
    assert sorted((p.view, p.problem) for p in report.problems) == [
        ("back", "missing"),
        ("front", "corrupt"),
    ]
    assert str(report.problems[0]).startswith("default: TEE-001 / Black / ")
    assert [o.sha256 for o in report.orphans] == [orphan.sha256]
    assert [s.name for s in report.strays] == [".incoming-x"]
    # Repair removes only what is older than the grace period (an upload may be in flight).
    assert _check(crew, repair=True).removed == 0
    old = (NOW - dt.timedelta(hours=2)).timestamp()
    os.utime(blobs.open_path(orphan.sha256), (old, old))
    os.utime(blobs.root / ".incoming-x", (old, old))
    repaired = _check(crew, repair=True)
    assert (repaired.removed, repaired.orphans, repaired.strays) == (2, [], [])
    assert len(repaired.problems) == 2


def test_only_an_admin_checks_the_store(crew: Crew) -> None:
    with crew.app.uow() as uow, pytest.raises(PermissionDenied, match="check the file store"):
        storage_check.check_storage(uow, crew["dam"], NOW)
