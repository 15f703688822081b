"""The compare use case: read both series (and the regime gauge) and build one PairReport."""

from __future__ import annotations

import datetime as dt

from pairwatch.catalog import Catalog
from pairwatch.domain import MetricSeries
from pairwatch.errors import InvalidRequestError, NoDataError
from pairwatch.services.report import PairReport, build_report
from pairwatch.store import Store

DEFAULT_GAUGE = "vix"


def load_required(
    store: Store, catalog: Catalog, metric_id: str, as_of: dt.date | None = None
) -> MetricSeries:
    """A metric's stored series; NoDataError when nothing is stored."""
    series = store.load_series(catalog.metric(metric_id), as_of)
    if series.levels.empty:
        raise NoDataError(catalog.metric(metric_id).id)
    return series


def _gauge(store: Store, catalog: Catalog, a: str, b: str) -> MetricSeries | None:
    pair = catalog.pair(a, b)
    gauge_id = pair.gauge if pair else DEFAULT_GAUGE
    if gauge_id not in catalog.metrics:
        return None
    series = store.load_series(catalog.metric(gauge_id))
    return None if series.levels.empty else series


def compare_pair(
    store: Store,
    catalog: Catalog,
    a: str,
    b: str,
    window: int | None = 90,
    as_of: dt.date | None = None,
) -> PairReport:
    """The full report for metrics `a` and `b` over `window` days (None = whole history)."""
    metric_a, metric_b = catalog.metric(a), catalog.metric(b)
    if metric_a.id == metric_b.id:
        raise InvalidRequestError(
            f"cannot compare {metric_a.id!r} with itself: pick two different metrics"
        )
    series_a = load_required(store, catalog, metric_a.id)
    series_b = load_required(store, catalog, metric_b.id)
    gauge = _gauge(store, catalog, metric_a.id, metric_b.id)
    return build_report(series_a, series_b, window=window, gauge=gauge, as_of=as_of)
