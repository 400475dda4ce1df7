"""An upload through the workflow is measured by `shotline worker` with the real checks, and
its results show in `shotline history`, `qc-status` and `qc-show`, and guard the gate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import pyvips

from shotline.adapters.db.models import CheckResult, QcRun
from support import row, write_csv

PEOPLE = {"maya": "merchandiser", "rita": "retoucher", "qc": "qc_lead"}


def _cells(stdout: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in stdout.splitlines()
        if line.startswith("│")
    ]


def _product_shot(path: Path) -> str:
    """A navy product on a white backdrop, 400 x 500: right for pdp's 4:5, too small for
    its 2,500 px minimum."""
    pixels = np.full((500, 400, 3), 255, np.uint8)
    pixels[100:400, 100:300] = (40, 60, 120)
    path.parent.mkdir(parents=True, exist_ok=True)
    pyvips.Image.new_from_array(pixels, interpretation="srgb").write_to_file(str(path), Q=95)
    return str(path)


@pytest.fixture
def crewed(ready, tmp_path):  # type: ignore[no-untyped-def]
    for name, role in PEOPLE.items():
        ready.ok("users", "add", name, "--role", role)
    rows = [row(colorways="Black", views="front", reference_color="#283C78")]
    ready.ok("--as", "maya", "intake", "import", str(write_csv(tmp_path / "tee.csv", rows)))
    return ready


def test_an_upload_is_measured_and_its_results_shown_in_history(crewed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    image = _product_shot(tmp_path / "files" / "tee_front.jpg")
    key = ("TEE-001", "Black", "front")
    crewed.ok("--as", "rita", "upload", image, *key, "--kind", "retouch", "--submit")
    assert crewed.count(QcRun) == 1 and crewed.count(CheckResult) == 0

    waiting = crewed.ok("history", "TEE-001").stdout
    assert "automated QC of 1 version(s) waits for a worker" in waiting
    assert "Automated QC" not in waiting
    queued = crewed.ok("qc-status").stdout
    assert [c[2] for c in _cells(queued)] == ["queued"]

    drained = crewed.ok("worker", "--drain").stdout
    assert "1 QC job(s) run" in drained
    assert crewed.count(CheckResult) == 13

    shown = crewed.ok("history", "TEE-001").stdout
    assert "qc_checked" in shown and "Automated QC" in shown
    checks = {c[3]: c for c in _cells(shown) if len(c) == 7 and c[3]}
    assert checks["resolution"][4:] == ["FAIL", "500 px", "2500 px"]
    assert checks["aspect_ratio"][4] == "pass"
    assert checks["color_accuracy"][4] == "pass"  # against the intake's swatch
    assert checks["silhouette_change"][4] == "skipped"  # no source version yet
    assert {c[2] for c in checks.values()} == {"done"}

    done = crewed.ok("qc-status", "--state", "done").stdout
    assert [(c[2], c[5], c[6]) for c in _cells(done)] == [("done", "fail", "resolution")]

    prefilled = {c[0]: c[1] for c in _cells(crewed.ok("qc-show", *key).stdout) if len(c) == 3}
    assert prefilled["resolution"] == "no" and prefilled["focus"] == "yes"
    assert prefilled["clipping_path"] == "(reviewer)"

    error = crewed.fail(1, "--as", "qc", "review", *key, "--gate", "technical", "--pass")
    assert "failed automated checks (resolution)" in error
    crewed.ok(
        "--as", "qc", "review", *key, "--gate", "technical", "--pass",
        "--override", "the 2500 px master follows from the studio",
    )  # fmt: skip


def test_the_worker_drains_nothing_when_nothing_waits(ready) -> None:  # type: ignore[no-untyped-def]
    assert "0 QC job(s) run" in ready.ok("worker", "--drain").stdout
    assert "0 run(s)" in ready.ok("qc-status").stdout
    assert "unknown QC run state" in ready.fail(1, "qc-status", "--state", "lost")
