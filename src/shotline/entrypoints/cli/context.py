"""What every command needs: the app, the clock, the acting user, and error handling."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError, ProgrammingError
from typer.core import TyperGroup

from shotline.adapters.db import migrate
from shotline.bootstrap import App, build
from shotline.config import Settings
from shotline.domain.access import Actor
from shotline.domain.errors import IntakeFileError, ShotlineError
from shotline.services.workspaces import resolve_actor

T = TypeVar("T")
console = Console()
# Errors stay on one line however narrow the terminal or pipe: scripts grep them.
errors = Console(stderr=True, soft_wrap=True)


@dataclass
class CliState:
    """Options given before the command (`shotline --workspace W --as U ...`)."""

    workspace: str | None = None
    user: str | None = None
    _app: App | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        base = Settings.from_env()
        return dataclasses.replace(
            base, workspace=self.workspace or base.workspace, user=self.user or base.user
        )

    def database_exists(self) -> bool:
        """False for a SQLite file not created yet (so read-only commands don't create it)."""
        from sqlalchemy.engine import make_url

        url = make_url(self.settings().database_url)
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return True
        return Path(url.database).exists()

    def app(self, require_schema: bool = True) -> App:
        """The app, refusing to run on a database that `shotline init` has not prepared."""
        if self._app is None:
            self._app = build(self.settings())
        if require_schema and not migrate.is_current(self._app.engine):
            raise ShotlineError(
                f"the database at {self._app.engine.url.render_as_string()} is not initialised "
                "or is older than this Shotline; run `shotline init`"
            )
        return self._app

    def actor(self) -> Actor:
        settings = self.settings()
        with self.app().uow() as uow:
            return resolve_actor(uow, settings.workspace, settings.user)

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


def read_policy_file(path: Path) -> str:
    """A policy file's text, or one clear error naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ShotlineError(f"cannot read policy file {path}: {reason}") from None


def act(ctx: typer.Context, service: Callable[..., T], *args: Any) -> T:
    """Run one service as the acting user, in its own unit of work: the common shape of
    every command that changes something."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        return service(uow, actor, *args)


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj


def now() -> dt.datetime:
    """The one place the CLI reads the clock; services take `now` as an argument."""
    return dt.datetime.now(dt.UTC)


class ShotlineGroup(TyperGroup):
    """Turns every expected failure into one clear line and an exit code; no tracebacks."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except IntakeFileError as exc:
            errors.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from None
        except ShotlineError as exc:
            errors.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(1) from None
        except (OperationalError, ProgrammingError) as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            errors.print(f"[red]database error:[/red] {reason}", highlight=False)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("typer"):
                raise  # usage errors and the like: the CLI framework reports them itself
            # A bug, not a user mistake: one line for the user, the traceback in a log file.
            where = _log_crash(ctx)
            errors.print(
                f"[red]internal error:[/red] {type(exc).__name__}: {exc}; details in {where}",
                highlight=False,
                markup=True,
            )
            raise typer.Exit(70) from None
        finally:
            obj = ctx.obj
            if isinstance(obj, CliState) and ctx.parent is None:
                obj.close()


def _log_crash(ctx: Any) -> Path:
    import traceback

    obj = ctx.find_root().obj if ctx is not None else None
    home = obj.settings().home if isinstance(obj, CliState) else Path(".shotline")
    log = home / "logs" / "errors.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {now().isoformat()}\n{traceback.format_exc()}\n")
    except OSError:
        return Path("(the log could not be written)")
    return log


@contextmanager
def stage(label: str) -> Iterator[None]:
    """A spinner with elapsed time for a step that may take more than a second."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(
        *columns, console=errors, transient=True, disable=not errors.is_terminal
    ) as progress:
        progress.add_task(label, total=None)
        yield
