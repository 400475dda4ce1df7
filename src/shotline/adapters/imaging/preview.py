"""Browser-viewable JPEG previews of stored versions, made once with libvips and cached.

Masters arrive as TIFF, 16-bit PNG, HEIC or camera RAW, which browsers cannot show or show
in the wrong colours; the viewer needs sRGB JPEGs instead: a downscaled one to fit the
screen, and a full-resolution one for the 100% zoom loupe. Each is keyed by the blob's
sha256 and size, written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyvips

from shotline.adapters.imaging.source import (
    HEIC_SUFFIXES,
    RAW_SUFFIXES,
    ImageRefused,
    open_image,
    to_srgb,
)

# Long sides the viewer asks for; 0 means full resolution (the 100% loupe).
PREVIEW_SIZES: tuple[int, ...] = (0, 320, 1600)
_QUALITY = {0: 92, 320: 80, 1600: 85}


def preview_path(cache: Path, sha256: str, size: int) -> Path:
    """Where the preview of blob `sha256` at `size` is cached."""
    return cache / sha256[:2] / f"{sha256}-{size}.jpg"


def make_preview(source: Path, original_name: str, sha256: str, size: int, cache: Path) -> Path:
    """The cached preview of a stored file, made now if it is not there yet.

    `original_name` tells RAW and HEIC files apart (blobs carry no suffix). Raises
    ImageRefused for a file libvips cannot read, and ValueError for a size not offered.
    """
    if size not in PREVIEW_SIZES:
        raise ValueError(f"preview size {size} is not one of {PREVIEW_SIZES}")
    target = preview_path(cache, sha256, size)
    if target.is_file():
        return target
    try:
        image = _open(source, original_name, size)
    except ImageRefused as exc:
        # The blob's own name is its checksum; people know the file by what they uploaded.
        raise ImageRefused(original_name, exc.reason) from None
    try:
        data: bytes = to_srgb(image).jpegsave_buffer(
            Q=_QUALITY[size], strip=True, optimize_coding=True
        )
    except pyvips.Error as exc:
        raise ImageRefused(original_name, f"cannot make a preview ({exc})") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=".preview-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _open(source: Path, original_name: str, size: int) -> pyvips.Image:
    """The image at `size` (0: full size). Sizes and bombs are checked on the header first
    (open_image); JPEG and WebP are then shrunk while they load, far cheaper than decoding a
    50-megapixel master to show 1600 pixels."""
    suffix = Path(original_name).suffix.lower()
    if suffix in RAW_SUFFIXES or suffix in HEIC_SUFFIXES:
        # The RAW and HEIC decoders go by the suffix, which content-addressed blobs lack.
        with tempfile.TemporaryDirectory(prefix="shotline-preview-") as folder:
            link = Path(folder) / f"source{suffix}"
            link.symlink_to(source)
            image, _ = open_image(link)
            # Decoded into memory already (rawpy / pillow-heif): safe after the link goes.
            image = image.copy_memory()
            return _shrunk(image, size)
    image, _ = open_image(source)
    if size and max(image.width, image.height) > size:
        try:
            return pyvips.Image.thumbnail(str(source), size, height=size, size="down")
        except pyvips.Error as exc:
            raise ImageRefused(original_name, f"cannot make a preview ({exc})") from None
    return image


def _shrunk(image: pyvips.Image, size: int) -> pyvips.Image:
    if size and max(image.width, image.height) > size:
        return image.thumbnail_image(size, height=size, size="down")
    return image
