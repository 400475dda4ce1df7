"""The dashboard: the morning questions (services/dashboard) and the period's metrics with
their charts (services/metrics, drawn as inline SVG by adapters/reports/charts)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from starlette.responses import Response

from shotline.adapters.reports import charts
from shotline.domain import metrics
from shotline.domain.errors import ShotlineError
from shotline.domain.metrics import DIMENSIONS
from shotline.entrypoints.api.deps import NowDep, UowDep
from shotline.entrypoints.web.render import page
from shotline.entrypoints.web.session import WebUser, requires
from shotline.services import dashboard as dashboard_service
from shotline.services.metrics import build_report, gather
from shotline.services.unit_of_work import UnitOfWork

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


def _filters(days: str, start: str | None, end: str | None, by: str) -> dict[str, str]:
    if by not in DIMENSIONS:
        raise ShotlineError(f"unknown slice {by!r}; expected one of {', '.join(DIMENSIONS)}")
    return {"days": days, "start": start or "", "end": end or "", "by": by}


def _period_context(
    user: WebUser, uow: UnitOfWork, now: dt.datetime, chosen: dict[str, str]
) -> dict[str, Any]:
    """The period's metrics, charts, vendor scorecards and slice table. The whole period and
    its weeks come from the metric projections; the other slices need each asset's facts,
    gathered once and sliced three ways (track, vendor, the chosen slice)."""
    since, until = _period(chosen["days"], chosen["start"] or None, chosen["end"] or None, now)
    weekly = build_report(uow, user.actor, since, until, now, "week")
    facts = gather(uow, user.actor, since, until)
    sliced_by: dict[str, dict[str, Any]] = {}
    for dim in dict.fromkeys(("track", "vendor", chosen["by"])):
        if dim in ("week", "month"):
            sliced_by[dim] = build_report(uow, user.actor, since, until, now, dim)["by"][dim]
        else:
            sliced_by[dim] = metrics.report(facts, since, until, now, dim)["by"][dim]
    return {
        "doc": weekly,
        "charts": _charts(weekly, weekly["by"]["week"], sliced_by["track"], sliced_by["vendor"]),
        "vendors": sliced_by["vendor"],
        "sliced": sliced_by[chosen["by"]],
        "scorecard": SCORECARD,
        "since": since,
        "until": until,
    }


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
    full: bool = False,
) -> Response:
    """Where the work stands now; the chosen period's metrics follow (loaded by htmx right
    after the page, or inline with `full=1`, the link shown without JavaScript)."""
    chosen = _filters(days, start, end, by)
    _period(days, start, end, now)  # a bad period is reported on the page itself
    questions = dashboard_service.dashboard(uow, user.actor, now)
    period = _period_context(user, uow, now, chosen) if full else None
    return page(
        request,
        "dashboard.html",
        q=questions,
        period=period,
        dimensions=DIMENSIONS,
        periods=PERIODS,
        chosen=chosen,
        query=urlencode(chosen),
    )


@router.get("/dashboard/period")
def dashboard_period(
    request: Request,
    user: StaffUser,
    uow: UowDep,
    now: NowDep,
    days: str = "30",
    start: str | None = None,
    end: str | None = None,
    by: str = "category",
) -> Response:
    """The period section of the dashboard on its own (what htmx swaps in)."""
    chosen = _filters(days, start, end, by)
    context = _period_context(user, uow, now, chosen)
    return page(request, "_dashboard_period.html", chosen=chosen, **context)
