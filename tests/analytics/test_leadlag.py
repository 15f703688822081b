"""Lead-lag: cross-correlations, best lag, threshold and Granger tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.tsa.stattools import grangercausalitytests

from pairwatch.analytics.leadlag import (
    LAGS,
    best_lag,
    cross_correlation,
    granger,
    granger_pvalue,
    lag_threshold,
    lead_lag,
)
from pairwatch.errors import InsufficientDataError
from tests.analytics.factories import FloatArray, correlated_changes


@pytest.fixture
def pair(rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    return correlated_changes(rng, 120, rho=0.4)


def test_ccf_matches_pandas_shifted_correlation(pair: tuple[FloatArray, FloatArray]) -> None:
    a, b = pair
    sa, sb = pd.Series(a), pd.Series(b)
    expected = [sa.corr(sb.shift(-k)) for k in LAGS]  # pairs (a_t, b_{t+k})
    assert cross_correlation(a, b) == pytest.approx(expected, rel=1e-12)


def test_ccf_ab_at_k_is_ccf_ba_at_minus_k(pair: tuple[FloatArray, FloatArray]) -> None:
    a, b = pair
    assert cross_correlation(a, b) == pytest.approx(cross_correlation(b, a)[::-1], rel=1e-14)


@pytest.mark.parametrize("k", [-7, -3, 0, 1, 4, 10])
def test_b_following_a_by_k_days_gives_best_lag_k(rng: np.random.Generator, k: int) -> None:
    n = 200
    driver = rng.normal(size=n + 20)
    a = driver[10 : 10 + n]
    b = driver[10 - k : 10 - k + n] + 0.3 * rng.normal(size=n)  # b_t = a_{t-k} + noise
    result = lead_lag(a, b)
    assert result.best_lag == k
    assert result.significant


def test_best_lag_ties_go_to_smaller_lag_then_negative() -> None:
    lags = [-2, -1, 0, 1, 2]
    assert best_lag([0.5, 0.1, 0.2, -0.1, -0.5], lags) == -2
    assert best_lag([0.5, -0.5, 0.2, 0.5, 0.1], lags) == -1
    assert best_lag([0.1, 0.3, -0.3, 0.3, 0.1], lags) == 0
    assert best_lag([None, None, None, None, None], lags) is None


def test_threshold_is_bonferroni_over_21_lags() -> None:
    z = sps.norm.isf(0.05 / 42)
    assert z == pytest.approx(3.0381, abs=1e-4)
    assert lag_threshold(62) == pytest.approx(z / np.sqrt(62), rel=1e-14)


def test_unrelated_series_are_not_significant(rng: np.random.Generator) -> None:
    result = lead_lag(rng.normal(size=250), rng.normal(size=250))
    assert not result.significant
    assert result.best_lag is not None
    strongest = result.ccf[LAGS.index(result.best_lag)]
    assert strongest is not None and abs(strongest) <= result.threshold
    assert result.nobs == 250 and result.lags == LAGS


def test_granger_matches_statsmodels(pair: tuple[FloatArray, FloatArray]) -> None:
    a, b = pair
    result = lead_lag(a, b)
    a_leads = grangercausalitytests(np.column_stack([b, a]), 5)[5][0]["ssr_ftest"][1]
    b_leads = grangercausalitytests(np.column_stack([a, b]), 5)[5][0]["ssr_ftest"][1]
    assert result.granger.a_leads_b == pytest.approx(a_leads, rel=1e-12)
    assert result.granger.b_leads_a == pytest.approx(b_leads, rel=1e-12)


def test_swapping_legs_swaps_granger_pvalues(pair: tuple[FloatArray, FloatArray]) -> None:
    a, b = pair
    ab, ba = lead_lag(a, b).granger, lead_lag(b, a).granger
    assert (ab.a_leads_b, ab.b_leads_a) == (ba.b_leads_a, ba.a_leads_b)


def test_granger_detects_a_real_lead(rng: np.random.Generator) -> None:
    a = rng.normal(size=301)
    b = 0.8 * a[:-1] + 0.5 * rng.normal(size=300)
    result = lead_lag(a[1:], b)
    assert result.granger.a_leads_b is not None and result.granger.a_leads_b < 1e-6
    assert result.best_lag == 1


def test_lead_lag_prints_nothing(
    pair: tuple[FloatArray, FloatArray], capsys: pytest.CaptureFixture[str]
) -> None:
    lead_lag(*pair)
    assert capsys.readouterr() == ("", "")


def test_granger_matches_statsmodels_on_a_real_lead(rng: np.random.Generator) -> None:
    a = rng.normal(size=401)
    b = 0.3 * a[:-1] + rng.normal(size=400)
    cause, effect = a[1:], b
    want = grangercausalitytests(np.column_stack([effect, cause]), 5)[5][0]["ssr_ftest"][1]
    assert granger_pvalue(cause, effect) == pytest.approx(want, rel=1e-10)


def test_granger_on_a_constant_series_is_none(rng: np.random.Generator) -> None:
    assert granger_pvalue(rng.normal(size=60), np.zeros(60)) is None


def test_lead_lag_needs_thirty_changes(rng: np.random.Generator) -> None:
    with pytest.raises(InsufficientDataError) as caught:
        lead_lag(rng.normal(size=29), rng.normal(size=29))
    assert (caught.value.needed, caught.value.have) == (30, 29)


def test_identical_legs_give_no_granger_pvalue_and_no_warning() -> None:
    rng = np.random.default_rng(11)
    x = rng.standard_normal(120)
    result = granger(x, x.copy())
    assert (result.a_leads_b, result.b_leads_a) == (None, None)
