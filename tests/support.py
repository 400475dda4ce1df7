"""Small builders for test data: valid intake rows and files in every supported format."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

APPAREL = {
    "sku": "TEE-001",
    "product_name": "Organic Tee",
    "category": "apparel",
    "colorways": "Black|White",
    "views": "front|back",
    "channels": "pdp|amazon_main",
    "deadline": "",
    "priority": "normal",
    "creative_reference": "moodboard/tees",
    "approval_owner": "maya",
    "production_path": "catalog",
    "size_represented": "M",
    "ghost_mannequin": "no",
    "fabric": "cotton jersey",
    "color_priority": "standard",
}
JEWELRY = {
    "sku": "RING-001",
    "product_name": "Solitaire Ring",
    "category": "jewelry",
    "colorways": "Gold",
    "views": "main|macro",
    "channels": "pdp",
    "priority": "high",
    "approval_owner": "maya",
    "production_path": "catalog",
    "metal_type": "18k gold",
    "stone_type": "diamond",
    "reflection_rules": "soft box only",
}


def row(base: dict[str, str] | None = None, **changes: str) -> dict[str, str]:
    """A valid apparel row (or a copy of `base`) with some fields changed."""
    return {**(base or APPAREL), **changes}


def csv_bytes(rows: Sequence[dict[str, Any]], encoding: str = "utf-8") -> bytes:
    headers: list[str] = []
    for r in rows:
        headers += [h for h in r if h not in headers]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, rows: Sequence[dict[str, Any]], encoding: str = "utf-8") -> Path:
    """Write rows as CSV in `encoding` ("utf-8", "utf-8-sig" or "cp1252")."""
    path.write_bytes(csv_bytes(rows, encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """Write rows to the first sheet of an XLSX workbook; dates stay real date cells."""
    from openpyxl import Workbook

    headers: list[str] = []
    for r in rows:
        headers += [h for h in r if h not in headers]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append([r.get(h) for h in headers])
    book.save(path)
    return path
