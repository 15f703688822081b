"""Correlation stability: when does the pair's relationship break down?

Over the whole panel history, the 60-change rolling Pearson correlation of the legs'
changes is compared with the long-run (full-history) correlation. A *sign-flip episode* is
a maximal run of consecutive rolling values strictly on the other side of zero from the
long-run correlation, lasting at least 20 changes: a shorter excursion is within what
sampling noise of a 60-change estimate produces, a month of it is a change of behaviour.
A rolling value of exactly zero, or an undefined one (a constant leg), ends a run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pairwatch.analytics.panel import Panel, day, require_nobs
from pairwatch.analytics.regimes import gauge_asof
from pairwatch.analytics.series import dates_of, optional, optional_floats, rolling_corr
from pairwatch.analytics.stats import FloatArray, correlation

STABILITY_CHANGES = 60
FLIP_MIN_CHANGES = 20

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class FlipEpisode:
    """One run of the rolling correlation on the other side of zero from the long run.

    `start`/`end` are the dates of the run's first and last rolling values, `length` the
    number of changes (rolling values) in it, `extreme` the value farthest from zero, and
    `mean_gauge` the mean gauge level over the run's dates (None without a gauge there).
    """

    start: dt.date
    end: dt.date
    length: int
    extreme: float
    mean_gauge: float | None


@dataclass(frozen=True)
class StabilityResult:
    """The rolling correlation's history, where today sits in it, and its sign flips.

    `dates`/`values` hold one rolling value per panel change from the 60th on (None where
    a leg was constant). `percentile` = 100 x count(values <= current) / count, over the
    defined values. `long_run_sign` is -1, 0 or +1; with 0 there are no episodes.
    """

    length: int
    min_episode: int
    nobs: int
    dates: tuple[dt.date, ...]
    values: tuple[float | None, ...]
    current: float | None
    percentile: float | None
    mean: float | None
    min: float | None
    max: float | None
    share_positive: float | None
    long_run: float | None
    long_run_sign: int
    episodes: tuple[FlipEpisode, ...]


def runs(mask: BoolArray) -> tuple[IntArray, IntArray]:
    """Start and end (exclusive) positions of the maximal runs of True in `mask`."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1).astype(np.intp)
    return starts, np.flatnonzero(edges == -1).astype(np.intp)


def _mean_or_none(values: FloatArray) -> float | None:
    """Mean of the finite values, None when there are none."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else None


def flip_episodes(
    dates: pd.DatetimeIndex, rolling: FloatArray, sign: int, gauge: FloatArray
) -> tuple[FlipEpisode, ...]:
    """Runs of at least 20 rolling values with sign opposite to `sign` (see module doc)."""
    if sign == 0:
        return ()
    starts, ends = runs(np.nan_to_num(rolling) * sign < 0)
    keep = ends - starts >= FLIP_MIN_CHANGES
    return tuple(
        FlipEpisode(
            start=day(dates[s]),
            end=day(dates[e - 1]),
            length=int(e - s),
            extreme=float(rolling[s:e][np.argmax(np.abs(rolling[s:e]))]),
            mean_gauge=_mean_or_none(gauge[s:e]),
        )
        for s, e in zip(starts[keep], ends[keep], strict=True)
    )


def _percentile(values: FloatArray, current: float) -> float | None:
    """100 x share of the values at or below `current`; None when current is undefined."""
    if not np.isfinite(current):
        return None
    return 100.0 * int(np.count_nonzero(values <= current)) / len(values)


def _summary(defined: FloatArray) -> tuple[float | None, ...]:
    """Mean, min, max and share above zero of the defined rolling values (None if none)."""
    if not len(defined):
        return None, None, None, None
    share = float(np.count_nonzero(defined > 0)) / len(defined)
    return float(defined.mean()), float(defined.min()), float(defined.max()), share


def _long_run_sign(long_run: float | None) -> int:
    """The sign of the full-history correlation: -1, 0 (or undefined) or +1."""
    return 0 if long_run is None else int(np.sign(long_run))


def correlation_stability(panel: Panel, gauge: pd.Series | None = None) -> StabilityResult:
    """Rolling 60-change correlation over the whole panel, its standing and its sign flips.

    `gauge` (e.g. the VIX close, on its own calendar) gives each episode its mean gauge
    level, taken as of each rolling value's date. Needs 60 + 20 panel changes, so that at
    least one episode-length run of rolling values exists; raises InsufficientDataError.
    """
    nobs = len(panel.changes)
    need = STABILITY_CHANGES + FLIP_MIN_CHANGES
    require_nobs(nobs, need, "correlation stability", f"(the panel has {nobs} changes)")
    ra = panel.changes["a"].to_numpy(np.float64)
    rb = panel.changes["b"].to_numpy(np.float64)
    rolling = rolling_corr(ra, rb, STABILITY_CHANGES)[STABILITY_CHANGES - 1 :]
    dates = pd.DatetimeIndex(panel.changes.index[STABILITY_CHANGES - 1 :])
    levels = np.full(len(dates), np.nan) if gauge is None else gauge_asof(gauge, dates)
    defined = rolling[np.isfinite(rolling)]
    long_run = correlation(ra, rb)
    sign = _long_run_sign(long_run)
    mean, low, high, share = _summary(defined)
    return StabilityResult(
        length=STABILITY_CHANGES,
        min_episode=FLIP_MIN_CHANGES,
        nobs=nobs,
        dates=dates_of(dates),
        values=optional_floats(rolling),
        current=optional(float(rolling[-1])),
        percentile=_percentile(defined, float(rolling[-1])),
        mean=mean,
        min=low,
        max=high,
        share_positive=share,
        long_run=long_run,
        long_run_sign=sign,
        episodes=flip_episodes(dates, rolling, sign, levels),
    )


def _episode_dict(episode: FlipEpisode) -> dict[str, Any]:
    """One sign-flip episode."""
    return {
        "start": episode.start.isoformat(),
        "end": episode.end.isoformat(),
        "length": episode.length,
        "extreme": episode.extreme,
        "mean_gauge": episode.mean_gauge,
    }


def stability_to_dict(result: StabilityResult) -> dict[str, Any]:
    """The stability result as JSON: ISO dates, plain numbers, null where undefined."""
    return {
        "length": result.length,
        "min_episode": result.min_episode,
        "nobs": result.nobs,
        "current": result.current,
        "percentile": result.percentile,
        "mean": result.mean,
        "min": result.min,
        "max": result.max,
        "share_positive": result.share_positive,
        "long_run": result.long_run,
        "long_run_sign": result.long_run_sign,
        "episodes": [_episode_dict(e) for e in result.episodes],
        "series": {
            "dates": [d.isoformat() for d in result.dates],
            "values": list(result.values),
        },
    }
