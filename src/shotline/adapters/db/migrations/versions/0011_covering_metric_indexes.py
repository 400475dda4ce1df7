"""Metric projections: indexes that cover the report's reads

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 20:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, index, columns before, columns now)
_CHANGED = (
    (
        "metric_decisions",
        "ix_metric_decisions_period",
        ["workspace_id", "at"],
        [
            "workspace_id",
            "at",
            "asset_id",
            "passed",
            "preventable",
            "version_kind",
            "version_id",
            "ai_workflow",
        ],
    ),
    (
        "metric_decisions",
        "ix_metric_decisions_asset",
        ["asset_id", "at"],
        ["asset_id", "at", "cost"],
    ),
    (
        "metric_uploads",
        "ix_metric_uploads_asset",
        ["asset_id", "at"],
        ["asset_id", "at", "kind", "uploader_id", "cost"],
    ),
)


def upgrade() -> None:
    """A month's decisions and the work on a month's deliveries, read from the index alone
    (the rows themselves are not visited: measured in benchmarks/metrics_scale.py)."""
    for table, name, _, columns in _CHANGED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, columns, _ in _CHANGED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
