"""Read use cases behind the asset page: one asset with everything a reviewer, retoucher or
producer needs to act on it (request, shot-list position, versions, automated checks, gate
decisions, the checklist of the gate it waits at, what the actor may do), and the files of
its versions. Every read is fenced by workspace and, for vendors, by assignment."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, select

from shotline.adapters.db.models import (
    Asset,
    CheckResult,
    Event,
    GateDecision,
    Request,
    RequestLine,
    Team,
    User,
    Version,
)
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound, ShotlineError
from shotline.domain.events import EventKind
from shotline.domain.lifecycle import UPLOADABLE_STATES, AssetState
from shotline.domain.policy import Policy
from shotline.domain.qc import parse_lab
from shotline.domain.review import FINAL_QC
from shotline.services.assets import AssetKey, check_visible
from shotline.services.history import HistoryEntry
from shotline.services.policies import load_active_policy
from shotline.services.qc import gate_prefill
from shotline.services.unit_of_work import UnitOfWork

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
# Intake fields whose value, when it is a #RRGGBB colour, is the approved colour to compare
# the product against (the swatch).
_SWATCH_FIELDS = ("swatch", "swatch_hex", "reference_color", "reference_colour", "color_reference")


@dataclass(frozen=True)
class VersionRow:
    """One version as the timeline shows it."""

    number: int
    kind: str
    stage: str
    sha256: str
    bytes: int
    original_name: str
    uploaded_by: str
    uploaded_at: dt.datetime
    ai_workflow: str | None
    parent_number: int | None
    is_current: bool
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class CheckRow:
    """One automated measurement of a version."""

    check: str
    passed: bool
    skipped: bool
    value: float | None
    threshold: float | None
    unit: str
    explanation: str
    has_overlay: bool
    measured_at: dt.datetime


@dataclass(frozen=True)
class DecisionRow:
    """One gate decision, with its checklist answers and region annotations."""

    gate: str
    version_number: int
    passed: bool
    reviewer: str
    decided_at: dt.datetime
    answers: list[dict[str, Any]]
    defects: list[str]
    comment: str
    annotations: list[dict[str, Any]]
    route: str | None
    override_reason: str | None


@dataclass(frozen=True)
class ShotSlot:
    """One view of the SKU colorway's shot list, and the asset that fills it."""

    view: str
    asset_id: int | None
    state: str | None
    is_this: bool


@dataclass(frozen=True)
class ChecklistEntry:
    """One binary question of a gate, with the defect codes a fail may name, and the answer
    the automated checks suggest (None when no mapped check ran)."""

    code: str
    question: str
    defects: tuple[tuple[str, str], ...]
    suggested: bool | None = None
    evidence: str = ""


@dataclass(frozen=True)
class GateForm:
    """The checklist of the gate the asset waits at, and whether this actor may decide it."""

    gate: str
    label: str
    decided_by: tuple[str, ...]
    items: tuple[ChecklistEntry, ...]
    defects: tuple[tuple[str, str], ...]
    version_number: int
    can_decide: bool
    why_not: str | None
    failed_checks: tuple[str, ...]


@dataclass(frozen=True)
class AssetDetail:
    """Everything the asset page shows."""

    id: int
    key: AssetKey
    category: str
    track: str
    complexity: str
    priority: str
    state: str
    gate: str | None
    due_at: dt.datetime
    rework_rounds: int
    block_reason: str | None
    assignee: str | None
    request_id: int
    request_source: str
    line_row: int
    product_name: str
    fields: dict[str, Any]
    shot_list: tuple[ShotSlot, ...]
    position: int
    versions: tuple[VersionRow, ...]
    checks: dict[int, tuple[CheckRow, ...]]
    decisions: tuple[DecisionRow, ...]
    gate_form: GateForm | None
    upload_kinds: tuple[str, ...]
    can_submit: bool
    deliver_channels: tuple[str, ...]
    swatch: str | None
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)

    @property
    def current_version(self) -> VersionRow | None:
        """The version under review or approved, else the newest."""
        current = [v for v in self.versions if v.is_current]
        return current[0] if current else (self.versions[0] if self.versions else None)


@dataclass(frozen=True)
class VersionFile:
    """Where a version's bytes are, and what to call them."""

    path: Path
    original_name: str
    sha256: str


def visible_asset(uow: UnitOfWork, actor: Actor, asset_id: int) -> Asset:
    """The asset with this id in the actor's workspace, if the actor may see it. An asset of
    another workspace, or not assigned to the actor's vendor, is simply not found: its
    existence is not revealed."""
    asset = uow.session.get(Asset, asset_id)
    missing = NotFound(f"no asset {asset_id} in workspace {actor.workspace}")
    if asset is None or asset.workspace_id != actor.workspace_id:
        raise missing
    try:
        check_visible(uow, actor, asset)
    except NotFound:
        # The same answer as for an id that does not exist: not even the SKU behind it.
        raise missing from None
    return asset


def key_of(asset: Asset) -> AssetKey:
    """The SKU / colorway / view name the services take."""
    return AssetKey(asset.sku, asset.colorway, asset.view)


def asset_detail(
    uow: UnitOfWork, actor: Actor, asset_id: int, with_history: bool = True
) -> AssetDetail:
    """The asset page's content for this actor (what they may do depends on their roles)."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    asset = visible_asset(uow, actor, asset_id)
    line = uow.session.get(RequestLine, asset.request_line_id)
    request = uow.session.get(Request, line.request_id) if line else None
    fields: dict[str, Any] = dict(line.fields) if line else {}
    versions = _versions(uow, asset)
    current = next((v for v in versions if v.is_current), versions[0] if versions else None)
    slots = _shot_list(uow, asset, fields)
    history = asset_trail(uow, asset, request) if with_history else ()
    return AssetDetail(
        id=asset.id,
        key=key_of(asset),
        category=asset.category,
        track=asset.track,
        complexity=asset.complexity,
        priority=asset.priority,
        state=asset.state,
        gate=asset.gate,
        due_at=asset.due_at,
        rework_rounds=asset.rework_rounds,
        block_reason=asset.block_reason,
        assignee=_assignee(uow, asset),
        request_id=request.id if request else 0,
        request_source=request.source if request else "",
        line_row=line.row if line else 0,
        product_name=str(fields.get("product_name") or ""),
        fields=fields,
        shot_list=slots,
        position=next((i for i, s in enumerate(slots, 1) if s.is_this), 0),
        versions=versions,
        checks=_checks(uow, asset),
        decisions=_decisions(uow, asset),
        gate_form=_gate_form(uow, policy, actor, asset, current),
        upload_kinds=_upload_kinds(policy, actor, asset),
        can_submit=_can_submit(policy, actor, asset, versions),
        deliver_channels=_deliver_channels(policy, actor, asset, fields),
        swatch=_swatch(fields),
        history=history,
    )


_LINE_EVENTS = (EventKind.LINE_ACCEPTED.value, EventKind.LINE_REJECTED.value)
_EXCEPTION_EVENTS = (
    EventKind.EXCEPTION_REQUESTED.value,
    EventKind.EXCEPTION_GRANTED.value,
    EventKind.EXCEPTION_REFUSED.value,
)


def asset_trail(uow: UnitOfWork, asset: Asset, request: Request | None) -> tuple[HistoryEntry, ...]:
    """Every event about one asset, oldest first: its intake line, uploads, decisions,
    exceptions naming it, delivery. The same events as `history.asset_history`, read with
    three index lookups instead of one OR over the workspace's whole log, so the asset page
    stays fast with millions of events: the asset's own events by asset id; its intake line's
    event at the moment its request arrived; exceptions (rare) by kind."""
    own = select(Event).where(Event.asset_id == asset.id)
    found = list(uow.session.scalars(own))
    if request is not None:
        line = select(Event).where(
            Event.workspace_id == asset.workspace_id,
            Event.kind.in_(_LINE_EVENTS),
            Event.at == request.created_at,
            _mentions(asset.request_line_id),
        )
        found += [
            e
            for e in uow.session.scalars(line)
            if e.payload.get("line_id") == asset.request_line_id
        ]
    exceptions = select(Event).where(
        Event.workspace_id == asset.workspace_id,
        Event.kind.in_(_EXCEPTION_EVENTS),
        Event.at >= asset.created_at,
        _mentions(asset.id),
    )
    found += [
        e
        for e in uow.session.scalars(exceptions)
        if e.asset_id is None and asset.id in e.payload.get("assets", [])
    ]
    found.sort(key=lambda e: (e.at, e.id))
    people = select(User.id, User.username).where(
        User.id.in_({e.actor_id for e in found if e.actor_id})
    )
    names: dict[int, str] = {user_id: name for user_id, name in uow.session.execute(people)}
    label = f"{asset.colorway} / {asset.view}"
    return tuple(
        HistoryEntry(e.at, e.kind, names.get(e.actor_id) if e.actor_id else None, label, e.payload)
        for e in found
    )


def _mentions(number: int) -> ColumnElement[bool]:
    """A cheap pre-filter on the payload's text (the exact test runs in Python): a big
    request's other line events, or exceptions about other assets, are never loaded."""
    return cast(Event.payload, Text).like(f"%{number}%")


def version_file(uow: UnitOfWork, actor: Actor, asset_id: int, number: int) -> VersionFile:
    """The stored file of one version of a visible asset."""
    asset = visible_asset(uow, actor, asset_id)
    version = uow.session.scalar(
        select(Version).where(Version.asset_id == asset.id, Version.number == number)
    )
    if version is None:
        raise NotFound(f"{key_of(asset)} has no version {number}")
    path = uow.blobs.open_path(version.sha256)
    if not uow.blobs.exists(version.sha256):
        raise NotFound(f"the file of {key_of(asset)} version {number} is missing from storage")
    return VersionFile(path, version.original_name, version.sha256)


def check_overlay(
    uow: UnitOfWork, actor: Actor, asset_id: int, number: int, check: str
) -> VersionFile:
    """The overlay image (mask or heatmap) an automated check stored for a version."""
    asset = visible_asset(uow, actor, asset_id)
    row = uow.session.execute(
        select(CheckResult.overlay_sha256)
        .join(Version, Version.id == CheckResult.version_id)
        .where(
            Version.asset_id == asset.id,
            Version.number == number,
            CheckResult.check == check,
            CheckResult.overlay_sha256.is_not(None),
        )
        .order_by(CheckResult.id.desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None or not uow.blobs.exists(row[0]):
        raise NotFound(f"no {check} overlay for {key_of(asset)} version {number}")
    sha: str = row[0]
    return VersionFile(uow.blobs.open_path(sha), f"{check}-overlay.png", sha)


def _versions(uow: UnitOfWork, asset: Asset) -> tuple[VersionRow, ...]:
    rows = uow.session.execute(
        select(Version, User.username)
        .join(User, User.id == Version.uploaded_by_id)
        .where(Version.asset_id == asset.id)
        .order_by(Version.number.desc())
    ).all()
    numbers = {v.id: v.number for v, _ in rows}
    return tuple(
        VersionRow(
            number=v.number,
            kind=v.kind,
            stage=v.stage,
            sha256=v.sha256,
            bytes=v.bytes,
            original_name=v.original_name,
            uploaded_by=username,
            uploaded_at=v.uploaded_at,
            ai_workflow=v.ai_workflow,
            parent_number=numbers.get(v.parent_id) if v.parent_id else None,
            is_current=v.id == asset.current_version_id,
            width=getattr(v, "width", None),
            height=getattr(v, "height", None),
        )
        for v, username in rows
    )


def _checks(uow: UnitOfWork, asset: Asset) -> dict[int, tuple[CheckRow, ...]]:
    rows = uow.session.execute(
        select(CheckResult, Version.number)
        .join(Version, Version.id == CheckResult.version_id)
        .where(Version.asset_id == asset.id)
        .order_by(Version.number, CheckResult.check, CheckResult.id)
    ).all()
    by_version: dict[int, dict[str, CheckRow]] = {}
    for result, number in rows:
        # A rerun replaces earlier results of the same check: the newest row wins.
        by_version.setdefault(number, {})[result.check] = CheckRow(
            check=result.check,
            passed=result.passed,
            skipped=bool(getattr(result, "skipped", False)),
            value=result.value,
            threshold=result.threshold,
            unit=result.unit,
            explanation=result.explanation,
            has_overlay=bool(getattr(result, "overlay_sha256", None)),
            measured_at=result.measured_at,
        )
    return {n: tuple(checks.values()) for n, checks in by_version.items()}


def _decisions(uow: UnitOfWork, asset: Asset) -> tuple[DecisionRow, ...]:
    rows = uow.session.execute(
        select(GateDecision, Version.number, User.username)
        .join(Version, Version.id == GateDecision.version_id)
        .join(User, User.id == GateDecision.reviewer_id)
        .where(GateDecision.asset_id == asset.id)
        .order_by(GateDecision.decided_at.desc(), GateDecision.id.desc())
    ).all()
    return tuple(
        DecisionRow(
            gate=d.gate,
            version_number=number,
            passed=d.passed,
            reviewer=username,
            decided_at=d.decided_at,
            answers=list(d.answers),
            defects=list(d.defects),
            comment=d.comment,
            annotations=list(d.annotations),
            route=d.route,
            override_reason=d.override_reason,
        )
        for d, number, username in rows
    )


def _shot_list(uow: UnitOfWork, asset: Asset, fields: dict[str, Any]) -> tuple[ShotSlot, ...]:
    """The views requested for this SKU colorway, in request order, each with its asset."""
    siblings = uow.session.execute(
        select(Asset.id, Asset.view, Asset.state).where(
            # The (workspace, sku, colorway) index finds them at once.
            Asset.workspace_id == asset.workspace_id,
            Asset.sku == asset.sku,
            Asset.colorway == asset.colorway,
            Asset.request_line_id == asset.request_line_id,
        )
    ).all()
    by_view = {view: (asset_id, state) for asset_id, view, state in siblings}
    requested = fields.get("views")
    views = [str(v) for v in requested] if isinstance(requested, list) else []
    views += [v for v in by_view if v not in views]
    return tuple(
        ShotSlot(
            view,
            by_view.get(view, (None, None))[0],
            by_view.get(view, (None, None))[1],
            view == asset.view,
        )
        for view in views
    )


def _assignee(uow: UnitOfWork, asset: Asset) -> str | None:
    if asset.assignee_user_id is not None:
        user = uow.session.get(User, asset.assignee_user_id)
        return user.username if user else None
    if asset.assignee_team_id is not None:
        team = uow.session.get(Team, asset.assignee_team_id)
        return team.name if team else None
    return None


def _gate_form(
    uow: UnitOfWork,
    policy: Policy,
    actor: Actor,
    asset: Asset,
    current: VersionRow | None,
) -> GateForm | None:
    if asset.state != AssetState.IN_REVIEW or asset.gate is None or current is None:
        return None
    spec = policy.gates.get(asset.gate)
    if spec is None:
        return None
    gate_defects = tuple(
        (code, d.label) for code, d in policy.defects.items() if asset.gate in d.gates
    )
    prefill = {p.code: p for p in gate_prefill(uow, asset.current_version_id or 0, asset.gate)}
    items = tuple(
        ChecklistEntry(
            item.code,
            item.question,
            # The defect of the same code first: it is the likeliest reason to fail the item.
            tuple(sorted(gate_defects, key=lambda d: d[0] != item.code)),
            prefill[item.code].answer if item.code in prefill else None,
            _evidence(prefill[item.code].evidence) if item.code in prefill else "",
        )
        for item in spec.checklist
    )
    why_not = _why_not_decide(uow, policy, actor, asset)
    failed = _failed_checks(uow, asset)
    return GateForm(
        gate=asset.gate,
        label=spec.label,
        decided_by=spec.decided_by,
        items=items,
        defects=gate_defects,
        version_number=current.number,
        can_decide=why_not is None,
        why_not=why_not,
        failed_checks=failed,
    )


def _evidence(views: tuple[Any, ...]) -> str:
    """`focus fail, exposure pass`: the measurements behind a suggested answer."""
    return ", ".join(
        f"{v.check} {'skipped' if v.skipped else 'pass' if v.passed else 'fail'}" for v in views
    )


def _why_not_decide(uow: UnitOfWork, policy: Policy, actor: Actor, asset: Asset) -> str | None:
    """Why this actor may not decide the gate (shown instead of the form), or None."""
    gate = asset.gate or ""
    allowed = policy.gates[gate].decided_by
    if not actor.roles & set(allowed):
        return f"the {gate} gate is decided by {', '.join(allowed)}"
    if gate == FINAL_QC and asset.current_version_id is not None:
        version = uow.session.get(Version, asset.current_version_id)
        if version is not None and version.uploaded_by_id == actor.user_id:
            return "four eyes: you made this version, so someone else decides its final QC"
    return None


def _failed_checks(uow: UnitOfWork, asset: Asset) -> tuple[str, ...]:
    if asset.current_version_id is None:
        return ()
    from shotline.services.review import failed_checks

    return tuple(failed_checks(uow, asset.current_version_id))


def _upload_kinds(policy: Policy, actor: Actor, asset: Asset) -> tuple[str, ...]:
    if AssetState(asset.state) not in UPLOADABLE_STATES:
        return ()
    kinds = [k for k in ("capture", "retouch", "ai") if actor.roles & set(_upload_roles(policy, k))]
    if policy.tracks[asset.track].ai_usage == "none" and "ai" in kinds:
        kinds.remove("ai")
    return tuple(kinds)


def _upload_roles(policy: Policy, kind: str) -> tuple[str, ...]:
    return policy.workflow.roles_to_upload(kind)


def _can_submit(
    policy: Policy, actor: Actor, asset: Asset, versions: tuple[VersionRow, ...]
) -> bool:
    """A newest version not yet under review, of a kind the actor may upload."""
    if not versions or asset.state not in (
        AssetState.IN_CAPTURE,
        AssetState.IN_GENERATION,
        AssetState.IN_RETOUCH,
        AssetState.REQUESTED,
    ):
        return False
    return bool(actor.roles & set(_upload_roles(policy, versions[0].kind)))


def _deliver_channels(
    policy: Policy, actor: Actor, asset: Asset, fields: dict[str, Any]
) -> tuple[str, ...]:
    """The request's channels, when the asset is approved and the actor may deliver it."""
    if asset.state != AssetState.APPROVED or not policy.tracks[asset.track].can_deliver:
        return ()
    if not actor.roles & set(policy.workflow.deliver_roles):
        return ()
    asked = fields.get("channels")
    channels = [str(c) for c in asked] if isinstance(asked, list) else []
    return tuple(c for c in channels if c in policy.channels) or tuple(policy.channels)


def _swatch(fields: dict[str, Any]) -> str | None:
    """The reference colour of the request as #RRGGBB (given as hex or as CIELAB L,a,b)."""
    for name in _SWATCH_FIELDS:
        text = str(fields.get(name) or "").strip()
        match = _HEX.match(text)
        if match:
            return f"#{match.group(1).upper()}"
        if text.count(",") == 2:
            try:
                lab = parse_lab(text)
            except ShotlineError:
                continue
            return lab_to_hex(*lab)
    return None


def lab_to_hex(lightness: float, a: float, b: float) -> str:
    """A CIELAB (D65) colour as the nearest 8-bit sRGB #RRGGBB, for showing a swatch."""
    fy = (lightness + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def inverse(t: float) -> float:
        return t**3 if t > 6 / 29 else 3 * (6 / 29) ** 2 * (t - 4 / 29)

    x, y, z = 0.95047 * inverse(fx), inverse(fy), 1.08883 * inverse(fz)
    linear = (
        3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
        -0.9692660 * x + 1.8760108 * y + 0.0415560 * z,
        0.0556434 * x - 0.2040259 * y + 1.0572252 * z,
    )

    def encode(c: float) -> int:
        c = min(max(c, 0.0), 1.0)
        v = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
        return round(v * 255)

    return "#" + "".join(f"{encode(c):02X}" for c in linear)
