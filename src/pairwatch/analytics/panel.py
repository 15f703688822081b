"""The pair panel: two series aligned on shared dates, their changes, and the window.

Every pair figure is computed on the panel (STATISTICS.md, "The pair panel"), so the
alignment rules live here and nowhere else: an inner join for legs of the same frequency;
for mixed frequencies the coarser leg sets the dates and the finer leg is sampled as of
each date. Nothing is forward-filled beyond that as-of lookup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pairwatch.domain import PERIODS_PER_YEAR, ChangeKind, Frequency, MetricSeries
from pairwatch.errors import InsufficientDataError, InvalidRequestError, NoDataError

WINDOW_MIN_DAYS = 5
WINDOW_MAX_DAYS = 36500

# The oldest an as-of sample may be, per coarse frequency: a finer leg with no
# observation inside the coarse period has nothing to say about that period.
_MAX_SAMPLE_AGE = {
    Frequency.WEEKLY: pd.Timedelta(days=7),
    Frequency.MONTHLY: pd.Timedelta(days=31),
}

_COLUMNS = ("close", "adj")


@dataclass(frozen=True)
class Panel:
    """Two legs on the dates they share, with the changes between consecutive rows.

    `levels` has a DatetimeIndex and columns a_close, a_adj, b_close, b_adj; `changes`
    has columns a and b, one row per pair of consecutive panel rows, dated by the later row
    (change i lies between levels rows i and i + 1).
    """

    a_id: str
    b_id: str
    a_kind: ChangeKind
    b_kind: ChangeKind
    frequency: Frequency
    levels: pd.DataFrame
    changes: pd.DataFrame

    @property
    def ppy(self) -> int:
        """Periods per year of the panel (252 daily, 52 weekly, 12 monthly)."""
        return PERIODS_PER_YEAR[self.frequency]

    @property
    def both_log(self) -> bool:
        """True when both legs take log changes (ratios and total returns make sense)."""
        return self.a_kind == ChangeKind.LOG and self.b_kind == ChangeKind.LOG


@dataclass(frozen=True)
class Window:
    """The last N calendar days of a panel: rows with end - N days < date <= end.

    `first_row` is the panel position of the window's first row; the window's changes are
    the panel changes from that position on (both of their rows are inside the window).
    """

    panel: Panel
    days: int | None
    first_row: int

    @property
    def levels(self) -> pd.DataFrame:
        """The window's panel rows."""
        return self.panel.levels.iloc[self.first_row :]

    @property
    def changes(self) -> pd.DataFrame:
        """The window's changes (n = rows - 1)."""
        return self.panel.changes.iloc[self.first_row :]

    @property
    def n(self) -> int:
        """Number of changes in the window."""
        return len(self.panel.changes) - self.first_row

    @property
    def start(self) -> dt.date:
        """Date of the window's first row."""
        return day(self.levels.index[0])

    @property
    def end(self) -> dt.date:
        """Date of the window's last row (the panel's last date)."""
        return day(self.levels.index[-1])


def day(stamp: pd.Timestamp | dt.datetime | dt.date) -> dt.date:
    """The calendar date of an index label (a pandas Timestamp)."""
    return pd.Timestamp(stamp).date()


def require_nobs(have: int, needed: int, what: str, context: str = "") -> None:
    """Raise InsufficientDataError when `have` observations fall short of `needed`."""
    if have < needed:
        raise InsufficientDataError(what, needed, have, context)


def changes(levels: pd.Series, kind: ChangeKind) -> pd.Series:
    """Changes between consecutive levels, dated by the later one.

    log: ln(x_t / x_{t-1}); diff: x_t - x_{t-1}. The first level has no change.
    """
    x = levels.to_numpy(dtype=np.float64)
    values = np.log(x[1:] / x[:-1]) if kind == ChangeKind.LOG else x[1:] - x[:-1]
    return pd.Series(values, index=levels.index[1:], name=levels.name)


def panel_frequency(a: Frequency, b: Frequency) -> Frequency:
    """The coarser of two frequencies (the one with fewer periods per year)."""
    return a if PERIODS_PER_YEAR[a] <= PERIODS_PER_YEAR[b] else b


def sample_asof(levels: pd.DataFrame, dates: pd.Index, max_age: pd.Timedelta) -> pd.DataFrame:
    """Each date's last row of `levels` on or before it, if younger than `max_age`.

    Dates before the first row, or whose last row is `max_age` old or older, are dropped.
    """
    pos = levels.index.searchsorted(dates, side="right") - 1
    found = pos >= 0
    dates, pos = dates[found], pos[found]
    fresh = np.asarray(dates - levels.index[pos] < max_age)
    sampled = levels.iloc[pos[fresh]]
    return sampled.set_axis(dates[fresh], axis=0)


def validate_window(days: int | None) -> None:
    """Reject a window that is not None ("max") or an integer from 5 to 36500."""
    if days is None:
        return
    if isinstance(days, bool) or not isinstance(days, int | np.integer):
        raise InvalidRequestError(
            f"window must be an integer number of days or 'max', got {days!r}"
        )
    if not WINDOW_MIN_DAYS <= days <= WINDOW_MAX_DAYS:
        raise InvalidRequestError(
            f"window must be from {WINDOW_MIN_DAYS} to {WINDOW_MAX_DAYS} days or 'max', got {days}"
        )


def _leg(series: MetricSeries) -> pd.DataFrame:
    """The series' close and adj columns, refusing an empty history."""
    if series.levels.empty:
        raise NoDataError(series.metric.id)
    return pd.DataFrame(series.levels.loc[:, list(_COLUMNS)], dtype=np.float64)


def _align(a: MetricSeries, b: MetricSeries, frequency: Frequency) -> pd.DataFrame:
    """Both legs' levels on the panel dates, columns a_close, a_adj, b_close, b_adj."""
    left, right = _leg(a).add_prefix("a_"), _leg(b).add_prefix("b_")
    if a.metric.frequency == b.metric.frequency:
        return left.join(right, how="inner")
    age = _MAX_SAMPLE_AGE[frequency]
    if a.metric.frequency == frequency:
        return left.join(sample_asof(right, left.index, age), how="inner")
    return sample_asof(left, right.index, age).join(right, how="inner")


def _describe(series: MetricSeries) -> str:
    """'iwm: 6372 observations 2000-05-26..2025-09-26', for error messages."""
    index = series.levels.index
    return f"{series.metric.id}: {len(index)} observations {day(index[0])}..{day(index[-1])}"


def build_panel(a: MetricSeries, b: MetricSeries) -> Panel:
    """Align two metric series into a pair panel and take each leg's changes on adj levels.

    Raises InvalidRequestError for a metric compared with itself, NoDataError for an empty
    series, and InsufficientDataError when the legs share fewer than two dates.
    """
    if a.metric.id == b.metric.id:
        raise InvalidRequestError(f"cannot compare {a.metric.id!r} with itself: pick two metrics")
    frequency = panel_frequency(a.metric.frequency, b.metric.frequency)
    levels = _align(a, b, frequency)
    context = f"(panel has {len(levels)} shared dates; {_describe(a)}; {_describe(b)})"
    require_nobs(max(len(levels) - 1, 0), 1, f"pair {a.metric.id}/{b.metric.id}", context)
    diffs = pd.DataFrame(
        {
            "a": changes(levels["a_adj"], a.metric.change),
            "b": changes(levels["b_adj"], b.metric.change),
        }
    )
    return Panel(
        a.metric.id, b.metric.id, a.metric.change, b.metric.change, frequency, levels, diffs
    )


def select_window(panel: Panel, days: int | None) -> Window:
    """The panel rows with end - days calendar days < date <= end (None: the whole panel)."""
    validate_window(days)
    if days is None:
        return Window(panel, None, 0)
    cutoff = panel.levels.index[-1] - pd.Timedelta(days=int(days))
    first = int(panel.levels.index.searchsorted(cutoff, side="right"))
    return Window(panel, int(days), first)
