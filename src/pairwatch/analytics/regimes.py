"""Regimes [regimes]: how the pair behaves in calm, normal, elevated and stressed markets.

Over the whole panel history, each change day is classed by the gauge (CBOE's VIX close by
default) as it stood at the start of the day's move: the gauge's last close on or before the
earlier of the change's two panel rows. Days before the gauge's history belong to no regime.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from pairwatch.analytics.panel import Panel
from pairwatch.analytics.stats import FloatArray, beta, correlation

REGIME_NAMES = ("calm", "normal", "elevated", "stress")
# calm < 15 <= normal < 20 <= elevated < 30 <= stress
REGIME_EDGES = (15.0, 20.0, 30.0)
REGIME_MIN_DAYS = 20
NO_REGIME = -1


@dataclass(frozen=True)
class RegimeStats:
    """One regime: its change days, and the pair's figures there (None under 20 days)."""

    days: int
    correlation: float | None
    beta: float | None
    a_mean: float | None
    b_mean: float | None


@dataclass(frozen=True)
class RegimesResult:
    """The four regimes of the gauge `gauge`, and the days that fell into none of them."""

    gauge: str
    calm: RegimeStats
    normal: RegimeStats
    elevated: RegimeStats
    stress: RegimeStats
    unclassified: int

    def by_name(self) -> dict[str, RegimeStats]:
        """The four regimes in order calm, normal, elevated, stress."""
        return {name: getattr(self, name) for name in REGIME_NAMES}


def gauge_asof(gauge: pd.Series, dates: pd.Index) -> FloatArray:
    """The gauge's last value on or before each date; NaN before its history."""
    pos = gauge.index.searchsorted(dates, side="right") - 1
    values = gauge.to_numpy(np.float64)
    return np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)


def classify(levels: FloatArray) -> npt.NDArray[np.intp]:
    """Regime number 0..3 (calm..stress) of each gauge level; NO_REGIME for NaN."""
    regime = np.digitize(levels, REGIME_EDGES, right=False).astype(np.intp)
    return np.where(np.isnan(levels), NO_REGIME, regime)


def regime_stats(a: FloatArray, b: FloatArray, ppy: int) -> RegimeStats:
    """Correlation, beta and annualised mean changes of one regime's days."""
    days = len(a)
    if days < REGIME_MIN_DAYS:
        return RegimeStats(days, None, None, None, None)
    return RegimeStats(
        days, correlation(a, b), beta(a, b), float(a.mean()) * ppy, float(b.mean()) * ppy
    )


def regimes(panel: Panel, gauge: pd.Series, gauge_id: str = "vix") -> RegimesResult:
    """Pair figures per gauge regime over the whole panel history.

    Change i (between panel rows i and i + 1) takes the gauge as of row i.
    """
    labels = classify(gauge_asof(gauge, panel.levels.index[:-1]))
    ra = panel.changes["a"].to_numpy(np.float64)
    rb = panel.changes["b"].to_numpy(np.float64)
    calm, normal, elevated, stress = (
        regime_stats(ra[labels == k], rb[labels == k], panel.ppy) for k in range(len(REGIME_NAMES))
    )
    unclassified = int(np.count_nonzero(labels == NO_REGIME))
    return RegimesResult(gauge_id, calm, normal, elevated, stress, unclassified)
