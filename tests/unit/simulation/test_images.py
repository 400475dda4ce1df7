"""Seeded PNG files for simulated uploads: valid, sized as asked, distinct per seed."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from shotline.simulation.images import png_bytes, write_png

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking each length and CRC on the way."""
    assert data[:8] == SIGNATURE
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        offset += 12 + length
    assert offset == len(data)
    return chunks


@pytest.mark.parametrize("size", [1, 16, 33])
def test_a_png_has_the_signature_and_an_ihdr_of_the_requested_size(size: int) -> None:
    data = png_bytes("seed", size)
    assert data.startswith(SIGNATURE)
    chunks = _chunks(data)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    assert (width, height) == (size, size)
    assert (depth, colour, compression, filtering, interlace) == (8, 2, 0, 0, 0)  # 8-bit RGB
    assert chunks[2][1] == b""


def test_the_pixels_decompress_to_one_filtered_rgb_row_per_line() -> None:
    chunks = dict(_chunks(png_bytes("seed", 16)))
    pixels = zlib.decompress(chunks[b"IDAT"])
    assert len(pixels) == 16 * (1 + 16 * 3)
    assert all(pixels[y * 49] == 0 for y in range(16))  # filter type "none" on every row


def test_the_default_size_is_16() -> None:
    assert png_bytes("seed") == png_bytes("seed", 16)


def test_the_same_seed_gives_the_same_bytes_and_different_seeds_differ() -> None:
    assert png_bytes("a/1.png") == png_bytes("a/1.png")
    assert png_bytes("a/1.png") != png_bytes("a/2.png")
    assert len({png_bytes(f"seed {n}") for n in range(50)}) == 50


def test_write_png_creates_folders_and_writes_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "images" / "deep" / "x.png"
    assert write_png(path, "x") == path
    assert path.read_bytes() == png_bytes("x")
