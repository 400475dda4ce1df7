"""QC thresholds from the policy, report semantics, and reference colour parsing."""

from __future__ import annotations

import pytest

from shotline.domain.errors import PolicyError, ShotlineError
from shotline.domain.policy import parse_policy, policy_from_mapping
from shotline.domain.qc import (
    CheckOutcome,
    ImageReport,
    QcThresholds,
    parse_hex,
    parse_lab,
)
from shotline.services.policies import default_policy_text


@pytest.fixture(scope="module")
def policy():  # type: ignore[no-untyped-def]
    return parse_policy(default_policy_text(), "default")


def test_defaults_without_a_policy_skip_channel_limits() -> None:
    limits = QcThresholds.from_policy(None)
    assert limits.min_long_side is None
    assert limits.background is None
    assert limits.min_fill is None
    assert limits.aspect is None
    assert (limits.color_class, limits.max_delta_e) == ("standard", 5.0)


def test_channel_sets_size_background_fill_and_aspect(policy) -> None:  # type: ignore[no-untyped-def]
    limits = QcThresholds.from_policy(policy, "apparel", "amazon_main")
    assert limits.min_long_side == 2000
    assert limits.background == "#FFFFFF"
    assert limits.min_fill == 0.85
    assert limits.aspect == (1, 1)
    pdp = QcThresholds.from_policy(policy, "apparel", "pdp")
    assert (pdp.aspect, pdp.min_long_side, pdp.min_fill) == ((4, 5), 2500, None)


def test_category_overrides_and_colour_class(policy) -> None:  # type: ignore[no-untyped-def]
    jewelry = QcThresholds.from_policy(policy, "jewelry", None)
    assert (jewelry.color_class, jewelry.max_delta_e) == ("high", 3.0)
    assert jewelry.max_blur_px == 1.5
    apparel = QcThresholds.from_policy(policy, "apparel", None)
    assert apparel.max_blur_px == 2.0
    critical = QcThresholds.from_policy(policy, "jewelry", None, color_class="critical")
    assert critical.max_delta_e == 2.0
    with pytest.raises(ShotlineError, match="unknown colour accuracy class 'ultra'"):
        QcThresholds.from_policy(policy, None, None, color_class="ultra")


def _with_qc(qc: object) -> dict[str, object]:
    import yaml

    data = yaml.safe_load(default_policy_text())
    data["qc"] = qc
    return data  # type: ignore[no-any-return]


def test_policy_qc_section_is_validated() -> None:
    with pytest.raises(PolicyError, match="unknown colour class 'gold'"):
        policy_from_mapping(_with_qc({"categories": {"shoes": {"color_class": "gold"}}}))
    with pytest.raises(PolicyError, match="max_blurr_px"):
        policy_from_mapping(_with_qc({"limits": {"max_blurr_px": 2}}))
    with pytest.raises(PolicyError, match="must be positive"):
        policy_from_mapping(_with_qc({"color_classes": {"standard": 0}}))
    custom = policy_from_mapping(
        _with_qc({"limits": {"max_detail_loss_percent": 20}, "color_class": "critical"})
    )
    limits = QcThresholds.from_policy(custom, "shoes", None)
    assert (limits.max_detail_loss_percent, limits.max_delta_e) == (20, 2.0)


def _outcome(check: str, passed: bool, skipped: bool = False) -> CheckOutcome:
    return CheckOutcome(check, passed, None if skipped else 1.0, 2.0, "px", "m", skipped)


def test_report_passes_unless_a_check_that_ran_failed() -> None:
    ok = ImageReport("a.jpg", (_outcome("focus", True), _outcome("duplicate", True, True)))
    assert ok.passed and ok.failed == ()
    bad = ImageReport("b.jpg", (_outcome("focus", False), _outcome("exposure", True)))
    assert not bad.passed
    assert [c.check for c in bad.failed] == ["focus"]
    line = bad.as_json()
    assert line["file"] == "b.jpg" and line["passed"] is False
    assert line["checks"][0] == {  # type: ignore[index]
        "check": "focus",
        "passed": False,
        "skipped": False,
        "value": 1.0,
        "threshold": 2.0,
        "unit": "px",
        "message": "m",
    }


def test_reference_colour_parsing() -> None:
    assert parse_lab("52.1, -3.5, 20") == (52.1, -3.5, 20.0)
    assert parse_hex("#aa3322") == (170, 51, 34)
    assert parse_hex("AA3322") == (170, 51, 34)
    with pytest.raises(ShotlineError, match="L,a,b"):
        parse_lab("52,1")
    with pytest.raises(ShotlineError, match="out of range"):
        parse_lab("120,0,0")
    with pytest.raises(ShotlineError, match="#AA3322"):
        parse_hex("#GG0000")
