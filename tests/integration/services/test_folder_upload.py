"""Folder and zip upload: files mapped to assets by name, refusals reported, nothing stored
for a refused file, archives that would write outside their folder refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from asset_images import write_image
from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import Version
from shotline.services import folder_upload, policies
from shotline.services.policies import default_policy_text
from support import row

OPTIONS = folder_upload.FolderOptions("capture")
ACCEPTED = "JPEG, PNG, TIFF, WebP, HEIC, RAW"


def _upload(crew: Crew, source: Path) -> folder_upload.FolderReport:
    return folder_upload.upload_folder(crew.app.uow, crew["photo"], source, OPTIONS, NOW)


def _versions(crew: Crew) -> list[tuple[str, str | None]]:
    with crew.app.uow() as uow:
        rows = uow.session.execute(
            select(Version.original_name, Version.stored_name).order_by(Version.id)
        )
        return [(a, b) for a, b in rows]


def test_files_are_mapped_to_assets_by_name(crew: Crew, tmp_path: Path) -> None:
    crew.import_rows([row()])
    folder = tmp_path / "shoot"
    write_image(folder / "TEE-001_Black_front_v1.jpg", seed=1)
    write_image(folder / "day2" / "TEE-001_White_back_v3.png", seed=2)
    write_image(folder / "TEE-999_Black_front_v1.jpg", seed=3)
    write_image(folder / "random name.jpg", seed=4)
    (folder / ".DS_Store").write_bytes(b"junk")
    (folder / "TEE-001_Black_back_v1.jpg").write_bytes(b"not an image")
    report = _upload(crew, folder)
    assert [(s.file, str(s.key), s.version) for s in report.stored] == [
        ("TEE-001_Black_front_v1.jpg", "TEE-001 / Black / front", 1),
        ("TEE-001_White_back_v3.png", "TEE-001 / White / back", 1),
    ]
    assert [(r.file, r.reason) for r in report.refused] == [
        ("TEE-001_Black_back_v1.jpg", f"not an image Shotline accepts ({ACCEPTED})"),
        ("TEE-999_Black_front_v1.jpg", "matches no open asset in this workspace"),
        (
            "random name.jpg",
            "does not follow the naming template {sku}_{colorway}_{view}_v{version}.{ext} "
            "(the policy refuses non-conforming names)",
        ),
    ]
    assert report.skipped == [".DS_Store"]
    # The stored name carries the version Shotline gave, not the one in the file name.
    assert _versions(crew) == [
        ("TEE-001_Black_front_v1.jpg", "TEE-001_Black_front_v1.jpg"),
        ("TEE-001_White_back_v3.png", "TEE-001_White_back_v1.png"),
    ]


def test_a_name_matching_two_assets_is_reported_and_not_stored(crew: Crew, tmp_path: Path) -> None:
    # "Navy Blue" and "Navy-Blue" are different colorways with the same name in a file.
    crew.import_rows([row(colorways="Navy Blue|Navy-Blue", views="front")])
    folder = tmp_path / "shoot"
    write_image(folder / "TEE-001_Navy-Blue_front_v1.jpg")
    report = _upload(crew, folder)
    [refused] = report.refused
    assert refused.reason.startswith("matches 2 assets (TEE-001 / Navy Blue / front; ")
    assert _versions(crew) == []


def test_the_policy_may_rename_non_conforming_names(crew: Crew, tmp_path: Path) -> None:
    text = default_policy_text().replace(
        "nonconforming_names: refuse", "nonconforming_names: rename"
    )
    with crew.app.uow() as uow:
        policies.activate_policy(uow, crew["ops"], text, "renaming", NOW)
    crew.import_rows([row()])
    folder = tmp_path / "shoot"
    write_image(folder / "IMG 0042 tee-001 black FRONT.jpg")
    write_image(folder / "tee-001 front.jpg", seed=5)
    report = _upload(crew, folder)
    [stored] = report.stored
    assert (stored.renamed, str(stored.key)) == (True, "TEE-001 / Black / front")
    assert _versions(crew) == [("IMG 0042 tee-001 black FRONT.jpg", "TEE-001_Black_front_v1.jpg")]
    [refused] = report.refused
    assert refused.reason == "matches no open asset in this workspace"


def test_a_zip_is_unpacked_and_mapped(crew: Crew, tmp_path: Path) -> None:
    crew.import_rows([row()])
    image = write_image(tmp_path / "x.jpg")
    archive = tmp_path / "shoot.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(image, "selects/TEE-001_Black_front_v1.jpg")
    report = _upload(crew, archive)
    assert [s.file for s in report.stored] == ["TEE-001_Black_front_v1.jpg"]


@pytest.mark.parametrize(
    "entry", ["../TEE-001_Black_front_v1.jpg", "/etc/TEE-001_Black_front_v1.jpg", "a/../../x.jpg"]
)
def test_a_zip_that_would_write_outside_its_folder_is_refused(
    crew: Crew, tmp_path: Path, entry: str
) -> None:
    crew.import_rows([row()])
    image = write_image(tmp_path / "x.jpg")
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(image, "TEE-001_Black_back_v1.jpg")
        # ZipInfo normalises the name it is built with; a hostile archive's name is raw.
        info = zipfile.ZipInfo("x")
        info.filename = entry
        zipped.writestr(info, image.read_bytes())
    with pytest.raises(folder_upload.ArchiveRefused, match="would write outside"):
        _upload(crew, archive)
    assert _versions(crew) == []
    assert not (tmp_path.parent / "TEE-001_Black_front_v1.jpg").exists()


def test_a_symbolic_link_is_not_followed(crew: Crew, tmp_path: Path) -> None:
    crew.import_rows([row()])
    outside = write_image(tmp_path / "elsewhere" / "secret.jpg")
    folder = tmp_path / "shoot"
    folder.mkdir()
    (folder / "TEE-001_Black_front_v1.jpg").symlink_to(outside)
    report = _upload(crew, folder)
    assert [(r.file, r.reason) for r in report.refused] == [
        ("TEE-001_Black_front_v1.jpg", "a symbolic link; not followed")
    ]
    assert _versions(crew) == []
