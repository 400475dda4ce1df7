"""Every check on images with and without its defect (small product shots built in code)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shotline.adapters.imaging.checks import perceptual_hash, product_colour, run_checks
from shotline.adapters.imaging.checks.compare import hamming
from shotline.adapters.imaging.checks.frame import srgb_to_lab
from shotline.adapters.imaging.source import ImageRefused
from shotline.domain.qc import CHECK_NAMES, CheckContext, CheckOutcome, QcThresholds
from shotline.simulation import qc_corpus as corpus

SIDE = 360
BASE = (150, 40, 45)
# A small white-background square channel, like Amazon's main image scaled down.
LIMITS = QcThresholds(
    min_long_side=300,
    formats=("jpeg", "png", "tiff"),
    require_profile=True,
    background="#FFFFFF",
    min_fill=0.85,
    aspect=(1, 1),
    color_class="high",
    max_delta_e=3.0,
)


@dataclass(frozen=True)
class Shots:
    folder: Path
    clean: np.ndarray[Any, Any]
    alpha: np.ndarray[Any, Any]
    clean_path: Path
    rng: np.random.Generator

    def write(self, name: str, rgb: np.ndarray[Any, Any], **kwargs: Any) -> Path:
        return corpus.write_image(self.folder / name, rgb, **kwargs)

    def variant(self, name: str, **kwargs: Any) -> Path:
        rgb, _ = corpus.product_shot("tee", "brick", BASE, self.rng, side=SIDE, **kwargs)
        return self.write(name, rgb)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Shots:
    folder = tmp_path_factory.mktemp("shots")
    rng = np.random.default_rng(3)
    clean, alpha = corpus.product_shot("tee", "brick", BASE, rng, side=SIDE)
    return Shots(folder, clean, alpha, corpus.write_image(folder / "clean.jpg", clean), rng)


def check(
    path: Path, name: str, context: CheckContext | None = None, limits: QcThresholds = LIMITS
) -> CheckOutcome:
    report = run_checks(path, context or CheckContext(), limits)
    return next(c for c in report.checks if c.check == name)


def failed(outcome: CheckOutcome) -> bool:
    return not outcome.passed and not outcome.skipped


def test_every_check_reports_in_contract_order(shots: Shots) -> None:
    report = run_checks(shots.clean_path, CheckContext(), LIMITS)
    assert tuple(c.check for c in report.checks) == CHECK_NAMES
    ran = {c.check for c in report.checks if not c.skipped}
    assert ran == {
        "resolution",
        "file_format",
        "focus",
        "exposure",
        "white_balance",
        "background",
        "fill_ratio",
        "aspect_ratio",
    }
    assert report.passed, [c.message for c in report.failed]


def test_checks_without_their_context_are_skipped_not_passed(shots: Shots) -> None:
    report = run_checks(shots.clean_path, CheckContext(), QcThresholds())
    skipped = {c.check for c in report.checks if c.skipped}
    assert skipped == {
        "resolution",
        "background",
        "fill_ratio",
        "aspect_ratio",
        "color_accuracy",
        "color_consistency",
        "silhouette_change",
        "detail_loss",
        "duplicate",
    }
    for outcome in report.checks:
        if outcome.skipped:
            assert outcome.value is None and outcome.message.startswith("skipped: ")


def test_resolution(shots: Shots) -> None:
    assert check(shots.clean_path, "resolution").passed
    low = check(shots.clean_path, "resolution", limits=replace(LIMITS, min_long_side=400))
    assert failed(low) and low.value == SIDE and low.threshold == 400


def test_file_format(shots: Shots) -> None:
    assert check(shots.clean_path, "file_format").passed
    bare = shots.write("bare.jpg", shots.clean, profile=False)
    outcome = check(bare, "file_format")
    assert failed(outcome) and "no embedded colour profile" in outcome.message
    webp = shots.write("clean.webp", shots.clean, fmt="webp")
    outcome = check(webp, "file_format")
    assert failed(outcome) and "format webp" in outcome.message


def test_focus_catches_defocus_and_motion(shots: Shots) -> None:
    sharp = check(shots.clean_path, "focus")
    assert sharp.passed and sharp.value is not None and sharp.value < 1.5
    for name, rgb in (
        ("defocus.jpg", corpus.defocus(shots.clean, 6)),
        ("motion.jpg", corpus.motion(shots.clean, 20, 1)),
    ):
        outcome = check(shots.write(name, rgb), "focus")
        assert failed(outcome), (name, outcome.message)
        assert outcome.overlay_png is not None and outcome.overlay_png[:4] == b"\x89PNG"


def test_focus_scores_the_same_blur_the_same_at_any_size(shots: Shots) -> None:
    values = []
    for side in (300, 600):
        rgb, _ = corpus.product_shot("bag", "grass", BASE, shots.rng, side=side)
        path = shots.write(f"blur-{side}.jpg", corpus.blur(rgb, 3.0))
        outcome = check(path, "focus", limits=QcThresholds())
        assert outcome.value is not None
        values.append(outcome.value)
    assert abs(values[0] - values[1]) / max(values) < 0.2, values


def test_exposure(shots: Shots) -> None:
    assert check(shots.clean_path, "exposure").passed
    ev = corpus.stops_to_clip(shots.clean, shots.alpha) + 1
    over = check(shots.write("over.jpg", corpus.exposure_shift(shots.clean, ev)), "exposure")
    assert failed(over) and "clipped" in over.message and over.overlay_png is not None
    under = check(shots.write("under.jpg", corpus.exposure_shift(shots.clean, -1.5)), "exposure")
    assert failed(under) and "underexposed" in under.message and under.unit == "EV"


def test_white_balance(shots: Shots) -> None:
    neutral = check(shots.clean_path, "white_balance")
    assert neutral.passed and neutral.value is not None and neutral.value < 1
    cast = check(shots.write("cast.jpg", corpus.lab_shift(shots.clean, 0, 8)), "white_balance")
    assert failed(cast) and "yellow" in cast.message


def test_background(shots: Shots) -> None:
    assert check(shots.clean_path, "background").passed
    grey = check(shots.variant("grey.jpg", backdrop=(236.0, 236.0, 236.0)), "background")
    assert failed(grey) and "ΔE00 from #FFFFFF" in grey.message
    shadow = corpus.shadow(shots.clean, 0.4, np.random.default_rng(1))
    outcome = check(shots.write("shadow.jpg", shadow), "background")
    assert failed(outcome) and "shadows" in outcome.message
    dusty = check(shots.write("dust.jpg", corpus.dust(shots.clean, 20, shots.rng)), "background")
    assert failed(dusty) and "specks" in dusty.message
    # A scene-style channel without a background colour does not check it.
    assert check(shots.clean_path, "background", limits=QcThresholds()).skipped


def test_fill_ratio(shots: Shots) -> None:
    fine = check(shots.clean_path, "fill_ratio")
    assert fine.passed and fine.value is not None and fine.value >= 0.85
    small = check(shots.variant("small.jpg", scale=0.65), "fill_ratio")
    assert failed(small) and "under 85%" in small.message and small.overlay_png
    cut = check(shots.variant("cut.jpg", offset=(0.12, 0.0)), "fill_ratio")
    assert failed(cut) and "touches the right edge" in cut.message


def test_aspect_ratio(shots: Shots) -> None:
    assert check(shots.clean_path, "aspect_ratio").passed
    wide = np.pad(shots.clean, ((0, 0), (60, 60), (0, 0)), constant_values=254)
    outcome = check(shots.write("wide.jpg", wide), "aspect_ratio")
    assert failed(outcome) and outcome.threshold == 1.0


def test_color_accuracy_against_a_swatch_or_a_reference_image(shots: Shots) -> None:
    measured = corpus.swatch_of(shots.clean, shots.alpha)
    base_lab = np.asarray(measured)
    swatch = CheckContext(reference_lab=measured)
    close = check(shots.clean_path, "color_accuracy", swatch)
    assert close.passed and close.value is not None and close.value < 1.5
    da, db = corpus.shift_for(base_lab, 7.0, 120.0)
    shifted = shots.write("shifted.jpg", corpus.lab_shift(shots.clean, da, db, shots.alpha))
    far = check(shifted, "color_accuracy", swatch)
    assert failed(far) and far.value is not None and 5.5 < far.value < 8.5
    by_image = check(shifted, "color_accuracy", CheckContext(reference_path=shots.clean_path))
    assert failed(by_image) and "reference image" in by_image.message
    broken = shots.folder / "broken-ref.jpg"
    broken.write_bytes(b"not an image")
    outcome = check(shots.clean_path, "color_accuracy", CheckContext(reference_path=broken))
    assert failed(outcome) and "reference image cannot be read" in outcome.message


def test_color_consistency(shots: Shots) -> None:
    peers = tuple(shots.variant(f"peer-{i}.jpg") for i in range(2))
    same = check(shots.clean_path, "color_consistency", CheckContext(peer_paths=peers))
    assert same.passed and "2 other images" in same.message
    base_lab = srgb_to_lab(np.asarray(BASE, dtype=np.uint8))
    da, db = corpus.shift_for(base_lab, 8.0, 60.0)
    drifted = shots.write("drift.jpg", corpus.lab_shift(shots.clean, da, db, shots.alpha))
    assert failed(check(drifted, "color_consistency", CheckContext(peer_paths=peers)))


def test_silhouette_change(shots: Shots) -> None:
    source = CheckContext(source_path=shots.clean_path)
    retouched = shots.write("retouched.jpg", corpus.exposure_shift(shots.clean, 0.1))
    same = check(retouched, "silhouette_change", source)
    assert same.passed and same.value is not None and same.value > 0.99
    slim = check(
        shots.write("slim.jpg", corpus.slim(shots.clean, 0.92)), "silhouette_change", source
    )
    assert failed(slim) and slim.overlay_png is not None
    short = corpus.shorten(shots.clean, shots.alpha, 0.1)
    assert failed(check(shots.write("short.jpg", short), "silhouette_change", source))


def test_detail_loss(shots: Shots) -> None:
    source = CheckContext(source_path=shots.clean_path)
    retouched = shots.write("retouched2.jpg", corpus.lab_shift(shots.clean, 1, 1))
    assert check(retouched, "detail_loss", source).passed
    smooth = corpus.smooth_inside(shots.clean, shots.alpha, 2.0)
    outcome = check(shots.write("smooth.jpg", smooth), "detail_loss", source)
    assert failed(outcome) and "over-smoothed" in outcome.message


def test_unreadable_source_fails_the_checks_that_need_it(shots: Shots) -> None:
    missing = CheckContext(source_path=shots.folder / "nope.jpg")
    outcome = check(shots.clean_path, "silhouette_change", missing)
    assert failed(outcome) and "source version cannot be read" in outcome.message


def test_duplicate_and_perceptual_hash(shots: Shots) -> None:
    mine = perceptual_hash(shots.clean_path)
    smaller = np.asarray(
        __import__("pyvips").Image.new_from_array(shots.clean).resize(0.7).numpy(), np.uint8
    )
    copy = shots.write("copy.jpg", smaller)
    assert hamming(perceptual_hash(copy), mine) <= LIMITS.max_hash_distance
    other, _ = corpus.product_shot("shoe", "gravel", (40, 70, 120), shots.rng, side=SIDE)
    other_hash = perceptual_hash(shots.write("other.jpg", other))
    assert hamming(other_hash, mine) > 16
    context = CheckContext(other_sku_hashes={"SKU-2/front": mine, "SKU-3/front": other_hash})
    outcome = check(copy, "duplicate", context)
    assert failed(outcome) and "SKU-2/front" in outcome.message
    distinct = CheckContext(other_sku_hashes={"SKU-3/front": other_hash})
    assert check(shots.clean_path, "duplicate", distinct).passed


def test_product_colour_reads_the_product_not_the_backdrop(shots: Shots) -> None:
    lab = product_colour(shots.clean_path)
    assert lab is not None
    base = srgb_to_lab(np.asarray(BASE, dtype=np.uint8))
    assert abs(lab[0] - base[0]) < 6 and abs(lab[1] - base[1]) < 6


def test_unreadable_images_are_refused(shots: Shots) -> None:
    truncated = shots.folder / "truncated.jpg"
    truncated.write_bytes(shots.clean_path.read_bytes()[:3000])
    with pytest.raises(ImageRefused, match=r"truncated\.jpg: the image data is truncated"):
        run_checks(truncated, CheckContext(), LIMITS)
    text = shots.folder / "notes.jpg"
    text.write_text("hello")
    with pytest.raises(ImageRefused, match=r"notes\.jpg"):
        run_checks(text, CheckContext(), LIMITS)
