"""The digest's tables, on the store's `metadata` (migration 0002 creates them).

Portable types only (SQLite and PostgreSQL). Two unique keys carry the "never twice"
promises across processes: `deliveries` (subscriber, kind, as_of) and `alert_firings`
(alert, fired_key). Pairs and alert parameters are short text (comma-separated slugs,
JSON) so no backend-specific array or JSON type is needed.
"""

from __future__ import annotations

import sqlalchemy as sa

from pairwatch.store.schema import metadata

subscribers = sa.Table(
    "subscribers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("pairs", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("confirmed_at", sa.DateTime(timezone=True)),
    sa.Column("unsubscribed_at", sa.DateTime(timezone=True)),
    sa.Column("notified_at", sa.DateTime(timezone=True)),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "subscriber_id",
        sa.Integer,
        sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("message_id", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("error", sa.Text),
    sa.UniqueConstraint("subscriber_id", "kind", "as_of"),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "subscriber_id",
        sa.Integer,
        sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
    ),
    sa.Column("owner", sa.String(16), nullable=False),
    sa.Column("a", sa.String(64), nullable=False),
    sa.Column("b", sa.String(64), nullable=False),
    sa.Column("condition", sa.String(32), nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("state", sa.Text, nullable=False, server_default="{}"),
    sa.Column("checked_on", sa.Date),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

alert_firings = sa.Table(
    "alert_firings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "alert_id",
        sa.Integer,
        sa.ForeignKey("alerts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("fired_key", sa.String(128), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("error", sa.Text),
    sa.UniqueConstraint("alert_id", "fired_key"),
)
