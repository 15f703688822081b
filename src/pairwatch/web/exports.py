"""Downloads: a metric's series, a pair's aligned panel and its statistics table (CSV/JSON).

Numbers are written at full float64 precision (shortest round-trip form), dates as ISO
YYYY-MM-DD, missing values as empty CSV fields or JSON null.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from pairwatch.analytics.panel import build_panel, select_window
from pairwatch.domain import MetricSeries

SERIES_COLUMNS = ("date", "close", "adj")
PANEL_COLUMNS = ("date", "a_close", "a_adj", "b_close", "b_adj")
LEG_FIGURES = ("last", "first", "change", "high", "low", "volatility", "max_drawdown")
PAIR_FIGURES = (
    "window",
    "observations",
    "start",
    "end",
    "correlation",
    "spearman",
    "beta",
    "beta_se",
    "r_squared",
    "rolling_correlation",
    "relative_performance",
)
STATS_COLUMNS = ("figure", "a", "b", "pair")


def _cell(value: object) -> object:
    """A CSV cell: floats in repr form (full precision), None as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a header row and \\n line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def _iso(stamp: pd.Timestamp) -> str:
    """The ISO date of an index label."""
    return stamp.date().isoformat()


def series_rows(series: MetricSeries) -> list[tuple[str, float, float]]:
    """(date, close, adj) of every stored observation."""
    levels = series.levels
    return [
        (_iso(stamp), float(close), float(adj))
        for stamp, close, adj in zip(levels.index, levels["close"], levels["adj"], strict=True)
    ]


def series_csv(series: MetricSeries) -> str:
    """A metric's history as CSV: date, close, adj."""
    return _csv(SERIES_COLUMNS, series_rows(series))


def series_json(series: MetricSeries) -> dict[str, Any]:
    """A metric's history as JSON: the metric id, the synthetic flag and the observations."""
    return {
        "metric": series.metric.id,
        "synthetic": series.synthetic,
        "sources": list(series.sources),
        "observations": [
            {"date": d, "close": close, "adj": adj} for d, close, adj in series_rows(series)
        ],
    }


def panel_frame(a: MetricSeries, b: MetricSeries, window: int | None) -> pd.DataFrame:
    """The aligned pair panel's window rows: a_close, a_adj, b_close, b_adj by date."""
    return select_window(build_panel(a, b), window).levels


def panel_csv(a: MetricSeries, b: MetricSeries, window: int | None) -> str:
    """The pair's aligned data over the window as CSV."""
    frame = panel_frame(a, b, window)
    rows = (
        (_iso(stamp), *(float(v) for v in values))
        for stamp, values in zip(
            frame.index, frame[list(PANEL_COLUMNS[1:])].to_numpy(), strict=True
        )
    )
    return _csv(PANEL_COLUMNS, rows)


def stats_rows(data: Mapping[str, Any]) -> list[tuple[str, object, object, object]]:
    """The [stats] table: leg figures in columns a and b, pair figures in column pair."""
    stats = data.get("stats")
    if not stats:
        return []
    rows: list[tuple[str, object, object, object]] = [
        (name, stats["a"][name], stats["b"][name], None) for name in LEG_FIGURES
    ]
    rows += [(name, None, None, stats[name]) for name in PAIR_FIGURES if name in stats]
    lo, hi = stats["correlation_ci"] or (None, None)
    rows += [("correlation_ci_low", None, None, lo), ("correlation_ci_high", None, None, hi)]
    ratio = stats.get("ratio") or {}
    rows += [(f"ratio_{name}", None, None, value) for name, value in ratio.items()]
    return rows


def stats_csv(data: Mapping[str, Any]) -> str:
    """The statistics table of a report dict as CSV (figure, a, b, pair)."""
    return _csv(STATS_COLUMNS, stats_rows(data))


def download_name(*parts: str | int | dt.date | None) -> str:
    """A file name such as 'iwm-vs-vix_90_panel.csv' (None parts left out)."""
    return "_".join(str(p) for p in parts if p is not None)
