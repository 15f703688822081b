"""Window statistics and the changes table, each against pandas or scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from pairwatch.analytics.panel import Window, build_panel, select_window
from pairwatch.analytics.stats import (
    WindowStats,
    beta,
    changes_table,
    correlation,
    spearman,
    window_stats,
)
from pairwatch.domain import ChangeKind
from pairwatch.errors import InsufficientDataError
from tests.analytics.factories import business_days, log_pair, random_walk, series

REL = 1e-12


@pytest.fixture
def window(rng: np.random.Generator) -> Window:
    a, b = log_pair(rng, 300)
    return select_window(build_panel(a, b), 90)


@pytest.fixture
def result(window: Window) -> WindowStats:
    return window_stats(window)


def _changes(window: Window) -> tuple[pd.Series, pd.Series]:
    return window.changes["a"], window.changes["b"]


def test_counts_and_dates(window: Window, result: WindowStats) -> None:
    levels = window.levels
    assert result.observations == len(levels) == result.nobs + 1
    assert result.start == levels.index[0].date() and result.end == levels.index[-1].date()
    assert result.window == 90
    assert (levels.index[-1] - levels.index[0]).days < 90


def test_correlation_matches_pandas_and_scipy(window: Window, result: WindowStats) -> None:
    ra, rb = _changes(window)
    assert result.correlation == pytest.approx(ra.corr(rb), rel=REL)
    assert result.correlation == pytest.approx(sps.pearsonr(ra, rb).statistic, rel=REL)
    assert result.r_squared == pytest.approx(sps.linregress(rb, ra).rvalue ** 2, rel=REL)
    tail = ra.iloc[-20:].corr(rb.iloc[-20:])
    assert result.rolling_correlation == pytest.approx(tail, rel=REL)


def test_correlation_interval_is_fisher_z(window: Window, result: WindowStats) -> None:
    ra, rb = _changes(window)
    r, n = ra.corr(rb), len(ra)
    half = sps.norm.ppf(0.975) / np.sqrt(n - 3)
    expected = np.tanh([np.arctanh(r) - half, np.arctanh(r) + half])
    assert result.correlation_ci == pytest.approx(tuple(expected), rel=1e-12)


def test_spearman_matches_scipy_and_pandas_ranks(window: Window, result: WindowStats) -> None:
    ra, rb = _changes(window)
    assert result.spearman == pytest.approx(sps.spearmanr(ra, rb).statistic, rel=REL)
    assert result.spearman == pytest.approx(ra.rank().corr(rb.rank()), rel=REL)


def test_spearman_with_ties_uses_average_ranks(rng: np.random.Generator) -> None:
    x = np.round(rng.normal(size=200), 1)
    y = np.round(x + rng.normal(size=200), 1)
    assert spearman(x, y) == pytest.approx(sps.spearmanr(x, y).statistic, rel=REL)


def test_beta_and_its_standard_error_match_linregress(window: Window, result: WindowStats) -> None:
    ra, rb = _changes(window)
    fit = sps.linregress(rb, ra)
    assert result.beta == pytest.approx(ra.cov(rb) / rb.var(), rel=REL)
    assert result.beta == pytest.approx(fit.slope, rel=REL)
    assert result.beta_se == pytest.approx(fit.stderr, rel=1e-10)


def test_beta_of_two_x_plus_c_on_x_is_two(rng: np.random.Generator) -> None:
    x = rng.normal(size=100)
    assert beta(2 * x + 0.3, x) == pytest.approx(2.0, rel=1e-14)


def test_beta_ab_times_beta_ba_is_r_squared(rng: np.random.Generator) -> None:
    x = rng.normal(size=100)
    y = 0.5 * x + rng.normal(size=100)
    r = correlation(x, y)
    assert r is not None
    assert beta(x, y) * beta(y, x) == pytest.approx(r * r, rel=1e-13)  # type: ignore[operator]


def test_constant_leg_has_no_correlation_or_beta() -> None:
    x = np.array([0.1, -0.2, 0.3, 0.0])
    assert correlation(x, np.zeros(4)) is None
    assert beta(x, np.zeros(4)) is None


def test_leg_figures_match_pandas(window: Window, result: WindowStats) -> None:
    levels = window.levels
    close, adj = levels["a_close"], levels["a_adj"]
    leg = result.a
    assert (leg.last, leg.first) == (close.iloc[-1], close.iloc[0])
    assert (leg.high, leg.low) == (close.max(), close.min())
    assert leg.change == pytest.approx(adj.iloc[-1] / adj.iloc[0] - 1, rel=REL)
    assert leg.change != pytest.approx(close.iloc[-1] / close.iloc[0] - 1, rel=1e-6)
    assert leg.volatility == pytest.approx(window.changes["a"].std() * math.sqrt(252), rel=REL)
    assert leg.max_drawdown == pytest.approx((adj / adj.cummax() - 1).min(), rel=REL)


def test_ratio_on_display_levels(window: Window, result: WindowStats) -> None:
    q = window.levels["a_close"] / window.levels["b_close"]
    ratio = result.ratio
    assert ratio is not None
    assert ratio.last == q.iloc[-1] and ratio.min == q.min() and ratio.max == q.max()
    assert ratio.mean == pytest.approx(q.mean(), rel=REL)
    assert ratio.std == pytest.approx(q.std(), rel=REL)
    assert ratio.zscore == pytest.approx((q.iloc[-1] - q.mean()) / q.std(), rel=1e-10)
    weak = sps.percentileofscore(q, q.iloc[-1], kind="weak")
    assert ratio.percentile == pytest.approx(weak, rel=REL)
    assert result.relative_performance == pytest.approx(result.a.change - result.b.change)


def test_diff_legs_have_no_ratio_and_differences_for_change(rng: np.random.Generator) -> None:
    dates = business_days(60)
    spread = 3 + np.cumsum(rng.normal(0, 0.05, 60))
    rate = series("rate", dates, spread, change=ChangeKind.DIFF)
    fund = series("fund", dates, random_walk(rng, 60))
    window = select_window(build_panel(rate, fund), None)
    result = window_stats(window)
    assert result.ratio is None and result.relative_performance is None
    levels = window.levels["a_adj"]
    assert result.a.change == pytest.approx(levels.iloc[-1] - levels.iloc[0], rel=REL)
    assert result.a.max_drawdown == pytest.approx((levels - levels.cummax()).min(), rel=REL)
    diffs = levels.diff().dropna()
    assert result.a.volatility == pytest.approx(diffs.std() * math.sqrt(252), rel=1e-10)


def test_stats_needs_ten_changes(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 10)
    with pytest.raises(InsufficientDataError) as caught:
        window_stats(select_window(build_panel(a, b), None))
    assert (caught.value.needed, caught.value.have) == (10, 9)


def test_rolling_correlation_needs_twenty_changes(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 20)
    assert window_stats(select_window(build_panel(a, b), None)).rolling_correlation is None
    a, b = log_pair(rng, 21)
    assert window_stats(select_window(build_panel(a, b), None)).rolling_correlation is not None


def test_changes_table_by_hand() -> None:
    dates = pd.to_datetime(
        [
            "2023-12-29",
            "2024-09-30",
            "2024-12-31",
            "2025-03-31",
            "2025-06-27",
            "2025-06-30",
            "2025-07-01",
        ]
    )
    close = pd.Series([50.0, 80.0, 100.0, 90.0, 110.0, 120.0, 126.0], index=dates)
    row = changes_table(close, ChangeKind.LOG)
    assert row.last == 126.0 and row.date.isoformat() == "2025-07-01"
    assert row.one_day == pytest.approx(126 / 120 - 1)  # 2025-06-30
    assert row.one_week == pytest.approx(126 / 90 - 1)  # on or before 06-24: 03-31
    assert row.one_month == pytest.approx(126 / 90 - 1)  # 06-01 -> 03-31
    assert row.three_months == pytest.approx(126 / 90 - 1)  # 2025-03-31 itself
    assert row.ytd == pytest.approx(126 / 100 - 1)  # 2024-12-31
    assert row.one_year == pytest.approx(126 / 50 - 1)  # 2024-07-01 -> 2023-12-29
    short = changes_table(close.iloc[-3:], ChangeKind.DIFF)
    assert short.one_day == pytest.approx(6.0)
    assert short.three_months is None and short.one_year is None and short.ytd is None
