"""Chart data for the pages, as plain JSON-ready dicts read by `static/js/charts.js`.

`chart_payload` is the one place the pair page's chart data comes from: it lays out the
report's own chart sections (`series` from `analytics/series.py`, the `stability` rolling
correlation, the `backtest` equity curves) for the page, so the figures drawn are the
figures the JSON API serves. `metric_payload` draws one stored series.

Payload of `chart_payload` (lists share the order of their `dates`; null = no value):

    {"dates": [...], "a": {"id", "label", "unit", "mode"}, "b": {...},
     "levels": {"a": [...], "b": [...], "axes": "shared" | "dual"},
     "relative": {"kind": "ratio" | "spread", "label", "values", "mean", "upper",
                  "lower"} | null,
     "correlation": {"r20": [...], "r60": [...]},
     "stability": {"dates", "values", "long_run"} | null,
     "backtest": {"dates", "strategy", "buy_and_hold", "strategy_label",
                  "hold_label"} | null}

`mode` is "rebased" (adjusted level x 100 / first: `log` legs) or "level" (the displayed
level: `diff` legs). The band is the window mean +/- 2 sample standard deviations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from pairwatch.domain import Metric, MetricSeries

BAND_WIDTH = 2.0
SIGNIFICANT_DIGITS = 7


def _round(value: float | None) -> float | None:
    """A finite value rounded to 7 significant digits (plenty for a chart), else None."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def _values(values: Iterable[float | None]) -> list[float | None]:
    """Floats for JSON: rounded, NaN and infinities as None."""
    return [_round(None if v is None else float(v)) for v in values]


def _leg_info(metric: Metric, basis: str) -> dict[str, str]:
    """A leg's identity and how its line is drawn."""
    return {"id": metric.id, "label": metric.label, "unit": metric.unit, "mode": basis}


def _axes(a: Mapping[str, str], b: Mapping[str, str]) -> str:
    """One y axis when both legs are rebased, or are levels in the same unit; else two."""
    if a["mode"] == b["mode"] == "rebased":
        return "shared"
    if a["mode"] == b["mode"] and a["unit"] == b["unit"]:
        return "shared"
    return "dual"


def _spread_band(values: list[float]) -> dict[str, float | None]:
    """Mean and mean +/- 2 sample std of the spread (band null with one value)."""
    data = np.asarray(values, dtype=np.float64)
    mean = float(data.mean())
    if len(data) < 2:
        return {"mean": _round(mean), "upper": None, "lower": None}
    half = BAND_WIDTH * float(np.std(data, ddof=1))
    return {"mean": _round(mean), "upper": _round(mean + half), "lower": _round(mean - half)}


def _relative(series: Mapping[str, Any], a: Metric, b: Metric) -> dict[str, Any] | None:
    """The ratio A/B with the analytics' band, or the spread A - B with its band."""
    ratio, spread = series.get("ratio"), series.get("spread")
    if ratio:
        band = {key: _round(ratio[key]) for key in ("mean", "upper", "lower")}
        return {
            "kind": "ratio",
            "label": f"{a.label} / {b.label}",
            "values": _values(ratio["values"]),
            **band,
        }
    if spread:
        values = _values(spread)
        label = f"{a.label} − {b.label}"
        return {"kind": "spread", "label": label, "values": values, **_spread_band(spread)}
    return None


def _stability(section: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The whole-history rolling correlation of the stability section."""
    if not section:
        return None
    line = section["series"]
    return {
        "dates": line["dates"],
        "values": _values(line["values"]),
        "long_run": _round(section["long_run"]),
        "length": section["length"],
    }


def _backtest(section: Mapping[str, Any] | None, catalog_label: str) -> dict[str, Any] | None:
    """The ratio-timing strategy's and buy-and-hold's growth of 1."""
    if not section or not section.get("curves"):
        return None
    curves = section["curves"]
    lookback = section["rule"]["lookback"]
    return {
        "dates": curves["dates"],
        "strategy": _values(curves["strategy"]),
        "buy_and_hold": _values(curves["buy_and_hold"]),
        "strategy_label": f"{catalog_label} while the ratio's {lookback}-day change is up",
        "hold_label": f"{catalog_label} buy and hold",
    }


def _risk_label(section: Mapping[str, Any] | None, a: Metric, b: Metric) -> str:
    """The label of the leg the backtest trades."""
    if not section:
        return a.label
    return a.label if section["rule"]["risk_on_leg"] == "a" else b.label


def chart_payload(data: Mapping[str, Any], a: Metric, b: Metric) -> dict[str, Any] | None:
    """The pair page's chart data from a report dict (`report_to_dict`); None without series."""
    series = data.get("series")
    if not series:
        return None
    leg_a, leg_b = _leg_info(a, series["a"]["basis"]), _leg_info(b, series["b"]["basis"])
    backtest = data.get("backtest")
    return {
        "dates": series["dates"],
        "a": leg_a,
        "b": leg_b,
        "levels": {
            "a": _values(series["a"]["values"]),
            "b": _values(series["b"]["values"]),
            "axes": _axes(leg_a, leg_b),
        },
        "relative": _relative(series, a, b),
        "correlation": {
            "r20": _values(series["correlation_20"]),
            "r60": _values(series["correlation_60"]),
        },
        "stability": _stability(data.get("stability")),
        "backtest": _backtest(backtest, _risk_label(backtest, a, b)),
    }


def metric_payload(series: MetricSeries, window: int | None) -> dict[str, Any]:
    """A metric page's chart: displayed levels over the last `window` days (None: all)."""
    levels = series.levels
    if window is not None and not levels.empty:
        cutoff = levels.index[-1] - pd.Timedelta(days=window)
        levels = levels.loc[levels.index > cutoff]
    return {
        "dates": [stamp.date().isoformat() for stamp in levels.index],
        "metric": _leg_info(series.metric, "level"),
        "close": _values(levels["close"].to_numpy(np.float64).tolist()),
    }
