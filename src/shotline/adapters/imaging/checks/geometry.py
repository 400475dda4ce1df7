"""Checks of the file and the frame: resolution, file format, aspect ratio, fill ratio."""

from __future__ import annotations

from shotline.adapters.imaging.checks.common import boxes_overlay, measured, skipped
from shotline.adapters.imaging.checks.frame import Frame
from shotline.domain.qc import CheckOutcome, QcThresholds


def resolution(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """The image's longer side against the channel's or the policy's minimum."""
    if limits.min_long_side is None:
        return skipped("resolution", "no channel or policy minimum", "px")
    long_side = max(frame.width, frame.height)
    ok = long_side >= limits.min_long_side
    return measured(
        "resolution",
        ok,
        long_side,
        limits.min_long_side,
        "px",
        f"{frame.width}x{frame.height}: longer side {long_side} px "
        f"{'meets' if ok else 'is under'} the minimum of {limits.min_long_side} px",
    )


def file_format(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """Format, bit depth and, where the policy requires one, an embedded colour profile."""
    info = frame.info
    problems = []
    if limits.formats and info.format not in limits.formats:
        problems.append(f"format {info.format} is not one of {', '.join(limits.formats)}")
    if info.bit_depth < limits.min_bit_depth:
        problems.append(f"{info.bit_depth}-bit is under {limits.min_bit_depth}-bit")
    if limits.require_profile and info.icc_description is None:
        problems.append("no embedded colour profile")
    profile = info.icc_description or "no profile"
    summary = f"{info.format}, {info.bit_depth}-bit, {profile}"
    return measured(
        "file_format",
        not problems,
        info.bit_depth,
        limits.min_bit_depth,
        "bits",
        summary if not problems else f"{summary}: " + "; ".join(problems),
    )


def aspect_ratio(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """The frame's width:height against the channel's aspect."""
    if limits.aspect is None:
        return skipped("aspect_ratio", "no channel aspect", "ratio")
    target = limits.aspect[0] / limits.aspect[1]
    ratio = frame.width / frame.height
    off = abs(ratio - target) / target
    ok = off <= limits.aspect_tolerance
    want = f"{limits.aspect[0]}:{limits.aspect[1]}"
    return measured(
        "aspect_ratio",
        ok,
        ratio,
        target,
        "ratio",
        f"{frame.width}x{frame.height} is {ratio:.3f} against {want} ({target:.3f})"
        + ("" if ok else f", {off:.1%} off"),
    )


def fill_ratio(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """The product's longer extent against the frame, and the product touching the frame
    edge where it must not."""
    if limits.min_fill is None:
        return skipped("fill_ratio", "no channel or policy minimum fill", "ratio")
    box = frame.box
    if frame.backdrop is None:
        return measured(
            "fill_ratio",
            False,
            0.0,
            limits.min_fill,
            "ratio",
            "no plain backdrop, so the product cannot be told from its background",
        )
    if box is None:
        return measured("fill_ratio", False, 0.0, limits.min_fill, "ratio", "no product found")
    h, w = frame.rgb.shape[:2]
    fill = max(box.width / w, box.height / h)
    touching = [
        side
        for side, hit in (
            ("left", box.left <= 0),
            ("top", box.top <= 0),
            ("right", box.left + box.width >= w),
            ("bottom", box.top + box.height >= h),
        )
        if hit
    ]
    problems = []
    if fill < limits.min_fill:
        problems.append(f"fills {fill:.0%} of the frame, under {limits.min_fill:.0%}")
    if touching and not limits.allow_edge_touch:
        problems.append(f"touches the {' and '.join(touching)} edge")
    message = (
        f"the product fills {fill:.0%} of the frame"
        if not problems
        else "the product " + "; ".join(problems)
    )
    return measured(
        "fill_ratio",
        not problems,
        fill,
        limits.min_fill,
        "ratio",
        message,
        lambda: boxes_overlay(frame.rgb.shape, [box]),
    )
