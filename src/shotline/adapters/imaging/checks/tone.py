"""Checks of light and colour balance: exposure, white balance, background."""

from __future__ import annotations

import numpy as np

from shotline.adapters.imaging.checks.common import mask_overlay, measured, png, skipped
from shotline.adapters.imaging.checks.frame import Frame, delta_e00, srgb_to_lab
from shotline.domain.qc import CheckOutcome, QcThresholds, parse_hex

# 8-bit levels at or beyond which a pixel counts as blown to white or crushed to black
# (every channel): the top and bottom 2% of the code range, as FADGI's tone limits leave
# no usable detail there.
CLIPPED_LEVEL = 250
CRUSHED_LEVEL = 5


def exposure(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """Clipped highlights and crushed shadows inside the product, and its overall tone."""
    mask = frame.mask if frame.mask.any() else np.ones(frame.mask.shape, dtype=bool)
    pixels = frame.rgb[mask]
    total = max(1, len(pixels))
    clipped_px = frame.rgb.min(axis=2) >= CLIPPED_LEVEL
    crushed_px = frame.rgb.max(axis=2) <= CRUSHED_LEVEL
    clipped = 100.0 * float((clipped_px & mask).sum()) / total
    crushed = 100.0 * float((crushed_px & mask).sum()) / total
    lab = frame.product_lab
    lightness = float(np.median(lab[:, 0])) if len(lab) else 50.0
    problems = []
    if clipped > limits.max_clipped_percent:
        problems.append(f"{clipped:.1f}% of the product is clipped to white")
    if crushed > limits.max_crushed_percent:
        problems.append(f"{crushed:.1f}% of the product is crushed to black")
    if lightness < limits.min_product_lightness:
        problems.append(f"the product's median lightness L* {lightness:.0f} is too dark")
    if lightness > limits.max_product_lightness:
        problems.append(f"the product's median lightness L* {lightness:.0f} is too bright")
    if crushed / max(limits.max_crushed_percent, 1e-9) > clipped / max(
        limits.max_clipped_percent, 1e-9
    ):
        value, threshold = crushed, limits.max_crushed_percent
    else:
        value, threshold = clipped, limits.max_clipped_percent

    def overlay() -> bytes:
        layer = np.zeros((*mask.shape, 4), dtype=np.uint8)
        layer[clipped_px & mask] = (255, 0, 64, 200)
        layer[crushed_px & mask] = (0, 96, 255, 200)
        return png(layer)

    message = (
        "; ".join(problems)
        if problems
        else f"{clipped:.1f}% clipped, {crushed:.1f}% crushed, median L* {lightness:.0f}"
    )
    return measured("exposure", not problems, value, threshold, "%", message, overlay)


def white_balance(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """The colour cast of the neutral backdrop: its a*, b* away from neutral (or from the
    channel's background colour when that is not neutral)."""
    if frame.backdrop is None:
        return skipped("white_balance", "no plain backdrop to measure a cast on", "C*ab")
    lab = frame.background_lab
    if len(lab) == 0:
        return skipped("white_balance", "the product leaves no backdrop visible", "C*ab")
    a, b = float(np.median(lab[:, 1])), float(np.median(lab[:, 2]))
    ta = tb = 0.0
    if limits.background is not None:
        target = srgb_to_lab(np.asarray(parse_hex(limits.background)))
        ta, tb = float(target[1]), float(target[2])
    cast = float(np.hypot(a - ta, b - tb))
    ok = cast <= limits.max_cast_chroma
    direction = _cast_name(a - ta, b - tb)
    return measured(
        "white_balance",
        ok,
        cast,
        limits.max_cast_chroma,
        "C*ab",
        f"backdrop a* {a:+.1f}, b* {b:+.1f}: "
        + ("neutral" if ok else f"a {direction} cast of {cast:.1f}"),
        lambda: mask_overlay(frame.background_mask, (255, 160, 0, 90)),
    )


def background(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """How far the backdrop is from the channel's background colour, and how much of it is
    off (shadows, dust, gradients)."""
    if limits.background is None:
        return skipped("background", "not a plain-background channel", "ΔE00")
    if frame.backdrop is None:
        return measured(
            "background",
            False,
            100.0,
            limits.max_background_spots_percent,
            "%",
            f"no plain backdrop: the frame's border is not one colour ({limits.background})",
        )
    lab = frame.background_lab
    if len(lab) == 0:
        return measured(
            "background",
            False,
            100.0,
            limits.max_background_spots_percent,
            "%",
            "the product leaves no backdrop visible",
        )
    target = srgb_to_lab(np.asarray(parse_hex(limits.background), dtype=np.uint8))
    median_lab = np.median(lab, axis=0)
    off = float(delta_e00(median_lab, target))
    spots = 100.0 * float((delta_e00(lab, target) > limits.background_spot_delta_e).mean())
    problems = []
    if off > limits.max_background_delta_e:
        problems.append(f"the backdrop is {off:.1f} ΔE00 from {limits.background}")
    if spots > limits.max_background_spots_percent:
        problems.append(
            f"{spots:.1f}% of the backdrop is over {limits.background_spot_delta_e:g} ΔE00 off "
            "(shadows, dust or a gradient)"
        )
    if spots / limits.max_background_spots_percent > off / limits.max_background_delta_e:
        value, threshold, unit = spots, limits.max_background_spots_percent, "%"
    else:
        value, threshold, unit = off, limits.max_background_delta_e, "ΔE00"

    def overlay() -> bytes:
        spots_mask = np.zeros(frame.mask.shape, dtype=bool)
        bg = frame.background_mask
        spots_mask[bg] = (
            delta_e00(srgb_to_lab(frame.rgb[bg]), target) > limits.background_spot_delta_e
        )
        return mask_overlay(spots_mask)

    message = (
        "; ".join(problems)
        if problems
        else f"backdrop {off:.1f} ΔE00 from {limits.background}, {spots:.1f}% off"
    )
    return measured("background", not problems, value, threshold, unit, message, overlay)


def _cast_name(a: float, b: float) -> str:
    hue = float(np.degrees(np.arctan2(b, a))) % 360
    names = ["magenta-red", "orange", "yellow", "yellow-green", "green", "cyan", "blue", "violet"]
    return names[int(((hue + 22.5) % 360) // 45)]
