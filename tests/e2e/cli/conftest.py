"""Drive the `shotline` CLI in-process, on a database of each backend in turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from shotline.adapters.db.engine import make_engine
from shotline.entrypoints.cli.main import app

# Wide enough that rich never wraps what the tests read, unless a test narrows it on purpose.
WIDE = "200"
# What rich uses when the output is not a terminal (a pipe, a CI log) and COLUMNS is unset.
NARROW = "80"


@dataclass
class Cli:
    """`shotline ...` with SHOTLINE_HOME and SHOTLINE_DATABASE_URL set for this test."""

    home: Path
    database_url: str
    env: dict[str, str | None] = field(default_factory=dict)

    def __call__(self, *args: str, **env: str | None) -> Result:
        environ: dict[str, str | None] = {
            "SHOTLINE_HOME": str(self.home),
            "SHOTLINE_DATABASE_URL": self.database_url,
            "SHOTLINE_WORKSPACE": None,
            "SHOTLINE_USER": None,
            "COLUMNS": WIDE,
            **self.env,
            **env,
        }
        return CliRunner().invoke(app, list(args), env=environ)

    def ok(self, *args: str, **env: str | None) -> Result:
        """Run a command that must succeed."""
        result = self(*args, **env)
        assert result.exception is None, (result.exception, result.output)
        assert result.exit_code == 0, result.output
        return result

    def fail(self, code: int, *args: str, **env: str | None) -> str:
        """Run a command that must fail cleanly: exit `code`, no traceback; returns stderr."""
        result = self(*args, **env)
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        assert result.stdout == ""
        return result.stderr

    def count(self, model: type) -> int:
        """Rows of one table, read straight from the database."""
        engine = make_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return conn.scalar(select(func.count()).select_from(model)) or 0
        finally:
            engine.dispose()


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    """The CLI on the empty, migrated test database (no workspace yet: run `init`)."""
    return Cli(tmp_path / "home", database_url)


@pytest.fixture
def ready(cli: Cli) -> Cli:
    """The CLI after `shotline init`: workspace `default`, user `admin`, default policy."""
    cli.ok("init")
    return cli


@pytest.fixture
def fresh(tmp_path: Path) -> Cli:
    """The CLI on a SQLite file that does not exist yet (never initialised)."""
    return Cli(tmp_path / "home", f"sqlite:///{tmp_path / 'new' / 'shotline.db'}")
