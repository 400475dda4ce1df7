"""Value objects of intake: raw rows in, accepted and rejected lines out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

CellValue = str | int | float | bool | dt.date | dt.datetime | None


@dataclass(frozen=True)
class RawRow:
    """One spreadsheet row; `row` is the number a spreadsheet shows (the header is row 1)."""

    row: int
    cells: Mapping[str, CellValue]


@dataclass(frozen=True)
class IntakeTable:
    """What an intake file holds, before any validation."""

    source: str
    checksum: str
    headers: tuple[str, ...]
    rows: tuple[RawRow, ...]


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of one row."""

    field: str
    message: str


@dataclass(frozen=True)
class AssetSpec:
    """One deliverable image slot: SKU x colorway x view."""

    sku: str
    colorway: str
    view: str


@dataclass
class AcceptedLine:
    """A complete, valid intake line, routed and with its due time."""

    row: int
    sku: str
    product_name: str
    category: str
    colorways: list[str]
    views: list[str]
    channels: list[str]
    priority: str
    production_path: str
    deadline: dt.datetime | None
    complexity: str
    complexity_reasons: list[str]
    track: str
    due: dt.datetime
    fields: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    def assets(self) -> list[AssetSpec]:
        """Expand into one asset per colorway x view, colorway-major like a shot list."""
        return [AssetSpec(self.sku, c, v) for c in self.colorways for v in self.views]


@dataclass
class RejectedLine:
    """An incomplete or invalid line, kept with every reason so the requester can fix it."""

    row: int
    sku: str
    fields: dict[str, str]
    errors: list[FieldError]


@dataclass
class IntakeResult:
    """Validation of a whole file: every row is either accepted or rejected, never dropped."""

    rows: int
    accepted: list[AcceptedLine]
    rejected: list[RejectedLine]
    notes: list[str] = field(default_factory=list)

    @property
    def asset_count(self) -> int:
        """Assets the accepted lines expand into."""
        return sum(len(line.colorways) * len(line.views) for line in self.accepted)
