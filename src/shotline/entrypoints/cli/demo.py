"""`shotline demo`: a guided run on a fresh demo home, start to finish in a few seconds."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import typer
from rich.progress import Progress
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
from shotline.entrypoints.cli.serve import run_server
from shotline.services import auth, exceptions, intake, requests, workspaces
from shotline.services.policies import check_policy, default_policy_text
from shotline.services.replay import replay_file
from shotline.simulation.intake import generate_rows, write_csv
from shotline.simulation.workflow import simulate

MARKER = ".shotline-demo"
# Known only to people reading this output; `shotline serve` listens on loopback by default.
DEMO_PASSWORD = "shotline-demo"
# One login per kind of person (the simulated crew of shotline.simulation.workflow).
DEMO_LOGINS = (
    ("creative ops manager", "eve.ops"),
    ("producer", "pat.producer"),
    ("merchandiser", "maya.merch"),
    ("reviewer (QC lead)", "quinn.qc"),
    ("reviewer (creative director)", "alex.cd"),
    ("retoucher", "rita.retouch"),
    ("vendor retoucher (Pixel Lab)", "ravi.pixellab"),
    ("photographer", "sam.photo"),
    ("DAM manager", "kim.dam"),
    ("AI workflow owner", "ada.aiowner"),
    ("AI operator", "nova.ai"),
    ("administrator", "admin"),
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


def demo(
    skus: int = typer.Option(30, "--skus", min=1, help="SKUs in the simulated month"),
    days: int = typer.Option(30, "--days", min=1, help="Length of the simulated period"),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Start the web server afterwards (until Ctrl-C)"
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address the server listens on"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port of the server"),
    password: str = typer.Option(
        DEMO_PASSWORD, "--password", help="The password every demo user logs in with"
    ),
) -> None:
    """Run the demo: a month of simulated work replayed through every rule, then intake;
    then give every demo user a password and serve the web pages."""
    auth.check_password_rules(password)
    home = _fresh_home(Settings.from_env().home)
    settings = Settings(
        home=home,
        database_url=f"sqlite:///{home / 'shotline.db'}",
        workspace="default",
        user="admin",
    )
    app = build(settings)
    try:
        _run(app, home, skus, days)
        _logins(app, password, host, port)
    finally:
        app.close()
    if serve:
        run_server(settings, host, port)


def _logins(app: App, password: str, host: str, port: int) -> None:
    """Give every demo user the demo password, and print one login per role."""
    stamp = now()
    with app.uow() as uow:
        admin = workspaces.resolve_actor(uow, "default", "admin")
        members = workspaces.list_members(uow, admin)
    for member in members:
        with app.uow() as uow:
            auth.set_password(uow, admin, member.username, password, stamp)
    console.print(Rule("The web pages"))
    console.print(f"address: http://{host}:{port}/   password for every user: {password}")
    table = Table("who", "username", "roles")
    known = {m.username: m for m in members}
    for label, username in DEMO_LOGINS:
        if username in known:
            table.add_row(label, username, ", ".join(known[username].roles))
    console.print(table)


def _run(app: App, home: Path, skus: int, days: int) -> None:
    stamp = now()
    _setup(app, stamp)
    console.print(
        Rule(f"1. A month of work: {skus} SKUs over {days} days, replayed through every rule")
    )
    policy = check_policy(default_policy_text(), "default policy")
    path, lines = simulate(
        home / "simulation", skus, days, 7, policy, stamp - dt.timedelta(minutes=5)
    )
    with Progress(
        *Progress.get_default_columns(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("replaying", total=lines)
        result = replay_file(app, "default", path, progress=lambda _n: progress.advance(task))
    console.print(
        f"{result.applied} actions applied: "
        + ", ".join(f"{n} {a}" for a, n in sorted(result.by_action.items()))
    )
    with app.uow() as uow:
        admin = workspaces.resolve_actor(uow, "default", "admin")
    console.print(Rule("2. Where the work stands, by track and state"))
    _print_states(app, admin)
    console.print(Rule("3. Exceptions, for the monthly review"))
    with app.uow() as uow:
        report = exceptions.exceptions_report(uow, admin)
    for kind, counts in report.by_kind.items():
        flag = (
            "  <- recurring: formalise it or stop allowing it" if kind in report.recurring else ""
        )
        console.print(f"{kind}: {counts}{flag}")
    console.print(Rule("4. A new request arrives, with the usual mistakes"))
    _intake_story(app, home, stamp)
    console.print(Rule("Explore"))
    console.print(
        f"export SHOTLINE_HOME={home}\n"
        ".venv/bin/shotline assets list --state in_review\n"
        ".venv/bin/shotline history <SKU>\n"
        ".venv/bin/shotline exceptions report\n"
        ".venv/bin/shotline requests list",
        highlight=False,
    )


def _intake_story(app: App, home: Path, stamp: dt.datetime) -> None:
    rows = generate_rows(12, seed=11, today=stamp.date()) + _broken_rows(stamp.date())
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
        "rejected lines wait for the requester, accepted lines are routed and due"
    )
    with app.uow() as uow:
        again = intake.import_intake(uow, merch, table, now())
    console.print(f"the same file imported again creates nothing new: created={again.created}")


def _print_states(app: App, actor: Actor) -> None:
    with app.uow() as uow:
        counts = requests.asset_counts(uow, actor)
    totals: dict[str, dict[str, int]] = {}
    for c in counts:
        by_state = totals.setdefault(c.track, {})
        by_state[c.state] = by_state.get(c.state, 0) + c.assets
    for track, by_state in sorted(totals.items()):
        parts = ", ".join(
            f"{n} {state}" for state, n in sorted(by_state.items(), key=lambda x: -x[1])
        )
        console.print(f"[bold]{track}[/bold]: {parts}")
