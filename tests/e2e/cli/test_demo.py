"""`shotline demo`: in-process, and once through the installed console script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from shotline.adapters.db.models import Workspace
from shotline.config import Settings
from shotline.entrypoints.api.app import create_app

SCRIPT = Path(sys.executable).parent / "shotline"


DEMO = ("demo", "--skus", "3", "--days", "10", "--no-serve")


def _check_demo_output(stdout: str) -> None:
    assert re.search(r"^\d+ actions applied:", stdout, re.MULTILINE), stdout
    assert "16 row(s): 12 accepted" in stdout  # 12 generated SKUs + 4 deliberately broken rows
    assert re.search(r"request \d+ stored, state needs_info", stdout)
    assert "the same file imported again creates nothing new: created=False" in stdout
    assert "address: http://127.0.0.1:8000/   password for every user: shotline-demo" in stdout
    for login in ("eve.ops", "pat.producer", "maya.merch", "quinn.qc", "rita.retouch",
                  "ravi.pixellab"):  # fmt: skip
        assert re.search(rf"^.*\b{re.escape(login)}\b", stdout, re.MULTILINE), login


def test_demo_runs_in_its_own_folder_and_leaves_the_configured_database_alone(cli) -> None:
    out = cli.ok(*DEMO).stdout
    _check_demo_output(out)
    demo_home = cli.home / "demo"
    assert (demo_home / ".shotline-demo").is_file()
    assert (demo_home / "shotline.db").is_file()
    assert (demo_home / "intake" / "spring-drop.csv").is_file()
    assert (demo_home / "simulation" / "replay.jsonl").is_file()
    assert cli.count(Workspace) == 0


def test_every_demo_user_logs_in_to_the_web_pages(fresh) -> None:
    fresh.ok(*DEMO)
    demo_home = fresh.home / "demo"
    settings = Settings(
        home=demo_home,
        database_url=f"sqlite:///{demo_home / 'shotline.db'}",
        workspace="default",
        user="admin",
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        for username, landing in (("ravi.pixellab", "My work"), ("eve.ops", "Dashboard")):
            client.cookies.clear()
            form = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token is not None
            done = client.post(
                "/login",
                data={"username": username, "password": "shotline-demo",
                      "csrf_token": token.group(1), "next": "/work"},
            )  # fmt: skip
            assert done.status_code == 303, (username, done.text)
            page = client.get("/work")
            assert page.status_code == 200 and landing in page.text


def test_demo_serves_the_pages_unless_told_not_to(fresh, monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: Any, host: str, port: int, **_: Any) -> None:
        served.update(app=app, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    out = fresh.ok(*DEMO[:-1], "--port", "8765").stdout
    assert "address: http://127.0.0.1:8765/" in out
    assert (served["host"], served["port"]) == ("127.0.0.1", 8765)
    with TestClient(served["app"]) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/login").status_code == 200


def test_demo_twice_starts_over(fresh) -> None:
    _check_demo_output(fresh.ok(*DEMO).stdout)
    _check_demo_output(fresh.ok(*DEMO).stdout)


def test_demo_refuses_to_delete_a_folder_it_did_not_make(fresh) -> None:
    keep = fresh.home / "demo" / "keep.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("mine")
    err = fresh.fail(1, *DEMO)
    assert err == f"error: {keep.parent} exists and is not a Shotline demo folder; move it\n"
    assert keep.read_text() == "mine"


def test_the_explore_commands_the_demo_prints_work(fresh) -> None:
    out = fresh.ok(*DEMO).stdout
    demo_home = fresh.home / "demo"
    assert f"export SHOTLINE_HOME={demo_home}\n" in out
    env = {"SHOTLINE_HOME": str(demo_home), "SHOTLINE_DATABASE_URL": None}
    listed = fresh.ok("requests", "list", **env).stdout
    assert "needs_info" in listed
    assets = fresh.ok("assets", "list", "--state", "in_review", **env).stdout
    assert assets.rstrip().endswith("asset(s)")
    fresh.ok("exceptions", "report", **env)
    spreadsheet = demo_home / "intake" / "spring-drop.csv"
    # Every line is now either rejected or already open, so validation reports rejections.
    assert fresh("intake", "validate", str(spreadsheet), **env).exit_code == 1


def test_installed_console_script_runs_the_demo_twice(tmp_path) -> None:
    assert SCRIPT.is_file(), f"console script not installed at {SCRIPT}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOTLINE_")}
    env["SHOTLINE_HOME"] = str(tmp_path / "home")
    for _ in range(2):
        done = subprocess.run(
            [str(SCRIPT), *DEMO],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        _check_demo_output(done.stdout)
    assert (tmp_path / "home" / "demo" / ".shotline-demo").is_file()
    assert not (tmp_path / ".shotline").exists()
