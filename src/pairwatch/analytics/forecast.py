"""Forecasts for one metric: GARCH(1,1) volatility, AR(1) levels, and their out-of-sample check.

Both models run on the metric's *own* rows (not a pair panel), like the changes table:

- **volatility**: a GARCH(1,1) with constant mean and normal errors (the `arch` package)
  on the log returns of the adjusted level (`log` metrics) or on the plain differences
  (`diff` metrics), forecast 1, 5 and 21 rows ahead;
- **level** (mean-reverting metrics only, the caller decides): an AR(1) on the display
  level (its log for `log` metrics), with an 80% interval.

Each model is fitted on at most the last `MAX_FIT_CHANGES` changes, and checked out of
sample: parameters fitted before the last `holdout` rows are kept fixed while forecasts
are rolled forward over the holdout, and the share of realised values inside the 80%
band is reported. The multi-step variance algebra is closed form, so the whole check
costs two model fits and a few array operations (docs/models/forecasts-and-backtest.md).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pairwatch.analytics.panel import day, require_nobs
from pairwatch.analytics.stats import FloatArray
from pairwatch.domain import PERIODS_PER_YEAR, ChangeKind, Frequency, MetricSeries
from pairwatch.errors import InvalidRequestError

DEFAULT_HORIZONS = (1, 5, 21)
DEFAULT_HOLDOUT = 500
MIN_CHANGES = 250
MAX_FIT_CHANGES = 2500
BAND = 0.8
# Standard normal 90% quantile: mean +/- Z80 sd holds 80% of a normal distribution.
Z80 = 1.2815515655446004
# arch's optimiser works best on data of order 1: log returns are multiplied by 100.
LOG_SCALE = 100.0

_HORIZON_UNIT = {
    Frequency.DAILY: "trading days",
    Frequency.WEEKLY: "weeks",
    Frequency.MONTHLY: "months",
}


# --- result objects ---


@dataclass(frozen=True)
class Coverage:
    """How often the realised value fell inside the 80% band, for one horizon."""

    horizon: int
    forecasts: int
    hits: int

    @property
    def hit_rate(self) -> float:
        """hits / forecasts (the target is BAND = 0.8)."""
        return self.hits / self.forecasts


@dataclass(frozen=True)
class OutOfSample:
    """A rolling-origin check with parameters fitted before the holdout and then fixed.

    `fit_*` describe the estimation sample, `start`/`end` the holdout rows.
    """

    holdout: int
    start: dt.date
    end: dt.date
    fit_nobs: int
    fit_start: dt.date
    fit_end: dt.date
    coverage: tuple[Coverage, ...]


@dataclass(frozen=True)
class GarchFit:
    """GARCH(1,1) estimates in the metric's change units (per row, not annualised).

    `long_run_volatility` is sqrt(omega / (1 - persistence) x ppy), None when
    persistence >= 1 (no finite long-run variance). `converged` is the optimiser's verdict.
    """

    mu: float
    omega: float
    alpha: float
    beta: float
    persistence: float
    long_run_volatility: float | None
    nobs: int
    start: dt.date
    end: dt.date
    converged: bool


@dataclass(frozen=True)
class VolatilityForecast:
    """The forecast spread of the cumulative change over the next `horizon` rows.

    `sd` is the standard deviation of that h-row change (log return or metric units);
    `volatility` annualises its mean per-row variance: sqrt(sd^2 / h x ppy).
    """

    horizon: int
    sd: float
    volatility: float


@dataclass(frozen=True)
class VolatilityResult:
    """The GARCH fit, its forecasts and (with enough data) its out-of-sample check."""

    on: str
    fit: GarchFit
    forecasts: tuple[VolatilityForecast, ...]
    out_of_sample: OutOfSample | None


@dataclass(frozen=True)
class Ar1Fit:
    """AR(1) estimates y_t = c + phi y_{t-1} + e_t, sigma = sd of e (SSR / (n - 2)).

    y is the level or its log. `half_life` (rows) and `long_run_mean` (in level units,
    exp'd for log metrics) are None unless 0 < phi < 1 (or |phi| < 1 for the mean).
    """

    c: float
    phi: float
    sigma: float
    half_life: float | None
    long_run_mean: float | None
    nobs: int
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class LevelForecast:
    """The level `horizon` rows ahead: point (a median for log metrics) and 80% band.

    `date` approximates the target's calendar date (business days for daily metrics).
    """

    horizon: int
    date: dt.date
    point: float
    low: float
    high: float


@dataclass(frozen=True)
class LevelResult:
    """The AR(1) fit, its forecasts and (with enough data) its out-of-sample check."""

    on: str
    fit: Ar1Fit
    forecasts: tuple[LevelForecast, ...]
    out_of_sample: OutOfSample | None


@dataclass(frozen=True)
class LegForecast:
    """Everything forecast for one metric; `level` is None unless asked for mean reversion.

    `notes` explains, per section, anything skipped or doubtful (too little data for the
    out-of-sample check, an optimiser that did not converge, phi >= 1).
    """

    metric: str
    kind: ChangeKind
    last_date: dt.date
    last: float
    horizons: tuple[int, ...]
    horizon_unit: str
    volatility: VolatilityResult
    level: LevelResult | None
    notes: Mapping[str, str]


# --- the data: fit and holdout rows ---


@dataclass(frozen=True)
class Sample:
    """A fit sample: level rows first .. stop - 1; the rows from `stop` on are held out."""

    first: int
    stop: int

    @property
    def nobs(self) -> int:
        """Changes (and AR(1) pairs) in the fit sample."""
        return self.stop - self.first - 1


def fit_sample(stop: int) -> Sample:
    """The last MAX_FIT_CHANGES + 1 level rows before `stop` (at most MAX_FIT_CHANGES changes)."""
    return Sample(max(0, stop - MAX_FIT_CHANGES - 1), stop)


def _validate(horizons: Sequence[int], holdout: int) -> tuple[int, ...]:
    """Horizons as a sorted tuple of distinct positive ints; holdout at least the longest."""
    if not horizons or any(isinstance(h, bool) or not isinstance(h, int) for h in horizons):
        raise InvalidRequestError(f"horizons must be positive whole numbers, got {horizons!r}")
    found = tuple(sorted(set(horizons)))
    if found[0] < 1:
        raise InvalidRequestError(f"horizons must be positive whole numbers, got {horizons!r}")
    if isinstance(holdout, bool) or not isinstance(holdout, int) or holdout < found[-1]:
        raise InvalidRequestError(
            f"holdout must be a whole number of rows >= the longest horizon ({found[-1]}), "
            f"got {holdout!r}"
        )
    return found


def _model_levels(series: MetricSeries, column: str) -> FloatArray:
    """The column as floats, logged for log metrics; refuses gaps and non-positive logs."""
    x = series.levels[column].to_numpy(dtype=np.float64)
    if not np.isfinite(x).all():
        raise InvalidRequestError(f"{series.metric.id}: {column} levels hold missing values")
    if series.metric.change != ChangeKind.LOG:
        return x
    if (x <= 0).any():
        raise InvalidRequestError(
            f"{series.metric.id}: log changes need positive {column} levels; "
            "set change = 'diff' in the catalog for a series that can be zero or negative"
        )
    return np.asarray(np.log(x), dtype=np.float64)


# --- GARCH(1,1) ---


@dataclass(frozen=True)
class GarchParams:
    """Fitted GARCH(1,1) parameters in scaled units, and the fit's last variance/residual.

    The variance recursion is s_{t+1} = omega + alpha e_t^2 + beta s_t, e_t = y_t - mu.
    """

    mu: float
    omega: float
    alpha: float
    beta: float
    last_variance: float
    last_resid: float
    converged: bool

    @property
    def persistence(self) -> float:
        """alpha + beta: how slowly a variance shock fades."""
        return self.alpha + self.beta


def garch_scale(kind: ChangeKind, changes: FloatArray) -> float:
    """The factor applied to changes before fitting (100 for log returns, arch's convention).

    Differences are scaled by the power of ten that brings their sd into [1, 10), so a
    spread in percentage points and a rate in basis points both suit the optimiser.
    """
    if kind == ChangeKind.LOG:
        return LOG_SCALE
    sd = float(np.std(changes))
    if sd == 0.0:
        raise InvalidRequestError("GARCH needs a series that moves: every change is zero")
    return float(10.0 ** -math.floor(math.log10(sd)))


def fit_garch(y: FloatArray) -> GarchParams:
    """GARCH(1,1), constant mean, normal errors, by arch's maximum likelihood on y."""
    from arch import arch_model  # imported here: arch takes ~2 s to import

    model = arch_model(y, mean="Constant", vol="GARCH", p=1, q=1, dist="normal", rescale=False)
    res: Any = model.fit(disp="off", show_warning=False)
    p = res.params
    return GarchParams(
        mu=float(p["mu"]),
        omega=float(p["omega"]),
        alpha=float(p["alpha[1]"]),
        beta=float(p["beta[1]"]),
        last_variance=float(res.conditional_volatility[-1] ** 2),
        last_resid=float(res.resid[-1]),
        converged=int(res.convergence_flag) == 0,
    )


def one_step_variances(params: GarchParams, resid: FloatArray) -> FloatArray:
    """s_{T+1}, then the next variance after each new residual: len(resid) + 1 values.

    Parameters stay fixed; the recursion starts from the fit's last variance and residual.
    """
    out = np.empty(len(resid) + 1)
    s = params.omega + params.alpha * params.last_resid**2 + params.beta * params.last_variance
    out[0] = s
    for i, e in enumerate(resid.tolist()):
        s = params.omega + params.alpha * e * e + params.beta * s
        out[i + 1] = s
    return out


def cumulative_variances(
    one_step: FloatArray, omega: float, persistence: float, horizons: tuple[int, ...]
) -> FloatArray:
    """Variance of the h-row sum of changes, for each origin (rows) and horizon (columns).

    Given s_1 = one_step, the k-step variance is s_k = omega G_{k-1} + p^(k-1) s_1 with
    G_m = 1 + p + ... + p^(m-1); changes are uncorrelated, so the sum's variance is the
    sum of s_1 .. s_h.
    """
    powers = persistence ** np.arange(max(horizons), dtype=np.float64)
    geometric = np.concatenate([[0.0], np.cumsum(powers)[:-1]])
    steps = omega * geometric[None, :] + powers[None, :] * one_step[:, None]
    totals = np.cumsum(steps, axis=1)
    return np.asarray(totals[:, [h - 1 for h in horizons]], dtype=np.float64)


def _garch_fit_result(
    params: GarchParams, scale: float, ppy: int, dates: pd.DatetimeIndex, rows: Sample
) -> GarchFit:
    """Parameters back in the metric's units, with the sample's size and dates."""
    p = params.persistence
    long_run = math.sqrt(params.omega / (1.0 - p) * ppy) / scale if p < 1.0 else None
    return GarchFit(
        mu=params.mu / scale,
        omega=params.omega / scale**2,
        alpha=params.alpha,
        beta=params.beta,
        persistence=p,
        long_run_volatility=long_run,
        nobs=rows.nobs,
        start=day(dates[rows.first + 1]),
        end=day(dates[rows.stop - 1]),
        converged=params.converged,
    )


def _hits(realised: FloatArray, mean: FloatArray | float, sd: FloatArray) -> int:
    """Count of realised values within mean +/- Z80 sd."""
    return int(np.count_nonzero(np.abs(realised - mean) <= Z80 * sd))


def _out_of_sample(
    split: Sample, dates: pd.DatetimeIndex, coverage: tuple[Coverage, ...]
) -> OutOfSample:
    """Wrap one model's coverage counts with the fit sample and holdout dates."""
    return OutOfSample(
        holdout=len(dates) - split.stop,
        start=day(dates[split.stop]),
        end=day(dates[-1]),
        fit_nobs=split.nobs,
        fit_start=day(dates[split.first + 1]),
        fit_end=day(dates[split.stop - 1]),
        coverage=coverage,
    )


def garch_coverage(
    x: FloatArray, split: Sample, scale: float, horizons: tuple[int, ...]
) -> tuple[Coverage, ...]:
    """Fit on x[first:stop], then score every h-row change x[o + h] - x[o] of the holdout.

    Origins o run from the fit's last row (stop - 1) to len(x) - 1 - h, so each target lies
    in the holdout and each forecast uses rows up to o only.
    """
    y = scale * np.diff(x)
    params = fit_garch(y[split.first : split.stop - 1])
    one_step = one_step_variances(params, y[split.stop - 1 : -1] - params.mu)
    variances = cumulative_variances(one_step, params.omega, params.persistence, horizons)
    out = []
    for j, h in enumerate(horizons):
        origins = np.arange(split.stop - 1, len(x) - h)
        realised = scale * (x[origins + h] - x[origins])
        sd = np.sqrt(variances[: len(origins), j])
        out.append(Coverage(h, len(origins), _hits(realised, h * params.mu, sd)))
    return tuple(out)


def volatility_forecast(
    x: FloatArray,
    dates: pd.DatetimeIndex,
    *,
    kind: ChangeKind,
    ppy: int,
    horizons: tuple[int, ...],
    holdout_from: int | None,
) -> VolatilityResult:
    """GARCH(1,1) on the changes of x (log levels or levels) and its h-row forecasts.

    `holdout_from` is the first holdout row for the out-of-sample check (None: skip it).
    """
    rows = fit_sample(len(x))
    changes = np.diff(x[rows.first :])
    scale = garch_scale(kind, changes)
    params = fit_garch(scale * changes)
    one_step = one_step_variances(params, np.empty(0))
    total = cumulative_variances(one_step, params.omega, params.persistence, horizons)[0]
    forecasts = tuple(
        VolatilityForecast(h, math.sqrt(v) / scale, math.sqrt(v / h * ppy) / scale)
        for h, v in zip(horizons, total.tolist(), strict=True)
    )
    check = None
    if holdout_from is not None:
        split = fit_sample(holdout_from)
        check = _out_of_sample(split, dates, garch_coverage(x, split, scale, horizons))
    on = "log returns" if kind == ChangeKind.LOG else "changes"
    return VolatilityResult(
        on, _garch_fit_result(params, scale, ppy, dates, rows), forecasts, check
    )


# --- AR(1) on the level ---


@dataclass(frozen=True)
class Ar1Params:
    """OLS estimates of y_t = c + phi y_{t-1} + e_t, sigma^2 = SSR / (n - 2)."""

    c: float
    phi: float
    sigma: float


def fit_ar1(y: FloatArray) -> Ar1Params:
    """OLS of y[1:] on a constant and y[:-1] (n = len(y) - 1 pairs)."""
    design = np.column_stack([np.ones(len(y) - 1), y[:-1]])
    coef, *_ = np.linalg.lstsq(design, y[1:], rcond=None)
    resid = y[1:] - design @ coef
    sigma = math.sqrt(float(resid @ resid) / (len(resid) - 2))
    return Ar1Params(float(coef[0]), float(coef[1]), sigma)


def ar1_moments(params: Ar1Params, y0: FloatArray, h: int) -> tuple[FloatArray, FloatArray]:
    """Mean and sd of y_{t+h} given y_t = y0, with known parameters.

    mean = c (1 + phi + ... + phi^(h-1)) + phi^h y0 = mu + phi^h (y0 - mu) when |phi| < 1;
    variance = sigma^2 (1 + phi^2 + ... + phi^(2(h-1))) = sigma^2 (1 - phi^(2h)) / (1 - phi^2).
    The sums are taken term by term so phi = 1 needs no special case.
    """
    powers = params.phi ** np.arange(h, dtype=np.float64)
    mean = params.c * float(powers.sum()) + params.phi**h * y0
    sd = params.sigma * math.sqrt(float(powers @ powers))
    return np.asarray(mean, dtype=np.float64), np.full(np.shape(y0), sd)


def half_life(phi: float) -> float | None:
    """Rows for a gap to the long-run mean to halve, ln(0.5) / ln(phi); None unless 0<phi<1."""
    return math.log(0.5) / math.log(phi) if 0.0 < phi < 1.0 else None


def ar1_coverage(y: FloatArray, split: Sample, horizons: tuple[int, ...]) -> tuple[Coverage, ...]:
    """Fit on y[first:stop], then score each y[o + h] against the band from origin o."""
    params = fit_ar1(y[split.first : split.stop])
    out = []
    for h in horizons:
        origins = np.arange(split.stop - 1, len(y) - h)
        mean, sd = ar1_moments(params, y[origins], h)
        out.append(Coverage(h, len(origins), _hits(y[origins + h], mean, sd)))
    return tuple(out)


def target_date(last: dt.date, h: int, frequency: Frequency) -> dt.date:
    """Approximate calendar date h rows after `last` (weekdays for daily metrics)."""
    offsets = {
        Frequency.DAILY: pd.offsets.BDay(h),
        Frequency.WEEKLY: pd.DateOffset(weeks=h),
        Frequency.MONTHLY: pd.DateOffset(months=h),
    }
    return day(pd.Timestamp(last) + offsets[frequency])


def _ar1_fit_result(params: Ar1Params, log: bool, dates: pd.DatetimeIndex, rows: Sample) -> Ar1Fit:
    """Estimates with half-life, long-run mean (in level units) and the sample's dates."""
    phi = params.phi
    mean = params.c / (1.0 - phi) if abs(phi) < 1.0 else None
    if mean is not None and log:
        mean = math.exp(mean)
    return Ar1Fit(
        c=params.c,
        phi=phi,
        sigma=params.sigma,
        half_life=half_life(phi),
        long_run_mean=mean,
        nobs=rows.nobs,
        start=day(dates[rows.first + 1]),
        end=day(dates[rows.stop - 1]),
    )


def level_forecast(
    y: FloatArray,
    dates: pd.DatetimeIndex,
    *,
    log: bool,
    frequency: Frequency,
    horizons: tuple[int, ...],
    holdout_from: int | None,
) -> LevelResult:
    """AR(1) on y (log level or level): point and 80% band h rows ahead, back in level units."""
    rows = fit_sample(len(y))
    params = fit_ar1(y[rows.first :])
    forecasts = []
    for h in horizons:
        mean, sd = ar1_moments(params, y[-1:], h)
        band = np.concatenate([mean - Z80 * sd, mean, mean + Z80 * sd])
        low, point, high = np.exp(band) if log else band
        when = target_date(day(dates[-1]), h, frequency)
        forecasts.append(LevelForecast(h, when, float(point), float(low), float(high)))
    check = None
    if holdout_from is not None:
        split = fit_sample(holdout_from)
        check = _out_of_sample(split, dates, ar1_coverage(y, split, horizons))
    return LevelResult(
        "log level" if log else "level",
        _ar1_fit_result(params, log, dates, rows),
        tuple(forecasts),
        check,
    )


# --- the leg ---


def _span(dates: pd.DatetimeIndex) -> str:
    """'(series has 120 observations 2024-01-02..2024-06-14)', for error messages."""
    if len(dates) == 0:
        return "(series has no observations)"
    return f"(series has {len(dates)} observations {day(dates[0])}..{day(dates[-1])})"


def _holdout_from(n: int, holdout: int, notes: dict[str, str]) -> int | None:
    """First holdout row, or None (with a note) when the fit sample would be too short."""
    needed = holdout + MIN_CHANGES + 1
    if n < needed:
        notes["out_of_sample"] = (
            f"needs {needed} observations ({holdout} held out, {MIN_CHANGES} changes before "
            f"them to fit), series has {n}"
        )
        return None
    return n - holdout


def _fit_notes(vol: VolatilityResult, level: LevelResult | None, notes: dict[str, str]) -> None:
    """Flag a GARCH optimiser that did not converge and an AR(1) without mean reversion."""
    if not vol.fit.converged:
        notes["volatility"] = "the GARCH optimiser did not converge; treat the figures with care"
    if level is not None and level.fit.phi >= 1.0:
        notes["level"] = (
            f"phi = {level.fit.phi:.4f} >= 1: no mean reversion in the fit sample, so no "
            "half-life or long-run mean, and the band widens without limit"
        )


def forecast_leg(
    series: MetricSeries,
    *,
    mean_reverting: bool,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    holdout: int = DEFAULT_HOLDOUT,
) -> LegForecast:
    """Volatility (and, if `mean_reverting`, level) forecasts for one metric's own rows.

    Raises InsufficientDataError under MIN_CHANGES changes, InvalidRequestError for bad
    horizons or holdout, missing levels, or non-positive levels of a log metric. The
    out-of-sample check needs MIN_CHANGES changes before the holdout; otherwise it is None and
    `notes["out_of_sample"]` says why.
    """
    found = _validate(horizons, holdout)
    metric, levels = series.metric, series.levels
    dates = pd.DatetimeIndex(levels.index)
    require_nobs(max(len(dates) - 1, 0), MIN_CHANGES, f"forecast of {metric.id}", _span(dates))
    log = metric.change == ChangeKind.LOG
    notes: dict[str, str] = {}
    start = _holdout_from(len(levels), holdout, notes)
    ppy = PERIODS_PER_YEAR[metric.frequency]
    vol = volatility_forecast(
        _model_levels(series, "adj"),
        dates,
        kind=metric.change,
        ppy=ppy,
        horizons=found,
        holdout_from=start,
    )
    level = None
    if mean_reverting:
        y = _model_levels(series, "close")
        level = level_forecast(
            y, dates, log=log, frequency=metric.frequency, horizons=found, holdout_from=start
        )
    _fit_notes(vol, level, notes)
    return LegForecast(
        metric.id,
        metric.change,
        day(dates[-1]),
        float(levels["close"].iloc[-1]),
        found,
        _HORIZON_UNIT[metric.frequency],
        vol,
        level,
        notes,
    )


# --- JSON ---


def _coverage_dict(check: OutOfSample | None) -> dict[str, Any] | None:
    """The out-of-sample check, or None when it was skipped."""
    if check is None:
        return None
    return {
        "holdout": check.holdout,
        "start": check.start.isoformat(),
        "end": check.end.isoformat(),
        "fit_nobs": check.fit_nobs,
        "fit_start": check.fit_start.isoformat(),
        "fit_end": check.fit_end.isoformat(),
        "band": BAND,
        "coverage": [
            {"horizon": c.horizon, "forecasts": c.forecasts, "hits": c.hits, "hit_rate": c.hit_rate}
            for c in check.coverage
        ],
    }


def _volatility_dict(vol: VolatilityResult) -> dict[str, Any]:
    """The [volatility] section."""
    f = vol.fit
    return {
        "model": "GARCH(1,1)",
        "on": vol.on,
        "fit": {
            "mu": f.mu,
            "omega": f.omega,
            "alpha": f.alpha,
            "beta": f.beta,
            "persistence": f.persistence,
            "long_run_volatility": f.long_run_volatility,
            "nobs": f.nobs,
            "start": f.start.isoformat(),
            "end": f.end.isoformat(),
            "converged": f.converged,
        },
        "forecasts": [
            {"horizon": v.horizon, "sd": v.sd, "volatility": v.volatility} for v in vol.forecasts
        ],
        "out_of_sample": _coverage_dict(vol.out_of_sample),
    }


def _level_dict(level: LevelResult) -> dict[str, Any]:
    """The [level] section."""
    f = level.fit
    return {
        "model": "AR(1)",
        "on": level.on,
        "fit": {
            "c": f.c,
            "phi": f.phi,
            "sigma": f.sigma,
            "half_life": f.half_life,
            "long_run_mean": f.long_run_mean,
            "nobs": f.nobs,
            "start": f.start.isoformat(),
            "end": f.end.isoformat(),
        },
        "forecasts": [
            {
                "horizon": p.horizon,
                "date": p.date.isoformat(),
                "point": p.point,
                "low": p.low,
                "high": p.high,
            }
            for p in level.forecasts
        ],
        "out_of_sample": _coverage_dict(level.out_of_sample),
    }


def forecast_to_dict(result: LegForecast) -> dict[str, Any]:
    """The forecast as plain JSON types: ISO dates, full-precision floats, None for missing."""
    return {
        "metric": result.metric,
        "kind": str(result.kind),
        "last_date": result.last_date.isoformat(),
        "last": result.last,
        "horizons": list(result.horizons),
        "horizon_unit": result.horizon_unit,
        "band": BAND,
        "volatility": _volatility_dict(result.volatility),
        "level": None if result.level is None else _level_dict(result.level),
        "notes": dict(result.notes),
    }


__all__ = [
    "BAND",
    "DEFAULT_HOLDOUT",
    "DEFAULT_HORIZONS",
    "MAX_FIT_CHANGES",
    "MIN_CHANGES",
    "Z80",
    "Ar1Fit",
    "Ar1Params",
    "Coverage",
    "GarchFit",
    "GarchParams",
    "LegForecast",
    "LevelForecast",
    "LevelResult",
    "OutOfSample",
    "Sample",
    "VolatilityForecast",
    "VolatilityResult",
    "ar1_coverage",
    "ar1_moments",
    "cumulative_variances",
    "fit_ar1",
    "fit_garch",
    "fit_sample",
    "forecast_leg",
    "forecast_to_dict",
    "garch_coverage",
    "garch_scale",
    "half_life",
    "one_step_variances",
    "target_date",
]
