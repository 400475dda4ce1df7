"""AI governance use cases: the workflow registry (register, approve, retire), what the
registry and the policy enforce on every AI upload, how each workflow version performs,
and the retention rule for rejected AI output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shotline.adapters.db.models import AiWorkflow, Asset, Event, GateDecision, RequestLine, User
from shotline.adapters.db.models import Version as VersionRow
from shotline.domain import ai
from shotline.domain.access import Actor, require_role
from shotline.domain.ai import AiWorkflowError, Readiness, Rejections, WorkflowSpec
from shotline.domain.errors import Conflict, NotFound, PermissionDenied
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.policy import Policy
from shotline.domain.sla import skill_facts
from shotline.services.assets import require_role_strict
from shotline.services.exceptions import active_grant
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

OWNER_ROLES = ("ai_workflow_owner",)
RETENTION_ROLES = ("ai_workflow_owner", "dam_manager")
_DECISION_KINDS = (EventKind.GATE_PASSED, EventKind.GATE_FAILED, EventKind.APPROVED)
# Keeps IN lists well under every backend's bound-parameter limit.
_CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True)
class WorkflowView:
    """A registered workflow version, as people read it."""

    id: int
    ref: str
    name: str
    version: int
    status: str
    tool: str
    model: str
    model_version: str
    loras: list[dict[str, str]]
    prompt: str
    prompt_sha256: str
    reference_set: list[str]
    categories: list[str]
    views: list[str]
    fingerprint: str
    owner: str
    registered_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    retired_by: str | None
    retired_at: dt.datetime | None


@dataclass(frozen=True)
class Registered:
    workflow: WorkflowView
    created: bool


@dataclass(frozen=True)
class StatusChange:
    """An approval or retirement, with the readiness evidence shown to the owner."""

    workflow: WorkflowView
    changed: bool
    readiness: Readiness


@dataclass(frozen=True)
class WorkflowSummary:
    workflow: WorkflowView
    stats: Rejections
    readiness: Readiness


@dataclass(frozen=True)
class WorkflowDetail:
    """One workflow version with its evidence: rejections and reasons, readiness, the
    change from the previous version, first-pass approval against studio output of the
    same categories, and the cleanup its output caused."""

    workflow: WorkflowView
    stats: Rejections
    readiness: Readiness
    versions: list[WorkflowSummary]
    impact: ai.Impact | None
    first_pass: list[ai.FirstPass]
    cleanup: ai.Cleanup


# the registry


def _rows_named(uow: UnitOfWork, workspace_id: int, name: str) -> list[AiWorkflow]:
    query = (
        select(AiWorkflow)
        .where(AiWorkflow.workspace_id == workspace_id, AiWorkflow.name == name)
        .order_by(AiWorkflow.version)
    )
    return list(uow.session.scalars(query))


def _ref(row: AiWorkflow) -> str:
    return f"{row.name}@{row.version}"


def _listing(rows: Sequence[AiWorkflow]) -> str:
    return ", ".join(f"{_ref(r)} ({r.status})" for r in rows)


def _get(uow: UnitOfWork, actor: Actor, text: str) -> AiWorkflow:
    name, version = ai.parse_ref(text)
    rows = _rows_named(uow, actor.workspace_id, name)
    row = next((r for r in rows if r.version == version), None)
    if row is None:
        known = f"; registered: {_listing(rows)}" if rows else ""
        raise NotFound(f"no AI workflow {name}@{version} in workspace {actor.workspace}{known}")
    return row


def _content(row: AiWorkflow) -> dict[str, Any]:
    return {
        "tool": row.tool,
        "model": row.model,
        "model_version": row.model_version,
        "loras": row.loras,
        "prompt": row.prompt,
        "reference_set": row.reference_set,
        "categories": row.categories,
        "views": row.views,
    }


def _names(uow: UnitOfWork, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = uow.session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {i: name for i, name in rows}


def _view(r: AiWorkflow, names: dict[int, str]) -> WorkflowView:
    return WorkflowView(
        id=r.id,
        ref=_ref(r),
        name=r.name,
        version=r.version,
        status=r.status,
        tool=r.tool,
        model=r.model,
        model_version=r.model_version,
        loras=list(r.loras),
        prompt=r.prompt,
        prompt_sha256=r.prompt_sha256,
        reference_set=list(r.reference_set),
        categories=list(r.categories),
        views=list(r.views),
        fingerprint=r.fingerprint,
        owner=names.get(r.owner_id, "?"),
        registered_at=r.registered_at,
        approved_by=names.get(r.approved_by_id or 0),
        approved_at=r.approved_at,
        retired_by=names.get(r.retired_by_id or 0),
        retired_at=r.retired_at,
    )


def _views(uow: UnitOfWork, rows: Sequence[AiWorkflow]) -> list[WorkflowView]:
    people = [i for r in rows for i in (r.owner_id, r.approved_by_id, r.retired_by_id)]
    names = _names(uow, people)
    return [_view(r, names) for r in rows]


def register_workflow(
    uow: UnitOfWork, actor: Actor, spec: WorkflowSpec, now: dt.datetime
) -> Registered:
    """Add a workflow version to the registry as experimental. The same name and version
    again with the same content changes nothing; with other content it is refused: a
    different model, LoRA or prompt is a new version, and the old one keeps its history."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, OWNER_ROLES, "register AI workflows")
    problems = ai.scope_problems(policy, spec)
    if problems:
        raise AiWorkflowError(f"{spec.ref}: " + "; ".join(problems))
    content = spec.content()
    fingerprint = ai.fingerprint(content)
    rows = _rows_named(uow, actor.workspace_id, spec.name)
    newest = max((r.version for r in rows), default=0)
    same = next((r for r in rows if r.version == spec.version), None)
    if same is not None:
        if same.fingerprint == fingerprint:
            return Registered(_views(uow, [same])[0], created=False)
        changed = ", ".join(ai.changed_fields(_content(same), content))
        raise Conflict(
            f"{spec.ref} is already registered with a different {changed}; a registered "
            f"version never changes: register the change as {spec.name}@{newest + 1}"
        )
    if spec.version < newest:
        raise Conflict(
            f"{spec.ref}: a new version must be numbered above the newest, {spec.name}@{newest}"
        )
    row = AiWorkflow(
        workspace_id=actor.workspace_id, name=spec.name, version=spec.version,
        status=ai.EXPERIMENTAL, prompt_sha256=ai.prompt_sha256(spec.prompt),
        fingerprint=fingerprint, owner_id=actor.user_id, registered_at=now, **content,
    )  # fmt: skip
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:
        uow.session.rollback()
        raise Conflict(f"{spec.ref} was registered by someone else at the same time") from None
    payload = {k: v for k, v in content.items() if k != "prompt"}
    payload |= {"workflow": spec.ref, "prompt_sha256": row.prompt_sha256}
    payload |= {"fingerprint": fingerprint, "status": row.status}
    _record(uow, actor, now, EventKind.AI_WORKFLOW_REGISTERED, payload)
    uow.commit()
    return Registered(_views(uow, [row])[0], created=True)


def _record(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, kind: EventKind, payload: dict[str, Any]
) -> None:
    uow.record(actor.workspace_id, actor.user_id, now, NewEvent(kind, payload))


def _evidence(readiness: Readiness) -> dict[str, Any]:
    return {
        "reviewed": readiness.reviewed,
        "rejected": readiness.rejected,
        "rejection_rate": readiness.rate,
        "interval_95": list(readiness.interval) if readiness.interval else None,
        "ready": readiness.ready,
    }


def approve_workflow(uow: UnitOfWork, actor: Actor, text: str, now: dt.datetime) -> StatusChange:
    """Promote an experimental version to approved: the owner's decision, taken with the
    readiness evidence in view (and required first where the policy says so)."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, OWNER_ROLES, "approve AI workflows")
    row = _get(uow, actor, text)
    evidence = ai.readiness(_stats(uow, actor.workspace_id, [_ref(row)]), policy.ai.readiness)
    changed = ai.check_status_change(_ref(row), row.status, ai.APPROVED)
    if changed and policy.ai.readiness.required_for_approval and not evidence.ready:
        raise AiWorkflowError(
            f"{_ref(row)} cannot be approved yet: the policy asks for readiness first; "
            f"{evidence.summary}"
        )
    if changed:
        row.status, row.approved_by_id, row.approved_at = ai.APPROVED, actor.user_id, now
        payload = {"workflow": _ref(row), "readiness": _evidence(evidence)}
        _record(uow, actor, now, EventKind.AI_WORKFLOW_APPROVED, payload)
        uow.commit()
    return StatusChange(_views(uow, [row])[0], changed, evidence)


def retire_workflow(uow: UnitOfWork, actor: Actor, text: str, now: dt.datetime) -> StatusChange:
    """Retire a version: it can no longer be cited for new work; its history stays."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, OWNER_ROLES, "retire AI workflows")
    row = _get(uow, actor, text)
    evidence = ai.readiness(_stats(uow, actor.workspace_id, [_ref(row)]), policy.ai.readiness)
    changed = ai.check_status_change(_ref(row), row.status, ai.RETIRED)
    if changed:
        row.status, row.retired_by_id, row.retired_at = ai.RETIRED, actor.user_id, now
        payload = {"workflow": _ref(row), "readiness": _evidence(evidence)}
        _record(uow, actor, now, EventKind.AI_WORKFLOW_RETIRED, payload)
        uow.commit()
    return StatusChange(_views(uow, [row])[0], changed, evidence)


# enforcement on upload


def govern_upload(
    uow: UnitOfWork, actor: Actor, policy: Policy, asset: Asset, text: str, now: dt.datetime
) -> None:
    """What an AI version must satisfy beyond its track's AI rule: cite a registered,
    unretired workflow version allowed for the asset's category and view; stay off work the
    policy keeps from AI (unless an ai_usage exception is granted); and, made by an
    experimental workflow, move the asset to the experimental track, which never delivers."""
    name, version = ai.parse_ref(text)
    rows = _rows_named(uow, actor.workspace_id, name)
    row = next((r for r in rows if r.version == version), None)
    if row is None:
        known = f"registered: {_listing(rows)}" if rows else "register it first"
        raise NotFound(
            f"AI workflow {text} is not registered in workspace {actor.workspace}; {known}"
        )
    _check_scope(row, asset, rows)
    _check_usage(uow, actor, policy, asset, now)
    if row.status == ai.EXPERIMENTAL:
        _to_experimental_track(uow, actor, policy, asset, _ref(row), now)


def _check_scope(row: AiWorkflow, asset: Asset, rows: Sequence[AiWorkflow]) -> None:
    ref = _ref(row)
    if row.status == ai.RETIRED:
        usable = [r for r in rows if r.status != ai.RETIRED]
        hint = f"; use {_listing(usable)}" if usable else ""
        raise AiWorkflowError(f"{ref} is retired and cannot be cited for new work{hint}")
    if asset.category not in row.categories:
        raise AiWorkflowError(
            f"{ref} may not produce {asset.category} images; it is registered for "
            f"{', '.join(row.categories)}"
        )
    if row.views and asset.view not in row.views:
        raise AiWorkflowError(
            f"{ref} may not produce the {asset.view} view; it is registered for "
            f"{', '.join(row.views)}"
        )


def _check_usage(
    uow: UnitOfWork, actor: Actor, policy: Policy, asset: Asset, now: dt.datetime
) -> None:
    if not policy.ai.refuse:
        return
    line = uow.session.get(RequestLine, asset.request_line_id)
    fields = dict(line.fields) if line is not None else {}
    facts = skill_facts(fields, asset.track, asset.complexity, asset.category, asset.view)
    refusals = ai.ai_refusals(policy, facts)
    if refusals and active_grant(uow, actor, ai.USAGE_EXCEPTION, asset.id, now) is None:
        raise PermissionDenied(
            f"the policy keeps AI off {asset.sku} / {asset.colorway} / {asset.view} "
            f"({'; '.join(refusals)}); AI output for it needs a granted "
            f"{ai.USAGE_EXCEPTION} exception"
        )


def _to_experimental_track(
    uow: UnitOfWork, actor: Actor, policy: Policy, asset: Asset, ref: str, now: dt.datetime
) -> None:
    track = ai.experimental_track(policy)
    if track is None:
        raise AiWorkflowError(
            f"{ref} is experimental, and the policy has no experimental track (AI usage "
            "experimental, can_deliver false) to keep its output from delivery; approve it first"
        )
    if asset.track == track:
        return
    payload = {"before": asset.track, "after": track, "ai_workflow": ref}
    payload["reason"] = "output of an experimental AI workflow"
    asset.track = track
    asset.updated_at = now
    uow.record(
        actor.workspace_id,
        actor.user_id,
        now,
        NewEvent(EventKind.TRACK_CHANGED, payload, asset_id=asset.id),
    )


# measuring


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _decisions(uow: UnitOfWork, workspace_id: int, asset_ids: Collection[int]) -> Iterator[
    tuple[int, bool, Sequence[str]]
]:  # fmt: skip
    """Gate decisions of these assets from the event log: (version id, passed, defects)."""
    kinds = [k.value for k in _DECISION_KINDS]
    for chunk in _chunks(sorted(asset_ids)):
        query = select(Event.kind, Event.payload).where(
            Event.workspace_id == workspace_id, Event.asset_id.in_(chunk), Event.kind.in_(kinds)
        )
        for kind, payload in uow.session.execute(query):
            failed = kind == EventKind.GATE_FAILED.value
            yield int(payload.get("version_id") or 0), not failed, payload.get("defects", ())


def _outcomes(
    uow: UnitOfWork, workspace_id: int, condition: Callable[[Any], Any]
) -> list[ai.Outcome]:
    query = condition(
        select(VersionRow.id, VersionRow.ai_workflow, Asset.category, VersionRow.asset_id)
        .join(Asset, Asset.id == VersionRow.asset_id)
        .where(VersionRow.workspace_id == workspace_id)
    )
    versions: dict[int, tuple[str | None, str]] = {}
    assets: set[int] = set()
    for version_id, workflow, category, asset_id in uow.session.execute(query):
        versions[version_id] = (workflow, category)
        assets.add(asset_id)
    return ai.outcomes(_decisions(uow, workspace_id, assets), versions)


def _ai_outcomes(uow: UnitOfWork, workspace_id: int, refs: Sequence[str]) -> list[ai.Outcome]:
    return _outcomes(
        uow,
        workspace_id,
        lambda q: q.where(VersionRow.kind == "ai", VersionRow.ai_workflow.in_(refs)),
    )


def _stats(uow: UnitOfWork, workspace_id: int, refs: Sequence[str]) -> Rejections:
    return ai.rejections(_ai_outcomes(uow, workspace_id, refs))


def _require_reader(actor: Actor) -> None:
    if actor.is_vendor:
        raise PermissionDenied(
            f"{actor.username} works for a vendor and cannot read AI workflow figures"
        )


def list_workflows(uow: UnitOfWork, actor: Actor) -> list[WorkflowSummary]:
    """Every registered workflow version with its rejection rate and readiness."""
    _require_reader(actor)
    policy = load_active_policy(uow, actor.workspace_id).policy
    rows = list(
        uow.session.scalars(
            select(AiWorkflow)
            .where(AiWorkflow.workspace_id == actor.workspace_id)
            .order_by(AiWorkflow.name, AiWorkflow.version)
        )
    )
    return _summaries(uow, actor, policy, rows)


def _summaries(
    uow: UnitOfWork, actor: Actor, policy: Policy, rows: Sequence[AiWorkflow]
) -> list[WorkflowSummary]:
    stats = ai.by_workflow(_ai_outcomes(uow, actor.workspace_id, [_ref(r) for r in rows]))
    summaries = []
    for view in _views(uow, rows):
        s = stats.get(view.ref, Rejections(0, 0))
        summaries.append(WorkflowSummary(view, s, ai.readiness(s, policy.ai.readiness)))
    return summaries


def show_workflow(uow: UnitOfWork, actor: Actor, text: str) -> WorkflowDetail:
    """A workflow version (the newest when no version is given) with all its evidence."""
    _require_reader(actor)
    policy = load_active_policy(uow, actor.workspace_id).policy
    name, version = ai.parse_ref(text, version_required=False)
    rows = _rows_named(uow, actor.workspace_id, name)
    if not rows:
        raise NotFound(f"no AI workflow named {name!r} in workspace {actor.workspace}")
    row = rows[-1] if version is None else _get(uow, actor, text)
    summaries = _summaries(uow, actor, policy, rows)
    mine = next(s for s in summaries if s.workflow.id == row.id)
    impacts = ai.model_update_impact([(s.workflow.ref, s.stats) for s in summaries])
    impact = next((i for i in impacts if i.after == mine.workflow.ref), None)
    ai_outcomes = [o for o in _ai_outcomes(uow, actor.workspace_id, [_ref(row)])]
    studio = _outcomes(
        uow,
        actor.workspace_id,
        lambda q: q.where(
            VersionRow.kind.in_(("capture", "retouch")), Asset.category.in_(row.categories)
        ),
    )
    first_pass = ai.first_pass_by_category(ai_outcomes, studio, row.categories)
    cleanup = _cleanup(uow, actor.workspace_id, policy, _ref(row))
    return WorkflowDetail(
        mine.workflow, mine.stats, mine.readiness, summaries, impact, first_pass, cleanup
    )


def _cleanup(uow: UnitOfWork, workspace_id: int, policy: Policy, ref: str) -> ai.Cleanup:
    assets = select(VersionRow.asset_id).where(
        VersionRow.workspace_id == workspace_id,
        VersionRow.kind == "ai",
        VersionRow.ai_workflow == ref,
    )
    query = (
        select(
            VersionRow.asset_id, VersionRow.uploaded_at, VersionRow.kind,
            VersionRow.ai_workflow, VersionRow.cost, Asset.complexity,
        )
        .join(Asset, Asset.id == VersionRow.asset_id)
        .where(VersionRow.asset_id.in_(assets))
    )  # fmt: skip
    facts = [
        ai.VersionFact(
            asset_id,
            at,
            kind,
            workflow,
            cost if cost is not None else policy.costs.estimate(kind, complexity),
        )
        for asset_id, at, kind, workflow, cost, complexity in uow.session.execute(query)
    ]
    return ai.cleanup(facts).get(ref, ai.Cleanup())


# retention


@dataclass(frozen=True)
class DeletedFile:
    sku: str
    colorway: str
    view: str
    version: int
    sha256: str
    bytes: int
    rejected_at: dt.datetime


@dataclass(frozen=True)
class Retention:
    """What a retention run deleted (or would delete, on a dry run)."""

    days: int | None
    cutoff: dt.datetime | None
    files: list[DeletedFile]
    kept_shared: int
    dry_run: bool


def apply_retention(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, dry_run: bool = False
) -> Retention:
    """Delete the files of AI versions rejected more than the policy's
    `ai.retention.rejected_files_days` ago. Rows, decisions and events stay, and an
    `ai_files_deleted` event per asset says what went. A file that any version not rejected
    (of any kind, in any workspace) also uses is kept."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role(actor, RETENTION_ROLES, "apply the AI retention rule")
    days = policy.ai.retention.rejected_files_days
    if days is None:
        return Retention(None, None, [], 0, dry_run)
    cutoff = now - dt.timedelta(days=days)
    candidates = _rejected_before(uow, actor.workspace_id, cutoff)
    shas = sorted({v.sha256 for v, _, _ in candidates})
    ids = {v.id for v, _, _ in candidates}
    kept = _shas_used_elsewhere(uow, shas, ids)
    chosen = [c for c in candidates if c[0].sha256 not in kept and uow.blobs.exists(c[0].sha256)]
    files = [
        DeletedFile(a.sku, a.colorway, a.view, v.number, v.sha256, v.bytes, at)
        for v, a, at in chosen
    ]
    result = Retention(days, cutoff, files, sum(c[0].sha256 in kept for c in candidates), dry_run)
    if dry_run or not chosen:
        return result
    _record_deletions(uow, actor, now, chosen, days)
    uow.commit()
    deleting = sorted({v.sha256 for v, _, _ in chosen})
    # Checked again just before the files go: a version stored since then keeps its file.
    still_used = _shas_used_elsewhere(uow, deleting, {v.id for v, _, _ in chosen})
    for sha in deleting:
        if sha not in still_used:
            _delete_blob(uow, sha)
    return result


def _rejected_before(
    uow: UnitOfWork, workspace_id: int, cutoff: dt.datetime
) -> list[tuple[VersionRow, Asset, dt.datetime]]:
    first_fail = (
        select(GateDecision.version_id, func.min(GateDecision.decided_at).label("at"))
        .where(
            GateDecision.workspace_id == workspace_id,
            GateDecision.passed.is_(False),
            GateDecision.decided_at < cutoff,
        )
        .group_by(GateDecision.version_id)
        .subquery()
    )
    query = (
        select(VersionRow, Asset, first_fail.c.at)
        .join(first_fail, first_fail.c.version_id == VersionRow.id)
        .join(Asset, Asset.id == VersionRow.asset_id)
        .where(VersionRow.kind == "ai")
        .order_by(VersionRow.id)
    )
    return [(v, a, at) for v, a, at in uow.session.execute(query)]


def _shas_used_elsewhere(uow: UnitOfWork, shas: Sequence[str], ids: Collection[int]) -> set[str]:
    """Checksums some version outside `ids` also uses (in any workspace: blobs are shared)."""
    used: set[str] = set()
    for chunk in _chunks(shas):
        rows = uow.session.execute(
            select(VersionRow.id, VersionRow.sha256).where(VersionRow.sha256.in_(chunk))
        )
        used |= {sha for version_id, sha in rows if version_id not in ids}
    return used


def _record_deletions(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    chosen: Sequence[tuple[VersionRow, Asset, dt.datetime]],
    days: int,
) -> None:
    by_asset: dict[int, list[VersionRow]] = {}
    for version, asset, _ in chosen:
        by_asset.setdefault(asset.id, []).append(version)
    for asset_id, versions in by_asset.items():
        payload = {
            "versions": [v.number for v in versions],
            "version_ids": [v.id for v in versions],
            "sha256": [v.sha256 for v in versions],
            "bytes": sum(v.bytes for v in versions),
            "rule": f"files of rejected AI output are deleted after {days} days",
        }
        uow.record(
            actor.workspace_id,
            actor.user_id,
            now,
            NewEvent(EventKind.AI_FILES_DELETED, payload, asset_id=asset_id),
        )


def _delete_blob(uow: UnitOfWork, sha256: str) -> None:
    # The storage interface has no delete yet; a store that offers one is asked to, and the
    # local store's file is removed directly.
    delete = getattr(uow.blobs, "delete", None)
    if callable(delete):
        delete(sha256)
        return
    uow.blobs.open_path(sha256).unlink(missing_ok=True)
