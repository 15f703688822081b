"""Initial schema: metrics, observations, fetch log, quotes.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metrics",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("data_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("synthetic", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_metrics"),
    )
    op.create_table(
        "observations",
        sa.Column("metric_id", sa.String(64), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("close", sa.Double, nullable=False),
        sa.Column("adj_close", sa.Double),
        sa.Column("source", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("metric_id", "date", name="pk_observations"),
        sa.ForeignKeyConstraint(
            ["metric_id"],
            ["metrics.id"],
            ondelete="CASCADE",
            name="fk_observations_metric_id_metrics",
        ),
    )
    op.create_table(
        "fetch_log",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("metric_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("rows_added", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_updated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_fetch_log"),
    )
    op.create_index("ix_fetch_log_metric_id", "fetch_log", ["metric_id"])
    op.create_table(
        "quotes",
        sa.Column("metric_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("price", sa.Double, nullable=False),
        sa.Column("previous_close", sa.Double),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(16)),
        sa.Column("market_state", sa.String(32)),
        sa.PrimaryKeyConstraint("metric_id", name="pk_quotes"),
    )


def downgrade() -> None:
    op.drop_table("quotes")
    op.drop_index("ix_fetch_log_metric_id", table_name="fetch_log")
    op.drop_table("fetch_log")
    op.drop_table("observations")
    op.drop_table("metrics")
