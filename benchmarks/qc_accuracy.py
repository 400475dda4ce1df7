"""Accuracy of the automated QC checks on a labelled, generated corpus.

    .venv/bin/python benchmarks/qc_accuracy.py [--quick] [--keep DIR] [--verbose]

Builds the corpus (src/shotline/simulation/qc_corpus.py: synthetic product shots on white
and scikit-image's bundled photographs, each clean and with known defects at known
strengths), runs every check, and prints precision and recall per check. A check's positive
is "failed"; an item counts for a check when the check ran (or was expected to fail) and the
defect does not legitimately change it as a side effect. Target: both >= 0.95 per check.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyvips

from shotline.adapters.imaging.checks import run_checks
from shotline.domain.qc import CHECK_NAMES
from shotline.simulation import qc_corpus


def score(items: list[qc_corpus.Item], verbose: bool = False) -> dict[str, Counter[str]]:
    """Per check: true/false positives/negatives over the corpus."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in CHECK_NAMES}
    for item in items:
        report = run_checks(item.path, item.context, item.limits)
        for outcome in report.checks:
            name = outcome.check
            if name in item.side_effects:
                continue
            expected = name in item.expected
            if outcome.skipped and not expected:
                continue
            failed = not outcome.passed and not outcome.skipped
            key = ("t" if failed == expected else "f") + ("p" if failed else "n")
            counts[name][key] += 1
            if verbose and failed != expected:
                print(
                    f"  {key.upper()} {name:18} {item.label:28} {item.path.name}: "
                    f"{outcome.value} vs {outcome.threshold} ({outcome.message})"
                )
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one shape and one photograph")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    parser.add_argument("--verbose", action="store_true", help="list every wrong outcome")
    args = parser.parse_args()
    pyvips.cache_set_max(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        start = time.perf_counter()
        if args.quick:
            items = qc_corpus.build(folder, shapes=("tee",), photos=("coffee",))
        else:
            items = qc_corpus.build(folder)
        built = time.perf_counter() - start
        start = time.perf_counter()
        counts = score(items, args.verbose)
        checked = time.perf_counter() - start
    kinds = Counter(item.kind for item in items)
    defects = Counter(item.defect for item in items)
    print(
        f"corpus: {len(items)} images ({kinds['shot']} product shots, {kinds['photo']} "
        f"photographs; {defects['clean']} clean), built in {built:.1f}s, checked in {checked:.1f}s"
    )
    print(f"{'check':18} {'n':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>7}")
    worst = 1.0
    for name in CHECK_NAMES:
        c = counts[name]
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        worst = min(worst, precision, recall)
        print(
            f"{name:18} {sum(c.values()):>4} {tp:>4} {fp:>4} {fn:>4} "
            f"{precision:>10.3f} {recall:>7.3f}"
        )
    print(f"lowest precision or recall: {worst:.3f} (target 0.95)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
