"""Window statistics of every pair of many metrics at once: correlation, beta, ratio z-score.

`scan_pairs` gives, for each unordered pair of a universe of same-frequency metrics, the
figures `build_report(a, b, window=N).stats` gives for that pair (correlation, beta each
way, the display-ratio z-score, n), on exactly STATISTICS.md's pair panel: the dates both
metrics have (no forward fill), changes between consecutive shared rows, and a window that
ends on the pair's own last shared date.

How it stays exact and fast: two metrics observed on the same rows (over the rows any
window can reach) form a group. Every pair drawn from groups g and h then has the same
panel rows, the same end and the same window, so all of its figures come from one matrix
product of centred changes. With no gaps there is one group and one product; each extra
missing-value pattern (a holiday calendar, a crypto weekend, a missing print) adds a group.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as np
import numpy.typing as npt
import pandas as pd

from pairwatch.analytics.panel import validate_window
from pairwatch.analytics.stats import STATS_MIN_CHANGES
from pairwatch.domain import ChangeKind
from pairwatch.errors import InvalidRequestError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]

# Largest temporary array (elements) built at once: 2 MB of float64, to stay in cache.
_CHUNK_ELEMENTS = 1 << 18


def _none(value: float) -> float | None:
    """A float, or None for NaN (a figure that is undefined on the data)."""
    return None if math.isnan(value) else float(value)


def _readonly(array: npt.NDArray[np.generic]) -> None:
    """Freeze an array held by a frozen result."""
    array.flags.writeable = False


@dataclass(frozen=True)
class PairScan:
    """One pair's scanned figures; None where build_report's [stats] would have None."""

    a: str
    b: str
    nobs: int
    correlation: float | None
    beta: float | None
    beta_ba: float | None
    zscore: float | None


@dataclass(frozen=True)
class ScanResult:
    """All-pairs window figures as square matrices, rows and columns in `ids` order.

    - `nobs[i, j]`: changes in the pair's window (0 when the metrics share under 2 dates).
    - `correlation[i, j]`: Pearson correlation of the window's changes (symmetric).
    - `beta[i, j]`: cov / var(j), the slope of i's changes on j's (so `beta[j, i]` is the
      other way round; `beta[i, j] * beta[j, i]` is `correlation[i, j] ** 2`).
    - `zscore[i, j]`: (last - mean) / std (ddof=1) of display_i / display_j over the
      window's rows; only when both metrics are `log`.

    NaN marks a figure build_report would give as None: the diagonal, a pair with fewer
    than 10 window changes (STATISTICS.md's minimum for [stats]), a constant leg, a
    constant ratio, and the z-score of any pair with a `diff` leg. The arrays are read-only.
    """

    ids: tuple[str, ...]
    window: int | None
    nobs: IntArray
    correlation: FloatArray
    beta: FloatArray
    zscore: FloatArray

    def __post_init__(self) -> None:
        for array in (self.nobs, self.correlation, self.beta, self.zscore):
            _readonly(array)

    def position(self, metric_id: str) -> int:
        """Row and column of a metric; InvalidRequestError for an id not scanned."""
        try:
            return self.ids.index(metric_id)
        except ValueError:
            raise InvalidRequestError(
                f"{metric_id!r} was not scanned (scanned: {', '.join(self.ids)})"
            ) from None

    def pair(self, a: str, b: str) -> PairScan:
        """The figures of a over b, None for NaN; `beta` is a on b, `zscore` of a / b."""
        i, j = self.position(a), self.position(b)
        return PairScan(
            a,
            b,
            int(self.nobs[i, j]),
            _none(self.correlation[i, j]),
            _none(self.beta[i, j]),
            _none(self.beta[j, i]),
            _none(self.zscore[i, j]),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per unordered pair (a before b in `ids`): a, b, nobs, correlation,
        beta_ab (a on b), beta_ba, zscore (of a / b); NaN where undefined."""
        i, j = np.triu_indices(len(self.ids), k=1)
        ids = np.asarray(self.ids, dtype=object)
        return pd.DataFrame(
            {
                "a": ids[i],
                "b": ids[j],
                "nobs": self.nobs[i, j],
                "correlation": self.correlation[i, j],
                "beta_ab": self.beta[i, j],
                "beta_ba": self.beta[j, i],
                "zscore": self.zscore[i, j],
            }
        )


@dataclass(frozen=True)
class _Universe:
    """Validated inputs as arrays: T dates by M metrics, NaN where not observed."""

    ids: tuple[str, ...]
    dates: DateArray
    adj: FloatArray
    display: FloatArray
    observed: BoolArray
    is_log: BoolArray


@dataclass
class _Output:
    """The result matrices while blocks are filled in."""

    nobs: IntArray
    correlation: FloatArray
    beta: FloatArray
    zscore: FloatArray

    @classmethod
    def empty(cls, m: int) -> _Output:
        """All figures NaN, all counts 0."""
        nan = np.full((m, m), np.nan)
        return cls(np.zeros((m, m), np.int64), nan, nan.copy(), nan.copy())


# --- validation ---


def _check_index(levels: pd.DataFrame) -> None:
    """Dates must be a sorted, unique DatetimeIndex; metric ids (columns) unique."""
    if not isinstance(levels.index, pd.DatetimeIndex):
        raise InvalidRequestError("levels must have a DatetimeIndex of observation dates")
    if not (levels.index.is_monotonic_increasing and levels.index.is_unique):
        raise InvalidRequestError("levels' dates must be sorted and unique")
    if not levels.columns.is_unique:
        raise InvalidRequestError("levels' columns (metric ids) must be unique")


def _kind_mask(ids: tuple[str, ...], kinds: Mapping[str, ChangeKind]) -> BoolArray:
    """True for each `log` metric; every column needs a change kind."""
    missing = [metric for metric in ids if metric not in kinds]
    if missing:
        raise InvalidRequestError(f"no change kind given for {', '.join(missing)}: add to kinds")
    return np.array([ChangeKind(kinds[metric]) == ChangeKind.LOG for metric in ids], dtype=bool)


def _display_values(levels: pd.DataFrame, display: pd.DataFrame | None) -> FloatArray:
    """Display levels on the same dates, ids and missing cells as the adjusted levels."""
    if display is None:
        return levels.to_numpy(np.float64)
    if not (display.index.equals(levels.index) and display.columns.equals(levels.columns)):
        raise InvalidRequestError("display must have the same dates and columns as levels")
    if not display.isna().equals(levels.isna()):
        raise InvalidRequestError("display and levels must be missing on the same cells")
    return display.to_numpy(np.float64)


def _check_positive(ids: tuple[str, ...], values: FloatArray, is_log: BoolArray) -> None:
    """`log` metrics must be strictly positive wherever observed."""
    bad = is_log & np.any(values <= 0.0, axis=0)
    if bad.any():
        names = ", ".join(metric for metric, flag in zip(ids, bad, strict=True) if flag)
        raise InvalidRequestError(f"log-change metrics need levels > 0: {names}")


def _universe(
    levels: pd.DataFrame, kinds: Mapping[str, ChangeKind], display: pd.DataFrame | None
) -> _Universe:
    """Check the inputs and lay them out as arrays."""
    _check_index(levels)
    ids = tuple(str(column) for column in levels.columns)
    is_log = _kind_mask(ids, kinds)
    adj = levels.to_numpy(np.float64)
    shown = _display_values(levels, display)
    _check_positive(ids, np.fmin(adj, shown), is_log)
    dates = levels.index.to_numpy(dtype="datetime64[ns]")
    return _Universe(ids, dates, adj, shown, ~np.isnan(adj), is_log)


# --- which rows matter, and the groups of metrics observed on the same rows ---


def _first_rows(observed: BoolArray) -> IntArray:
    """Each metric's first observed row (the row count when it has none)."""
    rows = observed.shape[0]
    if rows == 0:
        return np.zeros(observed.shape[1], dtype=np.int64)
    first = np.where(observed.any(axis=0), observed.argmax(axis=0), rows)
    return np.asarray(first, dtype=np.int64)


def pair_ends(observed: BoolArray) -> IntArray:
    """The last row each unordered pair (in np.triu_indices order) shares, -1 if none.

    Scans row blocks backwards from the end, doubling the block each time, and drops a
    pair once it is found or can share no earlier row: usually the first few rows settle
    every pair.
    """
    rows, m = observed.shape
    left, right = np.triu_indices(m, k=1)
    first = _first_rows(observed)
    ends = np.full(left.size, -1, dtype=np.int64)
    todo = np.arange(left.size)
    stop, step = rows, 8
    while todo.size and stop > 0:
        start = max(0, stop - min(step, max(8, _CHUNK_ELEMENTS // todo.size)))
        both = observed[start:stop, left[todo]] & observed[start:stop, right[todo]]
        hit = both.any(axis=0)
        ends[todo[hit]] = (stop - 1 - both[::-1].argmax(axis=0))[hit]
        reachable = np.maximum(first[left[todo]], first[right[todo]]) < start
        todo, stop, step = todo[~hit & reachable], start, 2 * step
    return ends


def _relevant_start(dates: DateArray, ends: IntArray, days: int | None) -> int:
    """First row any pair's window can reach: the earliest pair end minus the window."""
    ends = ends[ends >= 0]
    if days is None or ends.size == 0:
        return 0 if days is None else len(dates)
    cutoff = dates[ends.min()] - np.timedelta64(days, "D")
    return int(np.searchsorted(dates, cutoff, side="right"))


def missing_patterns(observed: BoolArray) -> list[IntArray]:
    """Metrics (column positions) grouped by identical observed rows, in first-seen order."""
    members: dict[bytes, list[int]] = {}
    for column in range(observed.shape[1]):
        members.setdefault(observed[:, column].tobytes(), []).append(column)
    return [np.array(group, dtype=np.int64) for group in members.values()]


def window_rows(shared: BoolArray, dates: DateArray, days: int | None) -> IntArray:
    """The shared rows with end - days < date <= end, end = the last shared row's date."""
    rows = np.flatnonzero(shared).astype(np.int64)
    if rows.size == 0 or days is None:
        return rows
    cutoff = dates[rows[-1]] - np.timedelta64(days, "D")
    return np.asarray(rows[dates[rows] > cutoff], dtype=np.int64)


# --- figures of one block of pairs (all of g against all of h, on the same rows) ---


def block_changes(levels: FloatArray, is_log: BoolArray) -> FloatArray:
    """Changes between consecutive rows of a rows x metrics block, one metric per row out.

    log metrics: ln(x_t / x_{t-1}); diff metrics: x_t - x_{t-1}. The result is metrics x
    (rows - 1), C-contiguous, so per-metric reductions run along contiguous memory just
    as they do on one pair's 1-D arrays.
    """
    series = np.ascontiguousarray(levels.T)
    before, after = series[:, :-1], series[:, 1:]
    out = after - before
    if is_log.any():
        out[is_log] = np.log(after[is_log] / before[is_log])
    return out


def _centred(changes: FloatArray) -> FloatArray:
    """Each metric's changes minus their mean."""
    return np.asarray(changes - changes.mean(axis=1, keepdims=True), dtype=np.float64)


def _divide(num: FloatArray, den: FloatArray) -> FloatArray:
    """num / den, NaN where den is not positive (a constant leg or ratio)."""
    out = np.full(np.broadcast_shapes(num.shape, den.shape), np.nan)
    np.divide(num, den, out=out, where=den > 0.0)
    return out


def ratio_zscores(num: FloatArray, den: FloatArray) -> FloatArray:
    """z[i, j] of q = num[i] / den[j] over the rows: (last - mean) / std (ddof=1).

    num and den are metrics x rows; the ratios are built a few metrics of num at a time.
    """
    rows = num.shape[1]
    out = np.empty((num.shape[0], den.shape[0]))
    step = max(1, _CHUNK_ELEMENTS // max(rows * den.shape[0], 1))
    for start in range(0, num.shape[0], step):
        q = num[start : start + step, None, :] / den[None, :, :]
        spread = q.std(axis=2, ddof=1)
        out[start : start + step] = _divide(q[:, :, -1] - q.mean(axis=2), spread)
    return out


@dataclass(frozen=True)
class _Block:
    """Figures of all pairs (i in g, j in h) sharing one window of `rows`."""

    g: IntArray
    h: IntArray
    correlation: FloatArray
    beta_gh: FloatArray
    beta_hg: FloatArray


def _block_moments(universe: _Universe, rows: IntArray, g: IntArray, h: IntArray) -> _Block:
    """Correlation and both betas of every (g, h) pair from one product of centred changes."""
    xg = _centred(block_changes(universe.adj[np.ix_(rows, g)], universe.is_log[g]))
    xh = _centred(block_changes(universe.adj[np.ix_(rows, h)], universe.is_log[h]))
    cross = xg @ xh.T
    ss_g, ss_h = np.einsum("ij,ij->i", xg, xg), np.einsum("ij,ij->i", xh, xh)
    correlation = np.clip(_divide(cross, np.sqrt(np.outer(ss_g, ss_h))), -1.0, 1.0)
    return _Block(g, h, correlation, _divide(cross, ss_h[None, :]), _divide(cross.T, ss_g))


def _store_block(out: _Output, block: _Block) -> None:
    """Write a block's figures into both triangles of the result matrices."""
    gh, hg = np.ix_(block.g, block.h), np.ix_(block.h, block.g)
    out.correlation[gh], out.correlation[hg] = block.correlation, block.correlation.T
    out.beta[gh], out.beta[hg] = block.beta_gh, block.beta_hg


def _store_zscores(
    out: _Output, universe: _Universe, rows: IntArray, g: IntArray, h: IntArray
) -> None:
    """Ratio z-scores of the `log` members of g over those of h, both ways round."""
    logs_g, logs_h = g[universe.is_log[g]], h[universe.is_log[h]]
    if logs_g.size == 0 or logs_h.size == 0:
        return
    shown_g = np.ascontiguousarray(universe.display[np.ix_(rows, logs_g)].T)
    shown_h = np.ascontiguousarray(universe.display[np.ix_(rows, logs_h)].T)
    out.zscore[np.ix_(logs_g, logs_h)] = ratio_zscores(shown_g, shown_h)
    if g is not h:
        out.zscore[np.ix_(logs_h, logs_g)] = ratio_zscores(shown_h, shown_g)


def _fill(universe: _Universe, out: _Output, days: int | None) -> None:
    """Compute and store every block of pairs; a block under 10 changes keeps NaN."""
    first = _relevant_start(universe.dates, pair_ends(universe.observed), days)
    observed, dates = universe.observed[first:], universe.dates[first:]
    for g, h in combinations_with_replacement(missing_patterns(observed), 2):
        rows = window_rows(observed[:, g[0]] & observed[:, h[0]], dates, days)
        out.nobs[np.ix_(g, h)] = out.nobs[np.ix_(h, g)] = max(len(rows) - 1, 0)
        if len(rows) - 1 < STATS_MIN_CHANGES:
            continue
        _store_block(out, _block_moments(universe, rows + first, g, h))
        _store_zscores(out, universe, rows + first, g, h)


def scan_pairs(
    levels: pd.DataFrame,
    kinds: Mapping[str, ChangeKind],
    window_days: int | None = 90,
    *,
    display: pd.DataFrame | None = None,
) -> ScanResult:
    """Correlation, beta both ways and ratio z-score of every pair of `levels`' columns.

    `levels`: one column per metric (its id), adjusted levels on a DatetimeIndex, NaN where
    the metric has no observation; all metrics of one frequency (a weekly or monthly
    metric needs build_report's as-of sampling instead). `kinds[id]` is the metric's
    change kind. `display`: display levels for the ratio z-score, same shape and missing
    cells (default: `levels`). `window_days`: N calendar days, 5..36500, or None for the
    whole panel. Each pair matches `build_report(a, b, window=N).stats` (see ScanResult).
    """
    validate_window(window_days)
    universe = _universe(levels, kinds, display)
    result = _Output.empty(len(universe.ids))
    _fill(universe, result, window_days)
    np.fill_diagonal(result.nobs, 0)
    for figure in (result.correlation, result.beta, result.zscore):
        np.fill_diagonal(figure, np.nan)
    return ScanResult(
        universe.ids, window_days, result.nobs, result.correlation, result.beta, result.zscore
    )


__all__ = ["PairScan", "ScanResult", "scan_pairs"]
