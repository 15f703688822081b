"""Report dicts from the real `build_report` on constructed IWM, VIX and HY OAS series."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from pairwatch.domain import ChangeKind, Metric, MetricSeries, RiskRole
from pairwatch.services.report import build_report, report_to_dict
from tests.analytics.factories import FloatArray, business_days, levels_from_changes, series


def with_metric(leg: MetricSeries, **fields: Any) -> MetricSeries:
    """The same series with some catalog fields of its metric replaced."""
    return replace(leg, metric=replace(leg.metric, **fields))


def iwm(dates: pd.DatetimeIndex, changes: FloatArray) -> MetricSeries:
    """A risk-on small-cap leg with these log changes."""
    leg = series("iwm", dates, levels_from_changes(changes, 200.0))
    return with_metric(leg, risk_role=RiskRole.RISK_ON, description="US small-cap stocks.")


def vix(dates: pd.DatetimeIndex, changes: FloatArray) -> MetricSeries:
    """A risk-off volatility leg with these log changes."""
    leg = series("vix", dates, levels_from_changes(changes, 18.0))
    return with_metric(leg, risk_role=RiskRole.RISK_OFF, description="Equity fear gauge.")


def hy_oas(dates: pd.DatetimeIndex, changes: FloatArray) -> MetricSeries:
    """A credit spread in percentage points (a `diff` leg) with these changes."""
    levels = 3.5 + np.concatenate([[0.0], np.cumsum(changes)])
    leg = series("hy-oas", dates, levels, change=ChangeKind.DIFF)
    return with_metric(leg, unit="percentage points", short_name="HY OAS")


def gauge(dates: pd.DatetimeIndex, levels: FloatArray) -> MetricSeries:
    """The regime gauge: a VIX close on these dates."""
    return series("vix", dates, levels)


def lagged_pair(
    rng: np.random.Generator, n: int, lag: int, start: str = "2024-01-01"
) -> tuple[MetricSeries, MetricSeries]:
    """IWM and VIX over n days where VIX's change follows IWM's by `lag` days (< 0: leads)."""
    m = n - 1
    driver = rng.normal(0.0, 1.0, m + abs(lag))
    a_part, b_part = (
        (driver[lag : lag + m], driver[:m]) if lag >= 0 else (driver[:m], driver[-lag:])
    )
    ra = 0.01 * a_part
    rb = 0.05 * (-0.8 * b_part + 0.6 * rng.normal(0.0, 1.0, m))
    dates = business_days(n, start)
    return iwm(dates, ra), vix(dates, rb)


def report_dict(a: MetricSeries, b: MetricSeries, **kwargs: Any) -> dict[str, Any]:
    """report_to_dict of build_report."""
    return report_to_dict(build_report(a, b, **kwargs))


def metrics(a: MetricSeries, b: MetricSeries) -> tuple[Metric, Metric]:
    """Both legs' metrics."""
    return a.metric, b.metric
