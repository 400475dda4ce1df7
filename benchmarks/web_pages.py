"""Benchmark: the web pages with a large database, through a real server on loopback.

Setup (timed, reported apart): a fresh database filled by benchmarks/_bulk.py with a year
of history (`--assets`, default 50,000; the issue's figure is 1,000,000), then the bench
workspace's producer and a vendor retoucher get passwords (services/auth).

Measured: `shotline serve`'s application (create_app, the same factory) under uvicorn in a
child process, one worker, on 127.0.0.1; this process logs in through the login form like
a browser and requests, over HTTP with keep-alive:

* the largest queue's first page of 50 (`/queues/{track}/{stage}`), the producer's view;
* the asset page (`/assets/{id}`) of assets in review, a different one each request;
* the dashboard (`/dashboard`: where the work stands now), and apart, its period section
  (`/dashboard/period`, the last 30 days: metrics, six charts, vendor scorecards, slice
  table), which the page loads with htmx once it is shown;
* a vendor user's My work (`/work`), fenced to the vendor's assets;
* `/healthz` as the baseline: the same server, routing and socket, no database work.

Each page is requested `--runs` times one after another (after 3 warm-up requests), so a
request's time is the server's time plus a loopback round trip, not time queued behind
other requests: p50, p95 and max in ms, and the ratio of p95 to the baseline's p95. Then
`--clients` threads request the queue page together for the same number of requests, for
the p95 under load and the pages per second. Any answer other than 200 is counted and
reported, never timed as a success.

    .venv/bin/python benchmarks/web_pages.py [--assets 50000] [--runs 100] [--clients 4]
        [--postgres] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import _bulk
from _pg import drop_postgres, fresh_postgres
from sqlalchemy import create_engine, func, select

from shotline.adapters.db.models import Asset
from shotline.bootstrap import build
from shotline.config import Settings
from shotline.domain.sla import stage_of
from shotline.services import auth, workspaces

WORKSPACE = "bench"
PRODUCER = "pat.producer"
VENDOR_USER = "ravi.pixellab"
PASSWORD = "bench password"
TARGETS_MS = {"queue": 150.0, "asset": 150.0, "dashboard": 300.0}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _machine() -> str:
    cpus = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {cpus} CPU(s), Python {platform.python_version()}, {platform.system()}"


def _passwords(url: str, home: Path) -> None:
    app = build(Settings(home, url, WORKSPACE, "admin"))
    with app.uow() as uow:
        admin = workspaces.resolve_actor(uow, WORKSPACE, "admin")
    for username in (PRODUCER, VENDOR_USER):
        with app.uow() as uow:
            auth.set_password(uow, admin, username, PASSWORD, dt.datetime.now(dt.UTC))
    app.close()


def _targets(url: str) -> tuple[str, int, list[int]]:
    """The largest open queue (as a URL) with its size, and assets in review to open."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Asset.track, Asset.state, Asset.gate, func.count())
            .where(Asset.state.notin_(("delivered", "live", "cancelled")))
            .group_by(Asset.track, Asset.state, Asset.gate)
        ).all()
        sizes: dict[tuple[str, str], int] = {}
        for track, state, gate, n in rows:
            stage = stage_of(state, gate)
            if stage is not None:
                sizes[(track, stage)] = sizes.get((track, stage), 0) + n
        (track, stage), size = max(sizes.items(), key=lambda kv: kv[1])
        ids = list(
            conn.scalars(
                select(Asset.id).where(Asset.state == "in_review").order_by(Asset.id).limit(500)
            )
        )
    engine.dispose()
    return f"/queues/{track}/{stage}", size, ids[::5][:100] or ids


def _start_server(url: str, home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SHOTLINE_HOME": str(home),
        "SHOTLINE_DATABASE_URL": url,
        "SHOTLINE_WORKSPACE": WORKSPACE,
        "SHOTLINE_USER": "admin",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "shotline.entrypoints.api.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--timeout-keep-alive",
        "300",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            probe = Browser(port)
            ok = probe.get("/healthz") == 200
            probe.close()
            if ok:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not answer /healthz within 60 s")


class Browser:
    """One keep-alive HTTP/1.1 connection with its cookies, as a browser tab holds them
    (the standard library's client: nothing else to install)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, url, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle keep-alive connection: open a new one, as browsers do.
            self.conn.close()
            self.conn.request(method, url, body=body, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text

    def get(self, url: str) -> int:
        return self.request("GET", url)[0]

    def close(self) -> None:
        self.conn.close()


def _login(port: int, username: str) -> Browser:
    browser = Browser(port)
    _, form = browser.request("GET", "/login")
    found = CSRF.search(form)
    assert found, "no CSRF token on /login"
    status, _ = browser.request(
        "POST",
        "/login",
        {"username": username, "password": PASSWORD, "csrf_token": found.group(1)},
    )
    if status != 303:
        raise SystemExit(f"login as {username} failed: {status}")
    return browser


class Timings:
    """Latencies in ms of successful requests, and the failures by status."""

    def __init__(self) -> None:
        self.ms: list[float] = []
        self.failed: dict[int, int] = {}
        self.lock = threading.Lock()

    def add(self, status: int, ms: float) -> None:
        with self.lock:
            if status == 200:
                self.ms.append(ms)
            else:
                self.failed[status] = self.failed.get(status, 0) + 1

    def p(self, q: float) -> float:
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _measure(client: Browser, urls: Callable[[int], str], runs: int) -> Timings:
    for i in range(3):
        client.get(urls(i))
    timings = Timings()
    for i in range(runs):
        started = time.perf_counter()
        status = client.get(urls(i))
        timings.add(status, (time.perf_counter() - started) * 1000)
    return timings


def _concurrent(port: int, url: str, runs: int, clients: int) -> tuple[Timings, float]:
    sessions = [_login(port, PRODUCER) for _ in range(clients)]
    timings = Timings()
    per = max(1, runs // clients)

    def work(client: Browser) -> None:
        for _ in range(per):
            started = time.perf_counter()
            status = client.get(url)
            timings.add(status, (time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=work, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for s in sessions:
        s.close()
    return timings, per * clients / elapsed


def _row(name: str, t: Timings, baseline: float, target: float | None) -> str:
    verdict = ""
    if target is not None and t.ms:
        verdict = "met" if t.p(0.95) < target else "NOT met"
        verdict = f"  target p95 < {target:.0f} ms: {verdict}"
    failed = f"  non-200: {t.failed}" if t.failed else ""
    if not t.ms:
        return f"{name:<22} no successful request{failed}"
    return (
        f"{name:<22} p50 {t.p(0.5):8.1f} ms  p95 {t.p(0.95):8.1f} ms  "
        f"max {max(t.ms):8.1f} ms  p95/baseline {t.p(0.95) / baseline:6.1f}x{verdict}{failed}"
    )


def run(url: str, home: Path, assets: int, runs: int, clients: int, label: str) -> None:
    """Fill, serve, log in, measure, print."""
    started = time.perf_counter()
    loaded = _bulk.fill(url, home, assets)
    _passwords(url, home)
    fill_s = time.perf_counter() - started
    queue_url, queue_size, asset_ids = _targets(url)
    print(
        f"\n== {label}: {loaded.assets:,} assets, {loaded.events:,} events "
        f"(setup {fill_s:.0f} s); queue {queue_url} holds {queue_size:,} assets",
        flush=True,
    )
    port = _free_port()
    server = _start_server(url, home, port, home / "server.log")
    try:
        producer = _login(port, PRODUCER)
        vendor = _login(port, VENDOR_USER)
        health = _measure(producer, lambda _i: "/healthz", runs)
        baseline = health.p(0.95)
        pages: list[tuple[str, Browser, Callable[[int], str], int, str | None]] = [
            ("queue (first 50)", producer, lambda _i: queue_url, runs, "queue"),
            (
                "asset page",
                producer,
                lambda i: f"/assets/{asset_ids[i % len(asset_ids)]}",
                runs,
                "asset",
            ),
            (
                "dashboard (30 days)",
                producer,
                lambda _i: "/dashboard",
                max(5, runs // 5),
                "dashboard",
            ),
            ("vendor My work", vendor, lambda _i: "/work", runs, None),
            (
                "dashboard period part",
                producer,
                lambda _i: "/dashboard/period?days=30",
                max(3, runs // 20),
                None,
            ),
        ]
        print(_row("baseline /healthz", health, baseline, None), flush=True)
        for name, client, urls, count, key in pages:
            timings = _measure(client, urls, count)
            print(_row(name, timings, baseline, TARGETS_MS.get(key) if key else None), flush=True)
        loaded_t, rate = _concurrent(port, queue_url, runs, clients)
        print(
            _row(f"queue, {clients} clients", loaded_t, baseline, None) + f"  {rate:.1f} pages/s",
            flush=True,
        )
        producer.close()
        vendor.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    """Parse options and run on SQLite (and PostgreSQL with --postgres)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--postgres", action="store_true", help="Also on PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="Skip the SQLite run")
    args = parser.parse_args()
    print(f"machine: {_machine()}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="shotline-web-bench-"))
    try:
        if not args.no_sqlite:
            home = folder / "sqlite"
            home.mkdir()
            url = f"sqlite:///{home / 'bench.db'}"
            run(url, home, args.assets, args.runs, args.clients, "SQLite")
        if args.postgres:
            made = fresh_postgres("web pages")
            if made is not None:
                name, pg_url = made
                try:
                    pg_home = folder / "postgres"
                    pg_home.mkdir()
                    run(pg_url, pg_home, args.assets, args.runs, args.clients, "PostgreSQL")
                finally:
                    drop_postgres(name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
