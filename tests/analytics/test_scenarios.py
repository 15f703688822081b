"""Scenarios: the shock table against statsmodels' prediction intervals, and the replay."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from pairwatch.analytics.panel import Panel, Window, build_panel, select_window
from pairwatch.analytics.scenarios import (
    STRESS_EPISODES,
    fit_line,
    largest_rise,
    prediction,
    scenarios,
    scenarios_to_dict,
    shock_table,
    stress_episodes,
)
from pairwatch.domain import ChangeKind
from pairwatch.errors import InsufficientDataError
from tests.analytics.factories import (
    FloatArray,
    business_days,
    levels_from_changes,
    log_pair,
    random_walk,
    series,
)

REL = 1e-9
SD_LABELS = ["-2 sd", "-1 sd", "+1 sd", "+2 sd", "+3 sd"]
BINS = [-np.inf, 15, 20, 30, np.inf]
NAMES = ["calm", "normal", "elevated", "stress"]


def _statsmodels(y: FloatArray, x: FloatArray, x0: float) -> tuple[float, float, float]:
    """Expected value and 90% prediction interval at x0, by statsmodels."""
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    frame = fit.get_prediction(np.array([[1.0, x0]])).summary_frame(alpha=0.10)
    row = frame.iloc[0]
    return float(row["mean"]), float(row["obs_ci_lower"]), float(row["obs_ci_upper"])


def _moves(window: Window) -> tuple[FloatArray, FloatArray]:
    return window.changes["a"].to_numpy(), window.changes["b"].to_numpy()


@pytest.fixture
def window(rng: np.random.Generator) -> Window:
    a, b = log_pair(rng, 300)
    return select_window(build_panel(a, b), 180)


def _vix_panel(rng: np.random.Generator, n: int = 1500) -> Panel:
    """An equity against a mean-reverting VIX-like gauge that visits every regime."""
    log_vix = np.empty(n)
    log_vix[0] = math.log(18.0)
    shocks = rng.normal(0.0, 0.07, n)
    for t in range(1, n):
        log_vix[t] = log_vix[t - 1] + 0.03 * (math.log(19.0) - log_vix[t - 1]) + shocks[t]
    vix = np.exp(log_vix)
    rb = np.diff(log_vix)
    ra = -0.12 * rb * (1 + (vix[:-1] > 25)) + rng.normal(0.0, 0.008, n - 1)
    dates = business_days(n, "2010-01-01")
    return build_panel(series("eqty", dates, levels_from_changes(ra)), series("vix", dates, vix))


def test_shock_table_matches_statsmodels_prediction_intervals(window: Window) -> None:
    table = shock_table(window)
    ra, rb = _moves(window)
    assert [s.label for s in table.shocks] == [*SD_LABELS, "-10%"]
    for shock in table.shocks:
        assert shock.a is not None
        expected, lower, upper = _statsmodels(ra, rb, shock.b_change)
        assert shock.a.change == pytest.approx(expected, rel=REL)
        assert shock.a.lower == pytest.approx(lower, rel=REL)
        assert shock.a.upper == pytest.approx(upper, rel=REL)
        assert shock.a.percent == pytest.approx(math.expm1(expected), rel=REL)
        assert shock.a.percent_lower == pytest.approx(math.expm1(lower), rel=REL)
        assert shock.regime is None and shock.regime_a is None


def test_shock_sizes_are_window_standard_deviations(window: Window) -> None:
    table = shock_table(window)
    sd = window.changes["b"].std(ddof=1)
    assert table.b_sd == pytest.approx(sd, rel=1e-12)
    for shock, k in zip(table.shocks, [-2, -1, 1, 2, 3], strict=False):
        assert (shock.kind, shock.size) == ("sd", k)
        assert shock.b_change == pytest.approx(k * sd, rel=1e-12)
        assert shock.b_percent == pytest.approx(math.expm1(k * sd), rel=1e-12)
        assert shock.b_level == pytest.approx(table.b_last * math.exp(k * sd), rel=1e-12)
    drop = table.shocks[-1]
    assert (drop.kind, drop.size, drop.b_change) == ("percent", -0.10, math.log(0.9))
    assert drop.b_level == pytest.approx(0.9 * table.b_last, rel=1e-12)
    assert table.b_last == window.levels["b_close"].iloc[-1]


def test_alpha_and_beta_match_ols_and_a_zero_shock_gives_alpha(window: Window) -> None:
    table = shock_table(window)
    ra, rb = _moves(window)
    alpha, slope = sm.OLS(ra, sm.add_constant(rb)).fit().params
    assert table.alpha == pytest.approx(alpha, rel=REL)
    assert table.beta == pytest.approx(slope, rel=REL)
    fit = fit_line(ra, rb)
    assert fit is not None
    mid, lo, hi = prediction(fit, 0.0)
    assert mid == fit.alpha
    assert mid - lo == pytest.approx(hi - mid, rel=1e-12)


def test_interval_widens_away_from_the_mean_of_b(window: Window) -> None:
    table = shock_table(window)
    widths = [s.a.upper - s.a.lower for s in table.shocks[:5] if s.a is not None]
    assert widths[0] > widths[1] and widths[4] > widths[3] > widths[2]


def test_a_equal_to_twice_b_gives_twice_the_shock_with_a_zero_width_band(
    rng: np.random.Generator,
) -> None:
    dates = business_days(120)
    b_levels = 3 + np.cumsum(rng.normal(0, 0.05, 120))
    a = series("twice", dates, 2 * b_levels, change=ChangeKind.DIFF)
    b = series("base", dates, b_levels, change=ChangeKind.DIFF)
    table = shock_table(select_window(build_panel(a, b), None))
    assert [s.label for s in table.shocks] == SD_LABELS  # no natural shock for a diff B
    assert (table.alpha, table.beta) == (0.0, 2.0)
    for shock in table.shocks:
        assert shock.a is not None
        assert shock.a.change == 2 * shock.b_change
        assert shock.a.lower == shock.a.upper == shock.a.change
        assert shock.a.percent is None and shock.b_percent is None
        assert shock.b_level == pytest.approx(b_levels[-1] + shock.b_change, rel=1e-12)


def test_vol_index_gets_point_shocks_at_its_last_level(rng: np.random.Generator) -> None:
    panel = _vix_panel(rng)
    table = shock_table(select_window(panel, 90), b_is_vol_index=True)
    last = panel.levels["b_close"].iloc[-1]
    assert [s.label for s in table.shocks] == [*SD_LABELS, "+5 pts", "+10 pts"]
    five, ten = table.shocks[-2:]
    assert five.b_change == pytest.approx(math.log((last + 5) / last), rel=1e-12)
    assert ten.b_change == pytest.approx(math.log((last + 10) / last), rel=1e-12)
    assert ten.b_level == pytest.approx(last + 10, rel=1e-12)
    assert (five.kind, five.size) == ("points", 5.0)


def test_regime_projection_uses_the_regime_the_shocked_gauge_lands_in(
    rng: np.random.Generator,
) -> None:
    panel = _vix_panel(rng)
    window = select_window(panel, 90)
    table = shock_table(window, b_is_vol_index=True, b_is_gauge=True)
    gauge_before = panel.levels["b_close"].iloc[:-1].to_numpy()
    labels = pd.cut(gauge_before, BINS, right=False, labels=NAMES)
    ra, rb = panel.changes["a"].to_numpy(), panel.changes["b"].to_numpy()
    last = panel.levels["b_close"].iloc[-1]
    assert table.gauge_level == last
    landed = set()
    for shock in table.shocks:
        level = last * math.exp(shock.b_change)
        name = str(pd.cut([level], BINS, right=False, labels=NAMES)[0])
        in_regime = np.asarray(labels == name)
        assert (shock.regime, shock.regime_days) == (name, int(in_regime.sum()))
        assert shock.regime_a is not None and in_regime.sum() >= 20
        expected, lower, upper = _statsmodels(ra[in_regime], rb[in_regime], shock.b_change)
        assert shock.regime_a.change == pytest.approx(expected, rel=REL)
        assert shock.regime_a.lower == pytest.approx(lower, rel=REL)
        assert shock.regime_a.upper == pytest.approx(upper, rel=REL)
        landed.add(name)
    assert len(landed) >= 2  # the shocks reach more than one regime


def test_shock_to_a_non_gauge_b_moves_the_gauge_by_its_window_slope(
    rng: np.random.Generator,
) -> None:
    panel = _vix_panel(rng)  # legs a and b; use b's closes as a separate gauge series
    gauge = panel.levels["b_close"] * 1.0
    swapped = select_window(panel, 90)
    table = shock_table(swapped, b_is_gauge=False, gauge=gauge)
    # the gauge here is B itself, so the fitted slope must be one: same regimes as before
    direct = shock_table(swapped, b_is_gauge=True, gauge=gauge)
    assert [s.regime for s in table.shocks] == [s.regime for s in direct.shocks]
    # and against statsmodels on a gauge that moves at half B's pace
    half = pd.Series(
        gauge.iloc[0] * np.exp(0.5 * np.log(gauge / gauge.iloc[0]).to_numpy()), index=gauge.index
    )
    table = shock_table(swapped, gauge=half)
    rb = swapped.changes["b"].to_numpy()
    g = np.log(half.loc[swapped.levels.index].to_numpy())
    slope = sm.OLS(np.diff(g), sm.add_constant(rb)).fit().params[1]
    assert slope == pytest.approx(0.5, rel=1e-9)
    for shock in table.shocks:
        level = half.iloc[-1] * math.exp(slope * shock.b_change)
        assert shock.regime == str(pd.cut([level], BINS, right=False, labels=NAMES)[0])
        assert shock.regime_a is not None


def test_no_gauge_no_regime_columns(window: Window) -> None:
    table = shock_table(window)
    assert all(s.regime is None and s.regime_a is None for s in table.shocks)


def test_regime_gauge_series_on_its_own_calendar(rng: np.random.Generator) -> None:
    panel = _vix_panel(rng, 400)
    gauge = pd.Series(40.0, index=panel.levels.index[:-5])  # always stress, ends early
    table = shock_table(select_window(panel, 90), b_is_gauge=True, gauge=gauge)
    assert table.gauge_level == 40.0
    assert {s.regime for s in table.shocks} == {"stress"}
    assert {s.regime_days for s in table.shocks} == {399}


def test_regime_with_under_20_days_has_no_projection(rng: np.random.Generator) -> None:
    panel = _vix_panel(rng, 400)
    index = panel.levels.index
    gauge = pd.Series(np.where(np.arange(len(index)) < 10, 12.0, 25.0), index=index)
    gauge.iloc[-1] = 14.0  # today calm; calm has only 10 change days behind it
    table = shock_table(select_window(panel, 90), b_is_gauge=True, gauge=gauge)
    calm = [s for s in table.shocks if s.regime == "calm"]
    assert calm and all(s.regime_days == 10 and s.regime_a is None for s in calm)


def test_shock_table_needs_ten_changes(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 10)
    with pytest.raises(InsufficientDataError, match="scenarios needs 10 changes; 9 available"):
        shock_table(select_window(build_panel(a, b), None))


def test_constant_b_has_no_fit(rng: np.random.Generator) -> None:
    dates = business_days(30)
    a = series("aaa", dates, random_walk(rng, 30))
    b = series("bbb", dates, np.full(30, 5.0))
    table = shock_table(select_window(build_panel(a, b), None))
    assert table.alpha is None and all(s.a is None for s in table.shocks)
    assert table.b_sd == 0.0


# --- stress replay ---------------------------------------------------------------------


def _history(rng: np.random.Generator, start: str, n: int) -> Panel:
    a, b = log_pair(rng, n, start=start)
    return build_panel(a, b)


def _inside(frame: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    return frame.loc[pd.Timestamp(start) : pd.Timestamp(end)]


def test_covid_episode_matches_pandas(rng: np.random.Generator) -> None:
    panel = _history(rng, "2019-07-01", 260)
    episodes = {e.key: e for e in stress_episodes(panel)}
    covid = episodes["covid"]
    levels = _inside(panel.levels, covid.start, covid.end)
    assert covid.covered and covid.rows == len(levels) == 24
    assert (covid.first, covid.last) == (levels.index[0].date(), levels.index[-1].date())
    for leg, got in (("a", covid.a), ("b", covid.b)):
        adj = levels[f"{leg}_adj"]
        assert got is not None
        assert got.change == pytest.approx(adj.iloc[-1] / adj.iloc[0] - 1, rel=1e-12)
        assert got.max_drawdown == pytest.approx((adj / adj.cummax() - 1).min(), rel=1e-12)
        assert got.max_rise == pytest.approx((adj / adj.cummin() - 1).max(), rel=1e-12)
    moves = _inside(panel.changes, levels.index[1].date(), covid.end)
    assert len(moves) == 23
    assert covid.correlation == pytest.approx(moves["a"].corr(moves["b"]), rel=1e-12)
    for key in ("gfc", "us_downgrade", "china_deval", "volmageddon", "bear_2022"):
        assert not episodes[key].covered and episodes[key].a is None
    assert [e.key for e in stress_episodes(panel)] == [spec[0] for spec in STRESS_EPISODES]


def test_a_long_history_covers_every_episode(rng: np.random.Generator) -> None:
    panel = _history(rng, "2008-01-01", 3900)
    episodes = stress_episodes(panel)
    assert all(e.covered and e.correlation is not None for e in episodes)
    assert {e.key: e.rows for e in episodes}["volmageddon"] == 11


def test_diff_leg_episode_is_in_units(rng: np.random.Generator) -> None:
    dates = business_days(60, "2018-01-02")
    spread = 3 + np.cumsum(rng.normal(0, 0.1, 60))
    panel = build_panel(
        series("aaa", dates, random_walk(rng, 60)),
        series("oas", dates, spread, change=ChangeKind.DIFF),
    )
    volmageddon = {e.key: e for e in stress_episodes(panel)}["volmageddon"]
    x = _inside(panel.levels, volmageddon.start, volmageddon.end)["b_adj"]
    assert volmageddon.b is not None
    assert volmageddon.b.change == pytest.approx(x.iloc[-1] - x.iloc[0], rel=1e-12)
    assert volmageddon.b.max_drawdown == pytest.approx((x - x.cummax()).min(), rel=1e-12)
    assert volmageddon.b.max_rise == pytest.approx((x - x.cummin()).max(), rel=1e-12)


def test_coverage_needs_five_rows_and_correlation_five_changes(rng: np.random.Generator) -> None:
    # Volmageddon 2018-01-26..2018-02-09: a panel ending 2018-02-01 has 5 rows inside,
    # one ending 2018-01-31 has 4.
    five = _history(rng, "2017-10-02", 89)
    assert five.levels.index[-1] == pd.Timestamp("2018-02-01")
    episode = {e.key: e for e in stress_episodes(five)}["volmageddon"]
    assert (episode.covered, episode.rows, episode.correlation) == (True, 5, None)
    four = _history(rng, "2017-10-02", 88)
    episode = {e.key: e for e in stress_episodes(four)}["volmageddon"]
    assert (episode.covered, episode.rows, episode.first, episode.a) == (False, 4, None, None)


def _brute_force_rise(gauge: pd.Series) -> tuple[int, float]:
    best, where = -math.inf, -1
    for i in range(len(gauge) - 20):
        rise = gauge.iloc[i + 20] - gauge.iloc[i]
        if rise > best:
            best, where = rise, i
    return where, best


def test_largest_gauge_rise_is_found_inside_the_panel_range(rng: np.random.Generator) -> None:
    panel = _history(rng, "2019-01-01", 300)
    dates = pd.bdate_range("2018-06-01", "2020-06-30")
    gauge = pd.Series(15 + np.cumsum(rng.normal(0, 0.3, len(dates))), index=dates)
    gauge.loc["2018-07-02":"2018-07-31"] += np.linspace(0, 60, 22)  # before the panel
    gauge.loc["2019-09-02":"2019-09-30"] += np.linspace(0, 25, 21)
    inside = gauge.loc[panel.levels.index[0] : panel.levels.index[-1]]
    where, rise = _brute_force_rise(inside)
    found = largest_rise(gauge, panel.levels.index[0].date(), panel.levels.index[-1].date())
    assert found == (inside.index[where].date(), inside.index[where + 20].date(), rise)
    spike = stress_episodes(panel, gauge, "vix")[-1]
    assert (spike.key, spike.name) == ("largest_gauge_rise", "Largest VIX 20-day rise")
    assert (spike.start, spike.end, spike.gauge_rise) == found
    assert spike.covered and spike.rows == 21
    assert dt.date(2019, 9, 2) <= spike.start <= dt.date(2019, 9, 30)


def test_no_gauge_rise_without_21_gauge_rows(rng: np.random.Generator) -> None:
    panel = _history(rng, "2019-01-01", 100)
    gauge = pd.Series(20.0, index=panel.levels.index[:20])
    assert len(stress_episodes(panel, gauge)) == len(STRESS_EPISODES)


def test_scenarios_json_is_plain(rng: np.random.Generator) -> None:
    panel = _vix_panel(rng)
    result = scenarios(select_window(panel, 90), b_is_vol_index=True, b_is_gauge=True)
    out = scenarios_to_dict(result)
    assert list(out) == ["shocks", "episodes"]
    shocks = out["shocks"]
    assert list(shocks) == [
        "start", "end", "nobs", "confidence", "alpha", "beta", "b_sd", "b_last",
        "gauge_level", "shocks",
    ]  # fmt: skip
    assert list(shocks["shocks"][0]) == [
        "label", "kind", "size", "b_change", "b_percent", "b_level", "a", "regime",
        "regime_days", "regime_a",
    ]  # fmt: skip
    assert set(shocks["shocks"][0]["a"]) == {
        "change", "lower", "upper", "percent", "percent_lower", "percent_upper",
    }  # fmt: skip
    assert out["episodes"][0]["covered"] is False and out["episodes"][0]["a"] is None
    covered = [e for e in out["episodes"] if e["covered"]]
    assert covered and set(covered[0]["a"]) == {"change", "max_drawdown", "max_rise"}
    json.dumps(out, allow_nan=False)
