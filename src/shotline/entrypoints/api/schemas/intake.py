"""Intake validation and import: the JSON contract of `shotline intake validate --json`."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from shotline.domain.intake.model import IntakeResult


class AcceptedLineOut(BaseModel):
    row: int
    sku: str
    colorways: list[str]
    assets: int
    track: str
    complexity: str
    due: dt.datetime
    warnings: list[str]


class LineErrorOut(BaseModel):
    field: str
    message: str


class RejectedLineOut(BaseModel):
    row: int
    sku: str
    errors: list[LineErrorOut]


class IntakeDocument(BaseModel):
    """Every row of the file, either accepted (with its track and due time) or rejected
    (with every reason)."""

    rows: int
    accepted: list[AcceptedLineOut]
    rejected: list[RejectedLineOut]

    @classmethod
    def of(cls, result: IntakeResult) -> IntakeDocument:
        """The document for a validation result."""
        accepted = [
            AcceptedLineOut(
                row=line.row,
                sku=line.sku,
                colorways=line.colorways,
                assets=len(line.colorways) * len(line.views),
                track=line.track,
                complexity=line.complexity,
                due=line.due,
                warnings=line.warnings,
            )
            for line in result.accepted
        ]
        rejected = [
            RejectedLineOut(
                row=line.row,
                sku=line.sku,
                errors=[LineErrorOut(field=e.field, message=e.message) for e in line.errors],
            )
            for line in result.rejected
        ]
        return cls(rows=result.rows, accepted=accepted, rejected=rejected)


class ImportOut(BaseModel):
    """The stored request. `created` is false when the same file was imported before; then
    `validation` is null and the counts are those of the first import."""

    request_id: int
    created: bool
    state: str
    accepted: int
    rejected: int
    assets: int
    validation: IntakeDocument | None
