"""File storage: content-addressed blobs behind one small interface."""

from shotline.adapters.storage.base import BlobHealth, BlobStore, StoredBlob, StrayFile
from shotline.adapters.storage.local import LocalBlobStore

__all__ = ["BlobHealth", "BlobStore", "LocalBlobStore", "StoredBlob", "StrayFile"]
