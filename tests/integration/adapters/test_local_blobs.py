"""Content-addressed local storage: same bytes stored once, nothing half-written."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shotline.adapters.storage import BlobHealth, LocalBlobStore
from shotline.domain.errors import ShotlineError


def test_the_same_bytes_are_stored_once_under_their_sha256(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    a.write_bytes(b"pixels")
    b.write_bytes(b"pixels")
    first, second = store.put_file(a), store.put_file(b)
    assert first.sha256 == second.sha256 == hashlib.sha256(b"pixels").hexdigest()
    assert (first.created, second.created) == (True, False)
    assert store.open_path(first.sha256).read_bytes() == b"pixels"
    assert store.exists(first.sha256)


def test_deferred_durability_still_stores_the_file(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    src = tmp_path / "c.jpg"
    src.write_bytes(b"more pixels")
    blob = store.put_file(src, durable=False)
    store.make_durable()
    assert store.open_path(blob.sha256).read_bytes() == b"more pixels"


def test_an_unreadable_source_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    with pytest.raises(ShotlineError, match=r"cannot store missing\.jpg"):
        store.put_file(tmp_path / "missing.jpg")
    assert [p.name for p in (tmp_path / "blobs").iterdir()] == []


# crashes, fsck support


def _store_with(tmp_path: Path, data: bytes, name: str = "src.jpg") -> tuple[LocalBlobStore, Path]:
    store = LocalBlobStore(tmp_path / "blobs")
    src = tmp_path / name
    src.write_bytes(data)
    return store, src


def test_a_crash_before_the_rename_leaves_no_file_under_a_final_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, src = _store_with(tmp_path, b"x" * 3_000_000)

    def crash(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ShotlineError, match=r"cannot store src\.jpg: No space left on device"):
        store.put_file(src)
    assert list(store.iter_blobs()) == [] and list(store.strays()) == []


def test_an_interruption_mid_copy_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three chunks: the copy is interrupted after the first has been written.
    store, src = _store_with(tmp_path, b"y" * (3 << 20))
    real_open = Path.open
    reads = 0

    class Interrupted(Exception):
        pass

    def opener(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]
        if self != src:
            return handle
        real_read = handle.read

        def read(size: int = -1) -> bytes:
            nonlocal reads
            reads += 1
            if reads == 2:
                raise Interrupted
            return bytes(real_read(size))

        handle.read = read
        return handle

    monkeypatch.setattr(Path, "open", opener)
    with pytest.raises(Interrupted):
        store.put_file(src)
    assert reads == 2
    assert list(store.iter_blobs()) == [] and list(store.strays()) == []


def test_a_process_killed_mid_write_leaves_only_a_leftover_fsck_can_see(tmp_path: Path) -> None:
    store, src = _store_with(tmp_path, b"z" * (8 << 20))
    script = f"""
import os, signal, sys
from pathlib import Path
from shotline.adapters.storage import local
real_fsync = os.fsync
def die(fd):
    os.kill(os.getpid(), signal.SIGKILL)  # the power goes off just before the data is synced
local.os.fsync = die
local.LocalBlobStore(Path({str(store.root)!r})).put_file(Path({str(src)!r}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    assert list(store.iter_blobs()) == []
    [leftover] = list(store.strays())
    assert leftover.name.startswith(".incoming-")
    # The next upload of the same bytes is unaffected and complete.
    blob = store.put_file(src)
    assert blob.created and store.check(blob.sha256) == BlobHealth.OK


def test_check_finds_missing_and_corrupt_blobs(tmp_path: Path) -> None:
    store, src = _store_with(tmp_path, b"original pixels")
    blob = store.put_file(src)
    assert store.check(blob.sha256) == BlobHealth.OK
    store.open_path(blob.sha256).write_bytes(b"original pixelz")
    assert store.check(blob.sha256) == BlobHealth.CORRUPT
    assert store.delete(blob.sha256) is True
    assert store.check(blob.sha256) == BlobHealth.MISSING
    assert store.delete(blob.sha256) is False


def test_iteration_lists_blobs_and_tells_strays_apart(tmp_path: Path) -> None:
    store, src = _store_with(tmp_path, b"one")
    first = store.put_file(src)
    src.write_bytes(b"two")
    second = store.put_file(src)
    (store.root / ".incoming-abc").write_bytes(b"half")
    misplaced = store.root / "00" / first.sha256
    misplaced.parent.mkdir()
    misplaced.write_bytes(b"one")
    assert sorted(store.iter_blobs()) == sorted([first.sha256, second.sha256])
    assert sorted(s.name for s in store.strays()) == [".incoming-abc", f"00/{first.sha256}"]
    store.remove_stray(".incoming-abc")
    with pytest.raises(ShotlineError, match="not inside the blob store"):
        store.remove_stray("../src.jpg")
    assert src.exists()
    assert [s.name for s in store.strays()] == [f"00/{first.sha256}"]
