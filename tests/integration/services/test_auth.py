"""Passwords and browser sessions (services/auth) on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from conftest import NOW
from shotline.adapters.db.models import Event, RoleGrant, User, WebSession
from shotline.bootstrap import App
from shotline.domain.access import Actor
from shotline.domain.errors import PermissionDenied, ShotlineError
from shotline.services import auth, workspaces

PASSWORD = "a long password"


@pytest.fixture
def qc(app: App, admin: Actor) -> Actor:
    with app.uow() as uow:
        person = workspaces.add_user(uow, admin, "qc", ["qc_lead"], NOW)
    with app.uow() as uow:
        auth.set_password(uow, admin, "qc", PASSWORD, NOW)
    return person


def _count(app: App, query) -> int:  # type: ignore[no-untyped-def]
    with app.uow() as uow:
        return uow.session.scalar(query) or 0


def test_login_opens_a_session_that_only_its_secret_finds(app: App, qc: Actor) -> None:
    with app.uow() as uow:
        done = auth.login(uow, "default", "qc", PASSWORD, NOW)
    with app.uow() as uow:
        stored = uow.session.scalars(select(WebSession)).one()
        assert stored.token_hash != done.secret and done.secret not in stored.token_hash
        found = auth.session_user(uow, done.secret, NOW + dt.timedelta(hours=1))
        assert found is not None and found.actor.username == "qc"
        assert found.csrf_token == done.csrf_token
        assert auth.session_user(uow, done.secret + "x", NOW) is None
        assert auth.session_user(uow, done.secret, done.expires_at) is None
    with app.uow() as uow:
        hashed = uow.session.scalar(select(User.password_hash).where(User.username == "qc"))
    assert hashed is not None and hashed.startswith("$argon2id$") and PASSWORD not in hashed


@pytest.mark.parametrize(
    ("username", "password"), [("qc", "wrong one!"), ("ghost", PASSWORD), ("admin", PASSWORD)]
)
def test_every_refusal_reads_the_same_and_is_an_event(
    app: App, qc: Actor, username: str, password: str
) -> None:
    with app.uow() as uow, pytest.raises(auth.LoginRefused, match=r"^wrong username or password$"):
        auth.login(uow, "default", username, password, NOW, client="127.0.0.1")
    assert _count(app, select(func.count()).select_from(WebSession)) == 0
    with app.uow() as uow:
        payload = uow.session.scalars(
            select(Event.payload).where(Event.kind == "login_failed")
        ).one()
    assert payload == {"username": username, "client": "127.0.0.1"}


def test_logout_and_a_new_password_end_sessions(app: App, admin: Actor, qc: Actor) -> None:
    with app.uow() as uow:
        first = auth.login(uow, "default", "qc", PASSWORD, NOW)
    with app.uow() as uow:
        second = auth.login(uow, "default", "qc", PASSWORD, NOW)
    with app.uow() as uow:
        assert auth.logout(uow, first.secret, NOW) is True
    with app.uow() as uow:
        assert auth.logout(uow, first.secret, NOW) is False
        assert auth.session_user(uow, second.secret, NOW) is not None
    with app.uow() as uow:
        auth.set_password(uow, qc, "qc", "a new password", NOW)
    with app.uow() as uow:
        assert auth.session_user(uow, second.secret, NOW) is None
        with pytest.raises(auth.LoginRefused):
            auth.login(uow, "default", "qc", PASSWORD, NOW)


def test_password_rules_and_who_may_set_them(app: App, admin: Actor, qc: Actor) -> None:
    with app.uow() as uow, pytest.raises(ShotlineError, match="at least 8"):
        auth.set_password(uow, admin, "qc", "short", NOW)
    with app.uow() as uow, pytest.raises(PermissionDenied, match="other people's passwords"):
        auth.set_password(uow, qc, "admin", "long enough pw", NOW)


def test_a_user_without_roles_here_cannot_log_in(app: App, admin: Actor, qc: Actor) -> None:
    with app.uow() as uow:
        done = auth.login(uow, "default", "qc", PASSWORD, NOW)
    with app.uow() as uow:
        found = auth.session_user(uow, done.secret, NOW)
        assert found is not None and found.actor.roles == {"qc_lead"} and not found.actor.is_vendor
    with app.uow() as uow:
        # The user row stays; only the grants in this workspace go.
        uow.session.query(RoleGrant).filter(RoleGrant.user_id == qc.user_id).delete()
        uow.session.commit()
    with app.uow() as uow, pytest.raises(auth.LoginRefused):
        auth.login(uow, "default", "qc", PASSWORD, NOW)
    with app.uow() as uow:
        assert auth.session_user(uow, done.secret, NOW) is None
