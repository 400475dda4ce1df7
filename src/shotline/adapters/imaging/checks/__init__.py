"""Automated technical QC: every check of one image, from one decode.

`run_checks(path, context, thresholds)` is what the upload job and `shotline qc` call. Each
check is a function of the decoded `Frame` (plus its context) returning a `CheckOutcome`;
a check that lacks its context reports `skipped`. The batch tool also uses `analyse`, which
returns the image's perceptual hash and product colour so that duplicates and colour
consistency across a batch are decided once every image has been measured.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyvips

from shotline.adapters.imaging.checks import colour_checks, compare, geometry, sharpness, tone
from shotline.adapters.imaging.checks.colour_checks import Lab, reference_lab
from shotline.adapters.imaging.checks.frame import (
    ANALYSIS_SIDE,
    Frame,
    find_product,
    load_frame,
    srgb_to_lab,
)
from shotline.adapters.imaging.source import DEFAULT_MAX_PIXELS, ImageRefused, srgb_array
from shotline.domain.qc import CHECK_NAMES, CheckContext, CheckOutcome, ImageReport, QcThresholds

__all__ = [
    "Lab",
    "QcResult",
    "Signature",
    "analyse",
    "consistency_outcome",
    "duplicate_outcome",
    "perceptual_hash",
    "product_colour",
    "reference_lab",
    "run_checks",
]

# The checks that need nothing but the image and the thresholds, in contract order.
_FRAME_CHECKS: dict[str, Callable[[Frame, QcThresholds], CheckOutcome]] = {
    "resolution": geometry.resolution,
    "file_format": geometry.file_format,
    "focus": sharpness.focus,
    "exposure": tone.exposure,
    "white_balance": tone.white_balance,
    "background": tone.background,
    "fill_ratio": geometry.fill_ratio,
    "aspect_ratio": geometry.aspect_ratio,
}


@dataclass(frozen=True)
class Signature:
    """What other images' checks need from this one: its perceptual hash and the product's
    median CIELAB colour (None when no product was found)."""

    phash: int
    colour: Lab | None


@dataclass(frozen=True)
class QcResult:
    """One image's report, its signature, and (when asked) a JPEG preview the size of the
    overlays, for the HTML report."""

    report: ImageReport
    signature: Signature
    preview_jpeg: bytes | None = None


def run_checks(path: Path, context: CheckContext, thresholds: QcThresholds) -> ImageReport:
    """Every check of the image at `path`, in `CHECK_NAMES` order. Raises `ImageRefused` when
    the image itself cannot be read; an unreadable reference, source or peer fails (or, for
    peers, leaves out) only the check that needed it."""
    return analyse(path, context, thresholds).report


def analyse(
    path: Path,
    context: CheckContext,
    thresholds: QcThresholds,
    *,
    preview: bool = False,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> QcResult:
    """`run_checks`, plus the image's signature and an optional preview."""
    frame = load_frame(path, max_pixels=max_pixels)
    outcomes: dict[str, CheckOutcome] = {
        name: check(frame, thresholds) for name, check in _FRAME_CHECKS.items()
    }
    outcomes["color_accuracy"] = _color_accuracy(frame, context, thresholds, max_pixels)
    peers = [c for c in (_peer_colour(p, max_pixels) for p in context.peer_paths) if c is not None]
    outcomes["color_consistency"] = colour_checks.color_consistency(
        frame.product_colour, peers, thresholds
    )
    source: Frame | None = None
    source_error: str | None = None
    if context.source_path is not None:
        try:
            source = load_frame(context.source_path, max_pixels=max_pixels)
        except ImageRefused as exc:
            source_error = f"the source version cannot be read: {exc}"
    if source_error is not None:
        outcomes["silhouette_change"] = _unreadable("silhouette_change", source_error, "IoU")
        outcomes["detail_loss"] = _unreadable("detail_loss", source_error, "%")
    else:
        outcomes["silhouette_change"] = compare.silhouette_change(frame, source, thresholds)
        outcomes["detail_loss"] = sharpness.detail_loss(frame, source, thresholds)
    image_hash = compare.hash_rgb(frame.rgb)
    outcomes["duplicate"] = compare.duplicate(image_hash, context.other_sku_hashes, thresholds)
    report = ImageReport(file=str(path), checks=tuple(outcomes[name] for name in CHECK_NAMES))
    jpeg = None
    if preview:
        jpeg = pyvips.Image.new_from_array(frame.rgb).jpegsave_buffer(Q=82)
    return QcResult(report, Signature(image_hash, frame.product_colour), jpeg)


def duplicate_outcome(
    image_hash: int, others: Mapping[str, int], thresholds: QcThresholds
) -> CheckOutcome:
    """The `duplicate` check from hashes already measured (batch use)."""
    return compare.duplicate(image_hash, others, thresholds)


def consistency_outcome(
    colour: Lab | None, peers: Sequence[Lab], thresholds: QcThresholds
) -> CheckOutcome:
    """The `color_consistency` check from colours already measured (batch use)."""
    return colour_checks.color_consistency(colour, peers, thresholds)


def perceptual_hash(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """64-bit perceptual hash of the image at `path` (raises `ImageRefused`)."""
    return compare.hash_rgb(srgb_array(path, max_side=ANALYSIS_SIDE, max_pixels=max_pixels))


def product_colour(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Lab | None:
    """The median CIELAB colour of the product in the image at `path` (raises
    `ImageRefused`); None when the frame holds no product."""
    rgb = srgb_array(path, max_side=ANALYSIS_SIDE, max_pixels=max_pixels)
    _, mask = find_product(rgb)
    from scipy import ndimage

    core = ndimage.binary_erosion(mask, iterations=2)
    pixels = rgb[core if core.any() else mask]
    if len(pixels) == 0:
        return None
    med = np.median(srgb_to_lab(pixels[:, :3]), axis=0)
    return float(med[0]), float(med[1]), float(med[2])


def _color_accuracy(
    frame: Frame, context: CheckContext, thresholds: QcThresholds, max_pixels: int
) -> CheckOutcome:
    if context.reference_lab is not None:
        return colour_checks.color_accuracy(
            frame, thresholds, context.reference_lab, "approved swatch"
        )
    if context.reference_path is not None:
        try:
            reference = product_colour(context.reference_path, max_pixels=max_pixels)
        except ImageRefused as exc:
            return _unreadable(
                "color_accuracy", f"the reference image cannot be read: {exc}", "ΔE00"
            )
        if reference is None:
            return _unreadable("color_accuracy", "no product found in the reference image", "ΔE00")
        return colour_checks.color_accuracy(frame, thresholds, reference, "reference image")
    return colour_checks.color_accuracy(frame, thresholds, None, "")


def _peer_colour(path: Path, max_pixels: int) -> Lab | None:
    try:
        return product_colour(path, max_pixels=max_pixels)
    except ImageRefused:
        # An unreadable peer is that peer's own failure; the set is judged without it.
        return None


def _unreadable(check: str, reason: str, unit: str) -> CheckOutcome:
    return CheckOutcome(
        check=check, passed=False, value=None, threshold=None, unit=unit, message=reason
    )
