"""Content-addressed local storage: same bytes stored once, nothing half-written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from shotline.adapters.storage import LocalBlobStore
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
