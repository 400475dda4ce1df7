"""Content-addressed blobs on the local filesystem under $SHOTLINE_HOME/blobs."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from shotline.adapters.storage.base import BlobHealth, StoredBlob, StrayFile
from shotline.domain.errors import ShotlineError

_CHUNK = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
TEMP_PREFIX = ".incoming-"


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
        handle, tmp_name = tempfile.mkstemp(dir=self.root, prefix=TEMP_PREFIX)
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
        except BaseException:
            # Interrupted (Ctrl-C, a bug): the temporary file goes, the error goes on.
            tmp.unlink(missing_ok=True)
            raise

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

    def iter_blobs(self) -> Iterator[str]:
        """Every blob stored under its checksum (files at ab/cd/abcd...)."""
        for path in self._files():
            if self._is_blob(path):
                yield path.name

    def strays(self) -> Iterator[StrayFile]:
        """Leftover temporary files and anything else not stored under its own checksum."""
        for path in self._files():
            if not self._is_blob(path):
                stat = path.stat()
                name = path.relative_to(self.root).as_posix()
                yield StrayFile(name, stat.st_size, stat.st_mtime)

    def check(self, sha256: str) -> BlobHealth:
        """Re-hash the blob: missing, corrupt (bytes no longer match the name) or ok."""
        path = self._path(sha256)
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            return BlobHealth.MISSING
        except OSError:
            return BlobHealth.CORRUPT
        return BlobHealth.OK if digest.hexdigest() == sha256 else BlobHealth.CORRUPT

    def delete(self, sha256: str) -> bool:
        """Remove a blob; False when it was not there."""
        path = self._path(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def remove_stray(self, name: str) -> None:
        """Delete a stray file by the name `strays` reported (relative to the store)."""
        path = (self.root / name).resolve()
        if self.root.resolve() not in path.parents:
            raise ShotlineError(f"{name} is not inside the blob store")
        path.unlink(missing_ok=True)

    def _files(self) -> Iterator[Path]:
        if not self.root.is_dir():
            return
        for folder, _dirs, names in os.walk(self.root):
            for name in names:
                yield Path(folder) / name

    def _is_blob(self, path: Path) -> bool:
        return bool(_SHA256.match(path.name)) and path == self._path(path.name)


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
