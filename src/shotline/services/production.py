"""Production use cases: upload versions, submit for review, block, hold, cancel, deliver."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from shotline.adapters.db.models import Asset, Version
from shotline.domain.access import Actor
from shotline.domain.errors import PermissionDenied, ShotlineError
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.lifecycle import (
    UPLOADABLE_STATES,
    WORK_STATE_OF_KIND,
    AssetState,
    IllegalTransition,
)
from shotline.domain.policy import Policy
from shotline.domain.review import gates_for
from shotline.services import ai, asset_store, qc, rights
from shotline.services.assets import AssetKey, find_asset, move, require_role_strict
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

VERSION_KINDS = ("capture", "retouch", "ai")
STAGES = ("raw", "select", "wip", "final", "archive")
DEFAULT_STAGE = {"capture": "raw", "retouch": "wip", "ai": "wip"}


@dataclass(frozen=True)
class VersionView:
    asset_id: int
    version_id: int
    number: int
    kind: str
    stage: str
    sha256: str
    asset_state: str
    gate: str | None


@dataclass(frozen=True)
class Upload:
    """A file to add to an asset as a new version."""

    file: Path
    kind: str
    stage: str | None = None
    ai_workflow: str | None = None
    cost: float | None = None
    original_name: str | None = None
    # The capture device, when known (provenance); the name the naming template gives it.
    device: str | None = None
    stored_name: str | None = None


def _check_upload(policy: Policy, actor: Actor, asset: Asset, upload: Upload) -> str:
    if upload.kind not in VERSION_KINDS:
        raise ShotlineError(
            f"unknown version kind {upload.kind!r}; expected capture, retouch or ai"
        )
    stage = upload.stage or DEFAULT_STAGE[upload.kind]
    if stage not in STAGES:
        raise ShotlineError(f"unknown stage {stage!r}; expected {', '.join(STAGES)}")
    if stage not in asset_store.UPLOAD_STAGES:
        # One approved final per asset: approval names it, and archives the others.
        raise ShotlineError(
            f"a version cannot be uploaded as {stage}; approval makes the approved version "
            f"final and archives the rest (upload as {', '.join(asset_store.UPLOAD_STAGES)})"
        )
    require_role_strict(
        actor, policy.workflow.roles_to_upload(upload.kind), f"upload {upload.kind} versions"
    )
    if upload.kind == "ai":
        if not upload.ai_workflow or "@" not in upload.ai_workflow:
            raise ShotlineError(
                "an AI version must name the AI workflow that made it (name@version)"
            )
        if policy.tracks[asset.track].ai_usage == "none":
            raise ShotlineError(f"the {asset.track} track does not allow AI output")
    if AssetState(asset.state) not in UPLOADABLE_STATES:
        raise IllegalTransition(f"cannot upload to an asset that is {asset.state}")
    if not upload.file.is_file():
        raise ShotlineError(f"file not found: {upload.file}")
    return stage


def upload_version(
    uow: UnitOfWork,
    actor: Actor,
    key: AssetKey,
    upload: Upload,
    now: dt.datetime,
    submit: bool = False,
) -> VersionView:
    """Store the file (before its row, so no row ever lacks its file) as a new immutable
    version; optionally submit it for review in the same transaction."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    asset = find_asset(uow, actor, key)
    stage = _check_upload(policy, actor, asset, upload)
    if upload.kind == "ai":
        # The registry, the policy's AI usage rules and the experimental track.
        ai.govern_upload(uow, actor, policy, asset, upload.ai_workflow or "", now)
    # Probed before anything is stored: a refused file leaves no blob and no row.
    facts = asset_store.inspect_upload(
        policy, upload.kind, upload.file, upload.original_name or upload.file.name
    )
    blob = uow.put_blob(upload.file)
    version = Version(
        workspace_id=actor.workspace_id,
        asset_id=asset.id,
        number=asset.version_count + 1,
        kind=upload.kind,
        stage=stage,
        sha256=blob.sha256,
        bytes=blob.size,
        original_name=(upload.original_name or upload.file.name)[:255],
        uploaded_by_id=actor.user_id,
        uploaded_at=now,
        parent_id=_latest_version_id(uow, asset),
        ai_workflow=upload.ai_workflow,
        cost=upload.cost,
        provenance=asset_store.provenance(facts, upload.kind, upload.ai_workflow, upload.device),
        stored_name=upload.stored_name
        or asset_store.stored_name_for(
            policy, asset, asset.version_count + 1, facts.info.format, facts.original_name
        ),
        **facts.columns(),
    )
    uow.session.add(version)
    asset.version_count += 1
    uow.session.flush()
    # Measured by a worker once this commits; the queued run row is the truth until then.
    qc.request_qc(uow, version, now)
    payload = {
        "version": version.number,
        "kind": upload.kind,
        "stage": stage,
        "sha256": blob.sha256,
        "file": version.original_name,
        "cost": upload.cost,
        "ai_workflow": upload.ai_workflow,
    }
    work_state = WORK_STATE_OF_KIND[upload.kind]
    event = NewEvent(EventKind.VERSION_UPLOADED, {**payload, "version_id": version.id})
    if asset.state != AssetState.IN_REVIEW and asset.state != work_state:
        move(uow, actor, asset, work_state, now, event)
    else:
        _record(uow, actor, asset, now, event)
    if submit:
        _submit(uow, actor, policy, asset, version, now)
    uow.commit()
    return _view(asset, version)


def _latest_version_id(uow: UnitOfWork, asset: Asset) -> int | None:
    return uow.session.scalar(
        select(Version.id)
        .where(Version.asset_id == asset.id)
        .order_by(Version.number.desc())
        .limit(1)
    )


def _record(uow: UnitOfWork, actor: Actor, asset: Asset, now: dt.datetime, event: NewEvent) -> None:
    uow.record(
        actor.workspace_id,
        actor.user_id,
        now,
        NewEvent(event.kind, {"state": asset.state, **event.payload}, asset_id=asset.id),
    )


def _view(asset: Asset, version: Version) -> VersionView:
    return VersionView(
        asset.id,
        version.id,
        version.number,
        version.kind,
        version.stage,
        version.sha256,
        asset.state,
        asset.gate,
    )


def _submit(
    uow: UnitOfWork, actor: Actor, policy: Policy, asset: Asset, version: Version, now: dt.datetime
) -> None:
    """A new file is checked again from the start: review begins at the track's first gate."""
    gate = gates_for(policy, asset.track, version.kind)[0]
    asset.current_version_id = version.id
    asset.gate = gate
    payload = {"version": version.number, "version_id": version.id, "gate": gate}
    move(uow, actor, asset, AssetState.IN_REVIEW, now, NewEvent(EventKind.SUBMITTED, payload))


def submit_version(
    uow: UnitOfWork, actor: Actor, key: AssetKey, now: dt.datetime, number: int | None = None
) -> VersionView:
    """Put the asset in review at the first gate of its track, for its newest (or a given)
    version. Only whoever may upload that kind of version may submit it."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    asset = find_asset(uow, actor, key)
    query = select(Version).where(Version.asset_id == asset.id)
    query = (
        query.where(Version.number == number) if number else query.order_by(Version.number.desc())
    )
    version = uow.session.scalars(query.limit(1)).first()
    if version is None:
        raise ShotlineError(f"{key} has no version {number or ''} to submit".replace("  ", " "))
    require_role_strict(actor, policy.workflow.roles_to_upload(version.kind), "submit versions")
    _submit(uow, actor, policy, asset, version, now)
    uow.commit()
    return _view(asset, version)


def block(uow: UnitOfWork, actor: Actor, key: AssetKey, reason: str, now: dt.datetime) -> str:
    """Stop work on an asset for a stated reason (sample missing, information missing...)."""
    return _pause(uow, actor, key, AssetState.BLOCKED, reason, now, EventKind.BLOCKED)


def hold(uow: UnitOfWork, actor: Actor, key: AssetKey, reason: str, now: dt.datetime) -> str:
    """Put an asset on hold (a business decision, unlike a block)."""
    return _pause(uow, actor, key, AssetState.ON_HOLD, reason, now, EventKind.ON_HOLD)


def _pause(
    uow: UnitOfWork,
    actor: Actor,
    key: AssetKey,
    target: AssetState,
    reason: str,
    now: dt.datetime,
    kind: EventKind,
) -> str:
    if not reason.strip():
        raise ShotlineError(f"{target.value.replace('_', ' ')} needs a reason")
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, policy.workflow.block_roles, f"put work {target.value}")
    asset = find_asset(uow, actor, key)
    resume = asset.state
    move(uow, actor, asset, target, now, NewEvent(kind, {"reason": reason}))
    asset.resume_state = resume
    asset.block_reason = reason
    uow.commit()
    return asset.state


def resume(uow: UnitOfWork, actor: Actor, key: AssetKey, now: dt.datetime) -> str:
    """Unblock or take off hold: the asset returns to the state it paused in."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, policy.workflow.block_roles, "resume work")
    asset = find_asset(uow, actor, key)
    if asset.resume_state is None or asset.state not in (AssetState.BLOCKED, AssetState.ON_HOLD):
        raise IllegalTransition(f"{key} is {asset.state}, not blocked or on hold")
    kind = EventKind.UNBLOCKED if asset.state == AssetState.BLOCKED else EventKind.RESUMED
    move(uow, actor, asset, asset.resume_state, now, NewEvent(kind, {"reason": asset.block_reason}))
    asset.resume_state = None
    asset.block_reason = None
    uow.commit()
    return asset.state


def cancel(uow: UnitOfWork, actor: Actor, key: AssetKey, reason: str, now: dt.datetime) -> str:
    """Cancel an asset; its versions and history stay."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, policy.workflow.block_roles, "cancel work")
    asset = find_asset(uow, actor, key)
    move(
        uow,
        actor,
        asset,
        AssetState.CANCELLED,
        now,
        NewEvent(EventKind.CANCELLED, {"reason": reason}),
    )
    uow.commit()
    return asset.state


def deliver(
    uow: UnitOfWork,
    actor: Actor,
    key: AssetKey,
    channels: list[str],
    now: dt.datetime,
    package_to: Path | None = None,
    as_zip: bool = False,
) -> str:
    """Record delivery of the approved version to channels. Experimental tracks never deliver.
    With `package_to`, a package per channel (renditions, metadata, manifests) is written
    there first (services/delivery.py)."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, policy.workflow.deliver_roles, "deliver assets")
    unknown = [c for c in channels if c not in policy.channels]
    if unknown or not channels:
        raise ShotlineError(
            f"unknown or missing channel(s) {', '.join(unknown) or '(none)'}; "
            f"expected some of {', '.join(policy.channels)}"
        )
    asset = find_asset(uow, actor, key)
    if not policy.tracks[asset.track].can_deliver:
        raise IllegalTransition(f"the {asset.track} track can never deliver")
    in_force = rights.rights_for_delivery(uow, asset, asset.current_version_id, now)
    payload: dict[str, object] = {"channels": channels, "version_id": asset.current_version_id}
    if package_to is not None:
        from shotline.services import delivery

        packages = delivery.write_packages(
            uow, actor, policy, asset, channels, now, package_to, as_zip, in_force
        )
        payload["packages"] = [
            {"channel": p.channel, "path": str(p.path), "files": [r.file for r in p.rows]}
            for p in packages
        ]
    move(uow, actor, asset, AssetState.DELIVERED, now, NewEvent(EventKind.DELIVERED, payload))
    version = uow.session.get(Version, asset.current_version_id)
    if version is not None:
        version.stage = "final"
    uow.commit()
    return asset.state


def go_live(uow: UnitOfWork, actor: Actor, key: AssetKey, now: dt.datetime) -> str:
    """Record that the delivered asset is live on its product page."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, policy.workflow.deliver_roles, "mark assets live")
    asset = find_asset(uow, actor, key)
    move(uow, actor, asset, AssetState.LIVE, now, NewEvent(EventKind.LIVE, {}))
    uow.commit()
    return asset.state


def move_track(uow: UnitOfWork, actor: Actor, key: AssetKey, track: str, now: dt.datetime) -> str:
    """Move an asset to another track's queue: only under a granted move_queue exception.
    The asset keeps its state; review restarts at the new track's first gate on submit."""
    from shotline.services.exceptions import active_grant

    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, policy.workflow.assign_roles, "move work across queues")
    if track not in policy.tracks:
        raise ShotlineError(f"unknown track {track!r}; expected {', '.join(policy.tracks)}")
    asset = find_asset(uow, actor, key)
    grant = active_grant(uow, actor, "move_queue", asset.id, now)
    if grant is None:
        raise PermissionDenied(f"moving {key} to {track} needs a granted move_queue exception")
    payload = {"before": asset.track, "after": track, "exception_id": grant.id}
    asset.track = track
    asset.updated_at = now
    uow.record(
        actor.workspace_id,
        actor.user_id,
        now,
        NewEvent(EventKind.TRACK_CHANGED, payload, asset_id=asset.id),
    )
    uow.commit()
    return asset.track
