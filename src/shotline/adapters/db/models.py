"""Tables. Every row but users belongs to exactly one workspace."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shotline.adapters.db.types import BigId, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for bulk statements that skip the ORM's per-row cost."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class Workspace(Base):
    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class User(Base):
    """A person; what they may do is granted per workspace (RoleGrant)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime]


class Team(Base):
    """An internal team or an outside vendor."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    is_vendor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime]


class Membership(Base):
    """A user's place in a workspace, optionally inside one team or vendor."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(64))


class PolicyVersion(Base):
    """Every policy a workspace has used, verbatim; exactly one is active."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("workspace_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Request(Base):
    """One intake submission. Re-importing the same file (checksum) finds this row."""

    __tablename__ = "requests"
    __table_args__ = (UniqueConstraint("workspace_id", "checksum"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    source: Mapped[str] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))
    rows: Mapped[int] = mapped_column(Integer)
    accepted_lines: Mapped[int] = mapped_column(Integer)
    rejected_lines: Mapped[int] = mapped_column(Integer)
    asset_count: Mapped[int] = mapped_column(Integer)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime]


class RequestLine(Base):
    """One SKU line as submitted, with its verdict; rejected lines keep their errors."""

    __tablename__ = "request_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    fields: Mapped[dict[str, Any]]
    errors: Mapped[list[Any]]
    warnings: Mapped[list[Any]]
    category: Mapped[str | None] = mapped_column(String(64))
    track: Mapped[str | None] = mapped_column(String(64))
    complexity: Mapped[str | None] = mapped_column(String(4))
    deadline: Mapped[dt.datetime | None]
    due_at: Mapped[dt.datetime | None]


class Asset(Base):
    """One deliverable image slot: SKU x colorway x view, moving through the lifecycle."""

    __tablename__ = "assets"
    __table_args__ = (
        Index("ix_assets_workspace_sku", "workspace_id", "sku", "colorway"),
        Index("ix_assets_workspace_queue", "workspace_id", "track", "state", "due_at"),
        Index("ix_assets_workspace_assignee", "workspace_id", "assignee_user_id"),
        # The dashboard counts open work by state, track, class, due time and gate.
        Index(
            "ix_assets_workspace_state",
            "workspace_id",
            "state",
            "track",
            "complexity",
            "due_at",
            "gate",
        ),
        Index("ix_assets_workspace_due", "workspace_id", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    request_line_id: Mapped[int] = mapped_column(ForeignKey("request_lines.id"), index=True)
    sku: Mapped[str] = mapped_column(String(120))
    colorway: Mapped[str] = mapped_column(String(120))
    view: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    track: Mapped[str] = mapped_column(String(64))
    complexity: Mapped[str] = mapped_column(String(4))
    priority: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    # Where the asset stands: the gate it waits at, the version under review, who has it.
    gate: Mapped[str | None] = mapped_column(String(32), default=None)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", use_alter=True), default=None
    )
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    assignee_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), default=None)
    state_since: Mapped[dt.datetime | None] = mapped_column(default=None)
    resume_state: Mapped[str | None] = mapped_column(String(32), default=None)
    block_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    rework_rounds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class Version(Base):
    """One immutable file of an asset. Never updated except to move its stage."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("asset_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    bytes: Mapped[int] = mapped_column(BigId)
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    ai_workflow: Mapped[str | None] = mapped_column(String(200))
    cost: Mapped[float | None] = mapped_column(Float)
    # What the file is (probed on upload; empty on versions stored before migration 0007).
    format: Mapped[str | None] = mapped_column(String(16), default=None)
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    bit_depth: Mapped[int | None] = mapped_column(Integer, default=None)
    icc_description: Mapped[str | None] = mapped_column(String(200), default=None)
    # Where it came from: source file name, capture device, AI workflow.
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The name the naming template gives the file (original_name keeps what was uploaded).
    stored_name: Mapped[str | None] = mapped_column(String(255), default=None)


class UsageRights(Base):
    """Usage rights of an asset, or of one of its versions (which then overrides the
    asset's): model release, licence, territory and expiry. Delivery is refused once they
    have expired."""

    __tablename__ = "usage_rights"
    __table_args__ = (
        Index("ix_usage_rights_asset", "asset_id", "version_id"),
        Index("ix_usage_rights_workspace_expires", "workspace_id", "expires_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"), default=None)
    model_release: Mapped[str | None] = mapped_column(String(200), default=None)
    licence: Mapped[str] = mapped_column(String(200))
    territory: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    creator: Mapped[str | None] = mapped_column(String(200), default=None)
    copyright: Mapped[str | None] = mapped_column(String(300), default=None)
    usage_terms: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[dt.datetime]


class Delivery(Base):
    """One rendition delivered to one channel: the newest row per (asset, channel) names the
    file live there."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_asset_channel", "asset_id", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    channel: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(BigId)
    package: Mapped[str] = mapped_column(String(1000))
    delivered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    delivered_at: Mapped[dt.datetime]


class GateDecision(Base):
    """A reviewer's binary checklist for one version at one gate. One per (version, gate):
    the unique key is what makes two simultaneous decisions land exactly once."""

    __tablename__ = "gate_decisions"
    __table_args__ = (
        UniqueConstraint("version_id", "gate"),
        Index("ix_gate_decisions_workspace_decided", "workspace_id", "decided_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    gate: Mapped[str] = mapped_column(String(32))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    passed: Mapped[bool] = mapped_column(Boolean)
    answers: Mapped[list[Any]]
    defects: Mapped[list[Any]]
    comment: Mapped[str] = mapped_column(Text, default="")
    annotations: Mapped[list[Any]]
    route: Mapped[str | None] = mapped_column(String(32))
    preventable: Mapped[bool] = mapped_column(Boolean, default=False)
    override_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime]
    cost: Mapped[float | None] = mapped_column(Float)


class CheckResult(Base):
    """An automated measurement of a version (focus, exposure, colour...)."""

    __tablename__ = "check_results"
    __table_args__ = (Index("ix_check_results_workspace_measured", "workspace_id", "measured_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    check: Mapped[str] = mapped_column(String(64))
    passed: Mapped[bool] = mapped_column(Boolean)
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    measured_at: Mapped[dt.datetime]
    # A check that lacked its context (no channel, reference or source): neither pass nor fail.
    skipped: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The blob (PNG mask or heatmap) the review page lays over the image, when the check made one.
    overlay_sha256: Mapped[str | None] = mapped_column(String(64), default=None)


class QcRun(Base):
    """The automated QC of one version: the database's truth behind the job queue. Written
    queued in the upload's transaction; a job lost with a worker is found by its age."""

    __tablename__ = "qc_runs"
    __table_args__ = (Index("ix_qc_runs_state_queued", "state", "queued_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    passed: Mapped[bool | None] = mapped_column(Boolean, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # 64-bit perceptual hash as 16 hex digits (unsigned, so no integer column fits everywhere):
    # the `duplicate` check compares new versions with other SKUs' hashes.
    phash: Mapped[str | None] = mapped_column(String(16), default=None)


class ProcessException(Base):
    """A recorded, authorised (or refused) departure from the process."""

    __tablename__ = "process_exceptions"
    __table_args__ = (Index("ix_process_exceptions_ws_kind", "workspace_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    kind: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    asset_ids: Mapped[list[Any]]
    detail: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime]
    valid_until: Mapped[dt.datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")


class SkillGrant(Base):
    """A specialist skill held by a person or by a whole team or vendor."""

    __tablename__ = "skill_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    skill: Mapped[str] = mapped_column(String(64))


class Escalation(Base):
    """One escalation of one asset for one state it sits in: the unique key is what keeps an
    at-risk or overdue asset from being escalated twice for the same situation."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("asset_id", "state_since", "level"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    state: Mapped[str] = mapped_column(String(32))
    state_since: Mapped[dt.datetime]
    level: Mapped[str] = mapped_column(String(16))
    owner_role: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    detail: Mapped[dict[str, Any]]


class Notification(Base):
    """Outbox of webhook deliveries: retried with backoff until sent; one per escalation and
    webhook, so nothing is sent twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("escalation_id", "webhook"),
        Index("ix_notifications_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"))
    webhook: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime]
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None]


class Event(Base):
    """Append-only record of anything that happened. Nothing updates or deletes these rows."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_workspace_at", "workspace_id", "at"),
        Index("ix_events_asset", "asset_id"),
        # Metrics read one kind of event over a period.
        Index("ix_events_workspace_kind_at", "workspace_id", "kind", "at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"))
    payload: Mapped[dict[str, Any]]


class ApiToken(Base):
    """A bearer token for the HTTP API: it acts as its user in one workspace. Only the
    SHA-256 of the secret is kept, so a copy of the database grants no access."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_workspace_user", "workspace_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class AiWorkflow(Base):
    """A registered AI workflow version: how images are generated (tool, model, LoRAs,
    prompt, references) and where it may be used. Its content never changes: a different
    model, LoRA or prompt is a new version. Versions cite it as `name@version`."""

    __tablename__ = "ai_workflows"
    __table_args__ = (UniqueConstraint("workspace_id", "name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    tool: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(100))
    loras: Mapped[list[Any]]
    prompt: Mapped[str] = mapped_column(Text)
    prompt_sha256: Mapped[str] = mapped_column(String(64))
    reference_set: Mapped[list[Any]]
    categories: Mapped[list[Any]]
    views: Mapped[list[Any]]
    # SHA-256 of everything above that defines the workflow: same name and version, same
    # fingerprint, or refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[dt.datetime]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    approved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    retired_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class WebSession(Base):
    """A browser login: the cookie carries a random secret, only its SHA-256 is kept here,
    with the CSRF token every form of that login must echo. Logging out deletes the row."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]


# --- Metric projections (migration 0009) --------------------------------------------------
# Read models of the event log, written in the same transaction as the events they follow
# (services/projections.py, called from UnitOfWork.flush_events) and rebuilt from the log by
# `shotline metrics rebuild`. The log stays the truth; these only make reports fast.


class MetricAsset(Base):
    """When things first (and last) happened to an asset: all the report needs of its
    history beyond the period itself (first pass, SLA, shoot-to-live)."""

    __tablename__ = "metric_assets"
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id"), primary_key=True, autoincrement=False
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    first_upload_at: Mapped[dt.datetime | None]  # first capture or AI version
    first_submitted_at: Mapped[dt.datetime | None]
    first_failed_at: Mapped[dt.datetime | None]
    first_delivered_at: Mapped[dt.datetime | None]
    first_cancelled_at: Mapped[dt.datetime | None]
    # The latest approval and delivery (migration 0012): shoot-to-live needs the last of each
    # before going live, and that is the latest unless the asset came back afterwards.
    last_approved_at: Mapped[dt.datetime | None]
    last_delivered_at: Mapped[dt.datetime | None]


class MetricMilestone(Base):
    """One approval (an `approved` event, or bypassing the last gate), delivery or going live."""

    __tablename__ = "metric_milestones"
    __table_args__ = (
        Index("ix_metric_milestones_period", "workspace_id", "kind", "at", "asset_id"),
        Index("ix_metric_milestones_asset", "asset_id", "kind", "at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime]


class MetricDecision(Base):
    """One gate decision event (gate_passed, gate_failed, approved) with its version's kind
    and AI workflow: a review, as work and as a verdict."""

    __tablename__ = "metric_decisions"
    # Both indexes carry the columns the report reads, so a month's decisions and the work
    # on a month's deliveries are read from the index alone (benchmarks/metrics_scale.py).
    __table_args__ = (
        Index(
            "ix_metric_decisions_period",
            "workspace_id",
            "at",
            "asset_id",
            "passed",
            "preventable",
            "version_kind",
            "version_id",
            "ai_workflow",
        ),
        Index("ix_metric_decisions_asset", "asset_id", "at", "cost"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    at: Mapped[dt.datetime]
    passed: Mapped[bool] = mapped_column(Boolean)
    preventable: Mapped[bool] = mapped_column(Boolean)
    defects: Mapped[list[Any]]
    version_id: Mapped[int | None] = mapped_column(Integer)
    version_kind: Mapped[str] = mapped_column(String(16))
    ai_workflow: Mapped[str | None] = mapped_column(String(200))
    cost: Mapped[float | None] = mapped_column(Float)


class MetricUpload(Base):
    """One `version_uploaded` event: a piece of work, with who did it and its actual cost."""

    __tablename__ = "metric_uploads"
    __table_args__ = (
        Index("ix_metric_uploads_asset", "asset_id", "at", "kind", "uploader_id", "cost"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(16))
    uploader_id: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[float | None] = mapped_column(Float)


class MetricHourly(Base):
    """Gate decisions per hour and per value of a dimension (`category` of the asset,
    `uploader` of the version decided): the dashboard's 30-day questions."""

    __tablename__ = "metric_hourly"
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour: Mapped[dt.datetime] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    decisions: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)


class MetricAiVersion(Base):
    """The latest decision and latest failed decision of each AI version: the dashboard's
    AI workflow rejection rates over any window that runs up to now."""

    __tablename__ = "metric_ai_versions"
    __table_args__ = (Index("ix_metric_ai_versions_decided", "workspace_id", "last_decided_at"),)
    version_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    ai_workflow: Mapped[str | None] = mapped_column(String(200))
    last_decided_at: Mapped[dt.datetime]
    last_failed_at: Mapped[dt.datetime | None]
