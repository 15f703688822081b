"""Chart series: rebased legs, ratio band, spread, rolling lines against pandas and a loop."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from pairwatch.analytics.panel import Window, build_panel, select_window
from pairwatch.analytics.series import (
    ChartSeries,
    chart_series,
    chart_series_to_dict,
    ratio_band,
    rolling_beta,
    rolling_corr,
)
from pairwatch.domain import ChangeKind
from tests.analytics.factories import FloatArray, business_days, log_pair, random_walk, series

REL = 1e-9


@pytest.fixture
def window(rng: np.random.Generator) -> Window:
    a, b = log_pair(rng, 400)
    return select_window(build_panel(a, b), 120)


@pytest.fixture
def chart(window: Window) -> ChartSeries:
    return chart_series(window)


def _diff_window(rng: np.random.Generator, b_change: ChangeKind = ChangeKind.DIFF) -> Window:
    """A yield (diff) against a second leg of the given kind, 200 business days."""
    dates = business_days(200)
    a = series("yld", dates, 4 + np.cumsum(rng.normal(0, 0.05, 200)), change=ChangeKind.DIFF)
    b_levels = 2 + np.cumsum(rng.normal(0, 0.05, 200))
    if b_change == ChangeKind.LOG:
        b_levels = random_walk(rng, 200)
    b = series("oth", dates, b_levels, change=b_change)
    return select_window(build_panel(a, b), 90)


def _as_array(values: tuple[float | None, ...]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def test_dates_are_the_window_rows(window: Window, chart: ChartSeries) -> None:
    assert list(chart.dates) == [d.date() for d in window.levels.index]
    assert chart.dates[0] == window.start and chart.dates[-1] == window.end


def test_log_legs_are_rebased_to_exactly_100_on_adjusted_levels(
    window: Window, chart: ChartSeries
) -> None:
    assert chart.a.basis == chart.b.basis == "rebased"
    assert chart.a.values[0] == 100.0 and chart.b.values[0] == 100.0
    adj = window.levels["a_adj"]
    expected = (adj / adj.iloc[0] * 100).to_numpy()
    np.testing.assert_allclose(chart.a.values, expected, rtol=1e-13)
    # leg a's display close differs from its adjusted close: the rebase must use adj
    close = window.levels["a_close"]
    assert not np.allclose(chart.a.values, (close / close.iloc[0] * 100).to_numpy(), rtol=1e-6)


def test_ratio_band_matches_pandas_and_is_symmetric(window: Window, chart: ChartSeries) -> None:
    q = window.levels["a_close"] / window.levels["b_close"]
    assert chart.ratio is not None
    np.testing.assert_allclose(chart.ratio.values, q.to_numpy(), rtol=1e-15)
    assert chart.ratio.mean == pytest.approx(q.mean(), rel=1e-12)
    assert chart.ratio.std == pytest.approx(q.std(ddof=1), rel=1e-12)
    assert chart.ratio.upper == pytest.approx(q.mean() + 2 * q.std(), rel=1e-12)
    assert chart.ratio.lower is not None and chart.ratio.upper is not None
    assert chart.ratio.upper - chart.ratio.mean == pytest.approx(
        chart.ratio.mean - chart.ratio.lower, rel=1e-12
    )


def test_both_log_legs_have_no_spread_even_with_equal_units(window: Window) -> None:
    chart = chart_series(window, a_unit="USD", b_unit="USD")
    assert chart.spread is None and chart.ratio is not None


def test_diff_legs_show_raw_levels_and_a_spread_when_units_match(
    rng: np.random.Generator,
) -> None:
    window = _diff_window(rng)
    chart = chart_series(window, a_unit="percent", b_unit="percent")
    assert chart.a.basis == chart.b.basis == "level"
    np.testing.assert_array_equal(chart.a.values, window.levels["a_close"].to_numpy())
    assert chart.ratio is None
    expected = (window.levels["a_close"] - window.levels["b_close"]).to_numpy()
    assert chart.spread is not None
    np.testing.assert_allclose(chart.spread, expected, rtol=1e-15)


@pytest.mark.parametrize(("a_unit", "b_unit"), [("percent", "USD"), (None, None)])
def test_no_spread_when_units_differ_or_are_unknown(
    rng: np.random.Generator, a_unit: str | None, b_unit: str | None
) -> None:
    chart = chart_series(_diff_window(rng), a_unit=a_unit, b_unit=b_unit)
    assert chart.spread is None


def test_mixed_pair_rebases_only_the_log_leg(rng: np.random.Generator) -> None:
    chart = chart_series(_diff_window(rng, ChangeKind.LOG))
    assert (chart.a.basis, chart.b.basis) == ("level", "rebased")
    assert chart.b.values[0] == 100.0 and chart.ratio is None


@pytest.mark.parametrize(("field", "length"), [("correlation_20", 20), ("correlation_60", 60)])
def test_rolling_correlation_matches_pandas_over_the_whole_panel(
    window: Window, chart: ChartSeries, field: str, length: int
) -> None:
    moves = window.panel.changes
    expected = moves["a"].rolling(length).corr(moves["b"]).reindex(window.levels.index)
    got = _as_array(getattr(chart, field))
    np.testing.assert_allclose(got, expected.to_numpy(), rtol=REL, equal_nan=True)
    assert window.first_row > length and not math.isnan(got[0])  # history behind the start


def test_rolling_beta_matches_pandas_cov_over_var(window: Window, chart: ChartSeries) -> None:
    moves = window.panel.changes
    rolled = moves["a"].rolling(60).cov(moves["b"]) / moves["b"].rolling(60).var()
    expected = rolled.reindex(window.levels.index).to_numpy()
    np.testing.assert_allclose(_as_array(chart.beta_60), expected, rtol=REL)


def test_rolling_functions_match_an_explicit_loop(rng: np.random.Generator) -> None:
    a, b = rng.normal(size=90), rng.normal(size=90) + 0.3 * np.arange(90) / 90
    corr, slope = rolling_corr(a, b, 20), rolling_beta(a, b, 20)
    assert np.isnan(corr[:19]).all() and np.isnan(slope[:19]).all()
    for t in range(19, 90):
        xa, xb = a[t - 19 : t + 1], b[t - 19 : t + 1]
        assert corr[t] == pytest.approx(np.corrcoef(xa, xb)[0, 1], rel=1e-12)
        assert slope[t] == pytest.approx(np.cov(xa, xb, ddof=1)[0, 1] / np.var(xb, ddof=1))


def test_short_panel_has_none_until_enough_changes(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 40)
    chart = chart_series(select_window(build_panel(a, b), None))
    assert chart.correlation_60 == (None,) * 40 and chart.beta_60 == (None,) * 40
    assert chart.correlation_20[:20] == (None,) * 20  # row 0 has no change; 20th change on row 20
    assert all(v is not None for v in chart.correlation_20[20:])


def test_constant_leg_gives_none_not_nan(rng: np.random.Generator) -> None:
    dates = business_days(100)
    a = series("aaa", dates, random_walk(rng, 100))
    b = series("bbb", dates, np.r_[random_walk(rng, 30), np.full(70, 7.0)])
    chart = chart_series(select_window(build_panel(a, b), None))
    assert chart.correlation_20[-1] is None and chart.beta_60[-1] is None


def test_one_row_ratio_has_no_band() -> None:
    band = ratio_band(np.array([6.0]), np.array([3.0]))
    assert (band.values, band.mean, band.std, band.upper, band.lower) == (
        (2.0,),
        2.0,
        None,
        None,
        None,
    )


def test_to_dict_is_plain_json(window: Window, chart: ChartSeries) -> None:
    out = chart_series_to_dict(chart)
    assert list(out) == [
        "dates",
        "a",
        "b",
        "ratio",
        "spread",
        "correlation_20",
        "correlation_60",
        "beta_60",
    ]
    assert out["dates"][0] == window.start.isoformat()
    assert out["a"] == {"basis": "rebased", "values": list(chart.a.values)}
    assert set(out["ratio"]) == {"values", "mean", "std", "upper", "lower"}
    json.dumps(out, allow_nan=False)
    assert pd.Series(out["correlation_60"]).notna().all()
