"""The signal: each reading fires on a constructed case, with the numbers that decided it."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from pairwatch.analytics.signal import decide, signal_reading, signal_to_dict
from pairwatch.domain import ChangeKind
from pairwatch.errors import InsufficientDataError
from tests.analytics.factories import business_days

N = 300


def _risk(rng: np.random.Generator, move: float, n: int = N) -> pd.Series:
    """Adjusted levels with 1% daily noise whose last 20 changes add up to `move`."""
    moves = rng.normal(0.0, 0.01, n - 1)
    moves[-20:] = move / 20
    levels = 100 * np.exp(np.concatenate([[0.0], np.cumsum(moves)]))
    return pd.Series(levels, index=business_days(n))


def _vix(then: float, now: float, n: int = N) -> pd.Series:
    """VIX at `then` until the last close, which is `now` (20 closes after `then`)."""
    values = np.full(n, then)
    values[-1] = now
    return pd.Series(values, index=business_days(n))


@pytest.mark.parametrize(
    ("move", "then", "now", "reading"),
    [
        (0.12, 21.0, 22.0, "credit_support"),
        (0.12, 30.0, 35.0, "credit_support"),  # a rally through VIX >= 30 is still support
        (-0.01, 28.0, 32.0, "both_stressed"),  # VIX >= 30
        (-0.01, 18.0, 23.0, "both_stressed"),  # VIX +28% with the risk leg down
        (-0.12, 19.0, 22.0, "credit_cycle_concern"),  # VIX up 16%, risk leg below -threshold
        (0.01, 13.0, 14.0, "both_calm"),
        (0.12, 17.0, 18.0, "mixed"),  # a big rally in a calm market matches no rule
        (-0.12, 22.0, 21.0, "mixed"),  # a big fall while VIX eased
    ],
)
def test_each_reading_fires_on_a_constructed_case(
    rng: np.random.Generator, move: float, then: float, now: float, reading: str
) -> None:
    result = signal_reading(_risk(rng, move), _vix(then, now), risk_id="iwm")
    assert result.reading == reading
    assert result.vix_level == now
    assert result.vix_change == pytest.approx(now / then - 1, rel=1e-12)
    assert result.risk_move == pytest.approx(move, rel=1e-9)


def test_numbers_match_an_independent_computation(rng: np.random.Generator) -> None:
    risk, vix = _risk(rng, -0.12), _vix(19.0, 22.0)
    result = signal_reading(risk, vix, risk_id="iwm", vix_id="vix")
    logs = np.log(risk).diff().dropna()
    assert result.risk_move == pytest.approx(math.log(risk.iloc[-1] / risk.iloc[-21]), rel=1e-12)
    assert result.risk_return == pytest.approx(risk.iloc[-1] / risk.iloc[-21] - 1, rel=1e-12)
    assert result.threshold == pytest.approx(math.sqrt(20) * logs.iloc[-252:].std(), rel=1e-12)
    assert (result.risk_id, result.vix_id, result.date) == ("iwm", "vix", risk.index[-1].date())
    assert result.label == "credit-cycle concern"
    assert result.rule == "risk_move < -threshold and vix_change > 0"


def test_threshold_uses_all_changes_when_under_a_year(rng: np.random.Generator) -> None:
    risk = _risk(rng, 0.0, 100)
    result = signal_reading(risk, _vix(15.0, 15.0), risk_id="hyg")
    logs = np.log(risk).diff().dropna()
    assert result.threshold == pytest.approx(math.sqrt(20) * logs.std(), rel=1e-12)


def test_both_series_are_read_as_of_the_earlier_last_date(rng: np.random.Generator) -> None:
    risk = _risk(rng, 0.0)
    vix = pd.Series(np.r_[np.full(N, 14.0), [50.0] * 5], index=business_days(N + 5))
    result = signal_reading(risk, vix, risk_id="iwm")
    assert result.date == risk.index[-1].date()
    assert (result.vix_level, result.reading) == (14.0, "both_calm")
    later = signal_reading(risk.iloc[:-3], _vix(14.0, 14.0), risk_id="iwm")
    assert later.date == risk.index[-4].date()


def test_a_diff_risk_leg_moves_in_units(rng: np.random.Generator) -> None:
    levels = pd.Series(1 + np.cumsum(rng.normal(0, 0.02, N)), index=business_days(N))
    result = signal_reading(levels, _vix(20.0, 20.0), risk_id="x", kind=ChangeKind.DIFF)
    assert result.risk_move == pytest.approx(levels.iloc[-1] - levels.iloc[-21], rel=1e-12)
    assert result.risk_return is None
    diffs = levels.diff().dropna()
    assert result.threshold == pytest.approx(math.sqrt(20) * diffs.iloc[-252:].std(), rel=1e-12)


def test_decide_checks_the_rules_in_order() -> None:
    assert decide(0.05, 0.04, 35.0, 0.5) == "credit_support"
    assert decide(0.05, 0.04, 19.99, 0.5) == "mixed"
    assert decide(-0.05, 0.04, 31.0, -0.1) == "both_stressed"
    assert decide(-0.001, 0.04, 25.0, 0.2501) == "both_stressed"
    assert decide(-0.001, 0.04, 25.0, 0.25) == "mixed"
    assert decide(-0.05, 0.04, 25.0, 0.25) == "credit_cycle_concern"
    assert decide(-0.05, 0.04, 25.0, 0.0) == "mixed"
    assert decide(0.039, 0.04, 19.9, 0.0) == "both_calm"
    assert decide(-0.04, 0.04, 19.9, 0.0) == "mixed"


@pytest.mark.parametrize(("risk_rows", "vix_rows"), [(60, N), (N, 20)])
def test_needs_60_risk_changes_and_20_vix_changes(
    rng: np.random.Generator, risk_rows: int, vix_rows: int
) -> None:
    risk = _risk(rng, 0.0, risk_rows)
    vix = _vix(15.0, 15.0, N).iloc[-vix_rows:]
    with pytest.raises(InsufficientDataError) as err:
        signal_reading(risk, vix, risk_id="iwm")
    assert (err.value.needed, err.value.have) == ((60, 59) if risk_rows == 60 else (20, 19))


def test_empty_series_is_insufficient() -> None:
    empty = pd.Series([], index=pd.DatetimeIndex([]), dtype=float)
    with pytest.raises(InsufficientDataError):
        signal_reading(empty, _vix(15.0, 15.0), risk_id="iwm")


def test_to_dict_is_plain_json(rng: np.random.Generator) -> None:
    result = signal_reading(_risk(rng, 0.12), _vix(21.0, 22.0), risk_id="iwm")
    out = signal_to_dict(result)
    assert list(out) == [
        "reading", "label", "rule", "date", "risk_id", "vix_id", "lookback", "risk_move",
        "risk_return", "vix_level", "vix_change", "thresholds",
    ]  # fmt: skip
    assert out["thresholds"] == {
        "risk_move": result.threshold,
        "vix_elevated": 20.0,
        "vix_stress": 30.0,
        "vix_spike": 0.25,
    }
    assert out["date"] == result.date.isoformat() and out["lookback"] == 20
    json.dumps(out, allow_nan=False)
