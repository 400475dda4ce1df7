"""Automated QC: what a check reports, and what one image's checks add up to.

Check names are part of the public contract (CLI JSON, API, stored results, policy
thresholds), so they live here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHECK_NAMES: tuple[str, ...] = (
    "resolution",
    "file_format",
    "focus",
    "exposure",
    "white_balance",
    "background",
    "fill_ratio",
    "aspect_ratio",
    "color_accuracy",
    "color_consistency",
    "silhouette_change",
    "detail_loss",
    "duplicate",
)


@dataclass(frozen=True)
class CheckOutcome:
    """One measurement of one image against one threshold.

    A check that lacks its context (no channel, no reference, no source) is `skipped`, which
    is neither a pass nor a fail: `passed` is then True so it never blocks, and callers that
    count passes must leave skipped outcomes out.
    """

    check: str
    passed: bool
    value: float | None
    threshold: float | None
    unit: str
    message: str
    skipped: bool = False
    # A PNG (mask or heatmap) the review page can lay over the image, when useful.
    overlay_png: bytes | None = None

    def as_json(self) -> dict[str, object]:
        """The CLI and API shape (no overlay bytes)."""
        return {
            "check": self.check,
            "passed": self.passed,
            "skipped": self.skipped,
            "value": self.value,
            "threshold": self.threshold,
            "unit": self.unit,
            "message": self.message,
        }


@dataclass(frozen=True)
class ImageReport:
    """Every check of one image."""

    file: str
    checks: tuple[CheckOutcome, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when no check that ran failed."""
        return all(c.passed or c.skipped for c in self.checks)

    @property
    def failed(self) -> tuple[CheckOutcome, ...]:
        """The checks that ran and failed."""
        return tuple(c for c in self.checks if not c.passed and not c.skipped)

    def as_json(self) -> dict[str, object]:
        """`{"file", "passed", "checks": [...]}` as `shotline qc --json` prints it."""
        return {
            "file": self.file,
            "passed": self.passed,
            "checks": [c.as_json() for c in self.checks],
        }
