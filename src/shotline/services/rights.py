"""Usage rights: model release, licence, territory and expiry, per asset or per version.

A version's own rights override its asset's. Delivery asks `rights_for_delivery`, which
refuses an asset whose rights are missing or have expired.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from shotline.adapters.db.models import Asset, UsageRights, Version
from shotline.domain.access import Actor, require_role
from shotline.domain.errors import NotFound, ShotlineError
from shotline.domain.events import EventKind, NewEvent
from shotline.services.assets import AssetKey, check_visible, find_asset
from shotline.services.unit_of_work import UnitOfWork

RIGHTS_ROLES = ("dam_manager", "creative_ops_manager", "producer")
_TEXT_MAX = {"licence": 200, "territory": 200, "model_release": 200, "creator": 200}


class RightsExpired(ShotlineError):
    """Delivery refused: the usage rights have lapsed."""


@dataclass(frozen=True)
class RightsInput:
    """What `rights set` records. `expires_at` None means the rights do not lapse."""

    licence: str
    territory: str = "worldwide"
    model_release: str | None = None
    expires_at: dt.datetime | None = None
    creator: str | None = None
    copyright: str | None = None
    usage_terms: str = ""


@dataclass(frozen=True)
class RightsView:
    """Rights in force for an asset (or one of its versions)."""

    sku: str
    colorway: str
    view: str
    version: int | None
    licence: str
    territory: str
    model_release: str | None
    expires_at: dt.datetime | None
    creator: str | None
    copyright: str | None
    usage_terms: str
    set_at: dt.datetime

    def expired(self, now: dt.datetime) -> bool:
        """True once the expiry has passed."""
        return self.expires_at is not None and self.expires_at <= now


def _check(rights: RightsInput) -> None:
    if not rights.licence.strip():
        raise ShotlineError("rights need a licence (e.g. 'buyout', 'editorial', 'CC-BY-4.0')")
    if not rights.territory.strip():
        raise ShotlineError("rights need a territory (e.g. 'worldwide', 'US, CA')")
    for name, limit in _TEXT_MAX.items():
        value = getattr(rights, name)
        if value is not None and len(value) > limit:
            raise ShotlineError(f"{name.replace('_', ' ')} is longer than {limit} characters")
    if rights.expires_at is not None and rights.expires_at.tzinfo is None:
        raise ShotlineError("the expiry needs a time zone")


def set_rights(
    uow: UnitOfWork,
    actor: Actor,
    key: AssetKey,
    rights: RightsInput,
    now: dt.datetime,
    version: int | None = None,
) -> RightsView:
    """Record the usage rights of an asset (or of one version), replacing earlier ones for
    the same scope; the `rights_set` event keeps what they were before."""
    require_role(actor, RIGHTS_ROLES, "set usage rights")
    _check(rights)
    asset = find_asset(uow, actor, key)
    version_id = None
    if version is not None:
        version_id = uow.session.scalar(
            select(Version.id).where(Version.asset_id == asset.id, Version.number == version)
        )
        if version_id is None:
            raise NotFound(f"{key} has no version {version}")
    row = uow.session.scalars(
        select(UsageRights).where(
            UsageRights.asset_id == asset.id,
            UsageRights.version_id.is_(None)
            if version_id is None
            else UsageRights.version_id == version_id,
        )
    ).first()
    before = _payload(row) if row is not None else None
    if row is None:
        row = UsageRights(
            workspace_id=actor.workspace_id,
            asset_id=asset.id,
            version_id=version_id,
            set_by_id=actor.user_id,
            set_at=now,
            licence=rights.licence,
            territory=rights.territory,
        )
        uow.session.add(row)
    row.licence = rights.licence.strip()
    row.territory = rights.territory.strip()
    row.model_release = (rights.model_release or "").strip() or None
    row.expires_at = rights.expires_at
    row.creator = (rights.creator or "").strip() or None
    row.copyright = (rights.copyright or "").strip() or None
    row.usage_terms = rights.usage_terms.strip()
    row.set_by_id = actor.user_id
    row.set_at = now
    payload = {"version": version, "rights": _payload(row), "before": before}
    uow.record(
        actor.workspace_id,
        actor.user_id,
        now,
        NewEvent(EventKind.RIGHTS_SET, payload, asset_id=asset.id),
    )
    uow.commit()
    return _view(asset, version, row)


def _payload(row: UsageRights) -> dict[str, str | None]:
    return {
        "licence": row.licence,
        "territory": row.territory,
        "model_release": row.model_release,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "creator": row.creator,
        "copyright": row.copyright,
        "usage_terms": row.usage_terms,
    }


def _view(asset: Asset, version: int | None, row: UsageRights) -> RightsView:
    return RightsView(
        asset.sku,
        asset.colorway,
        asset.view,
        version,
        row.licence,
        row.territory,
        row.model_release,
        row.expires_at,
        row.creator,
        row.copyright,
        row.usage_terms,
        row.set_at,
    )


def rights_in_force(uow: UnitOfWork, asset: Asset, version_id: int | None) -> RightsView | None:
    """The version's own rights when it has some, else the asset's; None when neither."""
    rows = uow.session.scalars(select(UsageRights).where(UsageRights.asset_id == asset.id)).all()
    own = next((r for r in rows if version_id is not None and r.version_id == version_id), None)
    chosen = own or next((r for r in rows if r.version_id is None), None)
    if chosen is None:
        return None
    number = None
    if chosen.version_id is not None:
        number = uow.session.scalar(select(Version.number).where(Version.id == chosen.version_id))
    return _view(asset, number, chosen)


def show_rights(uow: UnitOfWork, actor: Actor, key: AssetKey) -> list[RightsView]:
    """Every rights record of an asset: the asset's first, then its versions'."""
    asset = find_asset(uow, actor, key)
    rows = uow.session.execute(
        select(UsageRights, Version.number)
        .outerjoin(Version, Version.id == UsageRights.version_id)
        .where(UsageRights.asset_id == asset.id)
        .order_by(Version.number.is_not(None), Version.number)
    ).all()
    return [_view(asset, number, row) for row, number in rows]


def rights_for_delivery(
    uow: UnitOfWork, asset: Asset, version_id: int | None, now: dt.datetime
) -> RightsView | None:
    """The rights a delivery goes out under (None when none are recorded: nothing limits
    it); refused once they have expired."""
    rights = rights_in_force(uow, asset, version_id)
    if rights is not None and rights.expired(now):
        assert rights.expires_at is not None
        raise RightsExpired(
            f"{asset.sku} / {asset.colorway} / {asset.view}: usage rights ({rights.licence}, "
            f"{rights.territory}) expired on {rights.expires_at:%Y-%m-%d %H:%M} UTC; "
            "delivery refused"
        )
    return rights


def expiring(uow: UnitOfWork, actor: Actor, now: dt.datetime, days: int) -> list[RightsView]:
    """Rights that lapse within `days` (and those already lapsed), soonest first."""
    if days < 0:
        raise ShotlineError("--days must be 0 or more")
    horizon = now + dt.timedelta(days=days)
    rows = uow.session.execute(
        select(UsageRights, Asset, Version.number)
        .join(Asset, Asset.id == UsageRights.asset_id)
        .outerjoin(Version, Version.id == UsageRights.version_id)
        .where(
            UsageRights.workspace_id == actor.workspace_id,
            UsageRights.expires_at.is_not(None),
            UsageRights.expires_at <= horizon,
        )
        .order_by(UsageRights.expires_at, Asset.sku, Asset.colorway, Asset.view)
    ).all()
    views = []
    for row, asset, number in rows:
        if actor.is_vendor:
            try:
                check_visible(uow, actor, asset)
            except NotFound:
                continue
        views.append(_view(asset, number, row))
    return views
