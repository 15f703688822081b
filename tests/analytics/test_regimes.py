"""Regimes: gauge as of the previous panel row, thresholds, minimum days, vs pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pairwatch.analytics.panel import Panel, build_panel
from pairwatch.analytics.regimes import NO_REGIME, classify, regimes
from tests.analytics.factories import business_days, log_pair, series


def test_thresholds_are_left_closed() -> None:
    levels = np.array([9.0, 14.99, 15.0, 19.99, 20.0, 29.99, 30.0, 80.0, np.nan])
    np.testing.assert_array_equal(classify(levels), [0, 0, 1, 1, 2, 2, 3, 3, NO_REGIME])


def _gauge(rng: np.random.Generator, panel: Panel) -> pd.Series:
    """A gauge with its own calendar: starts 30 days late, has extra holiday rows."""
    dates = panel.levels.index[30:].union(pd.DatetimeIndex(["2020-07-04", "2021-01-01"]))
    values = np.clip(12 + np.cumsum(rng.normal(0, 1.2, len(dates))), 9, 80)
    return pd.Series(values, index=dates)


def _expected(panel: Panel, gauge: pd.Series) -> pd.DataFrame:
    """Independent pandas computation: merge_asof of the earlier row's date, then cut."""
    earlier = pd.DataFrame({"date": panel.levels.index[:-1]})
    asof = pd.merge_asof(earlier, gauge.rename("g").rename_axis("date").reset_index(), on="date")
    frame = panel.changes.reset_index(drop=True).assign(g=asof["g"].to_numpy())
    bins = [-np.inf, 15, 20, 30, np.inf]
    names = ["calm", "normal", "elevated", "stress"]
    frame["regime"] = pd.cut(frame["g"], bins, right=False, labels=names)
    return frame


def test_regime_figures_match_pandas_groupby(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 500)
    panel = build_panel(a, b)
    gauge = _gauge(rng, panel)
    result = regimes(panel, gauge, "vix")
    frame = _expected(panel, gauge)
    for name, stats in result.by_name().items():
        group = frame[frame["regime"] == name]
        assert stats.days == len(group)
        if stats.days < 20:
            assert (stats.correlation, stats.beta, stats.a_mean) == (None, None, None)
            continue
        assert stats.correlation == pytest.approx(group["a"].corr(group["b"]), rel=1e-12)
        assert stats.beta == pytest.approx(group["a"].cov(group["b"]) / group["b"].var(), rel=1e-12)
        assert stats.a_mean == pytest.approx(group["a"].mean() * 252, rel=1e-12)
        assert stats.b_mean == pytest.approx(group["b"].mean() * 252, rel=1e-12)
    assert result.unclassified == 30 == int(frame["g"].isna().sum())
    assert sum(s.days for s in result.by_name().values()) + 30 == len(panel.changes)


def test_change_day_takes_the_gauge_of_the_previous_row() -> None:
    dates = business_days(4)
    panel = build_panel(
        series("aaa", dates, [1.0, 2.0, 3.0, 4.0]), series("bbb", dates, [4.0, 3.0, 2.0, 1.0])
    )
    gauge = pd.Series([10.0, 40.0, 40.0, 40.0], index=dates)
    result = regimes(panel, gauge)
    assert (result.calm.days, result.stress.days) == (1, 2)  # first change uses row 0's 10


def test_gauge_is_taken_as_of_the_earlier_row_on_its_own_calendar() -> None:
    dates = pd.to_datetime(["2024-07-02", "2024-07-05", "2024-07-08"])
    panel = build_panel(
        series("aaa", dates, [1.0, 2.0, 3.0]), series("bbb", dates, [3.0, 2.0, 1.0])
    )
    # the gauge has no 07-02 close, and a close on the 07-04 holiday that the panel lacks
    gauge = pd.Series(
        [16.0, 35.0, 25.0], index=pd.to_datetime(["2024-07-01", "2024-07-04", "2024-07-05"])
    )
    result = regimes(panel, gauge)
    assert (result.normal.days, result.elevated.days, result.stress.days) == (1, 1, 0)


def test_regimes_under_twenty_days_report_days_only(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 40)
    panel = build_panel(a, b)
    gauge = pd.Series(np.where(np.arange(40) < 25, 12.0, 35.0), index=panel.levels.index)
    result = regimes(panel, gauge)
    assert result.calm.days == 25 and result.calm.correlation is not None
    assert result.stress.days == 14
    assert (result.stress.correlation, result.stress.beta, result.stress.b_mean) == (None,) * 3
    assert result.normal.days == 0 and result.normal.a_mean is None
