"""Browser previews of stored versions: sRGB JPEGs at the viewer's sizes, cached."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import pyvips

from shotline.adapters.imaging.preview import make_preview, preview_path
from shotline.adapters.imaging.source import ImageRefused


def blob(tmp_path: Path, image: pyvips.Image, suffix: str, **options: object) -> tuple[Path, str]:
    """The image saved as a content-addressed blob would be: no suffix on disk."""
    data: bytes = image.write_to_buffer(suffix, **options)
    sha = hashlib.sha256(data).hexdigest()
    path = tmp_path / sha
    path.write_bytes(data)
    return path, sha


def gradient(width: int, height: int, dtype: type = np.uint8, top: int = 255) -> pyvips.Image:
    ramp = np.linspace(0, top, width, dtype=np.float64)
    pixels = np.broadcast_to(ramp, (height, width)).astype(dtype)
    return pyvips.Image.new_from_array(np.dstack([pixels] * 3), interpretation="srgb")


def test_a_large_jpeg_is_shrunk_to_fit_and_kept_whole_for_the_loupe(tmp_path: Path) -> None:
    source, sha = blob(tmp_path, gradient(3000, 2000), ".jpg")
    cache = tmp_path / "cache"
    fit = pyvips.Image.new_from_file(str(make_preview(source, "a.jpg", sha, 1600, cache)))
    assert (fit.width, fit.height) == (1600, 1067)
    full = pyvips.Image.new_from_file(str(make_preview(source, "a.jpg", sha, 0, cache)))
    assert (full.width, full.height) == (3000, 2000)
    assert full.get("vips-loader") == "jpegload"


def test_sixteen_bit_masters_become_eight_bit_srgb(tmp_path: Path) -> None:
    source, sha = blob(
        tmp_path, gradient(400, 100, np.uint16, 65535).copy(interpretation="rgb16"), ".png"
    )
    preview = pyvips.Image.new_from_file(str(make_preview(source, "m.png", sha, 320, tmp_path)))
    assert preview.format == "uchar" and preview.bands == 3
    assert (preview.width, preview.height) == (320, 80)
    # The ramp survives the conversion: dark on the left, light on the right.
    assert preview.crop(0, 0, 10, 80).avg() < 30 < 225 < preview.crop(310, 0, 10, 80).avg()


def test_a_preview_is_made_once(tmp_path: Path) -> None:
    source, sha = blob(tmp_path, gradient(500, 500), ".png")
    first = make_preview(source, "x.png", sha, 320, tmp_path / "cache")
    assert first == preview_path(tmp_path / "cache", sha, 320)
    source.unlink()  # served from the cache, the source is not read again
    assert make_preview(source, "x.png", sha, 320, tmp_path / "cache") == first


def test_unreadable_files_and_unknown_sizes_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"not an image at all")
    with pytest.raises(ImageRefused, match=r"notes\.png: not an image"):
        make_preview(junk, "notes.png", "ab" * 32, 320, tmp_path)
    with pytest.raises(ValueError, match="preview size 77"):
        make_preview(junk, "notes.png", "ab" * 32, 77, tmp_path)
    assert not preview_path(tmp_path, "ab" * 32, 320).exists()
