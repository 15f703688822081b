"""The baseline `scan_pairs` is measured against: a Python loop of pandas pair computations.

For each unordered pair it does what an analyst would write by hand: join the two columns
on their shared dates (`dropna`), keep the last N calendar days, take changes with
`np.log(s).diff()` or `s.diff()`, then `Series.corr`, `Series.cov` / `Series.var` and the
display ratio's mean and std. Its figures double as a cross-check of scan_pairs.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from pairwatch.domain import ChangeKind

MIN_CHANGES = 10


def _changes(levels: pd.Series, kind: ChangeKind) -> pd.Series:
    """Log or plain differences; the first row is NaN and pandas' statistics skip it."""
    return np.log(levels).diff() if kind == ChangeKind.LOG else levels.diff()


def pandas_pair(
    adj: pd.DataFrame,
    display: pd.DataFrame,
    a: str,
    b: str,
    kinds: dict[str, ChangeKind],
    days: int,
) -> tuple[float, float, float, float]:
    """Correlation, beta of a on b, beta of b on a and the a/b ratio z-score (NaN if n/a)."""
    both = adj[[a, b]].dropna()
    if len(both) < 2:
        return (np.nan,) * 4
    both = both.loc[both.index > both.index[-1] - pd.Timedelta(days=days)]
    if len(both) - 1 < MIN_CHANGES:
        return (np.nan,) * 4
    ra, rb = _changes(both[a], kinds[a]), _changes(both[b], kinds[b])
    cov = ra.cov(rb)
    zscore = np.nan
    if kinds[a] == kinds[b] == ChangeKind.LOG:
        ratio = display.loc[both.index, a] / display.loc[both.index, b]
        zscore = (ratio.iloc[-1] - ratio.mean()) / ratio.std()
    return ra.corr(rb), cov / rb.var(), cov / ra.var(), zscore


def pandas_scan(
    adj: pd.DataFrame, display: pd.DataFrame, kinds: dict[str, ChangeKind], days: int = 90
) -> pd.DataFrame:
    """pandas_pair for every unordered pair, as a frame like ScanResult.to_frame()."""
    rows = [
        (a, b, *pandas_pair(adj, display, a, b, kinds, days))
        for a, b in combinations(adj.columns, 2)
    ]
    columns = ["a", "b", "correlation", "beta_ab", "beta_ba", "zscore"]
    return pd.DataFrame(rows, columns=columns)
