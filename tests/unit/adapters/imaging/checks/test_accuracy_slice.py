"""A slice of the labelled accuracy corpus (one product shape, one photograph, small): every
defect must fail its checks, and every other check that runs must pass. The whole corpus is
scored by benchmarks/qc_accuracy.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotline.adapters.imaging.checks import run_checks
from shotline.simulation import qc_corpus


@pytest.fixture(scope="module")
def items(tmp_path_factory: pytest.TempPathFactory) -> list[qc_corpus.Item]:
    folder: Path = tmp_path_factory.mktemp("corpus")
    return qc_corpus.build(folder, shapes=("box",), photos=("chelsea",), side=360)


def test_the_slice_covers_every_defect_kind(items: list[qc_corpus.Item]) -> None:
    defects = {item.defect for item in items}
    assert {
        "clean",
        "defocus",
        "motion",
        "overexposed",
        "underexposed",
        "cast",
        "offwhite",
        "cream",
        "shadow",
        "dust",
        "small",
        "cutoff",
        "aspect",
        "lowres",
        "noprofile",
        "webp",
        "colour",
        "retouch-ok",
        "slimmed",
        "shortened",
        "smoothed",
        "duplicate",
        "drift",
        "set-clean",
        "recompressed",
    } <= defects


def test_every_item_fails_exactly_its_labelled_checks(items: list[qc_corpus.Item]) -> None:
    wrong = []
    for item in items:
        report = run_checks(item.path, item.context, item.limits)
        for outcome in report.checks:
            if outcome.check in item.side_effects:
                continue
            failed = not outcome.passed and not outcome.skipped
            expected = outcome.check in item.expected
            if failed != expected:
                wrong.append(f"{item.label} {item.path.name} {outcome.check}: {outcome.message}")
    assert not wrong, "\n".join(wrong)
