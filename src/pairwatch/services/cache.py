"""In-process cache of pair reports, keyed by data version.

A refresh writes new rows and bumps the metric's data version in the store; every key here
carries the versions it was computed from, so the next request after a refresh misses,
recomputes once, and every later request hits. Entries of superseded versions simply age
out of the bounded LRU. Concurrent requests for the same missing key wait for one
computation instead of each running their own.

One cache serves one store: keys hold metric ids and versions, not the store's URL.

With several web workers (PAIRWATCH_REDIS_URL set), `ReportCache` also has a shared second
level (`pairwatch.services.shared_cache.RedisReportStore`): a report one worker computed is
reused by the others. The in-process LRU stays the first level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pairwatch.catalog import Catalog
from pairwatch.lru import LruCache
from pairwatch.services.compare import DEFAULT_GAUGE, compare_pair, gauge_id
from pairwatch.services.report import PairReport
from pairwatch.store import Store

DEFAULT_REPORTS = 256


@dataclass(frozen=True, slots=True)
class ReportKey:
    """Everything a pair report depends on: legs, window, cut-off, data versions.

    `versions` are those of a, b, the regime gauge and VIX (the signal reading's input);
    `forecasts` says whether the report carries the (slow) forecasts section.
    """

    a: str
    b: str
    window: int | None
    as_of: dt.date | None
    gauge: str
    versions: tuple[int, int, int, int]
    forecasts: bool = True


def report_inputs(catalog: Catalog, a: str, b: str) -> tuple[str, str, str, str]:
    """The metric ids a report of a/b reads: both legs, the regime gauge and VIX."""
    metric_a, metric_b = catalog.metric(a), catalog.metric(b)
    return metric_a.id, metric_b.id, gauge_id(catalog, metric_a.id, metric_b.id), DEFAULT_GAUGE


def report_key(
    store: Store,
    catalog: Catalog,
    a: str,
    b: str,
    window: int | None,
    as_of: dt.date | None = None,
    *,
    forecasts: bool = True,
) -> ReportKey:
    """The cache key of a report: reads four data versions, computes nothing."""
    ids = report_inputs(catalog, a, b)
    v = tuple(store.data_version(metric_id) for metric_id in ids)
    versions = (v[0], v[1], v[2], v[3])
    return ReportKey(ids[0], ids[1], window, as_of, ids[2], versions, forecasts)


class SharedReports(Protocol):
    """A second-level report store shared between processes; never raises on outages."""

    def get(self, key: ReportKey) -> PairReport | None:
        """The stored report of key, or None (also when the store is unreachable)."""

    def put(self, key: ReportKey, report: PairReport) -> None:
        """Store a report (best effort)."""

    def close(self) -> None:
        """Release connections."""


class ReportCache:
    """Pair reports by ReportKey, in a bounded LRU, over an optional shared store."""

    def __init__(
        self, maxsize: int = DEFAULT_REPORTS, *, shared: SharedReports | None = None
    ) -> None:
        self.entries: LruCache[ReportKey, PairReport] = LruCache(maxsize)
        self.shared = shared

    def get_or_compute(self, key: ReportKey, compute: Callable[[], PairReport]) -> PairReport:
        """The cached report of key: from this process, else the shared store, else compute()."""
        if self.shared is None:
            return self.entries.get_or_compute(key, compute)
        shared = self.shared

        def fetch_or_compute() -> PairReport:
            found = shared.get(key)
            if found is not None:
                return found
            report = compute()
            shared.put(key, report)
            return report

        return self.entries.get_or_compute(key, fetch_or_compute)

    def close(self) -> None:
        """Release the shared store's connections (the in-process entries stay)."""
        if self.shared is not None:
            self.shared.close()


def compare_cached(
    store: Store,
    catalog: Catalog,
    cache: ReportCache,
    a: str,
    b: str,
    window: int | None = 90,
    as_of: dt.date | None = None,
    *,
    forecasts: bool = True,
) -> PairReport:
    """compare_pair, computed once per (a, b, window, as_of, data versions, forecasts)."""
    key = report_key(store, catalog, a, b, window, as_of, forecasts=forecasts)
    return cache.get_or_compute(
        key,
        lambda: compare_pair(store, catalog, key.a, key.b, window, as_of, forecasts=forecasts),
    )


__all__ = [
    "LruCache",
    "ReportCache",
    "ReportKey",
    "SharedReports",
    "compare_cached",
    "report_inputs",
    "report_key",
]
