"""Metric rollups for the dashboard and reports at catalog scale

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 17:30:00.000000

The projections of services/projections.py (filled from an existing event log by
migrate.upgrade once the schema is at head).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shotline.adapters.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, shotline.adapters.db.types.UTCDateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column[object]:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
        nullable=False,
    )  # fmt: skip


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "metric_assets",
        sa.Column("asset_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        _when("first_upload_at"),
        _when("first_submitted_at"),
        _when("first_failed_at"),
        _when("first_delivered_at"),
        _when("first_cancelled_at"),
        _fk("metric_assets", "asset_id", "assets"),
        _fk("metric_assets", "workspace_id", "workspaces"),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_metric_assets")),
    )
    op.create_index(
        op.f("ix_metric_assets_workspace_id"), "metric_assets", ["workspace_id"], unique=False
    )
    op.create_table(
        "metric_milestones",
        _id(),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _when("at", nullable=False),
        _fk("metric_milestones", "asset_id", "assets"),
        _fk("metric_milestones", "workspace_id", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_milestones")),
    )
    op.create_index(
        "ix_metric_milestones_period",
        "metric_milestones",
        ["workspace_id", "kind", "at", "asset_id"],
        unique=False,
    )
    op.create_index(
        "ix_metric_milestones_asset", "metric_milestones", ["asset_id", "kind", "at"], unique=False
    )
    op.create_table(
        "metric_decisions",
        _id(),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        _when("at", nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("preventable", sa.Boolean(), nullable=False),
        sa.Column("defects", sa.JSON(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("version_kind", sa.String(length=16), nullable=False),
        sa.Column("ai_workflow", sa.String(length=200), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
        _fk("metric_decisions", "asset_id", "assets"),
        _fk("metric_decisions", "workspace_id", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_decisions")),
    )
    op.create_index(
        "ix_metric_decisions_period", "metric_decisions", ["workspace_id", "at"], unique=False
    )
    op.create_index(
        "ix_metric_decisions_asset", "metric_decisions", ["asset_id", "at"], unique=False
    )
    op.create_table(
        "metric_uploads",
        _id(),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        _when("at", nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
        _fk("metric_uploads", "asset_id", "assets"),
        _fk("metric_uploads", "workspace_id", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_uploads")),
    )
    op.create_index("ix_metric_uploads_asset", "metric_uploads", ["asset_id", "at"], unique=False)
    op.create_table(
        "metric_hourly",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        _when("hour", nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.Column("decisions", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        _fk("metric_hourly", "workspace_id", "workspaces"),
        sa.PrimaryKeyConstraint(
            "workspace_id", "dimension", "hour", "value", name=op.f("pk_metric_hourly")
        ),
    )
    op.create_table(
        "metric_ai_versions",
        sa.Column("version_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("ai_workflow", sa.String(length=200), nullable=True),
        _when("last_decided_at", nullable=False),
        _when("last_failed_at"),
        _fk("metric_ai_versions", "workspace_id", "workspaces"),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_metric_ai_versions")),
    )
    op.create_index(
        "ix_metric_ai_versions_decided",
        "metric_ai_versions",
        ["workspace_id", "last_decided_at"],
        unique=False,
    )
    # A database with history gets its projections from the log it already has once the
    # schema is at head (migrate.upgrade): the rebuild writes the projections' newest shape.


def downgrade() -> None:
    for table in (
        "metric_ai_versions",
        "metric_hourly",
        "metric_uploads",
        "metric_decisions",
        "metric_milestones",
        "metric_assets",
    ):
        op.drop_table(table)
