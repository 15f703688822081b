"""The compare use case: read both series (and the regime gauge) and build one PairReport.

Forecasts are the slow part (two GARCH fits per leg), so they are cached per metric, data
version and as-of date: a refresh bumps the version and they are recomputed once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from pairwatch.analytics.forecast import LegForecast
from pairwatch.catalog import Catalog
from pairwatch.domain import MetricSeries
from pairwatch.errors import InsufficientDataError, InvalidRequestError, NoDataError
from pairwatch.lru import LruCache
from pairwatch.narrative import build_faq, narrative_to_dict
from pairwatch.services.report import PairReport, build_report, leg_forecast, report_to_dict
from pairwatch.store import Store

DEFAULT_GAUGE = "vix"
FORECAST_CACHE_SIZE = 256

_ForecastKey = tuple[str, str, int, dt.date | None]
_forecasts: LruCache[_ForecastKey, LegForecast | str] = LruCache(FORECAST_CACHE_SIZE)


def load_required(
    store: Store, catalog: Catalog, metric_id: str, as_of: dt.date | None = None
) -> MetricSeries:
    """A metric's stored series; NoDataError when nothing is stored."""
    series = store.load_series(catalog.metric(metric_id), as_of)
    if series.levels.empty:
        raise NoDataError(catalog.metric(metric_id).id)
    return series


def load_optional(store: Store, catalog: Catalog, metric_id: str) -> MetricSeries | None:
    """A catalog metric's stored series, or None when unknown or empty."""
    if metric_id not in catalog.metrics:
        return None
    series = store.load_series(catalog.metric(metric_id))
    return None if series.levels.empty else series


def gauge_id(catalog: Catalog, a: str, b: str) -> str:
    """The regime gauge of a pair: the curated pair's choice, else VIX."""
    pair = catalog.pair(a, b)
    return pair.gauge if pair else DEFAULT_GAUGE


def check_as_of(series: MetricSeries, as_of: dt.date | None) -> None:
    """InvalidRequestError when `as_of` is before the first stored observation."""
    if as_of is None or series.levels.empty:
        return
    first = series.levels.index[0].date()
    if as_of < first:
        raise InvalidRequestError(
            f"asof {as_of.isoformat()} is before the data: {series.metric.id} starts "
            f"{first.isoformat()}; pick a later date or leave asof out"
        )


def _cached_forecast(
    store: Store, series: MetricSeries, as_of: dt.date | None, version: int
) -> LegForecast | str:
    """The leg's forecast (or why there is none), computed once per data version.

    `version` is read before the series was loaded, so a refresh committing in between
    can only make the cache miss once more, never file old figures under a new version.
    """
    key = (store.url, series.metric.id, version, as_of)
    return _forecasts.get_or_compute(key, lambda: _forecast_or_reason(series, as_of))


def _forecast_or_reason(series: MetricSeries, as_of: dt.date | None) -> LegForecast | str:
    """The leg's forecast, or the sentence saying why there is too little data for one."""
    try:
        return leg_forecast(series, as_of)
    except InsufficientDataError as exc:
        return str(exc)


def with_forecasts(
    report: PairReport,
    store: Store,
    legs: dict[str, MetricSeries],
    versions: dict[str, int] | None = None,
) -> PairReport:
    """The report with both legs' forecasts (from the cache when nothing changed)."""
    found: dict[str, LegForecast] = {}
    notes = dict(report.notes)
    for leg, series in legs.items():
        version = (versions or {}).get(leg, -1)
        result = _cached_forecast(store, series, report.as_of, version)
        if isinstance(result, str):
            notes[f"forecasts.{leg}"] = result
        else:
            found[leg] = result
    return replace(report, forecasts=found or None, notes=notes)


def compare_pair(
    store: Store,
    catalog: Catalog,
    a: str,
    b: str,
    window: int | None = 90,
    as_of: dt.date | None = None,
    *,
    forecasts: bool = True,
) -> PairReport:
    """The full report for metrics `a` and `b` over `window` days (None = whole history)."""
    metric_a, metric_b = catalog.metric(a), catalog.metric(b)
    if metric_a.id == metric_b.id:
        raise InvalidRequestError(
            f"cannot compare {metric_a.id!r} with itself: pick two different metrics"
        )
    versions = {"a": store.data_version(metric_a.id), "b": store.data_version(metric_b.id)}
    series_a = load_required(store, catalog, metric_a.id)
    series_b = load_required(store, catalog, metric_b.id)
    check_as_of(series_a, as_of)
    check_as_of(series_b, as_of)
    gauge = load_optional(store, catalog, gauge_id(catalog, metric_a.id, metric_b.id))
    vix = (
        gauge
        if gauge is not None and gauge.metric.id == DEFAULT_GAUGE
        else (load_optional(store, catalog, DEFAULT_GAUGE))
    )
    report = build_report(series_a, series_b, window=window, gauge=gauge, as_of=as_of, vix=vix)
    if forecasts:
        report = with_forecasts(report, store, {"a": series_a, "b": series_b}, versions)
    return with_narrative(report, catalog)


def with_narrative(report: PairReport, catalog: Catalog) -> PairReport:
    """The report with its words: why the pair matters and the data-driven FAQ."""
    metric_a, metric_b = catalog.metric(report.a), catalog.metric(report.b)
    lean = replace(report, series=None, backtest=None, forecasts=None)  # words need no curves
    words = build_faq(report_to_dict(lean), metric_a, metric_b, catalog.pair(report.a, report.b))
    return replace(report, extras={**report.extras, "narrative": narrative_to_dict(words)})
