"""`shotline upload DIR`, `final`, `rights ...`, `deliver --package` and `fsck`, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asset_images import write_image
from shotline.adapters.db.models import Version
from support import row, write_csv

TEE = ("TEE-001", "Black", "front")
PEOPLE = {
    "maya": "merchandiser",
    "photo": "photographer",
    "rita": "retoucher",
    "qc": "qc_lead",
    "qc2": "qc_lead",
    "cd": "creative_director",
    "kim": "dam_manager",
}
GATES = (("technical", "qc"), ("styling_fit", "cd"), ("brand_merch", "cd"), ("final_qc", "qc2"))


@pytest.fixture
def crewed(ready, tmp_path):
    for name, role in PEOPLE.items():
        ready.ok("users", "add", name, "--role", role)
    ready.ok("--as", "maya", "intake", "import", str(write_csv(tmp_path / "tee.csv", [row()])))
    return ready


def _approve(cli, tmp_path: Path) -> None:
    master = write_image(tmp_path / "master.jpg", 2400, 3000, Q=90)
    cli.ok("--as", "rita", "upload", str(master), *TEE, "--kind", "retouch", "--submit")
    for gate, who in GATES:
        cli.ok("--as", who, "review", *TEE, "--gate", gate, "--pass")


def test_upload_a_folder_mapped_by_name(crewed, tmp_path) -> None:
    folder = tmp_path / "shoot"
    write_image(folder / "TEE-001_Black_front_v1.jpg", seed=1)
    write_image(folder / "TEE-001_Black_back_v1.jpg", seed=2)
    write_image(folder / "nobody.jpg", seed=3)
    result = crewed("--as", "photo", "upload", str(folder), "--kind", "capture")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "stored TEE-001_Black_back_v1.jpg as version 1 of TEE-001 / Black / back",
        "stored TEE-001_Black_front_v1.jpg as version 1 of TEE-001 / Black / front",
        "2 stored, 1 not stored",
    ]
    assert result.stderr.startswith("not stored: nobody.jpg: does not follow the naming template")
    assert crewed.count(Version) == 2


def test_a_single_upload_still_needs_its_asset(crewed, tmp_path) -> None:
    image = write_image(tmp_path / "x.jpg")
    err = crewed.fail(1, "--as", "photo", "upload", str(image), "--kind", "capture")
    assert "give SKU COLORWAY VIEW after the file" in err


def test_a_bad_file_is_one_clear_line_and_nothing_is_stored(crewed, tmp_path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    err = crewed.fail(1, "--as", "photo", "upload", str(bad), *TEE, "--kind", "capture")
    assert err.startswith("error: broken.jpg: ")
    assert len(err.strip().splitlines()) == 1
    assert crewed.count(Version) == 0


def test_final_rights_and_a_delivery_package(crewed, tmp_path) -> None:
    err = crewed.fail(1, "final", *TEE)
    assert "has no approved final yet" in err
    _approve(crewed, tmp_path)
    out = crewed.ok("final", *TEE).stdout
    assert out.startswith("TEE-001 / Black / front: final is version 1 (retouch, 2400x3000 jpeg)")
    crewed.ok(
        "--as", "kim", "rights", "set", *TEE, "--licence", "buyout", "--territory", "US",
        "--expires", "2020-01-01", "--creator", "Studio North",
    )  # fmt: skip
    lapsed = json.loads(crewed.ok("rights", "expiring", "--days", "30", "--json").stdout)
    assert [(r["sku"], r["expired"]) for r in lapsed] == [("TEE-001", True)]
    packages = tmp_path / "packages"
    err = crewed.fail(
        1, "--as", "kim", "deliver", *TEE, "--channel", "pdp", "--package", str(packages)
    )
    assert "expired on 2020-01-02 00:00 UTC; delivery refused" in err
    crewed.ok("--as", "kim", "rights", "set", *TEE, "--licence", "buyout", "--expires", "never")
    out = crewed.ok(
        "--as", "kim", "deliver", *TEE, "--channel", "pdp", "--channel", "amazon_main",
        "--package", str(packages), "--zip",
    ).stdout  # fmt: skip
    assert out.splitlines() == ["delivered", f"packages written to {packages}"]
    assert len(list(packages.glob("*.zip"))) == 2
    final = json.loads(crewed.ok("final", *TEE, "--json").stdout)
    assert final["channels"] == {"amazon_main": "TEE-001.MAIN.jpg", "pdp": final["channels"]["pdp"]}
    assert final["channels"]["pdp"].endswith(".jpg")


def test_fsck_exits_1_on_a_corrupted_file(crewed, tmp_path) -> None:
    image = write_image(tmp_path / "x.jpg")
    crewed.ok("--as", "photo", "upload", str(image), *TEE, "--kind", "capture")
    assert crewed.ok("fsck").stdout.startswith("1 versions, 1 files checked; 0 problem(s)")
    [blob] = [p for p in (crewed.home / "blobs").rglob("*") if p.is_file()]
    blob.write_bytes(b"bit rot")
    result = crewed("fsck")
    assert result.exit_code == 1
    assert "problem: default: TEE-001 / Black / front v1: checksum mismatch" in result.stdout
    report = json.loads(crewed("fsck", "--json").stdout)
    assert (report["ok"], report["problems"][0]["problem"]) == (False, "corrupt")
