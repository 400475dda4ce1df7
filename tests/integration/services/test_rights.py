"""Usage rights: per asset or version, what is about to lapse, and who may set them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import Event
from shotline.domain.errors import NotFound, PermissionDenied, ShotlineError
from shotline.services import rights
from shotline.services.assets import AssetKey
from support import row

FRONT, BACK = AssetKey("TEE-001", "Black", "front"), AssetKey("TEE-001", "Black", "back")


def _set(crew: Crew, key: AssetKey, days: int | None, version: int | None = None,
         licence: str = "buyout", who: str = "dam") -> rights.RightsView:  # fmt: skip
    expires = NOW + dt.timedelta(days=days) if days is not None else None
    item = rights.RightsInput(licence, "US, CA", "MR-1", expires)
    with crew.app.uow() as uow:
        return rights.set_rights(uow, crew[who], key, item, NOW, version)


def test_expiring_lists_what_lapses_soonest_first(crew: Crew) -> None:
    crew.import_rows([row()])
    _set(crew, FRONT, 10)
    _set(crew, BACK, 45)
    _set(crew, AssetKey("TEE-001", "White", "front"), -2)
    _set(crew, AssetKey("TEE-001", "White", "back"), None)
    with crew.app.uow() as uow:
        soon = rights.expiring(uow, crew["dam"], NOW, 30)
    assert [(v.colorway, v.view, v.expired(NOW)) for v in soon] == [
        ("White", "front", True),
        ("Black", "front", False),
    ]


def test_setting_again_replaces_and_the_event_keeps_the_old_terms(crew: Crew) -> None:
    crew.import_rows([row()])
    _set(crew, FRONT, 10)
    _set(crew, FRONT, 400, licence="editorial")
    with crew.app.uow() as uow:
        [shown] = rights.show_rights(uow, crew["dam"], FRONT)
        payloads = list(
            uow.session.scalars(select(Event.payload).where(Event.kind == "rights_set"))
        )
    assert shown.licence == "editorial"
    assert payloads[1]["before"]["licence"] == "buyout"


def test_a_versions_rights_override_the_assets(crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("photo", FRONT, submit=False)
    _set(crew, FRONT, 100)
    _set(crew, FRONT, -1, version=1, licence="test shoot only")
    with crew.app.uow() as uow:
        from shotline.services.assets import find_asset

        asset = find_asset(uow, crew["dam"], FRONT)
        version_id = (
            asset.version_count
            and uow.session.scalars(
                select(Event.payload).where(Event.kind == "version_uploaded")
            ).one()["version_id"]
        )
        with pytest.raises(rights.RightsExpired, match="test shoot only"):
            rights.rights_for_delivery(uow, asset, version_id, NOW)
        assert rights.rights_for_delivery(uow, asset, None, NOW) is not None


def test_bad_rights_are_refused(crew: Crew) -> None:
    crew.import_rows([row()])
    with pytest.raises(ShotlineError, match="rights need a licence"):
        _set(crew, FRONT, 10, licence=" ")
    with pytest.raises(NotFound, match="has no version 7"):
        _set(crew, FRONT, 10, version=7)
    with pytest.raises(PermissionDenied, match="cannot set usage rights"):
        _set(crew, FRONT, 10, who="retoucher")
