"""Automated QC: what a check reports, and what one image's checks add up to.

Check names are part of the public contract (CLI JSON, API, stored results, policy
thresholds), so they live here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shotline.domain.errors import ShotlineError
from shotline.domain.policy.model import Channel, Policy

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


# --- The API the checks run on: context and thresholds -----------------------------------

ColorClass = str

# ΔE00 tolerance per colour-accuracy class. The classes follow FADGI's star levels for mean
# colour error on a target (4 stars: ΔE00 <= 2, 3 stars: <= 4, 2 stars: <= 5); "high" sits
# between the 4- and 3-star levels. The policy may redefine them (`qc.color_classes`).
DEFAULT_COLOR_CLASSES: dict[str, float] = {"critical": 2.0, "high": 3.0, "standard": 5.0}
DEFAULT_COLOR_CLASS = "standard"


@dataclass(frozen=True)
class CheckContext:
    """What a check may need beyond the image itself. Anything missing makes the checks
    that need it report `skipped`, never passed."""

    channel: Channel | None = None
    channel_name: str | None = None
    category: str | None = None
    # The approved swatch, CIELAB (D65).
    reference_lab: tuple[float, float, float] | None = None
    # An approved reference image of the product.
    reference_path: Path | None = None
    # The version this one was made from (retouch or AI source).
    source_path: Path | None = None
    # Other images of the same SKU and colorway (a set or batch).
    peer_paths: tuple[Path, ...] = ()
    # Perceptual hashes of other SKUs' images, by label (e.g. "SKU-2/front v3").
    other_sku_hashes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class QcThresholds:
    """Every limit the checks hold an image to. Defaults are the published practice that
    docs/qc.md cites; `from_policy` applies the policy's `qc` section, the category's and
    colour class's overrides, and the channel's specification."""

    # resolution: the image's longer side, in pixels. None: no minimum (skipped).
    min_long_side: int | None = None
    # file_format: accepted formats (empty: any Shotline can read), bit depth, ICC profile.
    formats: tuple[str, ...] = ()
    min_bit_depth: int = 8
    require_profile: bool = False
    # focus: Gaussian-equivalent blur of the sharpest product edges at full resolution, px.
    max_blur_px: float = 2.0
    # exposure: share of the product clipped to white or crushed to black, percent, and the
    # product's median lightness (L*) range.
    max_clipped_percent: float = 1.0
    max_crushed_percent: float = 1.0
    min_product_lightness: float = 8.0
    max_product_lightness: float = 97.0
    # exposure, overall tone: how many stops darker than the channel's background colour
    # the backdrop may be.
    max_underexposure_ev: float = 0.5
    # white_balance: chroma C*ab of the neutral backdrop.
    max_cast_chroma: float = 3.0
    # background: the backdrop's target colour (None: not a plain-background channel), the
    # ΔE00 of its median from the target, and the share of backdrop pixels further than
    # `background_spot_delta_e` from the target (shadows, dust, gradients), percent.
    background: str | None = None
    max_background_delta_e: float = 2.0
    background_spot_delta_e: float = 6.0
    max_background_spots_percent: float = 2.0
    # Separate small specks (dust, lint) allowed on the backdrop.
    max_background_specks: int = 3
    # fill_ratio: the product's longer extent against the frame (None: skipped), and
    # whether the product may touch the frame edge.
    min_fill: float | None = None
    allow_edge_touch: bool = False
    # aspect_ratio: the frame's width:height (None: skipped), relative tolerance.
    aspect: tuple[int, int] | None = None
    aspect_tolerance: float = 0.01
    # color_accuracy: the class and its ΔE00 tolerance.
    color_class: str = DEFAULT_COLOR_CLASS
    max_delta_e: float = DEFAULT_COLOR_CLASSES[DEFAULT_COLOR_CLASS]
    # color_consistency: ΔE00 between images of the same SKU and colorway.
    max_consistency_delta_e: float = 3.0
    # silhouette_change: mask IoU with the source, and the largest outline displacement as
    # a percentage of the product's diagonal.
    min_silhouette_iou: float = 0.985
    max_outline_shift_percent: float = 1.5
    # detail_loss: fine-detail energy lost against the source inside the product, percent.
    max_detail_loss_percent: float = 35.0
    # duplicate: Hamming distance (of 64 bits) at or under which two images match.
    max_hash_distance: int = 8

    @classmethod
    def from_policy(
        cls,
        policy: Policy | None,
        category: str | None = None,
        channel_name: str | None = None,
        *,
        color_class: str | None = None,
    ) -> QcThresholds:
        """The thresholds for an image of `category` headed for `channel_name` (either may be
        None), under `policy` (None: the built-in defaults). `color_class` (e.g. from the
        intake's colour priority) beats the category's class."""
        values: dict[str, Any] = {}
        classes = dict(DEFAULT_COLOR_CLASSES)
        chosen_class = DEFAULT_COLOR_CLASS
        channel = None
        if policy is not None:
            qc = policy.qc
            classes.update(qc.color_classes)
            chosen_class = qc.color_class
            values.update(qc.limits.overrides())
            if category is not None and category in qc.categories:
                rules = qc.categories[category]
                values.update(rules.overrides())
                chosen_class = rules.color_class or chosen_class
            if channel_name is not None:
                channel = policy.channels.get(channel_name)
        if color_class is not None:
            chosen_class = color_class
        if chosen_class not in classes:
            raise ShotlineError(
                f"unknown colour accuracy class {chosen_class!r} "
                f"(the policy defines {', '.join(sorted(classes))})"
            )
        values["color_class"] = chosen_class
        values["max_delta_e"] = classes[chosen_class]
        if channel is not None:
            values.update(channel_limits(channel))
        return cls(**values)

    def with_channel(self, channel: Channel) -> QcThresholds:
        """These thresholds with `channel`'s specification applied."""
        return replace(self, **channel_limits(channel))


def channel_limits(channel: Channel) -> dict[str, Any]:
    """What a channel's specification sets: the minimum size, plain background, fill and
    aspect."""
    long_side = max(channel.width, channel.height, channel.min_long_side or 0)
    width, height = (int(part) for part in channel.aspect.split(":"))
    limits: dict[str, Any] = {
        "min_long_side": long_side,
        "background": channel.background,
        "aspect": (width, height),
    }
    if channel.min_fill is not None:
        limits["min_fill"] = channel.min_fill
    return limits


def parse_lab(text: str) -> tuple[float, float, float]:
    """A reference colour written as `L,a,b` (CIELAB, D65)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3:
        raise ShotlineError(f"expected a colour as L,a,b (e.g. 52.1,-3.5,20), got {text!r}")
    try:
        lightness, a, b = (float(p) for p in parts)
    except ValueError:
        raise ShotlineError(
            f"expected a colour as L,a,b numbers (e.g. 52.1,-3.5,20), got {text!r}"
        ) from None
    if not 0 <= lightness <= 100 or not -200 <= a <= 200 or not -200 <= b <= 200:
        raise ShotlineError(f"L,a,b out of range (L 0-100, a and b -200..200): {text!r}")
    return lightness, a, b


def parse_hex(text: str) -> tuple[int, int, int]:
    """`#RRGGBB` (or `RRGGBB`) as 8-bit sRGB."""
    digits = text.strip().removeprefix("#")
    if len(digits) != 6 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise ShotlineError(f"expected a colour like #AA3322 or L,a,b, got {text!r}")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
