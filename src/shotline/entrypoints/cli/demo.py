"""`shotline demo`: a guided run on a fresh demo home, start to finish in a few seconds."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import typer
from rich.rule import Rule
from rich.table import Table

from shotline.adapters.db import migrate
from shotline.adapters.intake_files import read_intake_file
from shotline.bootstrap import App, build
from shotline.config import Settings
from shotline.domain.access import Actor
from shotline.domain.errors import ShotlineError
from shotline.entrypoints.cli.context import console, now
from shotline.entrypoints.cli.intake import _print_result
from shotline.services import intake, requests, workspaces
from shotline.simulation.intake import generate_rows, write_csv

MARKER = ".shotline-demo"
DEMO_USERS = (
    ("maya.merch", ["merchandiser"], None, False),
    ("pat.producer", ["producer"], None, False),
    ("ravi.retouch", ["retoucher"], "Pixel Lab", True),
    ("quinn.qc", ["qc_lead"], None, False),
)


def _fresh_home(home: Path) -> Path:
    demo_home = home / "demo"
    if demo_home.exists():
        if not (demo_home / MARKER).exists():
            raise ShotlineError(f"{demo_home} exists and is not a Shotline demo folder; move it")
        shutil.rmtree(demo_home)
    demo_home.mkdir(parents=True)
    (demo_home / MARKER).write_text("made by `shotline demo`; deleted by the next run\n")
    return demo_home


def _broken_rows(today: dt.date) -> list[dict[str, str]]:
    """Requests as they really arrive: incomplete, misspelt, late, duplicated."""
    base = generate_rows(4, seed=99, today=today, prefix="FIX")
    base[0] |= {
        "category": "jewelry",
        "metal_type": "",
        "stone_type": "diamond",
        "reflection_rules": "",
        "views": "main|macro",
    }
    base[1] |= {"channels": "pdp|tiktok_shop"}
    base[2] |= {"deadline": (today - dt.timedelta(days=3)).isoformat()}
    base[3] |= {
        "sku": "SL-AP-000001",
        "category": "apparel",
        "size_represented": "M",
        "ghost_mannequin": "maybe",
        "fabric": "cotton",
        "color_priority": "standard",
        "colorways": "Black",
    }
    return base


def _setup(app: App, stamp: dt.datetime) -> None:
    migrate.upgrade(app.engine)
    with app.uow() as uow:
        workspaces.initialise_workspace(uow, "default", "Demo brand", stamp)
    with app.uow() as uow:
        admin = workspaces.resolve_actor(uow, "default", "admin")
    for username, roles, team, vendor in DEMO_USERS:
        with app.uow() as uow:
            workspaces.add_user(uow, admin, username, roles, stamp, team=team, vendor=vendor)


def demo(
    skus: int = typer.Option(40, "--skus", min=1, help="SKU lines in the demo request"),
) -> None:
    """Run the demo: policy, users, intake validation and import, routing and SLAs."""
    home = _fresh_home(Settings.from_env().home)
    app = build(
        Settings(
            home=home,
            database_url=f"sqlite:///{home / 'shotline.db'}",
            workspace="default",
            user="maya.merch",
        )
    )
    try:
        _run(app, home, skus)
    finally:
        app.close()


def _run(app: App, home: Path, skus: int) -> None:
    stamp = now()
    console.print(Rule("1. A workspace with the default policy, and its people"))
    _setup(app, stamp)
    console.print(
        f"workspace 'default' in {home}; users admin, " + ", ".join(u for u, *_ in DEMO_USERS)
    )
    console.print(Rule("2. A merchandiser's request arrives as a spreadsheet"))
    rows = generate_rows(skus, seed=7, today=stamp.date()) + _broken_rows(stamp.date())
    path = write_csv(home / "intake" / "spring-drop.csv", rows)
    table = read_intake_file(path)
    with app.uow() as uow:
        merch = workspaces.resolve_actor(uow, "default", "maya.merch")
    with app.uow() as uow:
        outcome = intake.import_intake(uow, merch, table, stamp)
    assert outcome.validation is not None
    _print_result(outcome.validation)
    console.print(
        f"request {outcome.request_id} stored, state [bold]{outcome.state}[/bold]: "
        "rejected lines wait for the requester, accepted lines are in production"
    )
    console.print(Rule("3. Routed by complexity into separate tracks"))
    _print_counts(app, merch)
    console.print(Rule("4. Importing the same file again creates nothing"))
    with app.uow() as uow:
        again = intake.import_intake(uow, merch, table, now())
    console.print(f"created anything new: {again.created} (request {again.request_id})")
    console.print(Rule("Explore"))
    console.print(
        f"export SHOTLINE_HOME={home}\n"
        ".venv/bin/shotline requests show 1\n"
        ".venv/bin/shotline assets list --track high_complexity\n"
        ".venv/bin/shotline intake validate " + str(path),
        highlight=False,
    )


def _print_counts(app: App, actor: Actor) -> None:
    with app.uow() as uow:
        counts = requests.asset_counts(uow, actor)
    grid = Table("track", "C1", "C2", "C3", "C4", "total")
    totals: dict[str, dict[str, int]] = {}
    for c in counts:
        totals.setdefault(c.track, {})[c.complexity] = c.assets
    for track, by_class in totals.items():
        cells = [str(by_class.get(k, "")) for k in ("C1", "C2", "C3", "C4")]
        grid.add_row(track, *cells, str(sum(by_class.values())))
    console.print(grid)
