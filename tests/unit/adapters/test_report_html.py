"""The HTML report: self-contained, escaped, with every chart the issue names."""

from __future__ import annotations

import datetime as dt
import re

from shotline.adapters.reports import charts
from shotline.adapters.reports.html import render_report
from shotline.domain.metrics import report

START = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def test_bar_chart_scales_bars_and_marks_missing_values() -> None:
    svg = charts.bar_chart([("catalog", 0.5), ("hero", 1.0), ("ai", None)], percent=True)
    widths = [float(w) for w in re.findall(r'width="([\d.]+)" height', svg)]
    assert widths[1] == 2 * widths[0]
    assert "50%" in svg and "100%" in svg and "no data" in svg


def test_labels_are_escaped() -> None:
    svg = charts.bar_chart([("<script>x</script>", 3.0)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_pareto_orders_by_count_with_the_cumulative_share() -> None:
    svg = charts.pareto({"focus": 1, "wrong_crop": 3})
    assert svg.index("wrong_crop") < svg.index("focus")
    assert "cumulative 75%" in svg and "cumulative 100%" in svg
    assert "No rework" in charts.pareto({})


def test_line_chart_draws_one_point_per_known_value() -> None:
    svg = charts.line_chart([("2026-11-02", 0.5), ("2026-11-09", None), ("2026-11-16", 0.8)])
    assert svg.count("<circle") == 2
    assert charts.line_chart([("w", None)]).startswith('<p class="empty">')


def test_an_empty_period_renders_without_data_and_without_network() -> None:
    documents = {
        k: report([], START, END, END, by)
        for k, by in (("all", None), ("week", "week"), ("track", "track"), ("vendor", "vendor"))
    }
    html = render_report(documents, "acme & co")
    assert "acme &amp; co" in html
    assert "http://" not in html and "https://" not in html
    assert "No rework in this period." in html
    assert html.count("<svg") == 1  # only the shoot-to-live buckets, all at zero
    assert "No vendor work in this period." in html
