"""Versions in the asset store: what upload probes and refuses, what a version records, the
stages approval gives, and the one approved final of an asset."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from asset_images import truncated, write_dng, write_heic, write_image
from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import Event, Version
from shotline.adapters.storage import local
from shotline.domain.errors import NotFound, ShotlineError
from shotline.services import asset_store, production, storage_check
from shotline.services.assets import AssetKey
from shotline.services.unit_of_work import UnitOfWork
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
GATES = (("technical", "qc"), ("styling_fit", "cd"), ("brand_merch", "cd"), ("final_qc", "qc2"))


def _upload(
    crew: Crew, path: Path, kind: str = "capture", who: str = "photo", **extra: object
) -> production.VersionView:
    item = production.Upload(path, kind, **extra)  # type: ignore[arg-type]
    with crew.app.uow() as uow:
        return production.upload_version(uow, crew[who], FRONT, item, NOW)


def _versions(crew: Crew) -> list[Version]:
    with crew.app.uow() as uow:
        rows = list(uow.session.scalars(select(Version).order_by(Version.number)))
        uow.session.expunge_all()
        return rows


def _nothing_stored(crew: Crew) -> None:
    assert _versions(crew) == []
    assert list(crew.app.blobs.iter_blobs()) == []
    assert list(crew.app.blobs.strays()) == []


@pytest.fixture
def tee(crew: Crew) -> Crew:
    crew.import_rows([row()])
    return crew


def test_a_version_records_what_its_file_is(tee: Crew, tmp_path: Path) -> None:
    path = write_image(tmp_path / "front.jpg", 120, 150, Q=90)
    _upload(tee, path, device="Phase One IQ4")
    [v] = _versions(tee)
    assert (v.format, v.width, v.height, v.bit_depth, v.stage) == ("jpeg", 120, 150, 8, "raw")
    assert v.bytes == path.stat().st_size and v.original_name == "front.jpg"
    assert v.provenance == {
        "source_file": "front.jpg",
        "kind": "capture",
        "capture_device": "Phase One IQ4",
    }


def test_png_tiff_and_webp_are_accepted_for_every_kind(tee: Crew, tmp_path: Path) -> None:
    for n, suffix in enumerate(("png", "tif", "webp")):
        _upload(tee, write_image(tmp_path / f"f.{suffix}", seed=n), "retouch", "retoucher")
    assert [v.format for v in _versions(tee)] == ["png", "tiff", "webp"]


def test_heic_is_accepted_as_a_capture_only(tee: Crew, tmp_path: Path) -> None:
    path = write_heic(tmp_path / "phone.heic", 64, 48)
    with pytest.raises(ShotlineError, match=r"phone\.heic: HEIC files are accepted as captures"):
        _upload(tee, path, "retouch", "retoucher")
    _nothing_stored(tee)
    _upload(tee, path)
    [v] = _versions(tee)
    assert (v.format, v.width, v.height) == ("heic", 64, 48)
    assert v.stored_name == "TEE-001_Black_front_v1.heic"


def test_camera_raw_is_accepted_as_a_capture_only(tee: Crew, tmp_path: Path) -> None:
    path = write_dng(tmp_path / "IMG_0001.dng", 64, 48)
    with pytest.raises(ShotlineError, match=r"IMG_0001\.dng: RAW files are accepted as captures"):
        _upload(tee, path, "retouch", "retoucher")
    _nothing_stored(tee)
    _upload(tee, path)
    [v] = _versions(tee)
    assert (v.format, v.width, v.height, v.stage) == ("raw", 64, 48, "raw")
    assert v.stored_name == "TEE-001_Black_front_v1.dng"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.jpg", b"not an image at all", "notes.jpg: not an image Shotline accepts"),
        ("empty.png", b"", "empty.png: "),
        ("capture.dng", b"II*\x00 broken raw", "capture.dng: cannot read the camera RAW file"),
        ("clip.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "clip.gif: "),
    ],
)
def test_unreadable_and_unsupported_files_are_refused_and_nothing_is_stored(
    tee: Crew, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ShotlineError, match=message.replace(".", r"\.")):
        _upload(tee, path)
    _nothing_stored(tee)


def test_a_truncated_image_is_refused(tee: Crew, tmp_path: Path) -> None:
    whole = write_image(tmp_path / "whole.jpg", 400, 400, Q=95)
    cut = truncated(tmp_path / "cut.jpg", whole)
    with pytest.raises(ShotlineError, match=r"cut\.jpg: the image data is truncated or corrupt"):
        _upload(tee, cut)
    _nothing_stored(tee)


def test_an_image_over_the_policys_pixel_limit_is_refused_on_its_header(
    tee: Crew, tmp_path: Path
) -> None:
    # A 20000 x 20000 PNG of one colour: a few kilobytes on disk, 400 megapixels decoded.
    bomb = tmp_path / "bomb.png"
    import pyvips

    pyvips.Image.black(20_000, 20_000).write_to_file(str(bomb), compression=9)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(ShotlineError, match=r"bomb\.png: 20000x20000 is 400,000,000 pixels"):
        _upload(tee, bomb)
    _nothing_stored(tee)


@pytest.mark.parametrize("name", ["../escape.jpg", "a/b.jpg", "a\\b.jpg", "x..jpg"])
def test_names_with_path_separators_or_dotdot_are_refused(
    tee: Crew, tmp_path: Path, name: str
) -> None:
    path = write_image(tmp_path / "ok.jpg")
    with pytest.raises(ShotlineError, match=r"file name .* contains"):
        _upload(tee, path, original_name=name)
    _nothing_stored(tee)


def test_final_and_archive_are_given_by_approval_not_by_upload(tee: Crew, tmp_path: Path) -> None:
    for stage in ("final", "archive"):
        with pytest.raises(ShotlineError, match=f"cannot be uploaded as {stage}"):
            _upload(tee, write_image(tmp_path / "f.jpg"), stage=stage)
    _nothing_stored(tee)


def _approve(crew: Crew) -> None:
    for gate, who in GATES:
        crew.decide(who, FRONT, gate)


def test_approval_makes_one_final_and_archives_the_rest(tee: Crew) -> None:
    tee.upload("photo", FRONT, "capture", submit=False)
    tee.upload("retoucher", FRONT, "retouch")
    _approve(tee)
    assert [(v.number, v.stage) for v in _versions(tee)] == [(1, "archive"), (2, "final")]
    with tee.app.uow() as uow:
        payload = uow.session.scalars(select(Event.payload).where(Event.kind == "approved")).one()
    assert (payload["final"], payload["archived"]) == (2, [1])
    with tee.app.uow() as uow:
        final = asset_store.approved_final(uow, tee["admin"], FRONT)
        finals = select(func.count()).select_from(Version).where(Version.stage == "final")
        assert uow.session.scalar(finals) == 1
    assert (final.version, final.kind, final.asset_state, final.channels) == (
        2,
        "retouch",
        "approved",
        {},
    )


def test_an_asset_without_an_approved_version_has_no_final(tee: Crew) -> None:
    tee.upload("retoucher", FRONT, "retouch")
    with tee.app.uow() as uow, pytest.raises(NotFound, match="no approved final yet"):
        asset_store.approved_final(uow, tee["admin"], FRONT)


# atomicity


def test_the_file_is_durable_before_the_row_commits(
    tee: Crew, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: list[str] = []
    real_fsync = local.os.fsync

    def fsync(fd: int) -> None:
        order.append("fsync")
        real_fsync(fd)

    def committed(_session: Session) -> None:
        order.append("commit")

    monkeypatch.setattr(local.os, "fsync", fsync)
    event.listen(Session, "after_commit", committed)
    try:
        _upload(tee, write_image(tmp_path / "f.jpg"))
    finally:
        event.remove(Session, "after_commit", committed)
    # The file's data, then its folder entry, are synced before the one commit.
    assert order[-3:] == ["fsync", "fsync", "commit"]


def test_a_crash_after_the_file_before_the_commit_leaves_an_orphan_and_no_row(
    tee: Crew, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def power_cut(self: UnitOfWork) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(UnitOfWork, "commit", power_cut)
    with pytest.raises(KeyboardInterrupt):
        _upload(tee, write_image(tmp_path / "f.jpg"))
    monkeypatch.undo()
    assert _versions(tee) == []
    with tee.app.uow() as uow:
        report = storage_check.check_storage(uow, tee["admin"], NOW)
    assert (report.versions, len(report.orphans), report.ok) == (0, 1, False)


def test_a_failed_store_leaves_no_row(
    tee: Crew, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(local.os, "replace", full)
    with pytest.raises(ShotlineError, match=r"cannot store f\.jpg: No space left on device"):
        _upload(tee, write_image(tmp_path / "f.jpg"))
    _nothing_stored(tee)


def test_the_same_bytes_uploaded_twice_are_stored_once(tee: Crew, tmp_path: Path) -> None:
    path = write_image(tmp_path / "f.jpg")
    _upload(tee, path)
    _upload(tee, path)
    assert len({v.sha256 for v in _versions(tee)}) == 1 and len(_versions(tee)) == 2
    assert len(list(tee.app.blobs.iter_blobs())) == 1
