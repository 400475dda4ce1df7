"""Small inline-SVG charts. Pure string building, so reports work on a closed network."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, BAR_HEIGHT, LABEL_WIDTH = 640, 22, 170
ACCENT, MUTED = "#2f6fdf", "#9aa5b1"


def _fmt(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:,.1f}".rstrip("0").rstrip(".")


def bar_chart(
    items: Sequence[tuple[str, float | None]],
    percent: bool = False,
    title: str = "",
    notes: Sequence[str] = (),
) -> str:
    """Horizontal bars, one per (label, value); a missing value is drawn as "no data"."""
    if not items:
        return '<p class="empty">No data in this period.</p>'
    top = max((v for _, v in items if v is not None), default=0) or 1
    scale = 1 if percent else top
    height = BAR_HEIGHT * len(items) + 10
    rows = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * BAR_HEIGHT
        rows.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
        )
        if value is None:
            rows.append(f'<text x="{LABEL_WIDTH}" y="{y + 15}" fill="{MUTED}">no data</text>')
            continue
        length = max(1.0, (WIDTH - LABEL_WIDTH - 70) * value / scale)
        rows.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT - 6}" fill="{ACCENT}"/>'
        )
        rows.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}">{_fmt(value, percent)}'
            f"{escape(notes[i]) if i < len(notes) else ''}</text>"
        )
    label = f' aria-label="{escape(title)}"' if title else ""
    return (
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img"{label} class="chart">{"".join(rows)}</svg>'
    )


def line_chart(
    points: Sequence[tuple[str, float | None]], percent: bool = True, title: str = ""
) -> str:
    """A trend line over labelled points (weeks); gaps where a value is missing."""
    known = [(i, v) for i, (_, v) in enumerate(points) if v is not None]
    if not known:
        return '<p class="empty">No data in this period.</p>'
    height, left, bottom = 220, 50, 40
    step = (WIDTH - left - 20) / max(1, len(points) - 1)
    top = 1.0 if percent else max(v for _, v in known) or 1

    def y(value: float) -> float:
        return 10 + (height - bottom - 10) * (1 - value / top)

    def x(index: int) -> float:
        return left + index * step

    path = " ".join(f"{'L' if n else 'M'}{x(i):.1f},{y(v):.1f}" for n, (i, v) in enumerate(known))
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{ACCENT}">'
        f"<title>{escape(points[i][0])}: {_fmt(v, percent)}</title></circle>"
        for i, v in known
    )
    labels = "".join(
        f'<text x="{x(i):.1f}" y="{height - 18}" text-anchor="middle" class="small">'
        f"{escape(label[5:] if len(label) == 10 else label)}</text>"
        for i, (label, _) in enumerate(points)
    )
    axis = (
        f'<text x="{left - 6}" y="{y(top) + 4:.1f}" text-anchor="end" class="small">'
        f"{_fmt(top, percent)}</text>"
        f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end" class="small">0</text>'
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{WIDTH - 10}" y2="{y(0):.1f}" stroke="{MUTED}"/>'
    )
    label = f' aria-label="{escape(title)}"' if title else ""
    return (
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img"{label} class="chart">{axis}'
        f'<path d="{path}" fill="none" stroke="{ACCENT}" stroke-width="2"/>{dots}{labels}</svg>'
    )


def pareto(counts: dict[str, int], title: str = "") -> str:
    """Rework reasons, most frequent first, with the cumulative share of all reasons."""
    total = sum(counts.values())
    if not total:
        return '<p class="empty">No rework in this period.</p>'
    running = 0
    items: list[tuple[str, float | None]] = []
    notes: list[str] = []
    for code, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        running += count
        items.append((code, float(count)))
        notes.append(f"  (cumulative {running / total:.0%})")
    return bar_chart(items, title=title, notes=notes)
