"""A real Shotline server (`shotline serve` in a subprocess, over a temporary SHOTLINE_HOME
with an initialised workspace and people with passwords) driven by Debian's Chromium through
Playwright: one browser for the whole session, one context (cookie jar) per person.

Screenshots of the main pages land in test-artifacts/screenshots/ (git-ignored) for people to
look at. Chromium is never downloaded: the tests fail with a clear message when
/usr/bin/chromium is missing (`apt-get install chromium`).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from shotline.adapters.db import migrate
from shotline.bootstrap import build
from shotline.config import Settings
from shotline.services import auth, workspaces

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser tests 2026"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
# username -> (roles, vendor team)
PEOPLE: dict[str, tuple[list[str], str | None]] = {
    "maya": (["merchandiser"], None),
    "rita": (["retoucher"], None),
    "quinn": (["qc_lead"], None),
    "cora": (["creative_director"], None),
    "dana": (["dam_manager"], None),
    "pat": (["producer"], None),
    "olga": (["creative_ops_manager"], None),
    "vince": (["retoucher"], "Pixel Lab"),
    "wendy": (["retoucher"], "Other Studio"),
}
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    """The running server: its address and the settings it was started with."""

    url: str
    settings: Settings


def _initialise(settings: Settings) -> None:
    """The workspace and its people, made through the services as `shotline init`,
    `shotline users add` and `shotline users set-password` would."""
    now = dt.datetime.now(dt.UTC)
    app = build(settings)
    try:
        migrate.upgrade(app.engine)
        with app.uow() as uow:
            workspaces.initialise_workspace(uow, "default", "Default", now)
        with app.uow() as uow:
            admin = workspaces.resolve_actor(uow, "default", "admin")
        for name, (roles, team) in PEOPLE.items():
            with app.uow() as uow:
                workspaces.add_user(uow, admin, name, roles, now, team=team, vendor=bool(team))
            with app.uow() as uow:
                auth.set_password(uow, admin, name, PASSWORD, now)
    finally:
        app.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`shotline serve` on a free loopback port until the session ends."""
    home = tmp_path_factory.mktemp("browser-home")
    settings = Settings(
        home=home, database_url=f"sqlite:///{home / 'shotline.db'}", workspace="default",
        user="admin",
    )  # fmt: skip
    _initialise(settings)
    port = _free_port()
    env = {
        **os.environ,
        "SHOTLINE_HOME": str(home),
        "SHOTLINE_DATABASE_URL": settings.database_url,
        "SHOTLINE_WORKSPACE": "default",
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }
    command = [str(Path(sys.executable).parent / "shotline"), "serve", "--port", str(port)]
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, home / "server.log")
        yield Server(url, settings)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"shotline serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with opener.open(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(
        f"shotline serve did not answer /healthz in {STARTUP_SECONDS} s:\n{log.read_text()}"
    )


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, once for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need Debian's Chromium: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


Login = Callable[[str], Page]


@pytest.fixture
def login(server: Server, chromium: Browser) -> Iterator[Login]:
    """`login("quinn")`: a page in a fresh context, logged in through the login form."""
    contexts: list[BrowserContext] = []

    def open_as(username: str) -> Page:
        context = chromium.new_context(
            base_url=server.url, viewport={"width": 1440, "height": 1000}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda u: "/login" not in u)
        return page

    yield open_as
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
