"""Correlation stability: rolling history against pandas, percentile, and sign-flip episodes."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from pairwatch.analytics.panel import Panel, build_panel
from pairwatch.analytics.stability import (
    StabilityResult,
    correlation_stability,
    runs,
    stability_to_dict,
)
from pairwatch.errors import InsufficientDataError
from tests.analytics.factories import business_days, levels_from_changes, log_pair, series

REL = 1e-9


@pytest.fixture
def panel(rng: np.random.Generator) -> Panel:
    a, b = log_pair(rng, 500, rho=-0.3)
    return build_panel(a, b)


@pytest.fixture
def result(panel: Panel) -> StabilityResult:
    return correlation_stability(panel)


def _pandas_rolling(panel: Panel) -> pd.Series:
    """The 60-change rolling correlation by pandas, from the 60th change on."""
    moves = panel.changes
    return moves["a"].rolling(60).corr(moves["b"]).iloc[59:]


def _flip_panel(segment: int, factor: float, start: int = 150, n: int = 300) -> Panel:
    """B alternates +/-1%, A = B except A = -factor x B on `segment` changes from `start`.

    In every 60-change run B has exactly 30 up and 30 down moves, so the rolling
    correlation's sign is the sign of (ups - factor x downs) of A's agreement: it turns
    negative once enough of the segment is inside the run.
    """
    rb = 0.01 * np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    sign = np.ones(n)
    sign[start : start + segment] = -factor
    dates = business_days(n + 1)
    a = series("aaa", dates, levels_from_changes(sign * rb))
    b = series("bbb", dates, levels_from_changes(rb, 20.0))
    return build_panel(a, b)


def _expected_runs(rolling: pd.Series, sign: int) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Runs of opposite sign of at least 20 values, by a plain loop over itertools.groupby."""
    found, position = [], 0
    for flipped, group in itertools.groupby(rolling.to_numpy() * sign < 0):
        length = len(list(group))
        if flipped and length >= 20:
            found.append((rolling.index[position], rolling.index[position + length - 1], length))
        position += length
    return found


def test_rolling_series_matches_pandas(panel: Panel, result: StabilityResult) -> None:
    expected = _pandas_rolling(panel)
    assert list(result.dates) == [d.date() for d in expected.index]
    np.testing.assert_allclose(np.array(result.values, dtype=float), expected, rtol=REL)
    assert result.nobs == len(panel.changes) == 499 and len(result.values) == 440


def test_summary_figures_match_pandas_and_scipy(panel: Panel, result: StabilityResult) -> None:
    rolling = _pandas_rolling(panel)
    current = rolling.iloc[-1]
    assert result.current == pytest.approx(current, rel=REL)
    assert result.percentile == pytest.approx(
        sps.percentileofscore(rolling, current, kind="weak"), rel=1e-12
    )
    assert result.mean == pytest.approx(rolling.mean(), rel=REL)
    assert result.min == pytest.approx(rolling.min(), rel=REL)
    assert result.max == pytest.approx(rolling.max(), rel=REL)
    assert result.share_positive == pytest.approx((rolling > 0).mean(), rel=1e-12)
    assert result.long_run == pytest.approx(panel.changes["a"].corr(panel.changes["b"]), rel=REL)
    assert result.long_run_sign == -1


def test_a_40_change_flip_gives_exactly_one_episode_with_its_dates() -> None:
    panel = _flip_panel(segment=25, factor=1.7)  # flips once 23 of 60 changes are inside
    result = correlation_stability(panel)
    assert result.long_run_sign == 1
    assert len(result.episodes) == 1
    episode = result.episodes[0]
    # analytically: rolling values ending at changes 150 + 22 .. 150 + 61
    dates = panel.changes.index
    assert (episode.start, episode.end) == (dates[172].date(), dates[211].date())
    assert episode.length == 40
    rolling = _pandas_rolling(panel)
    assert _expected_runs(rolling, 1) == [(dates[172], dates[211], 40)]
    assert episode.extreme == pytest.approx(rolling.min(), rel=REL)
    assert episode.mean_gauge is None


def test_a_19_change_flip_is_too_short_to_count() -> None:
    panel = _flip_panel(segment=42, factor=0.45)  # flips once 42 of 60 are inside: 19 values
    result = correlation_stability(panel)
    rolling = _pandas_rolling(panel)
    assert int((rolling < 0).sum()) == 19
    assert result.episodes == ()


def test_flip_against_a_negative_long_run_reports_the_highest_value(
    rng: np.random.Generator,
) -> None:
    ra = 0.01 * rng.normal(size=400)
    rb = -ra + 0.01 * rng.normal(size=400)
    rb[200:260] = ra[200:260] + 0.002 * rng.normal(size=60)
    dates = business_days(401)
    panel = build_panel(
        series("aaa", dates, levels_from_changes(ra)), series("bbb", dates, levels_from_changes(rb))
    )
    result = correlation_stability(panel)
    rolling = _pandas_rolling(panel)
    expected = _expected_runs(rolling, -1)
    assert result.long_run_sign == -1 and len(expected) >= 1
    got = [(e.start, e.end, e.length) for e in result.episodes]
    assert got == [(s.date(), e.date(), n) for s, e, n in expected]
    for episode, (start, end, _) in zip(result.episodes, expected, strict=True):
        assert episode.extreme == pytest.approx(rolling.loc[start:end].max(), rel=REL)
        assert episode.extreme > 0


def test_mean_gauge_is_the_gauge_as_of_each_date_in_the_run() -> None:
    panel = _flip_panel(segment=25, factor=1.7)
    # the gauge has its own calendar: every other panel date, plus a weekend value
    gauge_dates = panel.levels.index[::2].union(pd.DatetimeIndex(["2020-08-01"]))
    gauge = pd.Series(np.arange(len(gauge_dates), dtype=float) + 10, index=gauge_dates)
    episode = correlation_stability(panel, gauge).episodes[0]
    run = pd.DataFrame({"date": panel.changes.index[172:212]})
    frame = gauge.rename("g").rename_axis("date").reset_index()
    expected = pd.merge_asof(run, frame, on="date")["g"].mean()
    assert episode.mean_gauge == pytest.approx(expected, rel=1e-12)


def test_runs_finds_maximal_true_stretches() -> None:
    starts, ends = runs(np.array([True, True, False, True, False, False, True]))
    assert starts.tolist() == [0, 3, 6] and ends.tolist() == [2, 4, 7]


def test_needs_60_plus_20_changes(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 80)
    with pytest.raises(InsufficientDataError) as err:
        correlation_stability(build_panel(a, b))
    assert (err.value.needed, err.value.have) == (80, 79)
    assert "correlation stability needs 80 changes; 79 available" in str(err.value)
    a, b = log_pair(rng, 81)
    assert len(correlation_stability(build_panel(a, b)).values) == 21


def test_to_dict_is_plain_json(result: StabilityResult) -> None:
    panel = _flip_panel(segment=25, factor=1.7)
    out = stability_to_dict(correlation_stability(panel))
    assert out["episodes"] == [
        {
            "start": panel.changes.index[172].date().isoformat(),
            "end": panel.changes.index[211].date().isoformat(),
            "length": 40,
            "extreme": out["episodes"][0]["extreme"],
            "mean_gauge": None,
        }
    ]
    full = stability_to_dict(result)
    assert set(full) == {
        "length",
        "min_episode",
        "nobs",
        "current",
        "percentile",
        "mean",
        "min",
        "max",
        "share_positive",
        "long_run",
        "long_run_sign",
        "episodes",
        "series",
    }
    assert full["series"]["dates"][0] == result.dates[0].isoformat()
    json.dumps(full, allow_nan=False)
