"""Speed and memory of the automated QC checks on large JPEGs.

    .venv/bin/python benchmarks/qc_speed.py [--runs 5] [--batch 8] [--skip-100mp]

Figures, each against a baseline measured in the same run:
  1. One 24-megapixel JPEG: the full default check set (Amazon main channel: resolution,
     format, focus, exposure, white balance, background, fill, aspect) against libvips just
     decoding the file fully. Target: within 1.3x. Also with a source version (silhouette
     and detail, a second decode).
  2. Throughput of `shotline qc --workers 2` against `--workers 1` on a batch of 24 MP files.
  3. Peak memory (max RSS) of one process checking a 24 MP and a 100 MP image, against the
     same process only importing everything. Target: under 400 MB, flat on 100 MP.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyvips


def make_jpeg(path: Path, width: int, height: int) -> Path:
    """A product shot on white, rendered by libvips so even 100 MP costs little memory: a
    textured ellipse with seams, a soft outline, sensor noise, sRGB profile, quality 90."""
    texture = pyvips.Image.gaussnoise(width, height, sigma=28, mean=128).gaussblur(0.8)
    product = (texture * [0.9, 0.35, 0.4] + [40, 10, 12]).cast("uchar")
    mask = pyvips.Image.black(width, height).draw_circle(
        255, width // 2, height // 2, int(min(width, height) * 0.46), fill=True
    )
    mask = mask.gaussblur(1.0).cast("uchar")
    backdrop = pyvips.Image.black(width, height, bands=3) + 254
    alpha = mask / 255.0
    image = (product * alpha + backdrop * (1 - alpha)).cast("uchar").copy(interpretation="srgb")
    noise = pyvips.Image.gaussnoise(width, height, sigma=1.2, mean=0)
    image = (image + noise).cast("uchar").copy(interpretation="srgb")
    image.icc_transform("srgb").jpegsave(str(path), Q=90)
    return path


def decode_sequential(path: Path) -> None:
    """Baseline: libvips decodes every pixel once, streaming (the least it can do)."""
    pyvips.Image.new_from_file(str(path), access="sequential").avg()


def decode_to_memory(path: Path) -> None:
    """Baseline: libvips decodes the whole image into memory (random access)."""
    pyvips.Image.new_from_file(str(path)).copy_memory()


def _median_time(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def single_image(path: Path, source: Path, runs: int) -> dict[str, float]:
    from shotline.adapters.imaging.checks import run_checks
    from shotline.domain.policy import parse_policy
    from shotline.domain.qc import CheckContext, QcThresholds
    from shotline.services.policies import default_policy_text

    policy = parse_policy(default_policy_text())
    limits = QcThresholds.from_policy(policy, "apparel", "amazon_main")
    context = CheckContext(channel=policy.channels["amazon_main"], channel_name="amazon_main")
    with_source = CheckContext(
        channel=policy.channels["amazon_main"], channel_name="amazon_main", source_path=source
    )
    run_checks(path, context, limits)  # warm: imports, first-call costs
    figures: dict[str, list[float]] = {k: [] for k in ("seq", "mem", "checks", "source")}
    # Interleaved, so that load from elsewhere on the machine hits every figure alike.
    for _ in range(runs):
        figures["seq"].append(_median_time(lambda: decode_sequential(path), 1))
        figures["mem"].append(_median_time(lambda: decode_to_memory(path), 1))
        figures["checks"].append(_median_time(lambda: run_checks(path, context, limits), 1))
        figures["source"].append(_median_time(lambda: run_checks(path, with_source, limits), 1))
    return {k: statistics.median(v) for k, v in figures.items()}


def throughput(files: list[Path], home: Path) -> dict[int, float]:
    """Images per second through the real command, one and two workers."""
    result = {}
    for workers in (1, 2):
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "shotline.entrypoints.cli.main",
                "qc",
                *map(str, files),
                "--json",
                "--channel",
                "amazon_main",
                "--workers",
                str(workers),
            ],
            check=False,
            capture_output=True,
            env={**os.environ, "SHOTLINE_HOME": str(home)},
        )
        result[workers] = len(files) / (time.perf_counter() - start)
    return result


_PEAK = """
import json, sys, threading, time
from pathlib import Path
peaks = {"RssAnon": 0, "RssFile": 0}
done = threading.Event()


def sample():
    while not done.is_set():
        for line in open("/proc/self/status"):
            key = line.split(":")[0]
            if key in peaks:
                peaks[key] = max(peaks[key], int(line.split()[1]))
        time.sleep(0.005)


import pyvips
pyvips.cache_set_max(0)
from shotline.adapters.imaging.checks import run_checks
from shotline.domain.qc import CheckContext, QcThresholds
from shotline.domain.policy import parse_policy
from shotline.services.policies import default_policy_text
policy = parse_policy(default_policy_text())
limits = QcThresholds.from_policy(policy, "apparel", "amazon_main")
watcher = threading.Thread(target=sample)
watcher.start()
if sys.argv[1] != "-":
    run_checks(Path(sys.argv[1]), CheckContext(), limits)
done.set()
watcher.join()
# VmHWM belongs to this process's own address space (ru_maxrss would carry the forking
# parent's peak across exec).
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"total": int(hwm.split()[1]) / 1024, "private": peaks["RssAnon"] / 1024,
                  "mapped": peaks["RssFile"] / 1024}))
"""


def peak_mb(path: Path | None) -> dict[str, float]:
    """Peak memory (MB) of a fresh process that imports everything and checks `path` (or
    only imports, for `None`): total resident (VmHWM), and the peaks of private (anonymous)
    and file-backed resident memory. libvips decodes images over 100 MB into a temporary
    file it maps, so their pixels are file-backed and reclaimable, not private."""
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path) if path else "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--skip-100mp", action="store_true")
    args = parser.parse_args()
    pyvips.cache_set_max(0)
    cores = os.cpu_count()
    print(f"machine: {cores} CPU cores, libvips {pyvips.version(0)}.{pyvips.version(1)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        image24 = make_jpeg(folder / "shot-24mp.jpg", 6000, 4000)
        source = folder / "source-24mp.jpg"
        shutil.copy(image24, source)
        print(
            f"made a 6000x4000 JPEG ({image24.stat().st_size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - start:.1f}s"
        )
        t = single_image(image24, source, args.runs)
        print("\n1. one 24 MP JPEG, median of", args.runs, "interleaved runs")
        print(f"   libvips sequential decode (baseline)   {t['seq']:.3f} s")
        print(f"   libvips decode into memory             {t['mem']:.3f} s")
        print(
            f"   default check set (amazon_main)        {t['checks']:.3f} s"
            f"  = {t['checks'] / t['seq']:.2f}x decode (target <= 1.3x),"
            f" {t['checks'] / t['mem']:.2f}x decode into memory"
        )
        print(
            f"   ... plus a source version              {t['source']:.3f} s"
            f"  = {t['source'] / t['seq']:.2f}x decode (two images decoded)"
        )
        files = []
        for i in range(args.batch):
            copy = folder / f"batch-{i}.jpg"
            shutil.copy(image24, copy)
            files.append(copy)
        rate = throughput(files, folder / "home")
        print(f"\n2. shotline qc on {args.batch} x 24 MP JPEGs, whole command")
        print(f"   --workers 1  {rate[1]:.2f} images/s")
        print(f"   --workers 2  {rate[2]:.2f} images/s  = {rate[2] / rate[1]:.2f}x")
        print("\n3. peak memory of one process (total resident; private; file-backed)")
        rows = [("imports only", None), ("checking a 24 MP JPEG", image24)]
        if not args.skip_100mp:
            rows.append(
                ("checking a 100 MP JPEG", make_jpeg(folder / "shot-100mp.jpg", 12248, 8165))
            )
        for label, target in rows:
            m = peak_mb(target)
            print(
                f"   {label:24} {m['total']:5.0f} MB total, {m['private']:5.0f} MB private, "
                f"{m['mapped']:5.0f} MB file-backed"
            )
        print("   (target: under 400 MB per worker, flat on 100 MP)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
