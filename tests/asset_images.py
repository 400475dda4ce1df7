"""Small real image files for asset store tests, built in code with pyvips and numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyvips


def product_image(width: int = 64, height: int = 80, seed: int = 0) -> pyvips.Image:
    """A dark product on a white backdrop; `seed` shifts its colour so bytes differ."""
    pixels = np.full((height, width, 3), 255, dtype=np.uint8)
    pixels[height // 4 : height * 3 // 4, width // 4 : width * 3 // 4] = (
        40 + seed % 100,
        60,
        90,
    )
    return pyvips.Image.new_from_array(pixels, interpretation="srgb")


def write_image(
    path: Path, width: int = 64, height: int = 80, seed: int = 0, **save: object
) -> Path:
    """Write a product image in the format the suffix names (jpg, png, tif, webp)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    product_image(width, height, seed).write_to_file(str(path), **save)
    return path


def write_heic(path: Path, width: int = 64, height: int = 48) -> Path:
    """A real HEIC file written with pillow-heif."""
    import pillow_heif

    pixels = np.ascontiguousarray(product_image(width, height).numpy())
    heif = pillow_heif.from_bytes(mode="RGB", size=(width, height), data=pixels.tobytes())
    heif.save(str(path), quality=90)
    return path


def truncated(path: Path, source: Path) -> Path:
    """The first half of `source`'s bytes: a download or copy cut short."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path
