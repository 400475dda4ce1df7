"""Opening image files safely with libvips.

Every refusal is an `ImageRefused` that names the file and the reason, raised before any
pixel is decoded where the header already tells (unsupported type, decompression bomb) and
on the first full decode otherwise (truncated or corrupt data). Camera RAW goes through
rawpy and HEIC through pillow-heif, then continues as a libvips image like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyvips

from shotline.domain.errors import ShotlineError

# 100 megapixels of headroom over the largest masters a studio produces; the policy may
# lower it. Checked on the header, so a bomb is refused before it is decoded.
DEFAULT_MAX_PIXELS = 200_000_000

RAW_SUFFIXES = frozenset(
    {".cr2", ".cr3", ".nef", ".nrw", ".arw", ".dng", ".raf", ".orf", ".rw2", ".pef", ".srw"}
)
HEIC_SUFFIXES = frozenset({".heic", ".heif", ".hif"})
# libvips loader name -> the format name Shotline records.
_LOADERS = {
    "jpegload": "jpeg",
    "pngload": "png",
    "tiffload": "tiff",
    "webpload": "webp",
    "heifload": "heif",
}
_BIT_DEPTH = {
    "uchar": 8,
    "char": 8,
    "ushort": 16,
    "short": 16,
    "uint": 32,
    "int": 32,
    "float": 32,
    "double": 64,
}


class ImageRefused(ShotlineError):
    """An image Shotline will not take: unreadable, truncated, unsupported or too large."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


@dataclass(frozen=True)
class ImageInfo:
    """What a version records about its pixels."""

    format: str
    width: int
    height: int
    bands: int
    bit_depth: int
    icc_description: str | None
    has_alpha: bool

    @property
    def pixels(self) -> int:
        """Width times height."""
        return self.width * self.height


def open_image(
    path: Path,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    sequential: bool = False,
) -> tuple[pyvips.Image, str]:
    """Open `path` lazily and return the image with its format name.

    Raises `ImageRefused` for missing files, unsupported types and images over `max_pixels`.
    Truncation is only found when the pixels are read: call `verify` (or decode) to know.
    """
    name = path.name
    if not path.is_file():
        raise ImageRefused(name, "file not found")
    suffix = path.suffix.lower()
    if suffix in RAW_SUFFIXES:
        return _from_array(_decode_raw(path), name, max_pixels), "raw"
    if suffix in HEIC_SUFFIXES:
        return _from_array(_decode_heic(path), name, max_pixels), "heic"
    try:
        image = pyvips.Image.new_from_file(
            str(path), access="sequential" if sequential else "random", fail_on="truncated"
        )
    except pyvips.Error as exc:
        message = _first_line(exc)
        if "not a known file format" in message or "is not a known" in message:
            raise ImageRefused(
                name, "not an image Shotline accepts (JPEG, PNG, TIFF, WebP, HEIC, RAW)"
            ) from None
        raise ImageRefused(name, f"cannot read the image ({message})") from None
    loader = str(image.get("vips-loader")) if image.get_typeof("vips-loader") else ""
    fmt = _LOADERS.get(loader.removesuffix("_source").removesuffix("_buffer"))
    if fmt is None:
        raise ImageRefused(name, f"unsupported image type ({loader or 'unknown'})")
    _check_size(name, image.width, image.height, max_pixels)
    return image, fmt


def corrupt(name: str) -> ImageRefused:
    """The refusal for pixel data that cannot be decoded. libvips' own wording is left out:
    which of its messages comes last depends on threading, and the same file must always
    get the same answer."""
    return ImageRefused(name, "the image data is truncated or corrupt")


def verify(image: pyvips.Image, name: str) -> None:
    """Decode every pixel once (streaming, flat memory) so truncated or corrupt data is
    refused now rather than halfway through a later job."""
    try:
        image.avg()
    except pyvips.Error:
        raise corrupt(name) from None


def probe(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """Open, fully verify and describe an image file."""
    image, fmt = open_image(path, max_pixels=max_pixels, sequential=True)
    verify(image, path.name)
    return describe(image, fmt)


def describe(image: pyvips.Image, fmt: str) -> ImageInfo:
    """The recorded facts of an opened image."""
    return ImageInfo(
        format=fmt,
        width=image.width,
        height=image.height,
        bands=image.bands,
        bit_depth=_BIT_DEPTH.get(image.format, 8),
        icc_description=icc_description(image),
        has_alpha=bool(image.hasalpha()),
    )


def icc_description(image: pyvips.Image) -> str | None:
    """The embedded ICC profile's description tag, or None when there is no profile."""
    if image.get_typeof("icc-profile-data") == 0:
        return None
    data: bytes = image.get("icc-profile-data")
    return _icc_desc(data)


def to_srgb(
    image: pyvips.Image, background: tuple[int, int, int] = (255, 255, 255)
) -> pyvips.Image:
    """8-bit, 3-band sRGB: converted through the embedded ICC profile when there is one,
    alpha flattened onto `background`."""
    if image.get_typeof("icc-profile-data") != 0:
        try:
            image = image.icc_transform("srgb", embedded=True, intent="relative")
        except pyvips.Error:
            # A broken embedded profile: fall back to the colourspace libvips infers.
            image = image.colourspace("srgb")
    elif image.interpretation not in ("srgb", "b-w"):
        image = image.colourspace("srgb")
    if image.hasalpha():
        image = image.flatten(background=list(background))
    if image.bands == 1:
        image = image.bandjoin([image, image])
    elif image.bands == 2:
        image = image[0].bandjoin([image[0], image[0]])
    elif image.bands > 3:
        image = image.extract_band(0, n=3)
    if image.format != "uchar":
        if image.format == "ushort":
            image = image / 257
        image = image.cast("uchar")
    return image


def to_array(image: pyvips.Image) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The image's pixels as a height x width x bands uint8 array (image must be uchar)."""
    array: np.ndarray[Any, np.dtype[np.uint8]] = image.numpy()
    if array.ndim == 2:
        array = array[:, :, None]
    return array


def srgb_array(
    path: Path, *, max_side: int | None = None, max_pixels: int = DEFAULT_MAX_PIXELS
) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """Decode `path` to an sRGB uint8 array, shrunk on load to `max_side` when given."""
    image, _ = open_image(path, max_pixels=max_pixels, sequential=True)
    if max_side is not None and max(image.width, image.height) > max_side:
        image = image.thumbnail_image(max_side, height=max_side, size="down")
    try:
        return to_array(to_srgb(image))
    except pyvips.Error:
        raise corrupt(path.name) from None


def _check_size(name: str, width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageRefused(
            name,
            f"{width}x{height} is {width * height:,} pixels, over the limit of "
            f"{max_pixels:,} (a decompression bomb, or a file far larger than any master)",
        )


def _from_array(array: np.ndarray[Any, Any], name: str, max_pixels: int) -> pyvips.Image:
    _check_size(name, array.shape[1], array.shape[0], max_pixels)
    return pyvips.Image.new_from_array(np.ascontiguousarray(array))


def _decode_raw(path: Path) -> np.ndarray[Any, Any]:
    import rawpy  # imported here: only captures need it, and it is slow to import

    try:
        with rawpy.imread(str(path)) as raw:
            # Camera white balance, 8-bit sRGB: a preview-quality decode for checks and review.
            return np.asarray(raw.postprocess(use_camera_wb=True, output_bps=8))
    except (rawpy.LibRawError, OSError, ValueError) as exc:
        raise ImageRefused(path.name, f"cannot read the camera RAW file ({exc})") from None


def _decode_heic(path: Path) -> np.ndarray[Any, Any]:
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(str(path), convert_hdr_to_8bit=True)
        return np.asarray(heif)
    except (ValueError, OSError, RuntimeError) as exc:
        raise ImageRefused(path.name, f"cannot read the HEIC file ({exc})") from None


def _icc_desc(data: bytes) -> str | None:
    # The 'desc' tag of an ICC profile: v2 'desc' (ASCII) or v4 'mluc' (UTF-16BE records).
    if len(data) < 132:
        return None
    count = int.from_bytes(data[128:132], "big")
    for i in range(min(count, 100)):
        entry = data[132 + 12 * i : 144 + 12 * i]
        if len(entry) < 12 or entry[:4] != b"desc":
            continue
        offset = int.from_bytes(entry[4:8], "big")
        size = int.from_bytes(entry[8:12], "big")
        tag = data[offset : offset + size]
        if tag[:4] == b"desc" and len(tag) >= 12:
            length = int.from_bytes(tag[8:12], "big")
            return tag[12 : 12 + length].split(b"\0", 1)[0].decode("latin-1").strip() or None
        if tag[:4] == b"mluc" and len(tag) >= 28:
            rec_len = int.from_bytes(tag[20:24], "big")
            rec_off = int.from_bytes(tag[24:28], "big")
            return tag[rec_off : rec_off + rec_len].decode("utf-16-be", "replace").strip() or None
    return None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1].strip() if text else type(exc).__name__
