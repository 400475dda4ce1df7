"""Assets in production and their history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shotline.entrypoints.api.schemas.common import View


class AssetOut(View):
    id: int
    sku: str
    colorway: str
    view: str
    category: str
    track: str
    complexity: str
    priority: str
    state: str
    due_at: dt.datetime


class AssetPage(View):
    """The first assets by due time then priority, and how many matched in all."""

    total: int
    assets: list[AssetOut]


class HistoryEntryOut(View):
    """One event about the asset, with who caused it (None for the system)."""

    at: dt.datetime
    kind: str
    actor: str | None
    asset: str | None
    payload: dict[str, Any]
