"""Lead-lag [lead_lag]: cross-correlations at lags -10..10 and Granger p-values.

The cross-correlation at lag k pairs A today with B k periods later (k > 0: A leads B) and
is a plain Pearson correlation of the overlapping pairs. statsmodels' `ccf` normalises by
the full-sample variances and flips the sign of k, so it is deliberately not used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import f as f_dist
from scipy.stats import norm

from pairwatch.analytics.panel import Window, require_nobs
from pairwatch.analytics.stats import FloatArray, correlation

LEAD_LAG_MIN_CHANGES = 30
MAX_LAG = 10
LAGS: tuple[int, ...] = tuple(range(-MAX_LAG, MAX_LAG + 1))
GRANGER_ORDER = 5
# Two-sided 5% test, Bonferroni-corrected over the 21 lags: 0.05 / (2 x 21).
BONFERRONI_Z = float(norm.ppf(1.0 - 0.05 / (2 * len(LAGS))))


@dataclass(frozen=True)
class GrangerResult:
    """ssr F-test p-values at lag order 5: does one leg's past help predict the other?"""

    a_leads_b: float | None
    b_leads_a: float | None
    order: int = GRANGER_ORDER


@dataclass(frozen=True)
class LeadLagResult:
    """Cross-correlations by lag, the strongest lag and whether it clears the threshold."""

    lags: tuple[int, ...]
    ccf: tuple[float | None, ...]
    best_lag: int | None
    threshold: float
    significant: bool
    granger: GrangerResult
    nobs: int


def lagged_correlation(a: FloatArray, b: FloatArray, k: int) -> float | None:
    """Pearson correlation of the pairs (a_t, b_{t+k}) with both indices in range."""
    n = len(a)
    if k >= 0:
        return correlation(a[: n - k], b[k:])
    return correlation(a[-k:], b[: n + k])


def cross_correlation(
    a: FloatArray, b: FloatArray, lags: Sequence[int] = LAGS
) -> tuple[float | None, ...]:
    """`lagged_correlation` at each lag, in the order given."""
    return tuple(lagged_correlation(a, b, k) for k in lags)


def best_lag(ccf: Sequence[float | None], lags: Sequence[int] = LAGS) -> int | None:
    """The lag of the largest |ccf|; ties go to the smaller |k|, then to the negative k."""
    candidates = [(-abs(c), abs(k), k) for c, k in zip(ccf, lags, strict=True) if c is not None]
    return min(candidates)[2] if candidates else None


def lag_threshold(n: int) -> float:
    """Bonferroni-corrected significance threshold z / sqrt(n) for one cross-correlation."""
    return BONFERRONI_Z / math.sqrt(n)


def _lags(x: FloatArray, order: int) -> FloatArray:
    """Columns x_{t-1} .. x_{t-order} for t = order .. n-1."""
    n = len(x)
    return np.column_stack([x[order - k : n - k] for k in range(1, order + 1)])


def _ssr(y: FloatArray, x: FloatArray) -> float:
    """Sum of squared residuals of the least-squares fit of y on x."""
    coef = np.linalg.lstsq(x, y, rcond=None)[0]
    return float(np.sum((y - x @ coef) ** 2))


def granger_pvalue(
    cause: FloatArray, effect: FloatArray, order: int = GRANGER_ORDER
) -> float | None:
    """p-value of the ssr F-test that `cause`'s past helps predict `effect`.

    The same test as statsmodels' `grangercausalitytests(..)[order][0]["ssr_ftest"]`
    (restricted: effect on a constant and its own `order` lags; unrestricted: plus the
    cause's lags), computed directly at lag `order` alone. None when it is infeasible: a
    constant series, collinear legs (vix vs vixcls) or a perfect fit.
    """
    ones = np.ones((len(effect) - order, 1))
    own, other = _lags(effect, order), _lags(cause, order)
    restricted, full = np.hstack([own, ones]), np.hstack([own, other, ones])
    dof = full.shape[0] - full.shape[1]
    if dof <= 0 or np.linalg.matrix_rank(full) < full.shape[1]:
        return None
    y = effect[order:]
    ssr_full = _ssr(y, full)
    if ssr_full <= 0.0:
        return None
    statistic = (_ssr(y, restricted) - ssr_full) / order / (ssr_full / dof)
    pvalue = float(f_dist.sf(statistic, order, dof))
    return pvalue if math.isfinite(pvalue) else None


def granger(a: FloatArray, b: FloatArray, order: int = GRANGER_ORDER) -> GrangerResult:
    """Granger p-values in both directions."""
    return GrangerResult(granger_pvalue(a, b, order), granger_pvalue(b, a, order), order)


def lead_lag(a: FloatArray, b: FloatArray) -> LeadLagResult:
    """Cross-correlations, best lag, threshold and Granger tests of two aligned changes."""
    n = len(a)
    require_nobs(n, LEAD_LAG_MIN_CHANGES, "lead_lag")
    ccf = cross_correlation(a, b)
    lag = best_lag(ccf)
    threshold = lag_threshold(n)
    strongest = None if lag is None else ccf[LAGS.index(lag)]
    significant = strongest is not None and abs(strongest) > threshold
    return LeadLagResult(LAGS, ccf, lag, threshold, significant, granger(a, b), n)


def window_lead_lag(window: Window) -> LeadLagResult:
    """`lead_lag` on a window's changes."""
    moves = window.changes
    return lead_lag(moves["a"].to_numpy(np.float64), moves["b"].to_numpy(np.float64))
