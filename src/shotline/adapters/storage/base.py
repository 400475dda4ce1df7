"""The storage interface every backend (local files now, S3-compatible later) implements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredBlob:
    """Where bytes ended up: their sha256 (also their key) and size."""

    sha256: str
    size: int
    created: bool


class BlobHealth(StrEnum):
    """What re-reading a blob found."""

    OK = "ok"
    MISSING = "missing"
    CORRUPT = "corrupt"


@dataclass(frozen=True)
class StrayFile:
    """Something in the store that is not a blob under its own checksum: a temporary file
    left by a write that never finished, or a file whose name is not a sha256."""

    name: str
    size: int
    modified: float


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

    def iter_blobs(self) -> Iterator[str]:
        """The sha256 of every stored blob (any order)."""
        ...

    def check(self, sha256: str) -> BlobHealth:
        """Read the blob back and compare its bytes with its checksum."""
        ...

    def strays(self) -> Iterator[StrayFile]:
        """Files in the store that are not blobs (interrupted writes, foreign files)."""
        ...

    def delete(self, sha256: str) -> bool:
        """Remove a blob; False when it was not there. Callers make sure no row cites it."""
        ...

    def remove_stray(self, name: str) -> None:
        """Delete a stray file by the name `strays` reported."""
        ...
