"""GET /api/v1/report: the metrics of a period, from the event log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from shotline.domain.metrics import DIMENSIONS
from shotline.entrypoints.api.deps import ActorDep, NowDep, UowDep
from shotline.entrypoints.api.schemas.report import Report
from shotline.services.metrics import build_report

router = APIRouter(tags=["report"])
DEFAULT_PERIOD = dt.timedelta(days=30)

_FROM = "Start (date or date-time; UTC if no offset). Default: 30 days before `to`"
From = Annotated[dt.datetime | None, Query(alias="from", description=_FROM)]
To = Annotated[
    dt.datetime | None,
    Query(description="End, exclusive (date or date-time; UTC if no offset). Default: now"),
]
By = Annotated[str | None, Query(description=f"Slice by one of: {', '.join(DIMENSIONS)}")]


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@router.get("/report")
def get_report(
    uow: UowDep, actor: ActorDep, now: NowDep, from_: From = None, to: To = None, by: By = None
) -> Report:
    """First-pass approval, rework, SLA hit rate, shoot-to-live, cost and AI rejection over
    [from, to), optionally sliced. Refused to vendors (it spans every vendor's work)."""
    end = _utc(to) if to is not None else now
    start = _utc(from_) if from_ is not None else end - DEFAULT_PERIOD
    return Report.model_validate(build_report(uow, actor, start, end, now, by))
