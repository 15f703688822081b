"""Coordinates for server-rendered SVG lines (sparklines, the no-JavaScript chart).

Only numbers are computed here; the `<svg>` markup lives in the `sparkline` and
`static_chart` macros of `templates/_macros.html`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SPARK_POINTS = 90


@dataclass(frozen=True, slots=True)
class Lines:
    """SVG polyline `points` strings drawn in one box with a shared vertical scale."""

    width: int
    height: int
    points: tuple[str, ...]
    low: float
    high: float


def _finite(values: Sequence[float | None]) -> list[float]:
    """The finite values of a sequence."""
    return [v for v in values if v is not None and math.isfinite(v)]


def _scale(value: float, low: float, high: float, height: int, pad: float) -> float:
    """The y coordinate of a value (SVG y grows downwards); mid-height for a flat line."""
    if high == low:
        return height / 2
    return pad + (high - value) / (high - low) * (height - 2 * pad)


def _points(
    values: Sequence[float | None], low: float, high: float, width: int, height: int
) -> str:
    """'x,y x,y ...' of one line; missing values are skipped."""
    step = width / max(len(values) - 1, 1)
    pad = 1.5
    return " ".join(
        f"{i * step:.1f},{_scale(v, low, high, height, pad):.1f}"
        for i, v in enumerate(values)
        if v is not None and math.isfinite(v)
    )


def lines(series: Sequence[Sequence[float | None]], width: int, height: int) -> Lines | None:
    """Polylines of several equally long series on one scale; None when nothing is finite."""
    every = [v for values in series for v in _finite(values)]
    if not every:
        return None
    low, high = min(every), max(every)
    points = tuple(_points(values, low, high, width, height) for values in series)
    return Lines(width, height, points, low, high)


def sparkline(closes: Sequence[float], width: int = 120, height: int = 32) -> Lines | None:
    """One line of the last 90 closes."""
    return lines([list(closes[-SPARK_POINTS:])], width, height)
