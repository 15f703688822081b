"""The digest's settings live in `pairwatch.config` (the one place that reads the
environment); this module keeps the names `notify` code imports."""

from pairwatch.config import (
    OUTBOX,
    PORTS,
    SECRET_FILE,
    TLS_BY_PORT,
    NotifySettings,
    TlsMode,
    stored_secret,
)

__all__ = [
    "OUTBOX",
    "PORTS",
    "SECRET_FILE",
    "TLS_BY_PORT",
    "NotifySettings",
    "TlsMode",
    "stored_secret",
]
