"""Chart series of a window: the lines a pair page draws, as plain aligned arrays.

Both legs are shown on one scale (rebased to 100 for prices, raw levels for yields and
spreads), with the ratio and its band or the spread, and the rolling correlation and beta
of the changes. Rolling figures are computed over the whole panel and only then cut to the
window, so the line starts at the window's first date with real history behind it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from pairwatch.analytics.panel import Window
from pairwatch.analytics.stats import FloatArray
from pairwatch.domain import ChangeKind

SHORT_CORRELATION_CHANGES = 20
LONG_CORRELATION_CHANGES = 60
BETA_CHANGES = 60
RATIO_BAND_STDS = 2.0
REBASE_TO = 100.0

BASIS_REBASED = "rebased"
BASIS_LEVEL = "level"


@dataclass(frozen=True)
class LegLine:
    """One leg's line: `basis` "rebased" (adjusted level x 100 / first) or "level" (display).

    A diff leg (a yield, a spread) keeps its raw display level: rebasing a rate to 100
    would turn a move from 4% to 5% into "+25%", which means nothing.
    """

    basis: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class RatioBand:
    """The display-level ratio A/B on each window row, its mean and mean +/- 2 std band."""

    values: tuple[float, ...]
    mean: float
    std: float | None
    upper: float | None
    lower: float | None


@dataclass(frozen=True)
class ChartSeries:
    """Every line of the pair chart, one value per window row (None where undefined).

    `correlation_20`, `correlation_60` and `beta_60` on a row use the changes up to and
    including the change dated that row; they are None until enough changes exist.
    """

    dates: tuple[dt.date, ...]
    a: LegLine
    b: LegLine
    ratio: RatioBand | None
    spread: tuple[float, ...] | None
    correlation_20: tuple[float | None, ...]
    correlation_60: tuple[float | None, ...]
    beta_60: tuple[float | None, ...]


def optional(value: float) -> float | None:
    """A float, or None for NaN and infinities (JSON never holds them)."""
    return value if math.isfinite(value) else None


def optional_floats(values: Iterable[float]) -> tuple[float | None, ...]:
    """Each value as a plain float, None where it is NaN or infinite (vectorised)."""
    array = np.asarray(values if isinstance(values, np.ndarray) else list(values), np.float64)
    out: list[float | None] = array.tolist()
    for i in np.flatnonzero(~np.isfinite(array)).tolist():
        out[i] = None
    return tuple(out)


def dates_of(index: pd.DatetimeIndex | pd.Index) -> tuple[dt.date, ...]:
    """The calendar dates of a DatetimeIndex, converted all at once."""
    return tuple(pd.DatetimeIndex(index).date.tolist())


def _windows(x: FloatArray, length: int) -> FloatArray:
    """(len(x) - length + 1, length) centred sliding windows of x."""
    view = sliding_window_view(x, length)
    return np.asarray(view - view.mean(axis=1, keepdims=True), dtype=np.float64)


def _pad(values: FloatArray, length: int) -> FloatArray:
    """Left-pad rolling results with length - 1 NaNs, so they align with their input."""
    return np.concatenate([np.full(length - 1, np.nan), values])


def rolling_corr(a: FloatArray, b: FloatArray, length: int) -> FloatArray:
    """Pearson correlation of a and b over each run of `length` values ending at t.

    Aligned with the input: NaN for the first length - 1 positions and where either leg is
    constant over the run. Centred sums per run, so no running-sum cancellation.
    """
    if len(a) < length:
        return np.full(len(a), np.nan)
    ac, bc = _windows(a, length), _windows(b, length)
    denom = np.sqrt(np.einsum("ij,ij->i", ac, ac) * np.einsum("ij,ij->i", bc, bc))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(denom > 0, np.einsum("ij,ij->i", ac, bc) / denom, np.nan)
    return _pad(np.clip(r, -1.0, 1.0), length)


def rolling_beta(a: FloatArray, b: FloatArray, length: int) -> FloatArray:
    """cov(a, b) / var(b) (ddof=1 on both) over each run of `length` values ending at t.

    Aligned with the input: NaN for the first length - 1 positions and where b is constant.
    """
    if len(a) < length:
        return np.full(len(a), np.nan)
    ac, bc = _windows(a, length), _windows(b, length)
    sxx = np.einsum("ij,ij->i", bc, bc)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(sxx > 0, np.einsum("ij,ij->i", ac, bc) / sxx, np.nan)
    return _pad(slope, length)


def _leg_line(window: Window, leg: str, kind: ChangeKind) -> LegLine:
    """Log leg: adjusted level rebased to 100 at the window start; diff leg: display level."""
    levels = window.levels
    if kind == ChangeKind.DIFF:
        return LegLine(BASIS_LEVEL, tuple(levels[f"{leg}_close"].to_numpy(np.float64).tolist()))
    adj = levels[f"{leg}_adj"].to_numpy(np.float64)
    return LegLine(BASIS_REBASED, tuple((REBASE_TO * (adj / adj[0])).tolist()))


def ratio_band(a: FloatArray, b: FloatArray) -> RatioBand:
    """q = a / b with its mean and mean +/- 2 sample std (ddof=1); std None with one row."""
    q = a / b
    mean = float(q.mean())
    if len(q) < 2:
        return RatioBand(tuple(q.tolist()), mean, None, None, None)
    std = float(np.std(q, ddof=1))
    half = RATIO_BAND_STDS * std
    return RatioBand(tuple(q.tolist()), mean, std, mean + half, mean - half)


def _display(window: Window, leg: str) -> FloatArray:
    """The window's display levels of leg "a" or "b"."""
    return window.levels[f"{leg}_close"].to_numpy(np.float64)


def _spread(window: Window, a_unit: str | None, b_unit: str | None) -> tuple[float, ...] | None:
    """A - B on display levels, for pairs with a diff leg whose units match; else None."""
    if window.panel.both_log or a_unit is None or a_unit != b_unit:
        return None
    return tuple((_display(window, "a") - _display(window, "b")).tolist())


def _on_rows(window: Window, values: FloatArray) -> tuple[float | None, ...]:
    """Per-change rolling values placed on panel rows (row 0 has none), cut to the window."""
    per_row = np.concatenate([[np.nan], values])
    return optional_floats(per_row[window.first_row :])


def chart_series(
    window: Window, *, a_unit: str | None = None, b_unit: str | None = None
) -> ChartSeries:
    """The chart lines of a window.

    `a_unit`/`b_unit` are the catalog units of the legs: the spread A - B is drawn only
    for a pair with a diff leg whose two units are the same (two yields in percent, two
    spreads in percentage points). The ratio is drawn only when both legs are log.
    """
    panel = window.panel
    ra = panel.changes["a"].to_numpy(np.float64)
    rb = panel.changes["b"].to_numpy(np.float64)
    ratio = ratio_band(_display(window, "a"), _display(window, "b")) if panel.both_log else None
    return ChartSeries(
        dates=dates_of(window.levels.index),
        a=_leg_line(window, "a", panel.a_kind),
        b=_leg_line(window, "b", panel.b_kind),
        ratio=ratio,
        spread=_spread(window, a_unit, b_unit),
        correlation_20=_on_rows(window, rolling_corr(ra, rb, SHORT_CORRELATION_CHANGES)),
        correlation_60=_on_rows(window, rolling_corr(ra, rb, LONG_CORRELATION_CHANGES)),
        beta_60=_on_rows(window, rolling_beta(ra, rb, BETA_CHANGES)),
    )


def _ratio_dict(ratio: RatioBand) -> dict[str, Any]:
    """The ratio line and its band."""
    return {
        "values": list(ratio.values),
        "mean": ratio.mean,
        "std": ratio.std,
        "upper": ratio.upper,
        "lower": ratio.lower,
    }


def chart_series_to_dict(result: ChartSeries) -> dict[str, Any]:
    """The chart series as JSON: ISO dates, one list per line, null where undefined."""
    return {
        "dates": [d.isoformat() for d in result.dates],
        "a": {"basis": result.a.basis, "values": list(result.a.values)},
        "b": {"basis": result.b.basis, "values": list(result.b.values)},
        "ratio": None if result.ratio is None else _ratio_dict(result.ratio),
        "spread": None if result.spread is None else list(result.spread),
        "correlation_20": list(result.correlation_20),
        "correlation_60": list(result.correlation_60),
        "beta_60": list(result.beta_60),
    }
