"""Asset store: version metadata, rights, deliveries

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shotline.adapters.db.types import BigId, UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: versions stored before this revision were never probed.
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("format", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("width", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("height", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("bit_depth", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("icc_description", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("provenance", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("stored_name", sa.String(length=255), nullable=True))

    op.create_table(
        "usage_rights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("model_release", sa.String(length=200), nullable=True),
        sa.Column("licence", sa.String(length=200), nullable=False),
        sa.Column("territory", sa.String(length=200), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("creator", sa.String(length=200), nullable=True),
        sa.Column("copyright", sa.String(length=300), nullable=True),
        sa.Column("usage_terms", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_usage_rights_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_usage_rights_set_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name=op.f("fk_usage_rights_version_id_versions")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_usage_rights_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_rights")),
    )
    with op.batch_alter_table("usage_rights", schema=None) as batch_op:
        batch_op.create_index("ix_usage_rights_asset", ["asset_id", "version_id"], unique=False)
        batch_op.create_index(
            "ix_usage_rights_workspace_expires", ["workspace_id", "expires_at"], unique=False
        )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", BigId, nullable=False),
        sa.Column("package", sa.String(length=1000), nullable=False),
        sa.Column("delivered_by_id", sa.Integer(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_deliveries_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["delivered_by_id"], ["users.id"], name=op.f("fk_deliveries_delivered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name=op.f("fk_deliveries_version_id_versions")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_deliveries_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_asset_channel", ["asset_id", "channel"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deliveries_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_workspace_id"))
        batch_op.drop_index("ix_deliveries_asset_channel")
    op.drop_table("deliveries")
    with op.batch_alter_table("usage_rights", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_rights_workspace_expires")
        batch_op.drop_index("ix_usage_rights_asset")
    op.drop_table("usage_rights")
    with op.batch_alter_table("versions", schema=None) as batch_op:
        for column in (
            "stored_name",
            "provenance",
            "icc_description",
            "bit_depth",
            "height",
            "width",
            "format",
        ):
            batch_op.drop_column(column)
