"""API tokens through the service: the secret is shown once and never stored, tokens act
for their user in their workspace only, and revoking stops them."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import ApiToken, Event
from shotline.domain.errors import Conflict, NotFound, PermissionDenied, ShotlineError
from shotline.services import tokens, workspaces


def _create(crew: Crew, who: str, name: str = "ci") -> str:
    with crew.app.uow() as uow:
        return tokens.create_token(uow, crew[who], name, NOW)


def _list(crew: Crew, who: str) -> list[tuple[str, str]]:
    with crew.app.uow() as uow:
        return [(t.username, t.name) for t in tokens.list_tokens(uow, crew[who])]


def _revoke(crew: Crew, who: str, token_id: int) -> tokens.TokenView:
    with crew.app.uow() as uow:
        return tokens.revoke_token(uow, crew[who], token_id, NOW)


def _id(crew: Crew, secret: str) -> int:
    with crew.app.uow() as uow:
        row = uow.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == tokens.hash_secret(secret))
        )
        assert row is not None
        return row.id


def test_the_secret_is_returned_once_and_only_its_hash_is_stored(crew: Crew) -> None:
    secret = _create(crew, "qc", "  nightly export  ")
    assert secret.startswith("sl_") and len(secret) > 40
    assert secret != _create(crew, "qc")
    with crew.app.uow() as uow:
        row = uow.session.scalars(select(ApiToken).order_by(ApiToken.id)).first()
        assert row is not None
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert (row.name, row.last_used_at, row.revoked_at) == ("nightly export", None, None)
        payloads = uow.session.scalars(select(Event.payload).where(Event.kind == "token_created"))
        for payload in payloads:
            assert set(payload) == {"token_id", "name", "user"}
            assert secret not in str(payload)


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_token_needs_a_name(crew: Crew, name: str) -> None:
    with pytest.raises(ShotlineError, match="a token needs a name of 1 to 120 characters"):
        _create(crew, "qc", name)


def test_a_token_acts_for_its_user_with_their_roles(crew: Crew) -> None:
    secret = _create(crew, "vendor")
    with crew.app.uow() as uow:
        actor = tokens.actor_for_token(uow, secret, NOW)
    assert actor == crew["vendor"]
    assert actor.is_vendor and actor.team == "Pixel Lab"


def test_unknown_and_revoked_tokens_are_refused(crew: Crew) -> None:
    secret = _create(crew, "qc")
    with crew.app.uow() as uow, pytest.raises(NotFound, match="unknown API token"):
        tokens.actor_for_token(uow, secret + "x", NOW)
    with crew.app.uow() as uow, pytest.raises(NotFound, match="unknown API token"):
        tokens.actor_for_token(uow, "not-a-token", NOW)
    _revoke(crew, "qc", _id(crew, secret))
    with crew.app.uow() as uow, pytest.raises(PermissionDenied, match="'ci' was revoked"):
        tokens.actor_for_token(uow, secret, NOW)


def test_last_use_is_noted_at_most_once_a_minute(crew: Crew) -> None:
    secret = _create(crew, "qc")
    token_id = _id(crew, secret)

    def use(at: dt.datetime) -> dt.datetime | None:
        with crew.app.uow() as uow:
            tokens.actor_for_token(uow, secret, at)
        with crew.app.uow() as uow:
            row = uow.session.get(ApiToken, token_id)
            assert row is not None
            return row.last_used_at

    assert use(NOW) == NOW
    assert use(NOW + dt.timedelta(seconds=59)) == NOW
    later = NOW + dt.timedelta(seconds=60)
    assert use(later) == later


def test_people_list_their_own_tokens_and_an_admin_lists_all(crew: Crew) -> None:
    _create(crew, "qc", "qc laptop")
    _create(crew, "cd", "cd laptop")
    assert _list(crew, "qc") == [("qc", "qc laptop")]
    assert _list(crew, "admin") == [("qc", "qc laptop"), ("cd", "cd laptop")]


def test_only_the_owner_or_an_admin_revokes_a_token(crew: Crew) -> None:
    token_id = _id(crew, _create(crew, "qc"))
    with pytest.raises(NotFound, match=f"no token {token_id} of yours"):
        _revoke(crew, "cd", token_id)
    revoked = _revoke(crew, "admin", token_id)
    assert (revoked.username, revoked.revoked_at) == ("qc", NOW)
    with pytest.raises(Conflict, match="already revoked"):
        _revoke(crew, "qc", token_id)
    with pytest.raises(NotFound, match="no token 999 of yours"):
        _revoke(crew, "admin", 999)
    with crew.app.uow() as uow:
        payloads = list(
            uow.session.scalars(select(Event.payload).where(Event.kind == "token_revoked"))
        )
    assert payloads == [{"token_id": token_id, "name": "ci", "user": "qc"}]


def test_a_token_acts_only_in_its_own_workspace(crew: Crew) -> None:
    with crew.app.uow() as uow:
        workspaces.initialise_workspace(uow, "other", "Other brand", NOW)
    with crew.app.uow() as uow:
        other_admin = workspaces.resolve_actor(uow, "other", "admin")
        secret = tokens.create_token(uow, other_admin, "other ci", NOW)
    with crew.app.uow() as uow:
        assert tokens.actor_for_token(uow, secret, NOW).workspace == "other"
    assert _list(crew, "admin") == []
    with pytest.raises(NotFound):
        _revoke(crew, "admin", _id(crew, secret))
