"""Table definitions (SQLAlchemy Core). Portable types only: SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
    }
)

metrics = sa.Table(
    "metrics",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("data_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("synthetic", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)

observations = sa.Table(
    "observations",
    metadata,
    sa.Column(
        "metric_id",
        sa.String(64),
        sa.ForeignKey("metrics.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("date", sa.Date, primary_key=True),
    sa.Column("close", sa.Double, nullable=False),
    sa.Column("adj_close", sa.Double),
    sa.Column("source", sa.String(128), nullable=False),
)

fetch_log = sa.Table(
    "fetch_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("metric_id", sa.String(64), nullable=False, index=True),
    sa.Column("source", sa.String(128), nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("rows_added", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message", sa.Text),
)

quotes = sa.Table(
    "quotes",
    metadata,
    sa.Column("metric_id", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(128), nullable=False),
    sa.Column("price", sa.Double, nullable=False),
    sa.Column("previous_close", sa.Double),
    sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("currency", sa.String(16)),
    sa.Column("market_state", sa.String(32)),
)
