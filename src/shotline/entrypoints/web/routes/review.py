"""Owned by the asset-page engineer; filled in by them."""

from fastapi import APIRouter

router = APIRouter()
