"""Building outcomes and overlays, shared by every check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyvips

from shotline.adapters.imaging.product import BoolArray, Box
from shotline.domain.qc import CheckOutcome


def measured(
    check: str,
    passed: bool,
    value: float,
    threshold: float,
    unit: str,
    message: str,
    overlay: Callable[[], bytes] | None = None,
) -> CheckOutcome:
    """An outcome of a check that ran. The overlay is drawn only for failures, where the
    review page shows it (drawing it for every pass would cost more than the check)."""
    return CheckOutcome(
        check=check,
        passed=passed,
        value=round(float(value), 4),
        threshold=round(float(threshold), 4),
        unit=unit,
        message=message,
        overlay_png=None if passed or overlay is None else overlay(),
    )


def skipped(check: str, reason: str, unit: str = "") -> CheckOutcome:
    """A check that lacks its context: neither passed nor failed."""
    return CheckOutcome(
        check=check,
        passed=True,
        value=None,
        threshold=None,
        unit=unit,
        message=f"skipped: {reason}",
        skipped=True,
    )


def mask_overlay(mask: BoolArray, rgba: tuple[int, int, int, int] = (255, 0, 64, 160)) -> bytes:
    """A transparent PNG, the size of the analysis copy, coloured where `mask` is True."""
    h, w = mask.shape
    pixels = np.zeros((h, w, 4), dtype=np.uint8)
    pixels[mask] = rgba
    return png(pixels)


def boxes_overlay(
    shape: tuple[int, ...], boxes: list[Box], rgba: tuple[int, int, int, int] = (255, 0, 64, 220)
) -> bytes:
    """A transparent PNG with the outline of each box (analysis-copy coordinates)."""
    h, w = shape[:2]
    pixels = np.zeros((h, w, 4), dtype=np.uint8)
    for b in boxes:
        left, top = max(0, b.left), max(0, b.top)
        right, bottom = min(w - 1, b.left + b.width - 1), min(h - 1, b.top + b.height - 1)
        if right < left or bottom < top:
            continue
        for t in range(2):
            pixels[min(top + t, bottom), left : right + 1] = rgba
            pixels[max(bottom - t, top), left : right + 1] = rgba
            pixels[top : bottom + 1, min(left + t, right)] = rgba
            pixels[top : bottom + 1, max(right - t, left)] = rgba
    return png(pixels)


def png(pixels: np.ndarray[Any, Any]) -> bytes:
    """Encode a uint8 array (h x w x bands) as PNG."""
    image = pyvips.Image.new_from_array(np.ascontiguousarray(pixels))
    if image.bands == 4:
        image = image.copy(interpretation="srgb")
    data: bytes = image.pngsave_buffer(compression=6)
    return data


def erode(mask: BoolArray, radius: int) -> BoolArray:
    """Binary erosion by a square of side 2 x radius + 1 (separable, so fast)."""
    from scipy import ndimage

    result: BoolArray = ndimage.minimum_filter(mask.view(np.uint8), size=2 * radius + 1) > 0
    return result


def dilate(mask: BoolArray, radius: int) -> BoolArray:
    """Binary dilation by a square of side 2 x radius + 1."""
    from scipy import ndimage

    result: BoolArray = ndimage.maximum_filter(mask.view(np.uint8), size=2 * radius + 1) > 0
    return result
