"""Automated QC: check runs and their jobs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shotline.adapters.db.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The qc_runs table (one per version) and skipped/overlay columns on check_results."""
    op.create_table(
        "qc_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("phash", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name=op.f("fk_qc_runs_version_id_versions")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_qc_runs_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_runs")),
        sa.UniqueConstraint("version_id", name=op.f("uq_qc_runs_version_id")),
    )
    with op.batch_alter_table("qc_runs", schema=None) as batch_op:
        batch_op.create_index("ix_qc_runs_state_queued", ["state", "queued_at"], unique=False)

    with op.batch_alter_table("check_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skipped", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("overlay_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop what `upgrade` added."""
    with op.batch_alter_table("check_results", schema=None) as batch_op:
        batch_op.drop_column("overlay_sha256")
        batch_op.drop_column("skipped")

    with op.batch_alter_table("qc_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_qc_runs_state_queued")

    op.drop_table("qc_runs")
