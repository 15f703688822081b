"""Window statistics [stats] and the per-series changes table [changes] (STATISTICS.md).

Each statistic is a small function over float64 arrays; `window_stats` and
`changes_table` assemble them into frozen results. A figure that is undefined on the data
(a correlation with a constant leg, a z-score with a constant ratio) is None, never NaN.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from pairwatch.analytics.panel import Window, day, require_nobs
from pairwatch.domain import ChangeKind

STATS_MIN_CHANGES = 10
ROLLING_CORRELATION_CHANGES = 20
CI_Z = 1.959963984540054

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LegStats:
    """One leg's window figures: display levels, total change, volatility, drawdown."""

    last: float
    first: float
    change: float
    high: float
    low: float
    volatility: float
    max_drawdown: float


@dataclass(frozen=True)
class RatioStats:
    """The display-level ratio A/B over the window's rows (both legs `log` only)."""

    last: float
    mean: float
    std: float | None
    min: float
    max: float
    zscore: float | None
    percentile: float


@dataclass(frozen=True)
class WindowStats:
    """Every [stats] figure of one window; `window` is N days or None for "max"."""

    window: int | None
    observations: int
    start: dt.date
    end: dt.date
    a: LegStats
    b: LegStats
    correlation: float | None
    correlation_ci: tuple[float, float] | None
    spearman: float | None
    beta: float | None
    beta_se: float | None
    r_squared: float | None
    rolling_correlation: float | None
    ratio: RatioStats | None
    relative_performance: float | None
    nobs: int


@dataclass(frozen=True)
class ChangesResult:
    """A quote screen's price changes of one series, to its own last observation."""

    last: float
    date: dt.date
    one_day: float | None
    one_week: float | None
    one_month: float | None
    three_months: float | None
    one_year: float | None
    ytd: float | None


def _centred(x: FloatArray) -> FloatArray:
    """x minus its mean."""
    return np.asarray(x - x.mean(), dtype=np.float64)


def correlation(x: FloatArray, y: FloatArray) -> float | None:
    """Pearson correlation; None when either input is constant."""
    xc, yc = _centred(x), _centred(y)
    denom = math.sqrt(float(np.dot(xc, xc)) * float(np.dot(yc, yc)))
    if denom == 0.0:
        return None
    return max(-1.0, min(1.0, float(np.dot(xc, yc)) / denom))


def correlation_ci(r: float, n: int) -> tuple[float, float]:
    """95% Fisher-z interval tanh(atanh(r) -/+ 1.96 / sqrt(n - 3)); [r, r] when |r| = 1."""
    if abs(r) == 1.0:
        return (r, r)
    half = CI_Z / math.sqrt(n - 3)
    z = math.atanh(r)
    return (math.tanh(z - half), math.tanh(z + half))


def spearman(x: FloatArray, y: FloatArray) -> float | None:
    """Spearman rank correlation: Pearson correlation of average ranks."""
    return correlation(sps.rankdata(x), sps.rankdata(y))


def beta(a: FloatArray, b: FloatArray) -> float | None:
    """cov(a, b) / var(b): the OLS slope of a on b; None when b is constant."""
    bc = _centred(b)
    sxx = float(np.dot(bc, bc))
    return None if sxx == 0.0 else float(np.dot(bc, _centred(a))) / sxx


def beta_se(a: FloatArray, b: FloatArray) -> float | None:
    """OLS standard error of the slope of a on b (with intercept): sqrt(SSR/(n-2)/Sxx)."""
    slope = beta(a, b)
    if slope is None:
        return None
    bc = _centred(b)
    resid = _centred(a) - slope * bc
    return math.sqrt(float(np.dot(resid, resid)) / (len(a) - 2) / float(np.dot(bc, bc)))


def volatility(changes: FloatArray, ppy: int) -> float:
    """Sample standard deviation (ddof=1) of the changes, annualised by sqrt(ppy)."""
    return float(np.std(changes, ddof=1)) * math.sqrt(ppy)


def total_change(first: float, last: float, kind: ChangeKind) -> float:
    """log: last / first - 1 (a total return on adjusted levels); diff: last - first."""
    return last / first - 1.0 if kind == ChangeKind.LOG else last - first


def max_drawdown(levels: FloatArray, kind: ChangeKind) -> float:
    """Worst fall from a running peak: log as a fraction of the peak, diff in units."""
    peak = np.maximum.accumulate(levels)
    drop = levels / peak - 1.0 if kind == ChangeKind.LOG else levels - peak
    return float(drop.min())


def ratio_stats(a: FloatArray, b: FloatArray) -> RatioStats:
    """Statistics of q = a / b; percentile = 100 x share of rows with q <= last."""
    q = a / b
    last, mean = float(q[-1]), float(q.mean())
    std = float(np.std(q, ddof=1)) if len(q) > 1 else math.nan
    zscore = (last - mean) / std if std > 0 else None
    percentile = 100.0 * int(np.count_nonzero(q <= last)) / len(q)
    return RatioStats(
        last,
        mean,
        std if math.isfinite(std) else None,
        float(q.min()),
        float(q.max()),
        zscore,
        percentile,
    )


def leg_stats(
    close: FloatArray, adj: FloatArray, moves: FloatArray, kind: ChangeKind, ppy: int
) -> LegStats:
    """One leg's window figures: display levels for last/first/high/low, adj for the rest."""
    return LegStats(
        last=float(close[-1]),
        first=float(close[0]),
        change=total_change(float(adj[0]), float(adj[-1]), kind),
        high=float(close.max()),
        low=float(close.min()),
        volatility=volatility(moves, ppy),
        max_drawdown=max_drawdown(adj, kind),
    )


def rolling_correlation(a: FloatArray, b: FloatArray) -> float | None:
    """Correlation of the last 20 changes; None with fewer than 20."""
    if len(a) < ROLLING_CORRELATION_CHANGES:
        return None
    return correlation(a[-ROLLING_CORRELATION_CHANGES:], b[-ROLLING_CORRELATION_CHANGES:])


def _window_leg(window: Window, leg: str, kind: ChangeKind) -> LegStats:
    """Window figures of leg "a" or "b"."""
    levels = window.levels
    return leg_stats(
        levels[f"{leg}_close"].to_numpy(np.float64),
        levels[f"{leg}_adj"].to_numpy(np.float64),
        window.changes[leg].to_numpy(np.float64),
        kind,
        window.panel.ppy,
    )


def _ratio(window: Window) -> RatioStats | None:
    """Ratio statistics when both legs are `log`, else None (the key is absent)."""
    if not window.panel.both_log:
        return None
    levels = window.levels
    return ratio_stats(
        levels["a_close"].to_numpy(np.float64), levels["b_close"].to_numpy(np.float64)
    )


def window_stats(window: Window) -> WindowStats:
    """Every [stats] figure of the window; InsufficientDataError below 10 changes."""
    require_nobs(window.n, STATS_MIN_CHANGES, "stats")
    ra, rb = window.changes["a"].to_numpy(np.float64), window.changes["b"].to_numpy(np.float64)
    a = _window_leg(window, "a", window.panel.a_kind)
    b = _window_leg(window, "b", window.panel.b_kind)
    r = correlation(ra, rb)
    both_log = window.panel.both_log
    return WindowStats(
        window=window.days,
        observations=len(window.levels),
        start=window.start,
        end=window.end,
        a=a,
        b=b,
        correlation=r,
        correlation_ci=None if r is None else correlation_ci(r, window.n),
        spearman=spearman(ra, rb),
        beta=beta(ra, rb),
        beta_se=beta_se(ra, rb),
        r_squared=None if r is None else r * r,
        rolling_correlation=rolling_correlation(ra, rb),
        ratio=_ratio(window),
        relative_performance=a.change - b.change if both_log else None,
        nobs=window.n,
    )


def _reference_dates(end: pd.Timestamp) -> dict[str, pd.Timestamp]:
    """The look-back date of each changes-table column."""
    days = {"one_day": 1, "one_week": 7, "one_month": 30, "three_months": 91, "one_year": 365}
    refs = {name: end - pd.Timedelta(days=n) for name, n in days.items()}
    refs["ytd"] = pd.Timestamp(end.year - 1, 12, 31)
    return refs


def _change_since(close: pd.Series, ref: pd.Timestamp, kind: ChangeKind) -> float | None:
    """Price change from the last close on or before `ref` to the last close; None if none."""
    pos = int(close.index.searchsorted(ref, side="right")) - 1
    if pos < 0:
        return None
    return total_change(float(close.iloc[pos]), float(close.iloc[-1]), kind)


def changes_table(close: pd.Series, kind: ChangeKind) -> ChangesResult:
    """The [changes] row of one series on its own dates, from display levels."""
    require_nobs(len(close), 1, "changes table", "(the series is empty)")
    end = close.index[-1]
    refs = _reference_dates(end)
    return ChangesResult(
        last=float(close.iloc[-1]),
        date=day(end),
        one_day=_change_since(close, refs["one_day"], kind),
        one_week=_change_since(close, refs["one_week"], kind),
        one_month=_change_since(close, refs["one_month"], kind),
        three_months=_change_since(close, refs["three_months"], kind),
        one_year=_change_since(close, refs["one_year"], kind),
        ytd=_change_since(close, refs["ytd"], kind),
    )
