"""Builders of metrics and metric series from generated data, for the analytics tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from pairwatch.domain import (
    AssetClass,
    ChangeKind,
    Frequency,
    Metric,
    MetricSeries,
    RiskRole,
    Source,
)

FloatArray = npt.NDArray[np.float64]


def metric(
    metric_id: str, change: ChangeKind = ChangeKind.LOG, frequency: Frequency = Frequency.DAILY
) -> Metric:
    """A catalog-like metric with the given id, change kind and frequency."""
    return Metric(
        id=metric_id,
        name=metric_id.upper(),
        source=Source("import", metric_id),
        frequency=frequency,
        change=change,
        unit="points",
        asset_class=AssetClass.EQUITY,
        risk_role=RiskRole.NEUTRAL,
        description=f"test metric {metric_id}",
    )


def series(
    metric_id: str,
    dates: list[str] | pd.DatetimeIndex,
    close: Sequence[float] | FloatArray,
    adj: Sequence[float] | FloatArray | None = None,
    *,
    change: ChangeKind = ChangeKind.LOG,
    frequency: Frequency = Frequency.DAILY,
) -> MetricSeries:
    """A MetricSeries on `dates`; adj defaults to close (an index or FRED series)."""
    index = pd.DatetimeIndex(dates, name="date")
    close_values = np.asarray(close, dtype=np.float64)
    adj_values = close_values if adj is None else np.asarray(adj, dtype=np.float64)
    levels = pd.DataFrame({"close": close_values, "adj": adj_values}, index=index)
    return MetricSeries(metric(metric_id, change, frequency), levels)


def business_days(n: int, start: str = "2020-01-01") -> pd.DatetimeIndex:
    """n weekdays from `start`."""
    return pd.bdate_range(start, periods=n)


def random_walk(
    rng: np.random.Generator, n: int, vol: float = 0.01, start: float = 100.0
) -> FloatArray:
    """A strictly positive price path of n levels with lognormal daily moves."""
    return np.asarray(start * np.exp(np.cumsum(rng.normal(0.0, vol, n))), dtype=np.float64)


def levels_from_changes(changes: FloatArray, start: float = 100.0) -> FloatArray:
    """Levels whose log changes are exactly (up to rounding) `changes`, one more level."""
    path = np.exp(np.concatenate([[0.0], np.cumsum(changes)]))
    return np.asarray(start * path, dtype=np.float64)


def correlated_changes(
    rng: np.random.Generator, n: int, rho: float = -0.6, vol_a: float = 0.01, vol_b: float = 0.05
) -> tuple[FloatArray, FloatArray]:
    """Two change series with correlation about rho."""
    b = rng.normal(0.0, 1.0, n)
    a = rho * b + np.sqrt(1 - rho**2) * rng.normal(0.0, 1.0, n)
    return vol_a * a, vol_b * b


def log_pair(
    rng: np.random.Generator, n: int, rho: float = -0.6, start: str = "2020-01-01"
) -> tuple[MetricSeries, MetricSeries]:
    """Two daily log series on the same n business days with correlated changes.

    Leg a has an adjusted close that differs from its display close (a dividend factor).
    """
    ra, rb = correlated_changes(rng, n - 1, rho)
    dates = business_days(n, start)
    adj = levels_from_changes(ra)
    factor = np.linspace(0.95, 1.0, n)
    a = series("aaa", dates, adj / factor, adj)
    b = series("bbb", dates, levels_from_changes(rb, 20.0))
    return a, b
