"""Today's reading of a risk asset against VIX, from 20-day moves and the VIX level.

Four named readings (and "mixed" when none applies), checked in this order:

1. credit support overriding volatility: the risk leg rallied more than its threshold
   over 20 changes while VIX is elevated (>= 20);
2. both stressed: VIX >= 30, or VIX up more than 25% over 20 closes with the risk leg down;
3. credit-cycle concern: the risk leg fell more than its threshold while VIX rose;
4. both calm: VIX < 20 and the risk leg's move within its threshold either way.

A rally through high VIX is checked first because it is the informative exception (credit
and liquidity carrying the risk asset despite fear); a fall with VIX >= 30 or spiking is
reported as stress rather than as a slow credit-cycle worry.

The risk leg's threshold is one standard deviation of its 20-change move, estimated as
sqrt(20) x the sample std (ddof=1) of its last 252 changes (a year of daily data; at least
60). A fixed 3% would be noise for bitcoin and a crash for an investment-grade fund; the
daily estimate uses 252 changes where a year of overlapping 20-day moves holds only about
12 independent ones.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pairwatch.analytics.panel import changes, day, require_nobs
from pairwatch.domain import ChangeKind

LOOKBACK = 20
VOL_CHANGES = 252
VOL_MIN_CHANGES = 60
VIX_ELEVATED = 20.0
VIX_STRESS = 30.0
VIX_SPIKE = 0.25

LABELS = {
    "credit_support": "credit support overriding volatility",
    "both_stressed": "both stressed",
    "credit_cycle_concern": "credit-cycle concern",
    "both_calm": "both calm",
    "mixed": "mixed / no clear reading",
}

RULES = {
    "credit_support": "risk_move > threshold and vix_level >= 20",
    "both_stressed": "vix_level >= 30 or (vix_change > 0.25 and risk_move < 0)",
    "credit_cycle_concern": "risk_move < -threshold and vix_change > 0",
    "both_calm": "vix_level < 20 and |risk_move| < threshold",
    "mixed": "no rule fired",
}


@dataclass(frozen=True)
class SignalResult:
    """The reading and every number that decided it.

    `risk_move` is the risk leg's change over the last 20 changes (log change for a log
    leg, difference for a diff leg), `risk_return` its simple return (None for diff),
    `threshold` one standard deviation of such a move. `vix_change` is VIX's relative
    change over its last 20 closes (0.25 = +25%). `date` is the as-of date: the earlier of
    the two series' last dates.
    """

    reading: str
    label: str
    rule: str
    date: dt.date
    risk_id: str
    vix_id: str
    risk_move: float
    risk_return: float | None
    threshold: float
    vix_level: float
    vix_change: float


def decide(risk_move: float, threshold: float, vix_level: float, vix_change: float) -> str:
    """The key of the first rule that fires (see the module doc), or "mixed"."""
    rules = (
        ("credit_support", risk_move > threshold and vix_level >= VIX_ELEVATED),
        ("both_stressed", vix_level >= VIX_STRESS or (vix_change > VIX_SPIKE and risk_move < 0)),
        ("credit_cycle_concern", risk_move < -threshold and vix_change > 0),
        ("both_calm", vix_level < VIX_ELEVATED and abs(risk_move) < threshold),
    )
    return next((key for key, fired in rules if fired), "mixed")


def lookback_move(levels: pd.Series, kind: ChangeKind) -> float:
    """The change over the last 20 changes: ln(x_t / x_{t-20}) for log, x_t - x_{t-20} diff."""
    last, first = float(levels.iloc[-1]), float(levels.iloc[-1 - LOOKBACK])
    return math.log(last / first) if kind == ChangeKind.LOG else last - first


def move_threshold(moves: pd.Series) -> float:
    """sqrt(20) x sample std of the last 252 changes: one std of a 20-change move."""
    recent = moves.to_numpy(np.float64)[-VOL_CHANGES:]
    return math.sqrt(LOOKBACK) * float(np.std(recent, ddof=1))


def _upto(series: pd.Series, end: pd.Timestamp) -> pd.Series:
    """The series' non-missing values dated on or before `end`."""
    return series.loc[series.index <= end].dropna()


def _check(risk: pd.Series, vix: pd.Series, risk_id: str, vix_id: str) -> None:
    """Raise InsufficientDataError without 60 risk changes or 20 VIX changes.

    Checked on the whole series (so an empty one has no last date to cut to) and again
    after cutting both to the common as-of date.
    """
    require_nobs(max(len(risk) - 1, 0), VOL_MIN_CHANGES, f"signal ({risk_id} moves)")
    require_nobs(max(len(vix) - 1, 0), LOOKBACK, f"signal ({vix_id} change)")


def signal_reading(
    risk: pd.Series,
    vix: pd.Series,
    *,
    risk_id: str,
    vix_id: str = "vix",
    kind: ChangeKind = ChangeKind.LOG,
) -> SignalResult:
    """Read the state of `risk` (adjusted levels of the risk asset) against `vix` (closes).

    Both series are cut to the earlier of their last dates, so the reading is as of a day
    both know. `kind` is the risk leg's change kind. Raises InsufficientDataError with
    under 60 risk changes or 20 VIX changes by then.
    """
    _check(risk.dropna(), vix.dropna(), risk_id, vix_id)
    end = min(risk.dropna().index[-1], vix.dropna().index[-1])
    risk, vix = _upto(risk, end), _upto(vix, end)
    _check(risk, vix, risk_id, vix_id)
    move = lookback_move(risk, kind)
    threshold = move_threshold(changes(risk, kind))
    level = float(vix.iloc[-1])
    vix_change = level / float(vix.iloc[-1 - LOOKBACK]) - 1.0
    key = decide(move, threshold, level, vix_change)
    return SignalResult(
        reading=key,
        label=LABELS[key],
        rule=RULES[key],
        date=day(end),
        risk_id=risk_id,
        vix_id=vix_id,
        risk_move=move,
        risk_return=math.expm1(move) if kind == ChangeKind.LOG else None,
        threshold=threshold,
        vix_level=level,
        vix_change=vix_change,
    )


def signal_to_dict(result: SignalResult) -> dict[str, Any]:
    """The signal as JSON, with the thresholds that the rules used."""
    return {
        "reading": result.reading,
        "label": result.label,
        "rule": result.rule,
        "date": result.date.isoformat(),
        "risk_id": result.risk_id,
        "vix_id": result.vix_id,
        "lookback": LOOKBACK,
        "risk_move": result.risk_move,
        "risk_return": result.risk_return,
        "vix_level": result.vix_level,
        "vix_change": result.vix_change,
        "thresholds": {
            "risk_move": result.threshold,
            "vix_elevated": VIX_ELEVATED,
            "vix_stress": VIX_STRESS,
            "vix_spike": VIX_SPIKE,
        },
    }
