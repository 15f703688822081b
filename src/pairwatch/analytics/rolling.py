"""Rolling OLS of A's changes on B's over the 60 panel changes before each day.

Divergences and the hedge's out-of-sample effectiveness share these fits. They are
computed for all target days at once on a (days x 60) sliding-window view, with centred
sums, so a 6,000-day history costs a few array operations rather than 6,000 model fits
(and avoids the cancellation of running-sum formulas).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from pairwatch.analytics.panel import Window, require_nobs
from pairwatch.analytics.stats import FloatArray

ROLLING_CHANGES = 60
MIN_OUT_OF_SAMPLE_DAYS = 10

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class RollingFit:
    """For each target change index: alpha, beta and s = sqrt(SSR / (length - 2)).

    `index` holds the positions (in the panel's changes) of the days fitted; each fit uses
    the `length` changes just before that position. beta and s are NaN where B was
    constant over those changes (the slope is undefined).
    """

    index: IntArray
    alpha: FloatArray
    beta: FloatArray
    scale: FloatArray
    length: int


def rolling_ols(
    y: FloatArray, x: FloatArray, targets: IntArray, length: int = ROLLING_CHANGES
) -> RollingFit:
    """OLS of y on x (with intercept) over x[t - length : t] for each t in `targets`.

    Every target must be at least `length`.
    """
    start = np.asarray(targets, dtype=np.intp) - length
    ys = sliding_window_view(y, length)[start]
    xs = sliding_window_view(x, length)[start]
    yc = ys - ys.mean(axis=1, keepdims=True)
    xc = xs - xs.mean(axis=1, keepdims=True)
    sxx = np.einsum("ij,ij->i", xc, xc)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(sxx > 0, np.einsum("ij,ij->i", xc, yc) / sxx, np.nan)
    resid = yc - slope[:, None] * xc
    scale = np.sqrt(np.einsum("ij,ij->i", resid, resid) / (length - 2))
    alpha = ys.mean(axis=1) - slope * xs.mean(axis=1)
    return RollingFit(np.asarray(targets, dtype=np.intp), alpha, slope, scale, length)


def out_of_sample_days(window: Window, length: int = ROLLING_CHANGES) -> IntArray:
    """Panel change positions inside the window with at least `length` earlier changes."""
    total = len(window.panel.changes)
    return np.arange(max(window.first_row, length), total, dtype=np.intp)


def window_fit(window: Window, what: str, length: int = ROLLING_CHANGES) -> RollingFit:
    """Rolling fits for the window's out-of-sample days; needs at least 10 such days."""
    days = out_of_sample_days(window, length)
    context = (
        f"(window days with {length} earlier panel changes; "
        f"the panel has {len(window.panel.changes)} changes)"
    )
    require_nobs(len(days), MIN_OUT_OF_SAMPLE_DAYS, what, context)
    moves = window.panel.changes
    return rolling_ols(
        moves["a"].to_numpy(np.float64), moves["b"].to_numpy(np.float64), days, length
    )
