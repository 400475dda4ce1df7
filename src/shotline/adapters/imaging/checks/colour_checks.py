"""Checks of the product's colour: against the approved reference, and across a set."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shotline.adapters.imaging.checks.common import mask_overlay, measured, skipped
from shotline.adapters.imaging.checks.frame import Frame, delta_e00, srgb_to_lab
from shotline.domain.qc import CheckOutcome, QcThresholds, parse_hex, parse_lab

Lab = tuple[float, float, float]


def reference_lab(text: str) -> Lab:
    """A reference colour written as sRGB hex (`#AA3322`) or CIELAB (`52.1,-3.5,20`)."""
    if "," in text:
        return parse_lab(text)
    lab = srgb_to_lab(np.asarray(parse_hex(text), dtype=np.uint8))
    return float(lab[0]), float(lab[1]), float(lab[2])


def color_accuracy(
    frame: Frame, limits: QcThresholds, reference: Lab | None, source: str
) -> CheckOutcome:
    """CIEDE2000 between the product's measured colour and the approved reference, held to
    the colour class's tolerance. `source` names where the reference came from."""
    if reference is None:
        return skipped("color_accuracy", "no approved reference colour or image", "ΔE00")
    measured_lab = frame.product_colour
    if measured_lab is None:
        return measured(
            "color_accuracy", False, 100.0, limits.max_delta_e, "ΔE00", "no product found"
        )
    difference = float(delta_e00(np.asarray(measured_lab), np.asarray(reference)))
    ok = difference <= limits.max_delta_e
    return measured(
        "color_accuracy",
        ok,
        difference,
        limits.max_delta_e,
        "ΔE00",
        f"product L*a*b* {_lab(measured_lab)} is {difference:.2f} ΔE00 from the {source} "
        f"{_lab(reference)} ({limits.color_class} class: at most {limits.max_delta_e:g})",
        lambda: mask_overlay(frame.core_mask, (255, 0, 64, 110)),
    )


def color_consistency(
    colour: Lab | None, peers: Sequence[Lab], limits: QcThresholds
) -> CheckOutcome:
    """CIEDE2000 between this image's product colour and the set's: the median colour of the
    other images of the same SKU and colorway, so one drifted image does not fail the rest."""
    if not peers:
        return skipped("color_consistency", "no other image of the same SKU and colorway", "ΔE00")
    if colour is None:
        return measured(
            "color_consistency",
            False,
            100.0,
            limits.max_consistency_delta_e,
            "ΔE00",
            "no product found",
        )
    consensus = np.median(np.asarray(peers, dtype=float), axis=0)
    difference = float(delta_e00(np.asarray(colour), consensus))
    ok = difference <= limits.max_consistency_delta_e
    count = len(peers)
    return measured(
        "color_consistency",
        ok,
        difference,
        limits.max_consistency_delta_e,
        "ΔE00",
        f"{difference:.2f} ΔE00 from the median colour of {count} other image"
        f"{'s' if count != 1 else ''} of the same SKU and colorway",
    )


def _lab(lab: Lab) -> str:
    return f"({lab[0]:.1f}, {lab[1]:+.1f}, {lab[2]:+.1f})"
