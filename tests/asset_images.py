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


def write_dng(path: Path, width: int = 64, height: int = 48) -> Path:
    """A minimal camera RAW (DNG): an RGGB Bayer mosaic with the tags LibRaw needs, written
    with tifffile (a scikit-image dependency)."""
    import tifffile

    mosaic = np.full((height, width), 2000, dtype=np.uint16)
    mosaic[height // 4 : height * 3 // 4, width // 4 : width * 3 // 4] = 600
    identity = (10000, 10000, 0, 1, 0, 1, 0, 1, 10000, 10000, 0, 1, 0, 1, 0, 1, 10000, 10000)
    tags = [
        (50706, "B", 4, (1, 4, 0, 0), True),  # DNGVersion
        (50707, "B", 4, (1, 1, 0, 0), True),  # DNGBackwardVersion
        (50708, "s", 0, "Shotline Test Camera", True),  # UniqueCameraModel
        (33421, "H", 2, (2, 2), True),  # CFARepeatPatternDim
        (33422, "B", 4, (0, 1, 1, 2), True),  # CFAPattern: RGGB
        (50710, "B", 3, (0, 1, 2), True),  # CFAPlaneColor
        (50711, "H", 1, 1, True),  # CFALayout
        (50717, "I", 1, 4095, True),  # WhiteLevel
        (50721, "2i", 9, identity, True),  # ColorMatrix1
        (50728, "2I", 3, (1, 1, 1, 1, 1, 1), True),  # AsShotNeutral
        (50778, "H", 1, 21, True),  # CalibrationIlluminant1: D65
    ]
    tifffile.imwrite(
        path, mosaic, photometric=32803, compression=None, subfiletype=0, extratags=tags,
        metadata=None,
    )  # fmt: skip
    return path
