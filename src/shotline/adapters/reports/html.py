"""The HTML report: one self-contained file with the metrics and their charts."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from jinja2 import Environment, select_autoescape

from shotline.adapters.reports import charts


def _slices(document: dict[str, Any], dimension: str) -> dict[str, dict[str, Any]]:
    slices: dict[str, dict[str, Any]] = document.get("by", {}).get(dimension, {})
    return slices


def render_report(documents: dict[str, dict[str, Any]], workspace: str) -> str:
    """Render the report. `documents` holds the overall document under "all" and the sliced
    documents under their dimension ("week", "track", "vendor", ...)."""
    overall = documents["all"]
    weeks = _slices(documents.get("week", {}), "week")
    tracks = _slices(documents.get("track", {}), "track")
    vendors = _slices(documents.get("vendor", {}), "vendor")
    s2l = overall["shoot_to_live_hours"]
    context = {
        "workspace": workspace,
        "doc": overall,
        "vendors": vendors,
        "charts": {
            "first_pass_trend": charts.line_chart(
                [(w, d["first_pass_approval_rate"]) for w, d in weeks.items()],
                title="First-pass approval by week",
            ),
            "sla_by_track": charts.bar_chart(
                [(t, d["sla_hit_rate"]) for t, d in tracks.items()],
                percent=True,
                title="SLA hit rate by track",
            ),
            "rework_pareto": charts.pareto(overall["rework_reasons"], title="Rework reasons"),
            "shoot_to_live": charts.bar_chart(
                [(f"{bucket} h", float(n)) for bucket, n in s2l["histogram"].items()],
                title="Shoot to live, hours",
            ),
            "ai_by_workflow": charts.bar_chart(
                [(w, v["rate"]) for w, v in overall["ai_rejection_by_workflow"].items()],
                percent=True,
                title="AI rejection by workflow version",
            ),
        },
    }
    env = Environment(
        autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    env.filters["pct"] = lambda v: "n/a" if v is None else f"{v * 100:.1f}%"
    env.filters["num"] = lambda v: "n/a" if v is None else f"{v:,.2f}"
    source = (
        files("shotline.adapters.reports").joinpath("templates/report.html.j2").read_text("utf-8")
    )
    return env.from_string(source).render(**context)
