"""A backtest of the ratio-timing rule: hold the risk-on leg while it leads the other leg.

The founding page's rule: "tactical traders scale risk using the ratio, adding when the
risk-on leg leads and trimming when the risk-off leg reasserts". Made precise: at each
close t the ratio q = risk-on / other (adjusted levels) is compared with its value
`lookback` rows earlier; if it rose, the next row is held fully invested in the risk-on
leg, otherwise at `off_weight` (0 = cash). Trades happen at the close, so a position only
ever depends on closes before the row it is held over. Only pairs of two `log` legs have a
ratio; anything else is refused (docs/models/forecasts-and-backtest.md).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pairwatch.analytics.panel import Panel, day, require_nobs
from pairwatch.analytics.stats import FloatArray
from pairwatch.errors import InvalidRequestError

DEFAULT_LOOKBACK = 20
DEFAULT_COST_BP = 5.0
MIN_DAYS = 20
RECENT_YEARS = 5
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Performance:
    """Summary of one equity curve over one period.

    cagr uses calendar years (days / 365.25); volatility and sharpe annualise daily
    returns with sqrt(ppy) (sharpe takes cash at 0); max_drawdown is the lowest
    equity / running peak - 1; time_invested the mean position; switches counts rows on
    which the position changed. None where undefined (a period of zero days, no variance).
    """

    cagr: float | None
    volatility: float | None
    sharpe: float | None
    max_drawdown: float
    time_invested: float
    switches: int
    final_value: float


@dataclass(frozen=True)
class PeriodResult:
    """The strategy against buy and hold of the risk-on leg over start..end (`days` rows)."""

    start: dt.date
    end: dt.date
    days: int
    strategy: Performance
    buy_and_hold: Performance


@dataclass(frozen=True)
class EquityCurves:
    """Value of 1 invested at the first signal, per row, and the position held on that row.

    `position[0]` is 0: the backtest starts in cash and enters at the first signal's close.
    """

    dates: tuple[dt.date, ...]
    strategy: tuple[float, ...]
    buy_and_hold: tuple[float, ...]
    position: tuple[float, ...]


@dataclass(frozen=True)
class BacktestResult:
    """The ratio-timing backtest of one pair.

    `ratio_change` is the ratio's change over the last `lookback` rows at the last close,
    `signal` whether it is positive (the risk-on leg leads), and `position` the weight the
    rule holds from that close on. `last_5y` is None (with a note) when the backtest does
    not cover five calendar years.
    """

    risk_on: str
    other: str
    risk_on_leg: str
    lookback: int
    off_weight: float
    cost_bp: float
    cash_rate: float
    whole: PeriodResult
    last_5y: PeriodResult | None
    curves: EquityCurves
    ratio_change: float
    signal: bool
    position: float
    notes: Mapping[str, str]


# --- the rule, on arrays ---


def ratio_changes(ratio: FloatArray, lookback: int) -> FloatArray:
    """ratio_t / ratio_{t - lookback} - 1 for t >= lookback (a shorter array, from row lookback)."""
    return np.asarray(ratio[lookback:] / ratio[:-lookback] - 1.0, dtype=np.float64)


def held_positions(change: FloatArray, off_weight: float) -> FloatArray:
    """Position held on each row from the first signal row: 0, then 1 or off_weight.

    Entry i + 1 is set by change[i], the signal at the previous close; the last signal
    (the position for the row after the data) is not included.
    """
    weights = np.where(change[:-1] > 0.0, 1.0, off_weight)
    return np.concatenate([[0.0], weights])


def strategy_returns(
    position: FloatArray, returns: FloatArray, cost: float, cash_per_row: float
) -> FloatArray:
    """Row returns of the rule: p r + (1 - p) cash - cost |p_t - p_{t-1}|.

    `position` has one more entry than `returns` (its first is the position before the
    first return); the cost of a switch is charged on the first row of the new position.
    """
    held = position[1:]
    switches = np.abs(np.diff(position))
    return np.asarray(held * returns + (1.0 - held) * cash_per_row - cost * switches)


def equity(returns: FloatArray) -> FloatArray:
    """Value of 1 compounded over `returns`, starting with the 1."""
    return np.concatenate([[1.0], np.cumprod(1.0 + returns)])


def max_drawdown(curve: FloatArray) -> float:
    """Lowest curve / running peak - 1 (0 for a curve that never fell)."""
    return float(np.min(curve / np.maximum.accumulate(curve)) - 1.0)


def performance(
    curve: FloatArray, position: FloatArray, start: dt.date, end: dt.date, ppy: int
) -> Performance:
    """Summarise an equity curve and its positions (both with the starting entry)."""
    returns = curve[1:] / curve[:-1] - 1.0
    years = (end - start).days / DAYS_PER_YEAR
    final = float(curve[-1] / curve[0])
    sd = float(np.std(returns, ddof=1)) if len(returns) > 1 else 0.0
    mean = float(np.mean(returns))
    return Performance(
        cagr=final ** (1.0 / years) - 1.0 if years > 0 else None,
        volatility=sd * math.sqrt(ppy) if len(returns) > 1 else None,
        sharpe=mean / sd * math.sqrt(ppy) if sd > 0 else None,
        max_drawdown=max_drawdown(curve / curve[0]),
        time_invested=float(np.mean(position[1:])),
        switches=int(np.count_nonzero(np.diff(position))),
        final_value=final,
    )


# --- the panel ---


def _validate(
    panel: Panel, risk_on: str, lookback: int, off_weight: float, cost_bp: float, cash_rate: float
) -> None:
    """Refuse a non-log pair and arguments outside their ranges, saying which and why."""
    if not panel.both_log:
        raise InvalidRequestError(
            f"the ratio-timing backtest needs two log legs (prices, index levels); "
            f"{panel.a_id}/{panel.b_id} has a diff leg, and a ratio of a yield or spread "
            "has no meaning"
        )
    if risk_on not in ("a", "b"):
        raise InvalidRequestError(f"risk_on must be 'a' or 'b', got {risk_on!r}")
    if isinstance(lookback, bool) or not isinstance(lookback, int) or lookback < 1:
        raise InvalidRequestError(f"lookback must be a whole number of rows >= 1, got {lookback!r}")
    if not 0.0 <= off_weight <= 1.0:
        raise InvalidRequestError(f"off_weight must be from 0 (cash) to 1, got {off_weight!r}")
    if not (math.isfinite(cost_bp) and cost_bp >= 0.0):
        raise InvalidRequestError(f"cost_bp must be a finite number >= 0, got {cost_bp!r}")
    if not math.isfinite(cash_rate):
        raise InvalidRequestError(f"cash_rate must be a finite annual rate, got {cash_rate!r}")


def _legs(panel: Panel, risk_on: str) -> tuple[FloatArray, FloatArray]:
    """Adjusted levels of the risk-on leg and of the other leg."""
    other = "b" if risk_on == "a" else "a"
    levels = panel.levels
    return (
        levels[f"{risk_on}_adj"].to_numpy(np.float64),
        levels[f"{other}_adj"].to_numpy(np.float64),
    )


def _period(
    dates: list[dt.date],
    curves: tuple[FloatArray, FloatArray, FloatArray],
    first: int,
    ppy: int,
) -> PeriodResult:
    """Both curves' performance from row `first` of the backtest to its end."""
    strategy, hold, position = (c[first:] for c in curves)
    start, end = dates[first], dates[-1]
    hold_position = np.ones(len(hold))
    return PeriodResult(
        start=start,
        end=end,
        days=len(strategy) - 1,
        strategy=performance(strategy, position, start, end, ppy),
        buy_and_hold=performance(hold, hold_position, start, end, ppy),
    )


def _recent_start(index: pd.DatetimeIndex, notes: dict[str, str]) -> int | None:
    """Row of the last date on or before end - 5 years, None (with a note) if not covered."""
    cutoff = index[-1] - pd.DateOffset(years=RECENT_YEARS)
    if index[0] > cutoff:
        notes["last_5y"] = (
            f"needs a backtest starting on or before {day(cutoff).isoformat()}, "
            f"it starts on {day(index[0]).isoformat()}"
        )
        return None
    return int(index.searchsorted(cutoff, side="right")) - 1


@dataclass(frozen=True)
class _Run:
    """The rule played over the rows from the first signal: arrays of equal length."""

    change: FloatArray
    position: FloatArray
    strategy: FloatArray
    buy_and_hold: FloatArray


def _run(
    traded: FloatArray,
    other: FloatArray,
    lookback: int,
    off_weight: float,
    cost: float,
    cash: float,
) -> _Run:
    """Signals, positions and both equity curves from the first signal row on."""
    change = ratio_changes(traded / other, lookback)
    position = held_positions(change, off_weight)
    returns = traded[lookback + 1 :] / traded[lookback:-1] - 1.0
    strategy = equity(strategy_returns(position, returns, cost, cash))
    return _Run(change, position, strategy, traded[lookback:] / traded[lookback])


def ratio_timing_backtest(
    panel: Panel,
    risk_on: str,
    *,
    lookback: int = DEFAULT_LOOKBACK,
    off_weight: float = 0.0,
    cost_bp: float = DEFAULT_COST_BP,
    cash_rate: float = 0.0,
) -> BacktestResult:
    """Backtest the ratio-timing rule on a panel of two log legs, against buy and hold.

    `risk_on` names the leg ("a" or "b") that is traded. Raises InvalidRequestError for a
    pair with a diff leg or arguments out of range, and InsufficientDataError when the
    panel has fewer than MIN_DAYS rows after the first signal.
    """
    _validate(panel, risk_on, lookback, off_weight, cost_bp, cash_rate)
    rows = len(panel.levels)
    context = f"(rows after the first {lookback}-row signal; the panel has {rows} rows)"
    require_nobs(rows - lookback - 1, MIN_DAYS, "ratio timing backtest", context)
    traded, other = _legs(panel, risk_on)
    run = _run(traded, other, lookback, off_weight, cost_bp / 1e4, cash_rate / panel.ppy)
    index = pd.DatetimeIndex(panel.levels.index[lookback:])
    dates = [day(d) for d in index]
    notes: dict[str, str] = {}
    curves = (run.strategy, run.buy_and_hold, run.position)
    recent = _recent_start(index, notes)
    last = float(run.change[-1])
    ids = (panel.a_id, panel.b_id) if risk_on == "a" else (panel.b_id, panel.a_id)
    return BacktestResult(
        risk_on=ids[0],
        other=ids[1],
        risk_on_leg=risk_on,
        lookback=lookback,
        off_weight=off_weight,
        cost_bp=cost_bp,
        cash_rate=cash_rate,
        whole=_period(dates, curves, 0, panel.ppy),
        last_5y=None if recent is None else _period(dates, curves, recent, panel.ppy),
        curves=EquityCurves(tuple(dates), *(tuple(c.tolist()) for c in curves)),
        ratio_change=last,
        signal=last > 0.0,
        position=1.0 if last > 0.0 else off_weight,
        notes=notes,
    )


# --- JSON ---


def _performance_dict(p: Performance) -> dict[str, Any]:
    """One curve's summary."""
    return {
        "cagr": p.cagr,
        "volatility": p.volatility,
        "sharpe": p.sharpe,
        "max_drawdown": p.max_drawdown,
        "time_invested": p.time_invested,
        "switches": p.switches,
        "final_value": p.final_value,
    }


def _period_dict(period: PeriodResult | None) -> dict[str, Any] | None:
    """One period's comparison, or None when the history does not cover it."""
    if period is None:
        return None
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "days": period.days,
        "strategy": _performance_dict(period.strategy),
        "buy_and_hold": _performance_dict(period.buy_and_hold),
    }


def backtest_to_dict(result: BacktestResult) -> dict[str, Any]:
    """The backtest as plain JSON types: ISO dates, full-precision floats, None for missing."""
    curves = result.curves
    return {
        "rule": {
            "risk_on": result.risk_on,
            "other": result.other,
            "risk_on_leg": result.risk_on_leg,
            "lookback": result.lookback,
            "off_weight": result.off_weight,
            "cost_bp": result.cost_bp,
            "cash_rate": result.cash_rate,
        },
        "current": {
            "date": curves.dates[-1].isoformat(),
            "ratio_change": result.ratio_change,
            "signal": "risk-on leads" if result.signal else "risk-off reasserts",
            "position": result.position,
        },
        "periods": {"max": _period_dict(result.whole), "5y": _period_dict(result.last_5y)},
        "curves": {
            "dates": [d.isoformat() for d in curves.dates],
            "strategy": list(curves.strategy),
            "buy_and_hold": list(curves.buy_and_hold),
            "position": list(curves.position),
        },
        "notes": dict(result.notes),
    }


__all__ = [
    "BacktestResult",
    "EquityCurves",
    "Performance",
    "PeriodResult",
    "backtest_to_dict",
    "equity",
    "held_positions",
    "max_drawdown",
    "performance",
    "ratio_changes",
    "ratio_timing_backtest",
    "strategy_returns",
]
