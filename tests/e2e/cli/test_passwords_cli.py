"""`shotline users set-password` and `users add --password`: web logins set from the CLI."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from shotline.adapters.db.engine import make_engine
from shotline.adapters.db.models import User
from shotline.entrypoints.cli.main import app


def _hash(cli, username: str) -> str | None:  # type: ignore[no-untyped-def]
    engine = make_engine(cli.database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(User.password_hash).where(User.username == username))
    finally:
        engine.dispose()


def test_set_password_for_scripts_and_by_prompt(ready) -> None:
    ready.ok("users", "add", "quinn", "--role", "qc_lead")
    assert _hash(ready, "quinn") is None
    assert "password set for quinn" in ready.ok("users", "set-password", "quinn",
                                                "--password", "long enough 1").stdout  # fmt: skip
    first = _hash(ready, "quinn")
    assert first is not None and first.startswith("$argon2id$") and "long enough" not in first
    env = {"SHOTLINE_HOME": str(ready.home), "SHOTLINE_DATABASE_URL": ready.database_url}
    prompted = CliRunner().invoke(
        app, ["users", "set-password", "quinn"], env=env, input="another one 2\nanother one 2\n"
    )
    assert prompted.exit_code == 0, prompted.output
    assert _hash(ready, "quinn") not in (None, first)


def test_add_with_a_password(ready) -> None:
    ready.ok("users", "add", "ravi", "--role", "retoucher", "--vendor", "Pixel Lab",
             "--password", "pixel lab pass")  # fmt: skip
    assert (_hash(ready, "ravi") or "").startswith("$argon2id$")


def test_a_short_password_is_refused_and_changes_nothing(ready) -> None:
    ready.ok("users", "add", "quinn", "--role", "qc_lead")
    err = ready.fail(1, "users", "set-password", "quinn", "--password", "short")
    assert err == "error: a password needs at least 8 characters\n"
    assert _hash(ready, "quinn") is None
    err = ready.fail(1, "users", "add", "li", "--role", "merchandiser", "--password", "short")
    assert "at least 8 characters" in err
    assert _hash(ready, "li") is None


def test_only_an_admin_sets_other_peoples_passwords(ready) -> None:
    ready.ok("users", "add", "quinn", "--role", "qc_lead")
    ready.ok("users", "add", "jo", "--role", "qc_lead")
    err = ready.fail(1, "--as", "jo", "users", "set-password", "quinn", "--password", "xxxxxxxx1")
    assert "cannot set other people's passwords" in err
    ready.ok("--as", "jo", "users", "set-password", "jo", "--password", "my own pass")
    err = ready.fail(1, "users", "set-password", "ghost", "--password", "xxxxxxxx1")
    assert "user 'ghost' has no roles" in err
