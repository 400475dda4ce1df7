"""One decoded image, shared by every check.

The file is decoded once (random access: libvips keeps the decoded pixels, in memory or a
temporary file for very large images, so memory stays flat). Checks that only need tone,
colour or geometry read a downscaled analysis copy; focus and detail read a few tiles of the
product at full resolution.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyvips
from scipy import ndimage

from shotline.adapters.imaging.checks.common import erode
from shotline.adapters.imaging.product import (
    DEFAULT_TOLERANCE,
    BoolArray,
    Box,
    UInt8Array,
    backdrop_colour,
    bounding_box,
    product_mask,
)
from shotline.adapters.imaging.source import (
    DEFAULT_MAX_PIXELS,
    ImageInfo,
    corrupt,
    describe,
    open_image,
    to_array,
    to_srgb,
)

with warnings.catch_warnings():
    # colour-science warns on import that matplotlib is absent; plotting is not used here.
    warnings.simplefilter("ignore")
    import colour

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

# Longer side of the analysis copy. Large enough that a product's outline moves by whole
# pixels when a sleeve is shortened by 2%, small enough that the checks cost a fraction of
# the decode.
ANALYSIS_SIDE = 512
# Full-resolution tiles for focus and detail: count and side in pixels.
TILE_COUNT = 12
TILE_SIDE = 128
# Colour maths runs on at most this many pixels per region: a deterministic, evenly spread
# sample measures a median or a share to well under 0.5% of the whole.
SAMPLE_PIXELS = 8_000
# A plain backdrop: this share of the border within the mask tolerance of its median.
PLAIN_BORDER_SHARE = 0.6
# Holes in the product up to this share of its area count as product (clipped highlights).
MAX_HOLE_SHARE = 0.02
# Separate parts smaller than this share of the largest are specks, not product.
MIN_PART_SHARE = 0.02
# Luma variance (8-bit levels squared, 5x5) under which a region counts as smooth: sensor
# noise and JPEG grain stay under it, fabric, print and edges do not.
SHADOW_MAX_VARIANCE = 6.0

_SRGB_TO_XYZ = np.asarray(colour.models.RGB_COLOURSPACE_sRGB.matrix_RGB_to_XYZ)
# The sRGB decoding curve (colour-science's EOTF) at every 8-bit code value.
_LINEAR = np.asarray(colour.models.eotf_sRGB(np.arange(256) / 255.0))


def srgb_to_lab(rgb: np.ndarray[Any, Any]) -> FloatArray:
    """8-bit sRGB (... x 3) to CIELAB (D65), through colour-science."""
    xyz = _LINEAR[np.asarray(rgb, dtype=np.uint8)] @ _SRGB_TO_XYZ.T
    lab: FloatArray = np.asarray(colour.XYZ_to_Lab(xyz), dtype=np.float64)
    return lab


def delta_e00(lab1: np.ndarray[Any, Any], lab2: np.ndarray[Any, Any]) -> FloatArray:
    """CIEDE2000 colour difference, through colour-science."""
    result: FloatArray = np.asarray(
        colour.delta_E(np.asarray(lab1, float), np.asarray(lab2, float), method="CIE 2000"),
        dtype=np.float64,
    )
    return result


def sample(values: np.ndarray[Any, Any], limit: int = SAMPLE_PIXELS) -> np.ndarray[Any, Any]:
    """At most `limit` rows of `values`, evenly spread (deterministic)."""
    if len(values) <= limit:
        return values
    step = len(values) / limit
    return values[(np.arange(limit) * step).astype(np.intp)]


@dataclass
class Frame:
    """A decoded image with its analysis copy and the product found in it."""

    name: str
    info: ImageInfo
    full: pyvips.Image  # the decoded file at full resolution, in its own colour space
    rgb: UInt8Array  # the analysis copy
    scale: float  # full-resolution pixels per analysis pixel
    # The backdrop colour, or None when the frame has no plain backdrop (a scene, not a
    # product shot): the whole frame is then the product.
    backdrop: tuple[int, int, int] | None
    mask: BoolArray  # product pixels of the analysis copy, holes filled
    box: Box | None
    _lab_cache: dict[str, FloatArray] = field(default_factory=dict, repr=False)

    @property
    def width(self) -> int:
        """Full-resolution width."""
        return self.info.width

    @property
    def height(self) -> int:
        """Full-resolution height."""
        return self.info.height

    @cached_property
    def background_mask(self) -> BoolArray:
        """Backdrop pixels of the analysis copy (empty when there is no plain backdrop)."""
        if self.backdrop is None:
            return np.zeros(self.mask.shape, dtype=bool)
        result: BoolArray = ~self.mask
        return result

    @cached_property
    def core_mask(self) -> BoolArray:
        """Product pixels away from its outline, where colour is the product's own and not
        blended with the backdrop."""
        if self.backdrop is None:
            return self.mask
        core = erode(self.mask, 2)
        return core if core.any() else self.mask

    @cached_property
    def product_lab(self) -> FloatArray:
        """CIELAB of a sample of the product's core pixels (n x 3)."""
        return srgb_to_lab(sample(self.rgb[self.core_mask][:, :3]))

    @cached_property
    def background_lab(self) -> FloatArray:
        """CIELAB of a sample of the backdrop's pixels (n x 3; empty without a backdrop)."""
        return srgb_to_lab(sample(self.rgb[self.background_mask][:, :3]))

    @cached_property
    def product_colour(self) -> tuple[float, float, float] | None:
        """The product's colour: the median L*, a*, b* of its core, or None when the frame
        holds no product."""
        lab = self.product_lab
        if len(lab) == 0:
            return None
        med = np.median(lab, axis=0)
        return float(med[0]), float(med[1]), float(med[2])

    @cached_property
    def gray(self) -> FloatArray:
        """Luma of the analysis copy, 0-255."""
        result: FloatArray = (
            self.rgb[:, :, 0] * 0.299 + self.rgb[:, :, 1] * 0.587 + self.rgb[:, :, 2] * 0.114
        )
        return result

    @cached_property
    def channel_max(self) -> UInt8Array:
        """The brightest channel of every analysis pixel."""
        rgb = self.rgb
        result: UInt8Array = np.maximum(np.maximum(rgb[:, :, 0], rgb[:, :, 1]), rgb[:, :, 2])
        return result

    @cached_property
    def channel_min(self) -> UInt8Array:
        """The darkest channel of every analysis pixel."""
        rgb = self.rgb
        result: UInt8Array = np.minimum(np.minimum(rgb[:, :, 0], rgb[:, :, 1]), rgb[:, :, 2])
        return result

    def tiles(self, boxes: list[Box]) -> list[FloatArray]:
        """Full-resolution luma of each box (full-resolution coordinates), read from the
        one decode in a single pass."""
        if not boxes:
            return []
        side = max(max(b.width for b in boxes), max(b.height for b in boxes))
        crops = [
            self.full.crop(b.left, b.top, b.width, b.height).embed(0, 0, side, side) for b in boxes
        ]
        # Joined first and converted once: one colour transform, not one per tile.
        strip = to_srgb(pyvips.Image.arrayjoin(crops, across=len(crops)))
        try:
            pixels = to_array(strip).astype(np.float32)
        except pyvips.Error:
            raise corrupt(self.name) from None
        luma = pixels[:, :, 0] * 0.299 + pixels[:, :, 1] * 0.587 + pixels[:, :, 2] * 0.114
        return [luma[: b.height, i * side : i * side + b.width] for i, b in enumerate(boxes)]


def load_frame(
    path: Path,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    analysis_side: int = ANALYSIS_SIDE,
    tolerance: int = DEFAULT_TOLERANCE,
) -> Frame:
    """Open and decode `path` once; raises `ImageRefused` for unreadable input."""
    image, fmt = open_image(path, max_pixels=max_pixels)
    info = describe(image, fmt)
    try:
        # Shrink first, then convert: an ICC transform of every full-resolution pixel would
        # cost more than the decode. The tiles are converted one by one.
        scale = max(1.0, max(image.width, image.height) / analysis_side)
        small = image if scale == 1.0 else image.resize(1 / scale)
        rgb = np.ascontiguousarray(to_array(to_srgb(small))[:, :, :3])
    except pyvips.Error:
        raise corrupt(path.name) from None
    # The analysis copy is rounded to whole pixels: keep the exact factor per axis small.
    scale = max(image.width / rgb.shape[1], image.height / rgb.shape[0])
    backdrop, mask = find_product(rgb, tolerance)
    return Frame(
        name=path.name,
        info=info,
        full=image,
        rgb=rgb,
        scale=scale,
        backdrop=backdrop,
        mask=mask,
        box=bounding_box(mask),
    )


def find_product(
    rgb: UInt8Array, tolerance: int = DEFAULT_TOLERANCE
) -> tuple[tuple[int, int, int] | None, BoolArray]:
    """The backdrop colour (None when the border is not plain) and the product mask, holes
    filled so that clipped highlights inside the product still count as product."""
    colour_ = backdrop_colour(rgb)
    h, w = rgb.shape[:2]
    b = max(1, min(4, h // 4, w // 4))
    border = np.concatenate(
        [
            rgb[:b].reshape(-1, 3),
            rgb[-b:].reshape(-1, 3),
            rgb[:, :b].reshape(-1, 3),
            rgb[:, -b:].reshape(-1, 3),
        ]
    ).astype(np.int16)
    near = (np.abs(border - np.asarray(colour_, dtype=np.int16)).max(axis=1) <= tolerance).mean()
    if near < PLAIN_BORDER_SHARE:
        return None, np.ones((h, w), dtype=bool)
    mask = product_mask(rgb, colour_, tolerance) & ~_shadow(rgb, colour_)
    mask = _main_parts(mask)
    # Holes: regions of non-product that do not reach the frame's border. Small ones are the
    # product's own blown highlights; large ones are backdrop seen through the product (a
    # bag's handle, a ring's band) and stay backdrop.
    labels, count = ndimage.label(~mask)
    if count <= 1:
        return colour_, mask
    outside = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    small = sizes <= MAX_HOLE_SHARE * max(1, int(mask.sum()))
    small[0] = False
    small[outside] = False
    filled: BoolArray = mask | small[labels]
    return colour_, filled


def _shadow(rgb: UInt8Array, backdrop: tuple[int, int, int]) -> BoolArray:
    """Backdrop in shadow: smooth, the backdrop's own hue, and not far darker. A product has
    texture or a colour of its own; a smooth, untextured product of exactly the backdrop's
    hue would be taken for shadow (docs/qc.md)."""
    ratios = [
        (rgb[:, :, c].astype(np.float32) + 1.0) / np.float32(backdrop[c] + 1.0) for c in range(3)
    ]
    level = (ratios[0] + ratios[1] + ratios[2]) / 3
    spread = np.abs(ratios[0] - level)
    for ratio in ratios[1:]:
        np.maximum(spread, np.abs(ratio - level), out=spread)
    # Same hue: every channel dimmed by the same factor, within 4%.
    same_hue = (spread <= 0.04 * level) & (level >= 0.4)
    luma = (
        rgb[:, :, 0].astype(np.float32) * 0.299
        + rgb[:, :, 1].astype(np.float32) * 0.587
        + rgb[:, :, 2].astype(np.float32) * 0.114
    )
    mean = ndimage.uniform_filter(luma, 5)
    var = ndimage.uniform_filter(luma * luma, 5) - mean * mean
    result: BoolArray = same_hue & (var <= SHADOW_MAX_VARIANCE)
    return result


def _main_parts(mask: BoolArray) -> BoolArray:
    """The product: connected parts of at least `MIN_PART_SHARE` of the largest one. Specks
    (dust, lint, noise) are left to the backdrop, where the background check counts them."""
    labels, count = ndimage.label(mask)
    if count <= 1:
        return mask
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    sizes[0] = 0
    keep = sizes >= MIN_PART_SHARE * sizes.max()
    keep[0] = False
    result: BoolArray = keep[labels]
    return result
