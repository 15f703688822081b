"""The local store: SQLAlchemy Core tables, Alembic migrations, one transaction per write."""

from pairwatch.store.repository import (
    IMPORT_PREFIX,
    SYNTHETIC_SOURCE,
    FetchRecord,
    Store,
    StoredRow,
    WriteResult,
    is_provider_source,
)

__all__ = [
    "IMPORT_PREFIX",
    "SYNTHETIC_SOURCE",
    "FetchRecord",
    "Store",
    "StoredRow",
    "WriteResult",
    "is_provider_source",
]
