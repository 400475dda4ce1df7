"""Benchmark: what the asset store's safety costs on 24-megapixel JPEG masters.

1. Storing a file: the probe upload now runs (every pixel decoded once, streaming, so
   truncated or corrupt files are refused) plus the durable store (copy, hash, fsync,
   rename), against the durable store alone, measured in the same run.
2. fsck: re-hashing stored files (MB/s) against `sha256sum` over the same files.

    .venv/bin/python benchmarks/asset_store.py [--files 6] [--megapixels 24]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pyvips

from shotline.adapters.imaging.source import probe
from shotline.adapters.storage import BlobHealth, LocalBlobStore


def _master(path: Path, megapixels: float, seed: int) -> Path:
    """A photographic-looking JPEG (noise over gradients) so it compresses like a real one."""
    width = int((megapixels * 1e6 * 1.5) ** 0.5)
    height = int(megapixels * 1e6 / width)
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (height // 8, width // 8, 3), dtype=np.uint8)
    image = pyvips.Image.new_from_array(small, interpretation="srgb").resize(8, kernel="linear")
    noise = pyvips.Image.gaussnoise(image.width, image.height, sigma=12)
    (image + noise).cast("uchar").write_to_file(str(path), Q=90)
    return path


def _timed(label: str, run: list[Path], action: object) -> float:
    start = time.perf_counter()
    for path in run:
        action(path)  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"  {label:<34} {len(run) / seconds:6.2f} files/s  ({seconds:.2f} s)")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--megapixels", type=float, default=24)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        masters = [_master(base / f"m{i}.jpg", args.megapixels, i) for i in range(args.files)]
        total_mb = sum(p.stat().st_size for p in masters) / 1e6
        print(f"{args.files} JPEG masters of {args.megapixels:g} MP, {total_mb:.1f} MB in all")
        print("storing a file")
        plain = LocalBlobStore(base / "plain")
        checked = LocalBlobStore(base / "checked")
        baseline = _timed("durable store only (baseline)", masters, plain.put_file)

        def probe_and_store(path: Path) -> None:
            probe(path)
            checked.put_file(path)

        full = _timed("probe + durable store (upload)", masters, probe_and_store)
        print(f"  ratio upload / baseline: {full / baseline:.2f}x")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of this process so far: {peak:.0f} MB")
        print("fsck re-hashing")
        shas = list(checked.iter_blobs())
        start = time.perf_counter()
        assert all(checked.check(sha) == BlobHealth.OK for sha in shas)
        ours = time.perf_counter() - start
        paths = [str(checked.open_path(sha)) for sha in shas]
        tool = shutil.which("sha256sum")
        print(f"  shotline check: {total_mb / ours:8.0f} MB/s")
        if tool:
            start = time.perf_counter()
            subprocess.run([tool, *paths], check=True, capture_output=True)
            theirs = time.perf_counter() - start
            print(f"  sha256sum:      {total_mb / theirs:8.0f} MB/s")
            print(f"  ratio shotline / sha256sum time: {ours / theirs:.2f}x")
        print("(files are in the page cache: these are CPU figures, not disk figures)")


if __name__ == "__main__":
    main()
