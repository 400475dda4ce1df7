"""The dashboard: the morning questions (services/dashboard) and the period's metrics with
their charts (services/metrics, drawn as inline SVG by adapters/reports/charts)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from starlette.responses import Response

from shotline.adapters.reports import charts
from shotline.domain.errors import ShotlineError
from shotline.domain.metrics import DIMENSIONS
from shotline.entrypoints.api.deps import NowDep, UowDep
from shotline.entrypoints.web.render import page
from shotline.entrypoints.web.session import WebUser, requires
from shotline.services import dashboard as dashboard_service
from shotline.services.metrics import build_report

router = APIRouter(include_in_schema=False)
StaffUser = Annotated[WebUser, Depends(requires(staff=True))]
PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}
SCORECARD = (
    ("assets_approved", "Approved", "int"),
    ("first_pass_approval_rate", "First pass", "pct"),
    ("rework_rate", "Rework", "pct"),
    ("sla_hit_rate", "SLA hit", "pct"),
    ("cost_per_image", "Cost / image", "num"),
)


def _period(
    days: str, start: str | None, end: str | None, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) from two dates (end inclusive, as people say it) or the last N days."""
    if start or end:
        try:
            to = dt.datetime.combine(
                dt.date.fromisoformat(end) + dt.timedelta(days=1)
                if end
                else now.date() + dt.timedelta(days=1),
                dt.time(),
                dt.UTC,
            )
            since = (
                dt.datetime.combine(dt.date.fromisoformat(start), dt.time(), dt.UTC)
                if start
                else to - dt.timedelta(days=30)
            )
        except ValueError:
            raise ShotlineError("dates are written YYYY-MM-DD") from None
        if since >= to:
            raise ShotlineError("the period must start before it ends")
        return since, min(to, now)
    if days not in PERIODS:
        raise ShotlineError(f"unknown period {days!r}; expected one of {', '.join(PERIODS)} days")
    return now - dt.timedelta(days=PERIODS[days]), now


def _charts(
    overall: dict[str, Any], weeks: dict[str, Any], tracks: dict[str, Any], vendors: dict[str, Any]
) -> dict[str, Markup]:
    s2l = overall["shoot_to_live_hours"]
    svg = {
        "First-pass approval by week": charts.line_chart(
            [(w, d["first_pass_approval_rate"]) for w, d in weeks.items()],
            title="First-pass approval by week",
        ),
        "SLA hit rate by track": charts.bar_chart(
            [(t, d["sla_hit_rate"]) for t, d in tracks.items()],
            percent=True,
            title="SLA hit rate by track",
        ),
        "Rework reasons (Pareto)": charts.pareto(overall["rework_reasons"], title="Rework reasons"),
        "Shoot to live, hours": charts.bar_chart(
            [(f"{bucket} h", float(n)) for bucket, n in s2l["histogram"].items()],
            title="Shoot to live, hours",
        ),
        "AI rejection by workflow version": charts.bar_chart(
            [(w, v["rate"]) for w, v in overall["ai_rejection_by_workflow"].items()],
            percent=True,
            title="AI rejection by workflow version",
        ),
        "Vendor first-pass approval": charts.bar_chart(
            [(v, d["first_pass_approval_rate"]) for v, d in vendors.items()],
            percent=True,
            title="Vendor first-pass approval",
        ),
    }
    # The chart module escapes every label it draws; its output is trusted markup.
    return {title: Markup(chart) for title, chart in svg.items()}


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    user: StaffUser,
    uow: UowDep,
    now: NowDep,
    days: str = "30",
    start: str | None = None,
    end: str | None = None,
    by: str = "category",
) -> Response:
    """Where the work stands now, and how the chosen period went, sliced by `by`."""
    if by not in DIMENSIONS:
        raise ShotlineError(f"unknown slice {by!r}; expected one of {', '.join(DIMENSIONS)}")
    since, until = _period(days, start, end, now)
    questions = dashboard_service.dashboard(uow, user.actor, now)
    docs = {
        dim: build_report(uow, user.actor, since, until, now, dim)
        for dim in dict.fromkeys(("week", "track", "vendor", by))
    }
    overall = docs["week"]
    sliced = docs[by]["by"].get(by, {})
    return page(
        request,
        "dashboard.html",
        q=questions,
        doc=overall,
        charts=_charts(
            overall,
            docs["week"]["by"].get("week", {}),
            docs["track"]["by"].get("track", {}),
            docs["vendor"]["by"].get("vendor", {}),
        ),
        vendors=docs["vendor"]["by"].get("vendor", {}),
        sliced=sliced,
        scorecard=SCORECARD,
        dimensions=DIMENSIONS,
        periods=PERIODS,
        chosen={"days": days, "start": start or "", "end": end or "", "by": by},
        since=since,
        until=until,
    )
