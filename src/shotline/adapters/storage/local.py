"""Content-addressed blobs on the local filesystem under $SHOTLINE_HOME/blobs."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from shotline.adapters.storage.base import StoredBlob
from shotline.domain.errors import ShotlineError

_CHUNK = 1 << 20


class LocalBlobStore:
    """Blobs live at blobs/ab/cd/abcd...; written to a temporary name, fsynced, then renamed,
    so a crash leaves either the whole file or nothing under its final name."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put_file(self, source: Path, durable: bool = True) -> StoredBlob:
        """Copy `source` into the store (hashing as it goes); the same bytes are kept once.
        Without `durable` the file and folder syncs wait for `make_durable`."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        handle, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(handle, "wb") as out, source.open("rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                if durable:
                    os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self._path(sha)
            if final.exists():
                tmp.unlink()
                if durable:
                    # It may have been written by a batch that never synced (rolled back).
                    _fsync_file(final)
                return StoredBlob(sha, size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            if durable:
                _fsync_dir(final.parent)
            return StoredBlob(sha, size, created=True)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ShotlineError(f"cannot store {source.name}: {exc.strerror or exc}") from None

    def make_durable(self) -> None:
        """One sync of everything written so far: far cheaper than a sync per file when a
        replay batch stores hundreds of files before its single database commit."""
        os.sync()

    def exists(self, sha256: str) -> bool:
        """True when the blob is stored."""
        return self._path(sha256).is_file()

    def open_path(self, sha256: str) -> Path:
        """The blob's path (it may not exist; check with `exists`)."""
        return self._path(sha256)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the directory entry itself is on disk.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
