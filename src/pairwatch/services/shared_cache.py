"""Redis for several processes: a shared report store, and the client helpers they use.

`RedisReportStore` is the second level of `ReportCache` when PAIRWATCH_REDIS_URL is set:
a report computed by one web worker is reused by every other worker. Keys are the
in-process `ReportKey` (legs, window, cut-off, data versions, forecasts) under a prefix
naming the code that computed the report and the store it read, so a refresh (new data
versions), a deployment (new code) or another store never reuses a stale report.
Entries expire after `REPORT_TTL`.

A Redis outage never breaks a page: every error is caught, logged once as a warning, and
the cache falls back to this process alone; Redis is tried again after `RETRY_AFTER`.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pairwatch import __version__
from pairwatch.errors import ConfigError
from pairwatch.services.cache import ReportKey
from pairwatch.services.report import PairReport

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

REPORT_TTL = 24 * 60 * 60
RETRY_AFTER = 30.0
SOCKET_TIMEOUT = 1.0
REPORT_FORMAT = 1  # bump when PairReport's pickled form changes incompatibly
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def connect(url: str) -> redis.Redis:
    """A Redis client for `url` with short timeouts (connects lazily, raises nothing yet)."""
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ConfigError(
            "PAIRWATCH_REDIS_URL is set but the redis package is missing: "
            "pip install 'pairwatch[team]'"
        ) from exc
    return redis.Redis.from_url(
        url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
    )


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """pairwatch's version plus a hash of its Python sources: reports depend on the code."""
    digest = hashlib.sha256(str(REPORT_FORMAT).encode("ascii"))
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode("utf-8"))
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def store_fingerprint(database_url: str) -> str:
    """A short hash naming the store reports were computed from (no password in Redis)."""
    return hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:12]


def report_prefix(database_url: str, namespace: str = "pairwatch") -> str:
    """The key prefix of reports: namespace, code fingerprint and store fingerprint."""
    return f"{namespace}:report:{code_fingerprint()}:{store_fingerprint(database_url)}:"


class Outage:
    """Warn once when Redis fails, stay quiet while it is down, and retry after a pause."""

    def __init__(
        self, what: str, retry_after: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.what = what
        self.retry_after = retry_after
        self.clock = clock
        self.warnings = 0
        self._down_since: float | None = None
        self._lock = threading.Lock()

    def available(self) -> bool:
        """False while inside the pause after a failure."""
        with self._lock:
            down = self._down_since
        return down is None or self.clock() - down >= self.retry_after

    def failed(self, exc: BaseException) -> None:
        """Record a failure; the first of an outage is logged as a warning."""
        with self._lock:
            first = self._down_since is None
            self._down_since = self.clock()
            if first:
                self.warnings += 1
        if first:
            log.warning("%s: Redis unavailable (%s); continuing in-process only", self.what, exc)

    def succeeded(self) -> None:
        """Record a success, ending any outage."""
        with self._lock:
            recovered = self._down_since is not None
            self._down_since = None
        if recovered:
            log.info("%s: Redis reachable again", self.what)


class RedisReportStore:
    """Pair reports in Redis, shared by every worker of one deployment.

    Reports are serialised with pickle: Redis is trusted infrastructure of the deployment
    (like the database), never reachable by users, so loading what it holds is safe. Do
    not point PAIRWATCH_REDIS_URL at a Redis that untrusted parties can write to.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        *,
        ttl: int = REPORT_TTL,
        retry_after: float = RETRY_AFTER,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.outage = Outage("shared report cache", retry_after)

    @classmethod
    def from_url(cls, url: str, database_url: str) -> RedisReportStore:
        """The store for reports of the store at `database_url`, in the Redis at `url`."""
        return cls(connect(url), report_prefix(database_url))

    def redis_key(self, key: ReportKey) -> str:
        """The Redis key of a report: the prefix and every field of its ReportKey."""
        as_of = key.as_of.isoformat() if key.as_of is not None else "-"
        window = "all" if key.window is None else str(key.window)
        versions = ",".join(str(v) for v in key.versions)
        fields = (key.a, key.b, window, as_of, key.gauge, versions, str(int(key.forecasts)))
        return self.prefix + "|".join(fields)

    def get(self, key: ReportKey) -> PairReport | None:
        """The stored report, or None when absent, unreadable or Redis is down."""
        if not self.outage.available():
            return None
        try:
            data = self.client.get(self.redis_key(key))
        except Exception as exc:  # any Redis or socket error: serve from this process
            self.outage.failed(exc)
            return None
        self.outage.succeeded()
        if not isinstance(data, bytes):
            return None
        try:
            report = pickle.loads(data)  # trusted infrastructure, see the class doc
        except Exception:  # written by other code: recompute
            log.warning("unreadable shared report %s; recomputing", key, exc_info=True)
            return None
        return report if isinstance(report, PairReport) else None

    def put(self, key: ReportKey, report: PairReport) -> None:
        """Store a report with the TTL (best effort: failures are logged once)."""
        if not self.outage.available():
            return
        try:
            data = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an unpicklable report stays in-process
            log.warning("report %s cannot be shared", key, exc_info=True)
            return
        try:
            self.client.set(self.redis_key(key), data, ex=self.ttl)
        except Exception as exc:  # any Redis or socket error
            self.outage.failed(exc)
            return
        self.outage.succeeded()

    def close(self) -> None:
        """Close the client's connections."""
        try:
            self.client.close()
        except Exception:  # closing must never fail a shutdown
            log.debug("closing the Redis client failed", exc_info=True)


__all__ = [
    "REPORT_TTL",
    "Outage",
    "RedisReportStore",
    "code_fingerprint",
    "connect",
    "report_prefix",
    "store_fingerprint",
]
