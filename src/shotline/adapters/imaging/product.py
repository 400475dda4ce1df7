"""Finding the product in a product shot: everything that differs from the backdrop.

Used by the channel renditions (fit the product's bounding box) and by the checks (measure
inside the product, or inside the background). Works on sRGB uint8 arrays, usually a
downscaled copy; coordinates scale back by the caller's factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# Per-channel distance (0-255) from the backdrop above which a pixel counts as product.
# Studio whites vary by a few levels and JPEG ringing adds a few more; 24 keeps both out
# while a pale product edge against pure white still clears it.
DEFAULT_TOLERANCE = 24

UInt8Array = np.ndarray[Any, np.dtype[np.uint8]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True)
class Box:
    """A bounding box in pixels: left, top, width, height."""

    left: int
    top: int
    width: int
    height: int

    @property
    def area(self) -> int:
        """Width times height."""
        return self.width * self.height

    def scaled(self, factor: float) -> Box:
        """The same box in an image `factor` times larger."""
        return Box(
            round(self.left * factor),
            round(self.top * factor),
            max(1, round(self.width * factor)),
            max(1, round(self.height * factor)),
        )


def backdrop_colour(rgb: UInt8Array, border: int = 4) -> tuple[int, int, int]:
    """The backdrop's colour: the median of a thin frame of border pixels, which a product
    shot leaves to the background (a product cut by the frame pulls it only a little)."""
    h, w = rgb.shape[:2]
    b = max(1, min(border, h // 4, w // 4))
    frame = np.concatenate(
        [
            rgb[:b].reshape(-1, 3),
            rgb[-b:].reshape(-1, 3),
            rgb[:, :b].reshape(-1, 3),
            rgb[:, -b:].reshape(-1, 3),
        ]
    )
    med = np.median(frame, axis=0)
    return int(med[0]), int(med[1]), int(med[2])


def product_mask(
    rgb: UInt8Array,
    backdrop: tuple[int, int, int] | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> BoolArray:
    """True where a pixel differs from the backdrop by more than `tolerance` on any channel.
    Isolated specks (dust, noise) are dropped: a pixel stays only when most of its 3x3
    neighbourhood agrees."""
    colour = backdrop if backdrop is not None else backdrop_colour(rgb)
    # Per channel, not a reduction over the 3-wide colour axis: several times faster.
    diff = channel_distance(rgb, colour)
    raw = diff > tolerance
    return _majority(raw)


def channel_distance(rgb: UInt8Array, colour: tuple[int, int, int]) -> np.ndarray[Any, Any]:
    """The largest per-channel difference (0-255) of every pixel from `colour`."""
    out = np.abs(rgb[:, :, 0].astype(np.int16) - colour[0])
    for c in (1, 2):
        np.maximum(out, np.abs(rgb[:, :, c].astype(np.int16) - colour[c]), out=out)
    return out


def bounding_box(mask: BoolArray) -> Box | None:
    """The smallest box holding every True pixel, or None for an empty mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1])
    left, right = int(cols[0]), int(cols[-1])
    return Box(left, top, right - left + 1, bottom - top + 1)


def _majority(mask: BoolArray) -> BoolArray:
    # 3x3 neighbour count by summing shifted copies: no SciPy or OpenCV needed.
    padded = np.pad(mask.astype(np.uint8), 1)
    h, w = mask.shape
    count = np.zeros((h, w), dtype=np.uint8)
    for dy in range(3):
        for dx in range(3):
            count += padded[dy : dy + h, dx : dx + w]
    result: BoolArray = count >= 5
    return result
