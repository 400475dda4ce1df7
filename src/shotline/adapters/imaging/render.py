"""Channel renditions: one image made to one channel's specification with libvips.

The pipeline streams: the master is read top to bottom with shrink-on-load (a JPEG is
decoded at 1/2, 1/4 or 1/8 scale when the output allows), the region the channel shows is
cropped and only that is resized, in one sequential pass, so memory stays flat on
100-megapixel masters (benchmarks/renditions.py). The product is found once, on a small copy
(`analyse`), and its bounding box scaled to the master. Then, per channel:

- `fit_product`: the product's box is scaled into the frame less the channel's margin,
  centred, and everything outside the box becomes the channel background; an edge where the
  master's frame cuts the product stays on the rendition's frame edge;
- `contain`: the whole image, likewise;
- `cover`: the frame is filled and the overflow cropped, centred on the product.

Colour goes to sRGB through the embedded ICC profile; alpha is flattened onto the
background. The encoded file honours `max_bytes` by lowering the quality (binary search
down to `min_quality`). Source EXIF, XMP and IPTC never travel: they can hold GPS positions
and serial numbers, and orientation is applied to the pixels. What a rendition carries is
decided by the channel's `metadata` setting (docs/policy.md):

- `keep`: the full XMP packet (when `metadata` is given) and the sRGB ICC profile;
- `strip`: no ICC profile; only copyright and the AI disclosure, when `metadata` gives them,
  because an AI label must survive every channel.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyvips

from shotline.adapters.imaging.metadata import EmbeddedMetadata, has_minimal_content, xmp_packet
from shotline.adapters.imaging.product import (
    Box,
    backdrop_colour,
    bounding_box,
    product_mask,
)
from shotline.adapters.imaging.source import (
    DEFAULT_MAX_PIXELS,
    corrupt,
    open_image,
    to_array,
    to_srgb,
)
from shotline.domain.errors import ShotlineError
from shotline.domain.policy.model import Channel

# Long side of the copy the product is found on: enough that one analysis pixel is under
# 0.5% of the frame, small enough that a JPEG decodes at 1/8 scale in milliseconds.
ANALYSIS_SIDE = 800
# Analysis pixels added around the product's box, so detection error never clips an edge.
_BOX_PAD = 2
_LOSSY = frozenset({"jpeg", "webp"})
# Formats libvips decodes top to bottom from the file, so a crop needs no full decode.
_STREAMED = frozenset({"jpeg", "png", "tiff", "webp"})
_SUFFIXES = {
    "jpeg": (".jpg", ".jpeg"),
    "png": (".png",),
    "webp": (".webp",),
    "tiff": (".tif", ".tiff"),
}


class RenditionError(ShotlineError):
    """A rendition that cannot be made to the channel's specification."""


@dataclass(frozen=True)
class Rendition:
    """A file made for a channel. `fill_ratio` is the product's bounding box's longer extent
    relative to the frame (its width share or height share, whichever is larger), None
    when no product stands out from the backdrop; `quality` is None for lossless formats."""

    path: Path
    channel: str
    width: int
    height: int
    bytes: int
    quality: int | None
    fill_ratio: float | None
    sha256: str


@dataclass(frozen=True)
class SourceAnalysis:
    """What the small copy tells about a source: its upright size, backdrop colour and the
    product's bounding box in upright source pixels (None when nothing stands out)."""

    width: int
    height: int
    backdrop: tuple[int, int, int]
    box: Box | None
    # RAW and HEIC are decoded whole (rawpy, pillow-heif): kept so each channel reuses it.
    decoded: tuple[pyvips.Image, str] | None = field(default=None, repr=False, compare=False)


def analyse(source: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> SourceAnalysis:
    """Open `source` (refusing what `open_image` refuses) and find the product on a small,
    upright copy."""
    image, fmt = open_image(source, max_pixels=max_pixels, sequential=True)
    width, height = _upright_size(image)
    small = _thumbnail(source, image, fmt, ANALYSIS_SIDE, ANALYSIS_SIDE)
    try:
        rgb = to_array(to_srgb(small))
    except pyvips.Error:
        raise corrupt(source.name) from None
    backdrop = backdrop_colour(rgb)
    found = bounding_box(product_mask(rgb, backdrop))
    box = None
    if found is not None:
        fx, fy = width / rgb.shape[1], height / rgb.shape[0]
        left = max(0, math.floor((found.left - _BOX_PAD) * fx))
        top = max(0, math.floor((found.top - _BOX_PAD) * fy))
        right = min(width, math.ceil((found.left + found.width + _BOX_PAD) * fx))
        bottom = min(height, math.ceil((found.top + found.height + _BOX_PAD) * fy))
        box = Box(left, top, right - left, bottom - top)
    decoded = (image, fmt) if fmt in ("raw", "heic") else None
    return SourceAnalysis(width, height, backdrop, box, decoded)


def render(
    source: Path,
    channel_name: str,
    channel: Channel,
    out_dir: Path,
    file_name: str,
    metadata: EmbeddedMetadata | None = None,
    *,
    analysis: SourceAnalysis | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Rendition:
    """Make `channel`'s rendition of `source` as `out_dir/file_name` (written atomically).

    Pass `analysis` (from `analyse`) when making several channels from one source, to find
    the product once. Raises `ImageRefused` for an unreadable source and `RenditionError`
    when the channel's specification cannot be met.
    """
    _check_file_name(file_name, channel_name, channel)
    if channel.color_space != "sRGB":
        raise RenditionError(
            f"channel {channel_name}: only sRGB renditions are made, not {channel.color_space}"
        )
    if analysis is None:
        analysis = analyse(source, max_pixels=max_pixels)
    if analysis.decoded is not None:
        image, fmt = analysis.decoded
    else:
        image, fmt = open_image(source, max_pixels=max_pixels, sequential=True)
    background = _background(channel, analysis)
    placed, product = _place(source, image, fmt, channel_name, channel, analysis, background)
    try:
        # The frame is small (a few megapixels); holding it lets the quality search
        # re-encode without decoding the master again.
        frame = _with_metadata(placed, channel, metadata).copy_memory()
    except pyvips.Error:
        raise corrupt(source.name) from None
    data, quality = _encode(frame, channel_name, channel)
    path = _write_atomic(out_dir, file_name, data)
    fill = None
    if product is not None:
        fill = round(max(product.width / channel.width, product.height / channel.height), 4)
    return Rendition(
        path=path,
        channel=channel_name,
        width=frame.width,
        height=frame.height,
        bytes=len(data),
        quality=quality,
        fill_ratio=fill,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def render_all(
    source: Path,
    channels: dict[str, Channel],
    out_dir: Path,
    name_for: Callable[[str, Channel], str],
    metadata: EmbeddedMetadata | None = None,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[Rendition]:
    """Every channel's rendition of one source, finding the product once;
    `name_for(channel_name, channel)` gives each file name."""
    analysis = analyse(source, max_pixels=max_pixels)
    return [
        render(
            source,
            name,
            channel,
            out_dir,
            name_for(name, channel),
            metadata,
            analysis=analysis,
            max_pixels=max_pixels,
        )
        for name, channel in channels.items()
    ]


def _place(
    source: Path,
    image: pyvips.Image,
    fmt: str,
    channel_name: str,
    channel: Channel,
    analysis: SourceAnalysis,
    background: tuple[int, int, int],
) -> tuple[pyvips.Image, Box | None]:
    """The channel's frame as a lazy libvips image, and the product's box in it."""
    width, height = channel.width, channel.height
    sw, sh = analysis.width, analysis.height
    box = analysis.box
    if channel.fit == "cover":
        # The window of the source the frame shows, centred on the product, inside the image.
        scale = max(width / sw, height / sh)
        win_w, win_h = min(sw, width / scale), min(sh, height / scale)
        centre = box if box is not None else Box(0, 0, sw, sh)
        cx = centre.left + centre.width / 2
        cy = centre.top + centre.height / 2
        left = min(max(0.0, cx - win_w / 2), sw - win_w)
        top = min(max(0.0, cy - win_h / 2), sh - win_h)
        region = Box(round(left), round(top), max(1, round(win_w)), max(1, round(win_h)))
        region = _clip(region, sw, sh) or Box(0, 0, sw, sh)
        target = (width, height)
    else:
        region = box if channel.fit == "fit_product" and box is not None else Box(0, 0, sw, sh)
        inner_w = width * (1 - 2 * channel.margin)
        inner_h = height * (1 - 2 * channel.margin)
        scale = min(inner_w / region.width, inner_h / region.height)
        target = (
            min(width, max(1, round(region.width * scale))),
            min(height, max(1, round(region.height * scale))),
        )
    _check_resolution(channel_name, channel, scale)
    piece = _region(source, image, fmt, analysis, region, target, background)
    x, y = (width - piece.width) // 2, (height - piece.height) // 2
    if channel.fit == "fit_product" and box is not None:
        # A product the master's frame cuts (a model cropped at the knees) stays cut by the
        # rendition's frame: no band of background beyond a cut edge.
        cut_left, cut_right = box.left == 0, box.left + box.width >= sw
        cut_top, cut_bottom = box.top == 0, box.top + box.height >= sh
        if cut_left != cut_right:
            x = 0 if cut_left else width - piece.width
        if cut_top != cut_bottom:
            y = 0 if cut_top else height - piece.height
    framed = piece
    if (piece.width, piece.height) != (width, height):
        framed = piece.embed(x, y, width, height, extend="background", background=list(background))
    product = None
    if box is not None:
        kx, ky = piece.width / region.width, piece.height / region.height
        product = _clip(
            Box(
                x + round((box.left - region.left) * kx),
                y + round((box.top - region.top) * ky),
                round(box.width * kx),
                round(box.height * ky),
            ),
            width,
            height,
        )
    return framed, product


def _region(
    source: Path,
    image: pyvips.Image,
    fmt: str,
    analysis: SourceAnalysis,
    region: Box,
    target: tuple[int, int],
    background: tuple[int, int, int],
) -> pyvips.Image:
    """`region` of the upright source (in source pixels) resized to exactly `target`, in
    8-bit sRGB flattened onto `background`.

    The usual case (JPEG, PNG, TIFF, WebP stored upright) crops before resizing, after a JPEG
    shrink-on-load to the largest 1/2, 1/4 or 1/8 that still has the pixels needed: the
    least decoding and the flattest memory. Rotated files and RAW/HEIC go through libvips'
    thumbnail, which applies the orientation, and are cropped after it.
    """
    tw, th = target
    scale = max(tw / region.width, th / region.height)
    try:
        if fmt in _STREAMED and _orientation(image) == 1:
            # Only the JPEG loader takes `shrink` (the DCT decodes at 1/2, 1/4 or 1/8).
            options: dict[str, int] = {}
            if fmt == "jpeg":
                shrink = next((k for k in (8, 4, 2) if k * scale <= 1), 1)
                options = {"shrink": shrink} if shrink > 1 else {}
            loaded = pyvips.Image.new_from_file(
                str(source), access="sequential", fail_on="truncated", **options
            )
            fx, fy = loaded.width / analysis.width, loaded.height / analysis.height
        else:
            # Never enlarge the whole image here: enlargement is done on the crop only.
            t = min(scale, 1.0)
            loaded = _thumbnail(
                source,
                image,
                fmt,
                max(1, round(analysis.width * t)),
                max(1, round(analysis.height * t)),
                exact=True,
            )
            fx, fy = loaded.width / analysis.width, loaded.height / analysis.height
        left = min(loaded.width - 1, math.floor(region.left * fx))
        top = min(loaded.height - 1, math.floor(region.top * fy))
        right = min(loaded.width, max(left + 1, math.ceil((region.left + region.width) * fx)))
        bottom = min(loaded.height, max(top + 1, math.ceil((region.top + region.height) * fy)))
        piece = loaded.crop(left, top, right - left, bottom - top)
        if piece.hasalpha():
            # Flattened before the resize: resampling straight alpha would fringe the edges.
            piece = piece.flatten(background=list(background))
        if (piece.width, piece.height) != (tw, th):
            piece = piece.resize(tw / piece.width, vscale=th / piece.height, kernel="lanczos3")
        return _flatten(piece, background)
    except pyvips.Error:
        raise corrupt(source.name) from None


def _thumbnail(
    source: Path, image: pyvips.Image, fmt: str, width: int, height: int, *, exact: bool = False
) -> pyvips.Image:
    """`source` shrunk (upright, orientation applied) to fit `width` x `height`; with
    `exact`, to that size exactly (the caller keeps the aspect ratio)."""
    size = "force" if exact else "down"
    try:
        if fmt in ("raw", "heic"):
            # Decoded to memory by rawpy / pillow-heif already: no shrink-on-load to use.
            return image.thumbnail_image(width, height=height, size=size)
        return pyvips.Image.thumbnail(
            str(source), width, height=height, size=size, fail_on="truncated"
        )
    except pyvips.Error:
        raise corrupt(source.name) from None


def _flatten(image: pyvips.Image, background: tuple[int, int, int]) -> pyvips.Image:
    return to_srgb(image, background)


def _orientation(image: pyvips.Image) -> int:
    value = image.get("orientation") if image.get_typeof("orientation") else 1
    return int(value)


def _upright_size(image: pyvips.Image) -> tuple[int, int]:
    if _orientation(image) in (5, 6, 7, 8):
        return image.height, image.width
    return image.width, image.height


def _background(channel: Channel, analysis: SourceAnalysis) -> tuple[int, int, int]:
    if channel.background is not None:
        hex_ = channel.background.lstrip("#")
        return int(hex_[0:2], 16), int(hex_[2:4], 16), int(hex_[4:6], 16)
    # A channel without a set background pads with the picture's own backdrop.
    return analysis.backdrop


def _check_resolution(channel_name: str, channel: Channel, scale: float) -> None:
    # Enlarging past the channel's minimum long side means the marketplace's zoom would show
    # invented pixels: the source does not have the resolution the channel asks for.
    if channel.min_long_side is None or scale <= 1:
        return
    effective = max(channel.width, channel.height) / scale
    if effective < channel.min_long_side:
        raise RenditionError(
            f"channel {channel_name}: the source has {effective:.0f} px where the frame's "
            f"long side needs at least {channel.min_long_side} (enlarged {scale:.2f}x); "
            "use a larger master"
        )


def _clip(box: Box, width: int, height: int) -> Box | None:
    left, top = max(0, box.left), max(0, box.top)
    right = min(width, box.left + box.width)
    bottom = min(height, box.top + box.height)
    if right <= left or bottom <= top:
        return None
    return Box(left, top, right - left, bottom - top)


def _with_metadata(
    frame: pyvips.Image, channel: Channel, metadata: EmbeddedMetadata | None
) -> pyvips.Image:
    out = frame.copy()
    for name in ("exif-data", "xmp-data", "iptc-data", "icc-profile-data"):
        if out.get_typeof(name):
            out.remove(name)
    for name in out.get_fields():
        if name.startswith(("exif-", "iptc-")):
            out.remove(name)
    if metadata is not None:
        minimal = channel.metadata == "strip"
        if not minimal or has_minimal_content(metadata):
            packet = xmp_packet(metadata, minimal=minimal)
            out.set_type(pyvips.GValue.blob_type, "xmp-data", packet)
    return out


def _save(frame: pyvips.Image, channel: Channel, quality: int) -> bytes:
    keep = "xmp" if frame.get_typeof("xmp-data") else "none"
    icc: dict[str, str] = {"profile": "srgb"} if channel.metadata == "keep" else {}
    data: bytes
    if channel.format == "jpeg":
        data = frame.jpegsave_buffer(Q=quality, keep=keep, optimize_coding=True, **icc)
    elif channel.format == "webp":
        data = frame.webpsave_buffer(Q=quality, keep=keep, **icc)
    elif channel.format == "png":
        data = frame.pngsave_buffer(compression=6, keep=keep, **icc)
    else:
        data = frame.tiffsave_buffer(compression="deflate", keep=keep, **icc)
    return data


def _encode(frame: pyvips.Image, channel_name: str, channel: Channel) -> tuple[bytes, int | None]:
    """Encoded bytes within `max_bytes`, at the highest quality that fits (binary search,
    at most 7 encodes), and that quality (None for lossless formats)."""
    lossy = channel.format in _LOSSY
    best = _save(frame, channel, channel.quality)
    if len(best) <= channel.max_bytes:
        return best, channel.quality if lossy else None
    if not lossy:
        raise RenditionError(
            f"channel {channel_name}: the {channel.format} file is {len(best):,} bytes, over "
            f"max_bytes {channel.max_bytes:,}, and a lossless format has no quality to lower"
        )
    low, high = channel.min_quality, channel.quality - 1
    found: tuple[bytes, int] | None = None
    while low <= high:
        mid = (low + high) // 2
        data = _save(frame, channel, mid)
        if len(data) <= channel.max_bytes:
            found = (data, mid)
            low = mid + 1
        else:
            high = mid - 1
    if found is None:
        smallest = _save(frame, channel, channel.min_quality)
        raise RenditionError(
            f"channel {channel_name}: {len(smallest):,} bytes at min_quality "
            f"{channel.min_quality}, still over max_bytes {channel.max_bytes:,}"
        )
    return found


def _check_file_name(file_name: str, channel_name: str, channel: Channel) -> None:
    if (
        not file_name
        or Path(file_name).name != file_name
        or "/" in file_name
        or "\\" in file_name
        or file_name.startswith(".")
        or ".." in file_name
        or any(ord(c) < 32 for c in file_name)
    ):
        raise RenditionError(f"{file_name!r} is not a safe file name (no folders, no '..')")
    suffixes = _SUFFIXES[channel.format]
    if not file_name.lower().endswith(suffixes):
        raise RenditionError(
            f"{file_name}: channel {channel_name} makes {channel.format} files; "
            f"expected a name ending {' or '.join(suffixes)}"
        )


def _write_atomic(out_dir: Path, file_name: str, data: bytes) -> Path:
    """Write under a temporary name, fsync and rename: a crash leaves no half file."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".rendition-", suffix=".part")
    except OSError as exc:
        raise RenditionError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; a delivered file is read by whoever picks the package up.
        os.chmod(tmp, 0o644)
        target = out_dir / file_name
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise RenditionError(f"cannot write {out_dir / file_name}: {exc.strerror or exc}") from None
    return target
