"""Divergence days [divergences]: window days when A moved far from what B implied.

For each window change day with 60 earlier panel changes, a rolling OLS of A on B over
those 60 changes predicts A's change from B's; the day diverges when the prediction error,
in units of the fit's residual standard error s_t = sqrt(SSR / 58), is 2.5 or more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pairwatch.analytics.panel import Window, day
from pairwatch.analytics.rolling import RollingFit, window_fit

Z_CUTOFF = 2.5


@dataclass(frozen=True)
class Divergence:
    """One divergence day: both changes, A's change expected from B's, and the z-score."""

    date: dt.date
    a_change: float
    b_change: float
    expected_a_change: float
    z: float


def divergence_days(
    window: Window, fit: RollingFit | None = None, cutoff: float = Z_CUTOFF
) -> tuple[Divergence, ...]:
    """Window days with |z_t| >= cutoff, in ascending date order.

    Days whose fit is undefined (B constant over the 60 changes, or a perfect fit with
    s_t = 0) cannot diverge and are skipped. InsufficientDataError with fewer than 10
    window days that have 60 earlier panel changes.
    """
    fit = window_fit(window, "divergences") if fit is None else fit
    moves = window.panel.changes.iloc[fit.index]
    ra, rb = moves["a"].to_numpy(np.float64), moves["b"].to_numpy(np.float64)
    expected = fit.alpha + fit.beta * rb
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (ra - expected) / fit.scale
    hits = np.flatnonzero(np.isfinite(z) & (np.abs(z) >= cutoff))
    dates = moves.index
    return tuple(
        Divergence(day(dates[i]), float(ra[i]), float(rb[i]), float(expected[i]), float(z[i]))
        for i in hits.tolist()
    )
