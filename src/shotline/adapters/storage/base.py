"""The storage interface every backend (local files now, S3-compatible later) implements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredBlob:
    """Where bytes ended up: their sha256 (also their key) and size."""

    sha256: str
    size: int
    created: bool


class BlobStore(Protocol):
    """Content-addressed storage: the same bytes are stored once, under their sha256."""

    def put_file(self, source: Path, durable: bool = True) -> StoredBlob:
        """Store a file's bytes; with `durable`, return only once they are safe on disk.
        Without it the caller must call `make_durable` before committing rows that cite it."""
        ...

    def make_durable(self) -> None:
        """Flush every blob stored with `durable=False` to stable storage."""
        ...

    def exists(self, sha256: str) -> bool:
        """True when the blob is stored."""
        ...

    def open_path(self, sha256: str) -> Path:
        """A local path to read the blob from."""
        ...
