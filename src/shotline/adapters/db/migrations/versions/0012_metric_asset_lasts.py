"""Metric projections: each asset's latest approval and delivery

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 23:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shotline.adapters.db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LASTS = (("last_approved_at", "approved"), ("last_delivered_at", "delivered"))


def upgrade() -> None:
    """Shoot-to-live reads the last approval and delivery before an asset went live from
    these two columns (a lookup per asset and kind otherwise). Filled from the milestones
    already projected (a database whose projections were never filled, one upgraded from
    before 0009, gets them all from its log once the schema is at head: migrate.upgrade)."""
    for column, _ in _LASTS:
        op.add_column(
            "metric_assets",
            sa.Column(column, shotline.adapters.db.types.UTCDateTime(timezone=True)),
        )
    bind = op.get_bind()
    for column, kind in _LASTS:
        bind.execute(
            sa.text(
                f"UPDATE metric_assets SET {column} = (SELECT max(m.at) FROM metric_milestones m"
                " WHERE m.asset_id = metric_assets.asset_id AND m.kind = :kind)"
            ),
            {"kind": kind},
        )


def downgrade() -> None:
    # Batch mode: SQLite drops a column by copying the table.
    with op.batch_alter_table("metric_assets") as batch:
        for column, _ in reversed(_LASTS):
            batch.drop_column(column)
