"""Tiny, valid PNG files written with the standard library, for simulated uploads."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_bytes(seed: str, size: int = 16) -> bytes:
    """A `size` x `size` RGB PNG whose colour and pattern derive from `seed`, so every
    simulated version has its own bytes and checksum."""
    digest = hashlib.sha256(seed.encode()).digest()
    rows = b"".join(
        b"\x00" + bytes(digest[(x * 3 + y) % 30 + c] for x in range(size) for c in range(3))
        for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def write_png(path: Path, seed: str) -> Path:
    """Write a seeded PNG to `path` (folders created as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(seed))
    return path
