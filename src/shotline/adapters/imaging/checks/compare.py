"""Checks against other images: the source version (silhouette) and other SKUs
(duplicates, by perceptual hash)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import fft, ndimage

from shotline.adapters.imaging.checks.common import mask_overlay, measured, skipped
from shotline.adapters.imaging.checks.frame import Frame
from shotline.adapters.imaging.product import BoolArray
from shotline.domain.qc import CheckOutcome, QcThresholds

# Frames whose aspect differs by more than this are different crops, not retouches.
SAME_FRAME_TOLERANCE = 0.01


def hash_rgb(rgb: np.ndarray[Any, Any]) -> int:
    """64-bit perceptual hash (DCT pHash) of an sRGB array: the signs of the lowest 8x8
    frequencies of a 32x32 grey copy against their median. Robust to resizing,
    recompression and small tone changes; different pictures differ in about half the bits."""
    gray = rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114
    low = fft.dctn(_area_resize(gray, 32), norm="ortho")[:8, :8].ravel()
    bits = low > np.median(low[1:])
    return int(sum(1 << i for i, bit in enumerate(bits) if bit))


def _area_resize(gray: np.ndarray[Any, Any], size: int) -> np.ndarray[Any, Any]:
    """`gray` averaged down to size x size (each output pixel the mean of its area)."""
    h, w = gray.shape
    rows = np.minimum((np.arange(size + 1) * h) // size, h)
    cols = np.minimum((np.arange(size + 1) * w) // size, w)
    summed = np.add.reduceat(np.add.reduceat(gray, rows[:-1], axis=0), cols[:-1], axis=1)
    counts = np.outer(np.diff(rows), np.diff(cols))
    result: np.ndarray[Any, Any] = summed / np.maximum(counts, 1)
    return result


def hamming(a: int, b: int) -> int:
    """Bits that differ between two hashes."""
    return (a ^ b).bit_count()


def duplicate(image_hash: int, others: Mapping[str, int], limits: QcThresholds) -> CheckOutcome:
    """A near-match with another SKU's image: the wrong file attached to an asset."""
    if not others:
        return skipped("duplicate", "no other SKU's images to compare with", "bits")
    label, distance = min(
        ((label, hamming(image_hash, h)) for label, h in others.items()), key=lambda x: x[1]
    )
    ok = distance > limits.max_hash_distance
    return measured(
        "duplicate",
        ok,
        distance,
        limits.max_hash_distance,
        "bits",
        f"nearest other SKU image {label} differs in {distance} of 64 bits"
        + ("" if ok else ": probably the same picture"),
    )


def silhouette_change(frame: Frame, source: Frame | None, limits: QcThresholds) -> CheckOutcome:
    """How far the product's outline moved against the source version: mask IoU and the
    largest outline displacement (slimmed silhouettes, shortened sleeves and hems)."""
    if source is None:
        return skipped("silhouette_change", "no source version", "IoU")
    if frame.backdrop is None or source.backdrop is None:
        return skipped("silhouette_change", "no plain backdrop to find the outline on", "IoU")
    ratio, source_ratio = frame.width / frame.height, source.width / source.height
    if abs(ratio - source_ratio) / source_ratio > SAME_FRAME_TOLERANCE:
        return skipped(
            "silhouette_change",
            f"the source is framed differently ({source.width}x{source.height})",
            "IoU",
        )
    mine = frame.mask
    theirs = _resized(source.mask, mine.shape)
    union = float((mine | theirs).sum())
    if union == 0 or source.box is None or frame.box is None:
        return measured(
            "silhouette_change",
            False,
            0.0,
            limits.min_silhouette_iou,
            "IoU",
            "no product found in " + ("the source" if source.box is None else "this image"),
        )
    iou = float((mine & theirs).sum()) / union
    shift = _largest_shift(mine, theirs)
    diagonal = (
        float(np.hypot(*mine.shape))
        if source.box is None
        else float(
            np.hypot(source.box.width, source.box.height) * mine.shape[1] / source.mask.shape[1]
        )
    )
    shift_percent = 100.0 * shift / max(diagonal, 1.0)
    problems = []
    if iou < limits.min_silhouette_iou:
        problems.append(f"outline overlap (IoU) {iou:.3f} is under {limits.min_silhouette_iou:g}")
    if shift_percent > limits.max_outline_shift_percent:
        problems.append(
            f"the outline moved up to {shift_percent:.1f}% of the product's diagonal "
            f"(over {limits.max_outline_shift_percent:g}%)"
        )
    message = (
        "; ".join(problems)
        if problems
        else f"outline unchanged: IoU {iou:.3f}, largest shift {shift_percent:.1f}%"
    )
    return measured(
        "silhouette_change",
        not problems,
        iou,
        limits.min_silhouette_iou,
        "IoU",
        message,
        lambda: mask_overlay(mine ^ theirs),
    )


def _resized(mask: BoolArray, shape: tuple[int, ...]) -> BoolArray:
    if mask.shape == shape[:2]:
        return mask
    rows = np.minimum((np.arange(shape[0]) + 0.5) * mask.shape[0] / shape[0], mask.shape[0] - 1)
    cols = np.minimum((np.arange(shape[1]) + 0.5) * mask.shape[1] / shape[1], mask.shape[1] - 1)
    result: BoolArray = mask[rows.astype(np.intp)][:, cols.astype(np.intp)]
    return result


def _outline(mask: BoolArray) -> BoolArray:
    result: BoolArray = mask & ~ndimage.binary_erosion(mask)
    return result


def _largest_shift(a: BoolArray, b: BoolArray) -> float:
    """The largest distance, in pixels, from a point of either outline to the other."""
    line_a, line_b = _outline(a), _outline(b)
    if not line_a.any() or not line_b.any():
        return float(max(a.shape))
    to_b = ndimage.distance_transform_edt(~line_b)
    to_a = ndimage.distance_transform_edt(~line_a)
    return float(max(to_b[line_a].max(), to_a[line_b].max()))
