"""Checks at full resolution on tiles of the product: focus and detail loss."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import ndimage

from shotline.adapters.imaging.checks.common import boxes_overlay, dilate, measured, skipped
from shotline.adapters.imaging.checks.frame import TILE_COUNT, TILE_SIDE, FloatArray, Frame
from shotline.adapters.imaging.product import BoolArray, Box
from shotline.domain.qc import CheckOutcome, QcThresholds

# An edge counts when the local contrast across it is at least this many 8-bit levels (noise
# and faint texture tell nothing about focus) and its slope at least this many per pixel.
MIN_EDGE_CONTRAST = 25.0
MIN_EDGE_SLOPE = 1.5
# A step smaller than this (8-bit levels) is noise: it neither starts nor ends an edge.
NOISE_STEP = 1.0
# The blur of the sharpest edges: what a focused product has somewhere, whatever its depth
# of field; a missed focus or motion blur has nowhere.
SHARPEST_PERCENTILE = 20
MIN_EDGES = 20
# Strong edges: at least this share of the 90th-percentile edge contrast.
STRONG_SHARE = 0.5


def pick_tiles(
    frame: Frame, region: BoolArray, score: FloatArray, min_cover: float, count: int = TILE_COUNT
) -> list[Box]:
    """Up to `count` non-overlapping full-resolution tiles where `score` is highest among
    blocks at least `min_cover` inside `region` (analysis-copy arrays)."""
    side = min(TILE_SIDE, frame.width, frame.height)
    block = max(2, round(side / frame.scale))
    h, w = region.shape
    rows, cols = h // block, w // block
    if rows == 0 or cols == 0:
        return []

    def pool(values: np.ndarray[Any, Any]) -> FloatArray:
        cut = values[: rows * block, : cols * block].astype(np.float64)
        pooled: FloatArray = cut.reshape(rows, block, cols, block).mean(axis=(1, 3))
        return pooled

    cover = pool(region)
    energy = pool(score)
    energy[cover < min_cover] = -1.0
    order = np.argsort(energy, axis=None)[::-1][:count]
    boxes = []
    for flat in order:
        if energy.flat[flat] < 0:
            break
        r, c = divmod(int(flat), cols)
        left = min(round(c * block * frame.scale), frame.width - side)
        top = min(round(r * block * frame.scale), frame.height - side)
        boxes.append(Box(max(0, left), max(0, top), side, side))
    return boxes


def gradient_energy(gray: FloatArray) -> FloatArray:
    """Squared gradient magnitude of an analysis-copy luma."""
    result: FloatArray = np.zeros_like(gray)
    dx = np.diff(gray, axis=1)
    dy = np.diff(gray, axis=0)
    result[:, 1:] += dx * dx
    result[1:, :] += dy * dy
    return result


def edge_blur(tiles: list[FloatArray]) -> tuple[float | None, float | None]:
    """The Gaussian-equivalent blur (sigma, px) of the sharpest edges across the tiles, read
    separately along rows (x) and columns (y) so that motion blur in one direction is not
    hidden by sharp edges in the other.

    Each edge is a monotone run of pixels (after Marziliano et al., 2002): for a step of
    height A blurred by a Gaussian of sigma, the steepest step is A / (sigma * sqrt(2 pi)),
    so sigma is the run's contrast over its steepest step, whatever the image size."""
    usable = [t for t in tiles if min(t.shape) >= 5]
    if not usable or len({t.shape for t in usable}) != 1:
        usable = [t for t in usable if t.shape == usable[0].shape] if usable else []
    runs: list[list[tuple[FloatArray, FloatArray]]] = [[], []]
    if usable:
        # Stacked so that each direction is one pass: rows never cross a tile's edge.
        runs[0].append(_runs(np.vstack(usable)))
        runs[1].append(_runs(np.vstack([t.T for t in usable])))
    result: list[float | None] = []
    for parts in runs:
        if not parts:
            result.append(None)
            continue
        contrast = np.concatenate([c for c, _ in parts])
        sigma = np.concatenate([s for _, s in parts])
        if len(contrast) < MIN_EDGES:
            result.append(None)
            continue
        # Only the strong edges (outline, seams, print) speak for focus: fine texture that
        # survives a blur as low-contrast ripples would otherwise pass for sharp detail.
        strong = contrast >= STRONG_SHARE * np.percentile(contrast, 90)
        chosen = sigma[strong] if strong.sum() >= MIN_EDGES else sigma
        result.append(float(np.percentile(chosen, SHARPEST_PERCENTILE)))
    return result[0], result[1]


def _runs(tile: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Contrast and sigma of every monotone run along the rows of `tile` with enough
    contrast."""
    diff = np.diff(tile, axis=1)
    sign = np.sign(diff)
    # Steps under the noise floor continue the run they sit in instead of breaking it.
    sign[np.abs(diff) < NOISE_STEP] = 0
    cols = sign.shape[1]
    index = np.where(sign != 0, np.arange(cols, dtype=np.int32), np.int32(0))
    np.maximum.accumulate(index, axis=1, out=index)
    filled = np.take_along_axis(sign, index, axis=1)
    starts = np.ones_like(filled, dtype=bool)
    starts[:, 1:] = filled[:, 1:] != filled[:, :-1]
    flat_starts = np.flatnonzero(starts.ravel())
    flat_diff = diff.ravel()
    contrast = np.abs(np.add.reduceat(flat_diff, flat_starts))
    steepest = np.maximum.reduceat(np.abs(flat_diff), flat_starts)
    keep = (contrast >= MIN_EDGE_CONTRAST) & (steepest >= MIN_EDGE_SLOPE)
    return contrast[keep], contrast[keep] / (steepest[keep] * math.sqrt(2 * math.pi))


def focus(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """Sharpness of the product at full resolution, as the blur (px) of its sharpest edges:
    the same blur scores the same at any image size."""
    region = dilate(frame.mask, 2)
    boxes = pick_tiles(frame, region, gradient_energy(frame.gray), min_cover=0.2)
    blur_x, blur_y = edge_blur(frame.tiles(boxes))
    found = [b for b in (blur_x, blur_y) if b is not None]
    if not found:
        return skipped("focus", "no product edges with enough contrast to measure", "px")
    blur = max(found)
    ok = blur <= limits.max_blur_px
    detail = ""
    if (
        blur_x is not None
        and blur_y is not None
        and max(blur_x, blur_y) > 1.6 * min(blur_x, blur_y)
    ):
        detail = f" (motion along {'x' if blur_x > blur_y else 'y'}?)"
    message = (
        f"sharpest product edges blurred by {blur:.2f} px"
        + ("" if ok else f", over {limits.max_blur_px:g} px: missed focus or motion blur")
        + ("" if ok else detail)
    )
    return measured(
        "focus",
        ok,
        blur,
        limits.max_blur_px,
        "px",
        message,
        lambda: boxes_overlay(frame.rgb.shape, [b.scaled(1 / frame.scale) for b in boxes]),
    )


def fine_detail(tiles: list[FloatArray]) -> float | None:
    """Fine detail (finer than about 2 px) as a share of the detail up to about 8 px: a
    ratio that brightness and contrast changes leave alone and smoothing lowers."""
    fine = mid = 0.0
    for tile in tiles:
        fine += float(np.var(tile - ndimage.gaussian_filter(tile, 1.0)))
        mid += float(np.var(tile - ndimage.gaussian_filter(tile, 4.0)))
    return fine / mid if mid > 1e-6 else None


def detail_loss(frame: Frame, source: Frame | None, limits: QcThresholds) -> CheckOutcome:
    """Fine detail and texture lost inside the product against the source version
    (over-smoothing, smudged fabric, softened stitching)."""
    if source is None:
        return skipped("detail_loss", "no source version", "%")
    if frame.width != source.width or frame.height != source.height:
        return skipped(
            "detail_loss",
            f"the source is a different size ({source.width}x{source.height}); detail is "
            "compared pixel for pixel",
            "%",
        )
    # Tiles chosen on the source, so a smoothed version is measured where detail was.
    boxes = pick_tiles(source, source.core_mask, gradient_energy(source.gray), min_cover=0.9)
    if not boxes:
        boxes = pick_tiles(source, source.mask, gradient_energy(source.gray), min_cover=0.5)
    before = fine_detail(source.tiles(boxes))
    after = fine_detail(frame.tiles(boxes))
    if before is None or after is None:
        return skipped("detail_loss", "the product has no texture to compare", "%")
    loss = 100.0 * (1.0 - after / before)
    ok = loss <= limits.max_detail_loss_percent
    message = (
        f"{max(loss, 0.0):.0f}% of the fine detail inside the product is gone"
        if loss > 0
        else "no fine detail lost"
    )
    if not ok:
        message += f" (over {limits.max_detail_loss_percent:g}%): over-smoothed or smudged"
    return measured(
        "detail_loss",
        ok,
        loss,
        limits.max_detail_loss_percent,
        "%",
        message,
        lambda: boxes_overlay(frame.rgb.shape, [b.scaled(1 / frame.scale) for b in boxes]),
    )
