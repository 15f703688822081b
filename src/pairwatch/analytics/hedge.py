"""Hedge [hedge]: how much of A's moves B takes out when held at the window's beta.

The ratio is the in-window beta; effectiveness is measured out of sample, with each day's
hedge ratio from the rolling 60-change regression fitted before that day (in-sample
effectiveness would simply equal r_squared).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pairwatch.analytics.panel import Window
from pairwatch.analytics.rolling import RollingFit, window_fit
from pairwatch.analytics.stats import FloatArray, beta


@dataclass(frozen=True)
class HedgeResult:
    """Hedge ratio, out-of-sample effectiveness and downside capture of one window.

    `days` counts the out-of-sample days behind `effectiveness`.
    """

    ratio: float | None
    effectiveness: float | None
    downside_capture: float | None
    days: int


def effectiveness(a: FloatArray, b: FloatArray, betas: FloatArray) -> float | None:
    """1 - var(a - beta_t b) / var(a), ddof=1, over days with a defined beta_t."""
    usable = np.isfinite(betas)
    a, b, betas = a[usable], b[usable], betas[usable]
    if len(a) < 2:
        return None
    var_a = float(np.var(a, ddof=1))
    if var_a == 0.0:
        return None
    return 1.0 - float(np.var(a - betas * b, ddof=1)) / var_a


def downside_capture(a: FloatArray, b: FloatArray) -> float | None:
    """Share of A's bad days (a < -std(a), ddof=1) on which B rose; None without bad days."""
    bad = a < -float(np.std(a, ddof=1))
    if not bad.any():
        return None
    return float(np.count_nonzero(b[bad] > 0)) / float(np.count_nonzero(bad))


def hedge(window: Window, fit: RollingFit | None = None) -> HedgeResult:
    """The [hedge] figures of a window; InsufficientDataError with under 10 fitted days."""
    fit = window_fit(window, "hedge") if fit is None else fit
    moves = window.panel.changes
    ra, rb = moves["a"].to_numpy(np.float64), moves["b"].to_numpy(np.float64)
    wa, wb = ra[window.first_row :], rb[window.first_row :]
    return HedgeResult(
        ratio=beta(wa, wb),
        effectiveness=effectiveness(ra[fit.index], rb[fit.index], fit.beta),
        downside_capture=downside_capture(wa, wb),
        days=len(fit.index),
    )
