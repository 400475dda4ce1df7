"""File storage: content-addressed blobs behind one small interface."""

from shotline.adapters.storage.base import BlobStore, StoredBlob
from shotline.adapters.storage.local import LocalBlobStore

__all__ = ["BlobStore", "LocalBlobStore", "StoredBlob"]
