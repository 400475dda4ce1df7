"""Checks of light and colour balance: exposure, white balance, background."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from shotline.adapters.imaging.checks.common import mask_overlay, measured, png, skipped
from shotline.adapters.imaging.checks.frame import Frame, delta_e00, srgb_to_lab
from shotline.adapters.imaging.product import channel_distance
from shotline.domain.qc import CheckOutcome, QcThresholds, parse_hex

# 8-bit levels at which a pixel counts as clipped (any channel at the top of the range: that
# channel's detail is gone) or crushed to black (every channel at the bottom).
CLIPPED_LEVEL = 254
CRUSHED_LEVEL = 5
# White balance is read on a light backdrop only: a dark or saturated one (a sky, a coloured
# paper) is a scene's colour, not a cast.
MIN_NEUTRAL_LIGHTNESS = 80.0
# A speck: a spot of backdrop more than this many 8-bit levels off the target on some
# channel, of at least 2 and at most this share of the analysis copy's pixels.
SPECK_LEVELS = 30
SPECK_MAX_SHARE = 0.0005


def exposure(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """Clipped highlights and crushed shadows inside the product, and its overall tone."""
    mask = frame.mask if frame.mask.any() else np.ones(frame.mask.shape, dtype=bool)
    total = max(1, int(mask.sum()))
    clipped_px = frame.channel_max >= CLIPPED_LEVEL
    crushed_px = frame.channel_max <= CRUSHED_LEVEL
    clipped = 100.0 * float((clipped_px & mask).sum()) / total
    crushed = 100.0 * float((crushed_px & mask).sum()) / total
    lab = frame.product_lab
    lightness = float(np.median(lab[:, 0])) if len(lab) else 50.0
    problems = []
    backdrop_ev = _backdrop_ev(frame, limits)
    if backdrop_ev is not None and backdrop_ev < -limits.max_underexposure_ev:
        problems.append(
            f"underexposed: the backdrop is {-backdrop_ev:.1f} EV darker than {limits.background}"
        )
    if clipped > limits.max_clipped_percent:
        problems.append(f"{clipped:.1f}% of the product is clipped to white")
    if crushed > limits.max_crushed_percent:
        problems.append(f"{crushed:.1f}% of the product is crushed to black")
    if lightness < limits.min_product_lightness:
        problems.append(f"the product's median lightness L* {lightness:.0f} is too dark")
    if lightness > limits.max_product_lightness:
        problems.append(f"the product's median lightness L* {lightness:.0f} is too bright")
    unit = "%"
    if crushed / max(limits.max_crushed_percent, 1e-9) > clipped / max(
        limits.max_clipped_percent, 1e-9
    ):
        value, threshold = crushed, limits.max_crushed_percent
    else:
        value, threshold = clipped, limits.max_clipped_percent
    if backdrop_ev is not None and backdrop_ev < -limits.max_underexposure_ev:
        value, threshold, unit = backdrop_ev, -limits.max_underexposure_ev, "EV"

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
    return measured("exposure", not problems, value, threshold, unit, message, overlay)


def white_balance(frame: Frame, limits: QcThresholds) -> CheckOutcome:
    """The colour cast of the neutral backdrop: its a*, b* away from neutral (or from the
    channel's background colour when that is not neutral)."""
    if frame.backdrop is None:
        return skipped("white_balance", "no plain backdrop to measure a cast on", "C*ab")
    lab = frame.background_lab
    if len(lab) == 0:
        return skipped("white_balance", "the product leaves no backdrop visible", "C*ab")
    lightness = float(np.median(lab[:, 0]))
    if lightness < MIN_NEUTRAL_LIGHTNESS:
        return skipped(
            "white_balance",
            f"the backdrop (L* {lightness:.0f}) is not a light neutral surface",
            "C*ab",
        )
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
    specks = _count_specks(frame, parse_hex(limits.background))
    problems = []
    if specks > limits.max_background_specks:
        problems.append(
            f"{specks} specks on the backdrop (dust or lint; "
            f"at most {limits.max_background_specks})"
        )
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
    if (
        specks > limits.max_background_specks
        and off <= limits.max_background_delta_e
        and (spots <= limits.max_background_spots_percent)
    ):
        value, threshold, unit = specks, limits.max_background_specks, "specks"

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
        else f"backdrop {off:.1f} ΔE00 from {limits.background}, {spots:.1f}% off, {specks} specks"
    )
    return measured("background", not problems, value, threshold, unit, message, overlay)


def _cast_name(a: float, b: float) -> str:
    hue = float(np.degrees(np.arctan2(b, a))) % 360
    names = ["magenta-red", "orange", "yellow", "yellow-green", "green", "cyan", "blue", "violet"]
    return names[int(((hue + 22.5) % 360) // 45)]


def _backdrop_ev(frame: Frame, limits: QcThresholds) -> float | None:
    """How many stops the backdrop is darker (negative) or lighter than the channel's
    background colour: the overall tone of a product shot, which a white sweep shows
    better than any product. None without a backdrop or a background colour."""
    if frame.backdrop is None or limits.background is None:
        return None
    lab = frame.background_lab
    if len(lab) == 0:
        return None
    target = srgb_to_lab(np.asarray(parse_hex(limits.background), dtype=np.uint8))
    return float(np.log2(_luminance(float(np.median(lab[:, 0]))) / _luminance(float(target[0]))))


def _luminance(lightness: float) -> float:
    # CIE L* back to relative luminance Y.
    f = (lightness + 16) / 116
    return max(f**3 if f > 6 / 29 else (f - 16 / 116) * 3 * (6 / 29) ** 2, 1e-6)


def _count_specks(frame: Frame, target: tuple[int, int, int]) -> int:
    """Small separate spots on the backdrop clearly off its colour: dust and lint. A shadow
    is one large region, noise single pixels; neither counts."""
    off = frame.background_mask & (channel_distance(frame.rgb, target) > SPECK_LEVELS)
    if not off.any():
        return 0
    labels, count = ndimage.label(off)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    largest = SPECK_MAX_SHARE * off.size
    return int(((sizes >= 2) & (sizes <= largest)).sum())
