"""Alembic environment: runs on the connection `pairwatch.store` hands over."""

from __future__ import annotations

from alembic import context

import pairwatch.notify.tables  # noqa: F401  (registers the digest's tables on metadata)
from pairwatch.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
