"""Benchmark: every default channel rendition of 24-megapixel JPEG masters, against
`vipsthumbnail` and ImageMagick `convert -resize` making the same sizes, in the same run;
and the peak memory of rendering a 100-megapixel master.

Masters are generated in code (a product with texture on a slightly noisy studio sweep,
sRGB-tagged JPEG at quality 92), once, in a temporary folder that is removed afterwards.
Every measurement runs in its own child process and reads that child's max RSS from
`wait4`; nothing is cached between them except what the OS keeps of the master files (each
workload reads them once untimed first, so all start warm).

- shotline: `render_all` (find the product once, then each channel: shrink-on-load,
  crop/pad, sRGB through the embedded profile, JPEG within max_bytes, XMP), one child for all
  masters; timed inside the child around the renders (interpreter start-up reported apart).
- vipsthumbnail: one call per master and size, `-s WxH` (fit) or `-m centre` (fill and crop)
  with `--export-profile srgb`, JPEG at the channel's quality; start-up included (a few ms);
  and again without colour management, a baseline doing less than Shotline does.
- ImageMagick: one `convert` per master and size: `-resize WxH` with `-extent` onto the
  background for padded channels, `-resize WxH^ -extent WxH` for cropped ones.

    .venv/bin/python benchmarks/renditions.py [--masters 4] [--megapixels 24] [--big 100]
                                              [--no-imagemagick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    seconds: float
    peak_mb: float
    cpu: float  # user + system seconds, all threads: steadier than wall time on a busy box
    calls: int = 1


def _make_master(path: Path, megapixels: float, seed: int) -> None:
    """A 3:2 studio master built lazily by libvips (no full-size array in Python)."""
    import pyvips

    height = int((megapixels * 1e6 / 1.5) ** 0.5)
    width = int(height * 1.5)
    xyz = pyvips.Image.xyz(width, height)
    cx, cy = width * (0.45 + 0.02 * seed), height * 0.52
    rx, ry = width * 0.2, height * 0.4
    inside = (((xyz[0] - cx) / rx) ** 2 + ((xyz[1] - cy) / ry) ** 2) < 1
    sweep = (xyz[1] * (-10 / height) + 247).bandjoin([xyz[1] * (-10 / height) + 247] * 2)
    sweep = sweep + pyvips.Image.gaussnoise(width, height, sigma=1.5)
    colour = [60 + 40 * seed % 150, 90, 150]
    texture = pyvips.Image.gaussnoise(width, height, sigma=12, mean=0)
    product = (texture + colour[0]).bandjoin([texture + colour[1], texture + colour[2]])
    image = inside.ifthenelse(product, sweep).cast("uchar").copy(interpretation="srgb")
    image.jpegsave(str(path), Q=92, profile="srgb")


def _wait(cmd: list[str], **kw: Any) -> tuple[float, float, float, str]:
    """Run `cmd`, return (wall seconds, max RSS in MB, CPU seconds, stdout) from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])}... failed: {err.decode(errors='replace')[-800:]}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, out.decode()


def _warm(masters: list[Path]) -> None:
    for master in masters:
        master.read_bytes()


def _channels() -> dict[str, Any]:
    from shotline.domain.policy import parse_policy
    from shotline.services.policies import default_policy_text

    return dict(parse_policy(default_policy_text(), "default policy").channels)


def child_shotline(masters: list[Path], out: Path, cache_off: bool) -> None:
    """Runs in the child: render every default channel of every master, print JSON."""
    import pyvips

    from shotline.adapters.imaging.metadata import EmbeddedMetadata
    from shotline.adapters.imaging.render import render_all

    if cache_off:
        pyvips.cache_set_max(0)

    channels = _channels()
    meta = EmbeddedMetadata(sku="BENCH-1", colorway="blue", view="front", copyright="© Bench")
    _warm(masters)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    made = 0
    for master in masters:
        target = out / master.stem
        made += len(render_all(master, channels, target, lambda n, _: f"{n}.jpg", meta))
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(json.dumps({"seconds": seconds, "cpu": cpu, "renditions": made}))


def run_shotline(
    masters: list[Path], out: Path, *, cache_off: bool = False, threads: int | None = None
) -> tuple[Run, float]:
    cmd = [sys.executable, __file__, "--child", str(out), *map(str, masters)]
    if cache_off:
        cmd.append("--cache-off")
    env = dict(os.environ)
    if threads is not None:
        env["VIPS_CONCURRENCY"] = str(threads)
    wall, peak, _, stdout = _wait(cmd, cwd=ROOT, env=env)
    data = json.loads(stdout.strip().splitlines()[-1])
    return Run(data["seconds"], peak, data["cpu"]), wall - data["seconds"]


def run_vipsthumbnail(
    masters: list[Path], out: Path, channels: dict[str, Any], *, colour: bool = True
) -> Run:
    exe = shutil.which("vipsthumbnail")
    assert exe is not None
    total, peak, calls, cpu = 0.0, 0.0, 0, 0.0
    _warm(masters)
    for master in masters:
        for name, ch in channels.items():
            cmd = [exe, str(master), "-s", f"{ch.width}x{ch.height}"]
            if colour:
                cmd += ["--export-profile", "srgb"]
            if ch.fit == "cover":
                cmd += ["-m", "centre"]
            cmd += ["-o", f"{out}/%s_{name}.jpg[Q={ch.quality},strip]"]
            seconds, rss, used, _ = _wait(cmd)
            total, peak, calls, cpu = total + seconds, max(peak, rss), calls + 1, cpu + used
    return Run(total, peak, cpu, calls)


def run_imagemagick(masters: list[Path], out: Path, channels: dict[str, Any], exe: str) -> Run:
    total, peak, calls, cpu = 0.0, 0.0, 0, 0.0
    _warm(masters)
    for master in masters:
        for name, ch in channels.items():
            size = f"{ch.width}x{ch.height}"
            if ch.fit == "cover":
                ops = ["-resize", f"{size}^", "-gravity", "center", "-extent", size]
            else:
                bg = ch.background or "#FFFFFF"
                ops = ["-resize", size, "-background", bg, "-gravity", "center", "-extent", size]
            target = out / f"{master.stem}_{name}.jpg"
            cmd = [exe, str(master), *ops, "-quality", str(ch.quality), str(target)]
            seconds, rss, used, _ = _wait(cmd)
            total, peak, calls, cpu = total + seconds, max(peak, rss), calls + 1, cpu + used
    return Run(total, peak, cpu, calls)


def _imagemagick() -> str | None:
    # /usr/local/bin/convert may be a stand-in that only forwards to the real one.
    for candidate in ("/usr/bin/convert", "/usr/local/bin/convert", shutil.which("convert")):
        if not candidate or not Path(candidate).exists():
            continue
        try:
            version = subprocess.run(
                [candidate, "-version"], capture_output=True, text=True, timeout=20
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        if "ImageMagick" in version:
            return candidate
    return None


def _machine() -> str:
    import pyvips

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    vips = subprocess.run(["vipsthumbnail", "--vips-version"], capture_output=True, text=True)
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"pyvips libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}, "
        f"vipsthumbnail {vips.stdout.strip() or '?'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--masters", type=int, default=4)
    parser.add_argument("--megapixels", type=float, default=24)
    parser.add_argument("--big", type=float, default=100, help="megapixels; 0 skips")
    parser.add_argument("--no-imagemagick", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cache-off", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_shotline([Path(f) for f in args.files], Path(args.child), args.cache_off)
        return
    if shutil.which("vipsthumbnail") is None:
        raise SystemExit(
            "vipsthumbnail is missing: install Debian's libvips-tools "
            "(apt-get install -y libvips-tools) to measure the baseline"
        )
    magick = None if args.no_imagemagick else _imagemagick()
    if magick is None and not args.no_imagemagick:
        raise SystemExit(
            "ImageMagick's convert is missing: apt-get install -y imagemagick, "
            "or run with --no-imagemagick"
        )
    channels = _channels()
    print(_machine())
    with tempfile.TemporaryDirectory(prefix="shotline-bench-") as tmp:
        root = Path(tmp)
        masters = []
        start = time.perf_counter()
        for i in range(args.masters):
            path = root / f"master{i}.jpg"
            _make_master(path, args.megapixels, i)
            masters.append(path)
        mb = sum(m.stat().st_size for m in masters) / len(masters) / 1e6
        print(
            f"{args.masters} masters of {args.megapixels:g} MP ({mb:.1f} MB JPEG each), "
            f"{len(channels)} channels each, made in {time.perf_counter() - start:.1f}s"
        )
        n = args.masters * len(channels)
        for name in ("shotline", "vips", "magick", "big"):
            (root / name).mkdir()
        ours, startup = run_shotline(masters, root / "shotline")

        def line(label: str, run: Run, note: str) -> None:
            print(
                f"{label:<22}: {run.seconds:6.2f}s wall {run.cpu:6.2f}s CPU  "
                f"{n / run.seconds:5.2f} renditions/s  {args.masters / run.seconds:5.2f} "
                f"masters/s  peak {run.peak_mb:4.0f} MB  {note}"
            )

        def ratio(label: str, a: Run, b: Run, target: str) -> None:
            print(
                f"  {label}: {a.seconds / b.seconds:.2f}x wall, {a.cpu / b.cpu:.2f}x CPU"
                f"{f' (target {target})' if target else ''}"
            )

        line("shotline render_all", ours, f"(+{startup:.2f}s interpreter start-up, once)")
        vips = run_vipsthumbnail(masters, root / "vips", channels)
        line("vipsthumbnail", vips, f"({vips.calls} calls, --export-profile srgb)")
        ratio("shotline / vipsthumbnail", ours, vips, "<= 1.3x")
        plain = run_vipsthumbnail(masters, root / "vips", channels, colour=False)
        line("vipsthumbnail, no ICC", plain, "(less colour work than shotline does)")
        ratio("shotline / vipsthumbnail without ICC", ours, plain, "")
        if magick is not None:
            im = run_imagemagick(masters, root / "magick", channels, magick)
            line("ImageMagick convert", im, f"({im.calls} calls, {magick})")
            ratio("ImageMagick / shotline", im, ours, ">= 4x")
        if args.big:
            big = root / "big.jpg"
            _make_master(big, args.big, 1)
            print(
                f"one {args.big:g} MP master ({big.stat().st_size / 1e6:.0f} MB JPEG), "
                f"{len(channels)} channels (target: peak < 400 MB):"
            )
            # libvips runs one worker thread per CPU and buffers per thread: 16 threads on
            # this machine show what a 16-core worker would hold. Its operation cache (100
            # operations by default) holds buffers too; a worker may switch it off.
            for label, kw in (
                ("default threads, libvips cache on ", {}),
                ("16 threads,      libvips cache on ", {"threads": 16}),
                ("16 threads,      libvips cache off", {"threads": 16, "cache_off": True}),
            ):
                run, _ = run_shotline([big], root / "big", **kw)  # type: ignore[arg-type]
                print(f"  {label}: {run.seconds:6.2f}s, peak {run.peak_mb:4.0f} MB")
    print("(wall times share the machine with whatever else runs; CPU times are steadier)")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
