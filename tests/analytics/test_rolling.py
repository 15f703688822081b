"""Rolling regressions, divergences and the hedge, against a loop of statsmodels OLS fits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from pairwatch.analytics.divergence import divergence_days
from pairwatch.analytics.hedge import downside_capture, hedge
from pairwatch.analytics.panel import Window, build_panel, select_window
from pairwatch.analytics.rolling import out_of_sample_days, rolling_ols, window_fit
from pairwatch.analytics.stats import beta
from pairwatch.errors import InsufficientDataError
from tests.analytics.factories import FloatArray, log_pair


def _ols_loop(y: FloatArray, x: FloatArray, targets: list[int]) -> pd.DataFrame:
    """One statsmodels OLS per target day over the 60 changes before it."""
    rows = []
    for t in targets:
        fit = sm.OLS(y[t - 60 : t], sm.add_constant(x[t - 60 : t])).fit()
        alpha, slope = fit.params
        expected = alpha + slope * x[t]
        rows.append(
            {
                "alpha": alpha,
                "beta": slope,
                "s": math.sqrt(fit.ssr / 58),
                "z": (y[t] - expected) / math.sqrt(fit.ssr / 58),
                "expected": expected,
            }
        )
    return pd.DataFrame(rows, index=targets)


@pytest.fixture
def window(rng: np.random.Generator) -> Window:
    a, b = log_pair(rng, 400, rho=-0.5)
    return select_window(build_panel(a, b), 180)


def _moves(window: Window) -> tuple[FloatArray, FloatArray]:
    changes = window.panel.changes
    return changes["a"].to_numpy(), changes["b"].to_numpy()


def test_rolling_ols_matches_statsmodels(window: Window) -> None:
    ra, rb = _moves(window)
    days = out_of_sample_days(window)
    fit = rolling_ols(ra, rb, days)
    expected = _ols_loop(ra, rb, days.tolist())
    np.testing.assert_allclose(fit.alpha, expected["alpha"], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(fit.beta, expected["beta"], rtol=1e-10)
    np.testing.assert_allclose(fit.scale, expected["s"], rtol=1e-10)


def test_out_of_sample_days_need_sixty_earlier_changes(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 100)
    whole = select_window(build_panel(a, b), None)
    days = out_of_sample_days(whole)
    assert days[0] == 60 and days[-1] == 98 and len(days) == 39


def test_rolling_beta_undefined_where_b_is_constant() -> None:
    x = np.concatenate([np.zeros(60), np.arange(10.0)])
    y = np.arange(70.0)
    fit = rolling_ols(y, x, np.array([60, 69]))
    assert math.isnan(fit.beta[0]) and math.isnan(fit.scale[0])
    assert math.isfinite(fit.beta[1])


def test_divergences_match_the_statsmodels_loop(window: Window) -> None:
    ra, rb = _moves(window)
    expected = _ols_loop(ra, rb, out_of_sample_days(window).tolist())
    hits = expected[expected["z"].abs() >= 2.5]
    found = divergence_days(window)
    dates = window.panel.changes.index
    assert [d.date for d in found] == [dates[i].date() for i in hits.index]
    for day, i in zip(found, hits.index, strict=True):
        row = hits.loc[i]
        assert (day.a_change, day.b_change) == (ra[i], rb[i])
        assert day.expected_a_change == pytest.approx(row["expected"], rel=1e-9, abs=1e-15)
        assert day.z == pytest.approx(row["z"], rel=1e-9)


def test_a_planted_shock_is_a_divergence(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 150, rho=0.0)
    adj = a.levels["adj"].to_numpy().copy()
    adj[140:] *= 1.2  # a 20% jump on day 140 that B does not share
    shocked = a.levels.assign(adj=adj, close=adj)
    a = type(a)(a.metric, shocked)
    found = divergence_days(select_window(build_panel(a, b), 30))
    assert a.levels.index[140].date() in [d.date for d in found]
    assert all(abs(d.z) >= 2.5 for d in found)
    assert [d.date for d in found] == sorted(d.date for d in found)


def test_hedge_matches_the_statsmodels_loop(window: Window) -> None:
    ra, rb = _moves(window)
    days = out_of_sample_days(window).tolist()
    betas = _ols_loop(ra, rb, days)["beta"].to_numpy()
    hedged = pd.Series(ra[days] - betas * rb[days])
    result = hedge(window)
    wa, wb = window.changes["a"], window.changes["b"]
    assert result.ratio == pytest.approx(wa.cov(wb) / wb.var(), rel=1e-12)
    assert result.ratio == beta(wa.to_numpy(), wb.to_numpy())
    expected = 1 - hedged.var() / pd.Series(ra[days]).var()
    assert result.effectiveness == pytest.approx(expected, rel=1e-10)
    bad = wa < -wa.std()
    assert result.downside_capture == pytest.approx((wb[bad] > 0).mean(), rel=1e-15)
    assert result.days == len(days)


def test_downside_capture_by_hand() -> None:
    a = np.array([-3.0, -2.5, 0.5, 1.0, 0.2, 0.3, 1.5, -0.2])
    b = np.array([1.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    # std(a, ddof=1) = 1.52...; the days below -1.52 are the first two: B rose on one
    assert downside_capture(a, b) == 0.5
    assert downside_capture(np.ones(5), np.ones(5)) is None


def test_hedge_and_divergences_need_ten_fitted_days(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 70)
    window = select_window(build_panel(a, b), None)  # 69 changes: days 60..68 = 9
    with pytest.raises(InsufficientDataError) as caught:
        window_fit(window, "hedge")
    assert (caught.value.needed, caught.value.have) == (10, 9)
    a, b = log_pair(rng, 71)
    assert len(window_fit(select_window(build_panel(a, b), None), "hedge").index) == 10
