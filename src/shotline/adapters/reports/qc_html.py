"""The `shotline qc --report` page: one self-contained HTML file with every image, its
failed checks, and each failed check's overlay laid over the image."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from shotline.adapters.imaging.checks import QcResult


def render_qc_report(
    results: Sequence[tuple[Path, QcResult | None, str | None]],
    *,
    channel: str | None = None,
    category: str | None = None,
) -> str:
    """Render the report: `results` holds, per image, its result or the reason it could not
    be read."""
    images: list[dict[str, Any]] = []
    for path, result, error in results:
        if result is None:
            images.append({"file": str(path), "error": error, "passed": False})
            continue
        report = result.report
        images.append(
            {
                "file": report.file,
                "error": None,
                "passed": report.passed,
                "preview": _data_uri("image/jpeg", result.preview_jpeg),
                "failed": [
                    {
                        "check": c.check,
                        "message": c.message,
                        "value": c.value,
                        "threshold": c.threshold,
                        "unit": c.unit,
                        "overlay": _data_uri("image/png", c.overlay_png),
                    }
                    for c in report.failed
                ],
                "checks": report.checks,
            }
        )
    summary = {
        "total": len(images),
        "passed": sum(1 for i in images if i["passed"]),
        "unreadable": sum(1 for i in images if i["error"]),
    }
    summary["failed"] = summary["total"] - summary["passed"] - summary["unreadable"]
    env = Environment(
        autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True
    )
    source = files("shotline.adapters.reports").joinpath("templates/qc.html.j2").read_text("utf-8")
    return env.from_string(source).render(
        images=images, summary=summary, channel=channel, category=category
    )


def _data_uri(kind: str, data: bytes | None) -> str | None:
    if data is None:
        return None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
