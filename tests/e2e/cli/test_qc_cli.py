"""`shotline qc`: the batch contract end to end (no database involved)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from shotline.entrypoints.cli.main import app
from shotline.simulation import qc_corpus as corpus

SIDE = 320
KEYS = {"check", "passed", "skipped", "value", "threshold", "unit", "message"}


def run(home: Path, *args: str) -> Result:
    env = {"SHOTLINE_HOME": str(home), "COLUMNS": "200", "SHOTLINE_DATABASE_URL": None}
    return CliRunner().invoke(app, ["qc", *args], env=env)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of shots named {sku}_{colorway}_{view}: a clean pair of one SKU, a copy of it
    filed under another SKU, a subfolder, and one corrupt file."""
    folder = tmp_path_factory.mktemp("batch")
    rng = np.random.default_rng(5)
    front, _ = corpus.product_shot("tee", "brick", (150, 40, 45), rng, side=SIDE)
    back, _ = corpus.product_shot("box", "grass", (150, 40, 45), rng, side=SIDE)
    corpus.write_image(folder / "TEE-1_red_front.jpg", front)
    corpus.write_image(folder / "TEE-1_red_back.jpg", back)
    (folder / "more").mkdir()
    corpus.write_image(folder / "more" / "BAG-9_red_front.jpg", front)
    good = (folder / "TEE-1_red_front.jpg").read_bytes()
    (folder / "more" / "BAG-9_red_side.jpg").write_bytes(good[: len(good) // 3])
    (folder / "notes.txt").write_text("not an image, and not picked up from a folder")
    return folder


def lines(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_json_lines_for_a_folder_with_one_corrupt_file(batch: Path, tmp_path: Path) -> None:
    result = run(tmp_path, str(batch), "--json")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    records = lines(result)
    names = [Path(str(r["file"])).name for r in records]
    assert names == [
        "TEE-1_red_back.jpg",
        "TEE-1_red_front.jpg",
        "BAG-9_red_front.jpg",
        "BAG-9_red_side.jpg",
    ] or sorted(names) == sorted(
        ["TEE-1_red_back.jpg", "TEE-1_red_front.jpg", "BAG-9_red_front.jpg", "BAG-9_red_side.jpg"]
    )
    by_name = {Path(str(r["file"])).name: r for r in records}
    broken = by_name["BAG-9_red_side.jpg"]
    assert broken["passed"] is False and "truncated or corrupt" in str(broken["error"])
    assert "BAG-9_red_side.jpg" in result.stderr and "truncated or corrupt" in result.stderr
    for name in ("TEE-1_red_back.jpg", "TEE-1_red_front.jpg", "BAG-9_red_front.jpg"):
        record = by_name[name]
        assert set(record) == {"file", "passed", "checks"}
        checks = record["checks"]
        assert isinstance(checks, list) and len(checks) == 13
        assert all(set(c) == KEYS for c in checks)
    # The copy filed under another SKU is caught as a duplicate, both ways round.
    copy = {c["check"]: c for c in by_name["BAG-9_red_front.jpg"]["checks"]}  # type: ignore[union-attr]
    assert (
        copy["duplicate"]["passed"] is False
        and "TEE-1_red_front.jpg" in copy["duplicate"]["message"]
    )
    # The two views of one SKU and colorway are compared for colour consistency.
    front = {c["check"]: c for c in by_name["TEE-1_red_front.jpg"]["checks"]}  # type: ignore[union-attr]
    assert front["color_consistency"]["skipped"] is False
    assert front["color_consistency"]["passed"] is True


def test_exit_0_when_every_image_passes(batch: Path, tmp_path: Path) -> None:
    result = run(tmp_path, str(batch / "TEE-1_red_front.jpg"), str(batch / "TEE-1_red_back.jpg"))
    assert result.exit_code == 0, result.output
    assert "2 image(s): 2 passed, 0 failed, 0 unreadable" in result.stdout


def test_exit_1_when_any_image_fails_with_the_failed_checks_named(
    batch: Path, tmp_path: Path
) -> None:
    result = run(tmp_path, str(batch / "TEE-1_red_front.jpg"), "--channel", "amazon_main")
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.stdout
    assert (
        "resolution: 320x320: longer side 320 px is under the minimum of 2000 px" in result.stdout
    )


def test_workers_give_the_same_results_in_the_same_order(batch: Path, tmp_path: Path) -> None:
    one = run(tmp_path, str(batch), "--json")
    two = run(tmp_path, str(batch), "--json", "--workers", "2")
    assert two.exit_code == one.exit_code == 2
    assert lines(one) == lines(two)


def test_html_report_shows_failed_checks_and_overlays(batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "qc.html"
    small, _ = corpus.product_shot(
        "tee", "brick", (150, 40, 45), np.random.default_rng(1), side=SIDE, scale=0.6
    )
    image = corpus.write_image(tmp_path / "SMALL_red_front.jpg", small)
    result = run(
        tmp_path, str(image), str(batch / "more"), "--channel", "amazon_main", "--report", str(out)
    )
    assert result.exit_code == 2, result.output
    html = out.read_text(encoding="utf-8")
    assert "SMALL_red_front.jpg" in html and "BAG-9_red_side.jpg" in html
    assert "fill_ratio" in html and "under 85%" in html
    assert "data:image/png;base64," in html  # the fill overlay
    assert "data:image/jpeg;base64," in html  # the image itself
    assert "unreadable" in html


def test_reference_colour_and_source(batch: Path, tmp_path: Path) -> None:
    image = str(batch / "TEE-1_red_front.jpg")
    far = run(tmp_path, image, "--json", "--reference-color", "#2050C0")
    accuracy = {c["check"]: c for c in lines(far)[0]["checks"]}["color_accuracy"]  # type: ignore[union-attr]
    assert far.exit_code == 1 and accuracy["passed"] is False and accuracy["value"] > 20
    same = run(tmp_path, image, "--json", "--source", image)
    checks = {c["check"]: c for c in lines(same)[0]["checks"]}  # type: ignore[union-attr]
    assert same.exit_code == 0
    assert checks["silhouette_change"]["passed"] and not checks["silhouette_change"]["skipped"]
    assert checks["detail_loss"]["passed"] and not checks["detail_loss"]["skipped"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--channel", "tiktok"], "--channel: unknown channel 'tiktok'"),
        (["--category", "hats"], "--category: unknown category 'hats'"),
        (["--reference-color", "blue"], "--reference-color: expected a colour like #AA3322"),
        (["--reference-color", "50,1"], "--reference-color: expected a colour as L,a,b"),
        (["--source", "missing.jpg"], "--source: no such file: missing.jpg"),
        (["--color-class", "ultra"], "unknown colour accuracy class 'ultra'"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    batch: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(tmp_path, str(batch / "TEE-1_red_front.jpg"), *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_path_and_bad_policy(tmp_path: Path) -> None:
    result = run(tmp_path, str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "no such file or folder" in result.stderr
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: x\n")
    image = corpus.write_image(
        tmp_path / "a.jpg",
        corpus.product_shot("tee", "brick", (150, 40, 45), np.random.default_rng(1), side=200)[0],
    )
    result = run(tmp_path, str(image), "--policy", str(policy))
    assert result.exit_code == 2 and "policy.yaml" in result.stderr
