"""GARCH and AR(1) forecasts, against arch, statsmodels, simulation and known parameters."""

from __future__ import annotations

import datetime as dt
import json
import math
import time

import numpy as np
import pytest
from arch import arch_model
from scipy import stats as sps
from statsmodels.tsa.ar_model import AutoReg

from pairwatch.analytics.forecast import (
    MAX_FIT_CHANGES,
    Z80,
    Ar1Params,
    LegForecast,
    ar1_moments,
    cumulative_variances,
    fit_ar1,
    fit_garch,
    fit_sample,
    forecast_leg,
    forecast_to_dict,
    garch_scale,
    half_life,
    one_step_variances,
    target_date,
)
from pairwatch.domain import ChangeKind, Frequency, MetricSeries
from pairwatch.errors import InsufficientDataError, InvalidRequestError
from tests.analytics.factories import FloatArray, business_days, series

REL = 1e-9
N = 3200  # more than MAX_FIT_CHANGES + holdout, so both samples are capped at 2500
HOLDOUT = 500
HORIZONS = (1, 5, 21)


def simulate_garch(
    rng: np.random.Generator,
    n: int,
    mu: float = 0.04,
    omega: float = 0.02,
    alpha: float = 0.08,
    beta: float = 0.9,
) -> FloatArray:
    """n GARCH(1,1) draws with normal errors, in percent (as arch is fed)."""
    variance = omega / (1 - alpha - beta)
    out = np.empty(n)
    for t in range(n):
        shock = math.sqrt(variance) * rng.standard_normal()
        out[t] = mu + shock
        variance = omega + alpha * shock**2 + beta * variance
    return out


def simulate_ar1(
    rng: np.random.Generator, n: int, c: float, phi: float, sigma: float
) -> FloatArray:
    """n draws of y_t = c + phi y_{t-1} + sigma e_t, started at the long-run mean."""
    y = np.empty(n)
    y[0] = c / (1 - phi)
    shocks = sigma * rng.standard_normal(n)
    for t in range(1, n):
        y[t] = c + phi * y[t - 1] + shocks[t]
    return y


@pytest.fixture
def price(rng: np.random.Generator) -> MetricSeries:
    """A log metric whose daily log returns (x100) follow a known GARCH(1,1)."""
    returns = simulate_garch(rng, N - 1) / 100
    levels = 100 * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))
    return series("spy", business_days(N), levels)


@pytest.fixture
def vix(rng: np.random.Generator) -> MetricSeries:
    """A log metric whose log level is an AR(1) with phi = 0.95 around ln 18."""
    y = simulate_ar1(rng, N, c=0.05 * math.log(18), phi=0.95, sigma=0.07)
    return series("vix", business_days(N), np.exp(y))


def _log_returns(s: MetricSeries) -> FloatArray:
    return np.diff(np.log(s.adj.to_numpy(np.float64)))


# --- GARCH against arch ---


def test_garch_fit_and_forecast_equal_arch(price: MetricSeries) -> None:
    result = forecast_leg(price, mean_reverting=False)
    y = 100 * _log_returns(price)[-MAX_FIT_CHANGES:]
    model = arch_model(y, mean="Constant", vol="GARCH", p=1, q=1, dist="normal")
    res = model.fit(disp="off")
    fit = result.volatility.fit
    p = res.params
    assert fit.mu * 100 == pytest.approx(p["mu"], rel=REL)
    assert fit.omega * 1e4 == pytest.approx(p["omega"], rel=REL)
    assert fit.alpha == pytest.approx(p["alpha[1]"], rel=REL)
    assert fit.beta == pytest.approx(p["beta[1]"], rel=REL)
    assert fit.persistence == pytest.approx(p["alpha[1]"] + p["beta[1]"], rel=REL)
    assert fit.nobs == MAX_FIT_CHANGES and fit.converged
    assert fit.end == price.last_date
    assert fit.start == price.levels.index[-MAX_FIT_CHANGES].date()
    daily = res.forecast(horizon=21, reindex=False).variance.to_numpy()[0]
    for f in result.volatility.forecasts:
        total = daily[: f.horizon].sum()
        assert f.sd == pytest.approx(math.sqrt(total) / 100, rel=REL)
        assert f.volatility == pytest.approx(math.sqrt(total / f.horizon * 252) / 100, rel=REL)


def test_garch_long_run_volatility_is_the_unconditional_variance(price: MetricSeries) -> None:
    fit = forecast_leg(price, mean_reverting=False).volatility.fit
    expected = math.sqrt(fit.omega / (1 - fit.alpha - fit.beta) * 252)
    assert fit.long_run_volatility == pytest.approx(expected, rel=REL)
    # The simulated process has omega 0.02 / (1 - 0.98) = 1 %^2 a day: 15.9% a year.
    assert fit.long_run_volatility == pytest.approx(math.sqrt(252) / 100, rel=0.25)


def test_long_horizon_volatility_tends_to_the_long_run(price: MetricSeries) -> None:
    params = fit_garch(100 * _log_returns(price)[-MAX_FIT_CHANGES:])
    one_step = one_step_variances(params, np.empty(0))
    far = cumulative_variances(one_step, params.omega, params.persistence, (5000,))[0, 0]
    long_run = params.omega / (1 - params.persistence)
    assert far / 5000 == pytest.approx(long_run, rel=0.01)


def test_garch_on_a_diff_metric_works_in_its_units(rng: np.random.Generator) -> None:
    # A yield in percent moving about 0.33 bp a day: the sd lies in [0.001, 0.01), scale 1000.
    moves = simulate_garch(rng, N - 1, mu=0.0) / 300
    levels = 4 + np.concatenate([[0.0], np.cumsum(moves)])
    s = series("dgs10", business_days(N), levels, change=ChangeKind.DIFF)
    result = forecast_leg(s, mean_reverting=False)
    assert result.volatility.on == "changes"
    y = 1000 * np.diff(levels)[-MAX_FIT_CHANGES:]
    res = arch_model(y, mean="Constant", vol="GARCH", p=1, q=1, dist="normal").fit(disp="off")
    assert result.volatility.fit.omega * 1e6 == pytest.approx(res.params["omega"], rel=REL)
    total = res.forecast(horizon=21, reindex=False).variance.to_numpy()[0, :5].sum()
    assert result.volatility.forecasts[1].sd == pytest.approx(math.sqrt(total) / 1000, rel=REL)


def test_garch_scale_brings_sd_into_one_to_ten() -> None:
    assert garch_scale(ChangeKind.LOG, np.array([0.5, -0.5])) == 100.0
    for sd in (0.0004, 0.03, 0.7, 4.0, 55.0):
        x = np.array([sd, -sd])
        assert 1.0 <= garch_scale(ChangeKind.DIFF, x) * sd < 10.0
    with pytest.raises(InvalidRequestError, match="every change is zero"):
        garch_scale(ChangeKind.DIFF, np.zeros(10))


def test_out_of_sample_variances_equal_arch_fixed_parameter_forecasts(
    price: MetricSeries,
) -> None:
    """Rolling origins over the holdout with parameters fitted before it, as arch does it."""
    x = np.log(price.adj.to_numpy(np.float64))
    split = fit_sample(len(x) - HOLDOUT)
    y = 100 * np.diff(x[split.first :])
    n_fit = split.nobs
    params = fit_garch(y[:n_fit])
    one_step = one_step_variances(params, y[n_fit:-1] - params.mu)
    mine = cumulative_variances(one_step, params.omega, params.persistence, HORIZONS)
    model = arch_model(y, mean="Constant", vol="GARCH", p=1, q=1, dist="normal")
    values = [params.mu, params.omega, params.alpha, params.beta]
    fixed = model.fix(values, last_obs=n_fit)
    arch_daily = fixed.forecast(horizon=21, start=n_fit - 1, reindex=False).variance.to_numpy()
    assert arch_daily.shape[0] == HOLDOUT + 1 == len(one_step) + 1
    arch_total = np.cumsum(arch_daily, axis=1)[:, [h - 1 for h in HORIZONS]]
    np.testing.assert_allclose(mine, arch_total[:-1], rtol=REL)
    # The hit counts follow from those variances, origin by origin.
    result = forecast_leg(price, mean_reverting=False, holdout=HOLDOUT)
    check = result.volatility.out_of_sample
    assert check is not None and check.fit_nobs == n_fit
    for j, cov in enumerate(check.coverage):
        h = cov.horizon
        origins = np.arange(n_fit - 1, len(y) - h)
        realised = np.array([y[o + 1 : o + 1 + h].sum() for o in origins])
        sd = np.sqrt(arch_total[: len(origins), j])
        hits = int(np.count_nonzero(np.abs(realised - h * params.mu) <= Z80 * sd))
        assert (cov.forecasts, cov.hits) == (HOLDOUT - h + 1, hits)


# --- AR(1) ---


def test_ar1_equals_statsmodels_autoreg(vix: MetricSeries) -> None:
    y = np.log(vix.close.to_numpy(np.float64))
    mine = fit_ar1(y)
    res = AutoReg(y, lags=1, trend="c").fit()
    assert (mine.c, mine.phi) == pytest.approx(tuple(res.params), rel=REL)
    n = len(y) - 1
    # AutoReg's sigma2 is SSR / n; ours takes the two estimated coefficients off.
    assert mine.sigma**2 == pytest.approx(res.sigma2 * n / (n - 2), rel=REL)


def test_ar1_recovers_known_parameters(rng: np.random.Generator) -> None:
    y = simulate_ar1(rng, MAX_FIT_CHANGES + 1, c=0.3, phi=0.95, sigma=0.5)
    fit = fit_ar1(y)
    # OLS phi has sd about sqrt((1 - phi^2) / n) = 0.006: allow four of them.
    assert fit.phi == pytest.approx(0.95, abs=0.025)
    assert fit.sigma == pytest.approx(0.5, rel=0.05)
    assert fit.c / (1 - fit.phi) == pytest.approx(6.0, abs=0.5)


def test_level_forecast_of_a_log_metric(vix: MetricSeries) -> None:
    result = forecast_leg(vix, mean_reverting=True)
    assert result.level is not None
    fit = result.level.fit
    y = np.log(vix.close.to_numpy(np.float64))
    params = fit_ar1(y[-MAX_FIT_CHANGES - 1 :])
    assert (fit.c, fit.phi, fit.sigma) == (params.c, params.phi, params.sigma)
    assert fit.half_life == pytest.approx(math.log(0.5) / math.log(params.phi), rel=REL)
    assert fit.long_run_mean == pytest.approx(math.exp(params.c / (1 - params.phi)), rel=REL)
    assert result.level.on == "log level"
    for f in result.level.forecasts:
        h = f.horizon
        mean = params.c * sum(params.phi**i for i in range(h)) + params.phi**h * y[-1]
        sd = params.sigma * math.sqrt((1 - params.phi ** (2 * h)) / (1 - params.phi**2))
        assert f.point == pytest.approx(math.exp(mean), rel=REL)
        assert f.low == pytest.approx(math.exp(mean - Z80 * sd), rel=REL)
        assert f.high == pytest.approx(math.exp(mean + Z80 * sd), rel=REL)
        assert f.date == target_date(vix.levels.index[-1].date(), h, Frequency.DAILY)


def test_interval_matches_simulated_paths(rng: np.random.Generator) -> None:
    params = Ar1Params(c=0.2, phi=0.93, sigma=0.08)
    y0, h, paths = 2.0, 21, 200_000
    y = np.full(paths, y0)
    for _ in range(h):
        y = params.c + params.phi * y + params.sigma * rng.standard_normal(paths)
    mean, sd = ar1_moments(params, np.array([y0]), h)
    # Monte Carlo: the mean's error is sd / sqrt(200000) ~ 0.0003 sd, a 10% quantile's
    # ~ 0.004 sd; allow 0.02 sd.
    tol = 0.02 * float(sd[0])
    assert float(mean[0]) == pytest.approx(float(np.mean(y)), abs=tol)
    assert float(sd[0]) == pytest.approx(float(np.std(y)), rel=0.01)
    low, high = np.quantile(y, [0.1, 0.9])
    assert float(mean[0] - Z80 * sd[0]) == pytest.approx(low, abs=tol)
    assert float(mean[0] + Z80 * sd[0]) == pytest.approx(high, abs=tol)


def test_z80_is_the_normal_90_percent_quantile() -> None:
    assert pytest.approx(sps.norm.ppf(0.9), rel=1e-15) == Z80


def test_unit_root_moments_need_no_special_case() -> None:
    mean, sd = ar1_moments(Ar1Params(c=0.0, phi=1.0, sigma=2.0), np.array([5.0]), 9)
    assert float(mean[0]) == 5.0 and float(sd[0]) == pytest.approx(6.0)


def test_half_life() -> None:
    assert half_life(0.5) == pytest.approx(1.0)
    assert half_life(0.5 ** (1 / 30)) == pytest.approx(30.0)
    assert half_life(1.0) is None and half_life(-0.3) is None and half_life(0.0) is None


def test_target_date_counts_weekdays() -> None:
    friday = dt.date(2025, 9, 26)
    assert target_date(friday, 1, Frequency.DAILY) == dt.date(2025, 9, 29)
    assert target_date(friday, 5, Frequency.DAILY) == dt.date(2025, 10, 3)
    assert target_date(friday, 2, Frequency.WEEKLY) == dt.date(2025, 10, 10)
    assert target_date(friday, 1, Frequency.MONTHLY) == dt.date(2025, 10, 26)


# --- the out-of-sample check ---


def _binomial_tolerance(n: int) -> float:
    """Three binomial sds of a hit rate of 0.8 over n independent forecasts (0.3% miss)."""
    return 3 * math.sqrt(0.8 * 0.2 / n)


def test_correct_ar1_hits_its_80_percent_band(vix: MetricSeries) -> None:
    result = forecast_leg(vix, mean_reverting=True)
    assert result.level is not None and result.level.out_of_sample is not None
    check = result.level.out_of_sample
    one_day = check.coverage[0]
    # One-step errors are independent, so hits are Bernoulli(0.8): the rate's sd over 500
    # is 0.018; parameter error adds little with 2500 fit rows.
    assert one_day.forecasts == HOLDOUT
    assert one_day.hit_rate == pytest.approx(0.8, abs=_binomial_tolerance(HOLDOUT))
    # Overlapping h-day windows leave about 500 / h independent checks: a looser bound.
    for cov in check.coverage[1:]:
        assert cov.hit_rate == pytest.approx(0.8, abs=3 * math.sqrt(0.16 * cov.horizon / 500))


def test_correct_garch_hits_its_80_percent_band(price: MetricSeries) -> None:
    check = forecast_leg(price, mean_reverting=False).volatility.out_of_sample
    assert check is not None
    assert check.coverage[0].hit_rate == pytest.approx(0.8, abs=_binomial_tolerance(HOLDOUT))


def test_out_of_sample_dates_and_sizes(vix: MetricSeries) -> None:
    result = forecast_leg(vix, mean_reverting=True)
    assert result.level is not None
    check = result.level.out_of_sample
    assert check is not None
    index = vix.levels.index
    assert check.start == index[-HOLDOUT].date() and check.end == index[-1].date()
    assert check.fit_end == index[-HOLDOUT - 1].date()
    assert check.fit_start == index[-HOLDOUT - MAX_FIT_CHANGES].date()
    assert check.fit_nobs == MAX_FIT_CHANGES
    assert [c.forecasts for c in check.coverage] == [HOLDOUT - h + 1 for h in HORIZONS]


def test_holdout_data_cannot_change_the_fit_of_the_check(vix: MetricSeries) -> None:
    """The check's parameters see only pre-holdout rows: shifting the last row moves one hit."""
    base = forecast_leg(vix, mean_reverting=True)
    levels = vix.levels.copy()
    levels.iloc[-1] = levels.iloc[-1] * 3
    moved = forecast_leg(MetricSeries(vix.metric, levels), mean_reverting=True)
    assert base.level is not None and moved.level is not None
    before, after = base.level.out_of_sample, moved.level.out_of_sample
    assert before is not None and after is not None
    for old, new in zip(before.coverage, after.coverage, strict=True):
        assert abs(old.hits - new.hits) <= 1


# --- data limits, validation, JSON, speed ---


def test_short_history_skips_the_check_with_a_note(vix: MetricSeries) -> None:
    short = MetricSeries(vix.metric, vix.levels.iloc[:700])
    result = forecast_leg(short, mean_reverting=True)
    assert result.volatility.out_of_sample is None
    assert result.level is not None and result.level.out_of_sample is None
    assert result.notes["out_of_sample"] == (
        "needs 751 observations (500 held out, 250 changes before them to fit), series has 700"
    )
    assert result.volatility.fit.nobs == 699


def test_too_little_data_raises_with_counts(vix: MetricSeries) -> None:
    short = MetricSeries(vix.metric, vix.levels.iloc[:200])
    with pytest.raises(InsufficientDataError, match=r"needs 250 changes; 199 available") as err:
        forecast_leg(short, mean_reverting=True)
    assert "200 observations" in str(err.value)


@pytest.mark.parametrize(
    ("horizons", "holdout", "match"),
    [((), 500, "horizons"), ((0, 5), 500, "horizons"), ((1, 21), 10, "holdout")],
)
def test_bad_arguments_are_refused(
    vix: MetricSeries, horizons: tuple[int, ...], holdout: int, match: str
) -> None:
    with pytest.raises(InvalidRequestError, match=match):
        forecast_leg(vix, mean_reverting=True, horizons=horizons, holdout=holdout)


def test_non_positive_log_levels_are_refused(vix: MetricSeries) -> None:
    levels = vix.levels.copy()
    levels.iloc[10] = -1.0
    with pytest.raises(InvalidRequestError, match="positive"):
        forecast_leg(MetricSeries(vix.metric, levels), mean_reverting=False)


def test_a_diff_level_is_modelled_without_logs(rng: np.random.Generator) -> None:
    y = simulate_ar1(rng, N, c=0.02, phi=0.99, sigma=0.05)  # a spread, can cross zero
    s = series("hy-oas", business_days(N), y - 2.0, change=ChangeKind.DIFF)
    result = forecast_leg(s, mean_reverting=True)
    assert result.level is not None and result.level.on == "level"
    params = fit_ar1(y[-MAX_FIT_CHANGES - 1 :] - 2.0)
    mean, sd = ar1_moments(params, np.array([y[-1] - 2.0]), 5)
    f = result.level.forecasts[1]
    assert (f.low, f.point, f.high) == pytest.approx(
        (float(mean[0] - Z80 * sd[0]), float(mean[0]), float(mean[0] + Z80 * sd[0])), rel=REL
    )


def test_json_is_plain_and_complete(vix: MetricSeries) -> None:
    result = forecast_leg(vix, mean_reverting=True)
    out = forecast_to_dict(result)
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text) == out
    assert list(out) == [
        "metric",
        "kind",
        "last_date",
        "last",
        "horizons",
        "horizon_unit",
        "band",
        "volatility",
        "level",
        "notes",
    ]
    assert out["kind"] == "log" and out["horizon_unit"] == "trading days"
    assert result.level is not None and out["level"]["fit"]["phi"] == result.level.fit.phi
    assert out["volatility"]["out_of_sample"]["coverage"][0]["horizon"] == 1
    no_level = forecast_to_dict(forecast_leg(vix, mean_reverting=False))
    assert no_level["level"] is None


def test_one_leg_is_fast(vix: MetricSeries) -> None:
    """Two model fits and array algebra, not 500 re-fits: far under a second."""
    forecast_leg(vix, mean_reverting=True)
    start = time.perf_counter()
    result: LegForecast = forecast_leg(vix, mean_reverting=True)
    assert time.perf_counter() - start < 1.0
    assert result.level is not None
