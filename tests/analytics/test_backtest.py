"""The ratio-timing backtest: known answers, no look-ahead, costs, and pandas recomputation."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from pairwatch.analytics.backtest import (
    BacktestResult,
    Performance,
    backtest_to_dict,
    ratio_timing_backtest,
)
from pairwatch.analytics.panel import Panel, build_panel
from pairwatch.domain import ChangeKind
from pairwatch.errors import InsufficientDataError, InvalidRequestError
from tests.analytics.factories import FloatArray, business_days, log_pair, series

REL = 1e-12
COST = 5e-4  # 5 bp


def _panel(risk_on: FloatArray, other: FloatArray, start: str = "2015-01-01") -> Panel:
    """A daily panel with leg a = `risk_on` and leg b = `other` (adjusted = display)."""
    dates = business_days(len(risk_on), start)
    return build_panel(series("iwm", dates, risk_on), series("tlt", dates, other))


def _steady_ratio(
    rng: np.random.Generator, n: int, slope: float = 0.002
) -> tuple[FloatArray, FloatArray]:
    """A volatile risk-on leg whose ratio to the other leg moves by `slope` (log) every day."""
    a = 100 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    return a, a * np.exp(-slope * np.arange(n)) / 2


def _returns(curve: tuple[float, ...]) -> FloatArray:
    c = np.asarray(curve)
    return np.asarray(c[1:] / c[:-1] - 1)


# --- known answers ---


def test_rising_ratio_is_always_invested_and_pays_one_entry(rng: np.random.Generator) -> None:
    a, b = _steady_ratio(rng, 600)
    result = ratio_timing_backtest(_panel(a, b), "a")
    whole = result.whole
    assert whole.strategy.time_invested == 1.0 and whole.strategy.switches == 1
    assert result.signal and result.position == 1.0
    r1 = a[21] / a[20] - 1
    hold = a[-1] / a[20]
    assert whole.buy_and_hold.final_value == pytest.approx(hold, rel=REL)
    assert whole.strategy.final_value == pytest.approx(hold * (1 + r1 - COST) / (1 + r1), rel=REL)
    # After the entry day, every daily return equals buy and hold's.
    np.testing.assert_allclose(
        _returns(result.curves.strategy)[1:], _returns(result.curves.buy_and_hold)[1:], rtol=1e-9
    )
    assert result.curves.position == (0.0,) + (1.0,) * (600 - 21)
    assert result.curves.dates[0] == business_days(600, "2015-01-01")[20].date()


def test_falling_ratio_holds_the_off_weight_and_earns_cash(rng: np.random.Generator) -> None:
    a, b = _steady_ratio(rng, 400, slope=-0.002)
    cash = 0.03
    result = ratio_timing_backtest(_panel(a, b), "a", off_weight=0.5, cash_rate=cash)
    assert not result.signal and result.position == 0.5
    r = a[21:] / a[20:-1] - 1
    expected = 0.5 * r + 0.5 * cash / 252
    expected[0] -= 0.5 * COST
    np.testing.assert_allclose(_returns(result.curves.strategy), expected, rtol=1e-9, atol=1e-15)
    assert result.whole.strategy.time_invested == 0.5 and result.whole.strategy.switches == 1


def test_risk_on_leg_b_is_the_mirror_image(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 800)
    forward = ratio_timing_backtest(build_panel(a, b), "a")
    mirrored = ratio_timing_backtest(build_panel(b, a), "b")
    assert forward.curves == mirrored.curves
    assert (forward.risk_on, forward.other) == (mirrored.risk_on, mirrored.other) == ("aaa", "bbb")


# --- no look-ahead ---


def _scaled_last_row(panel: Panel, factor: float) -> Panel:
    levels = panel.levels.copy()
    levels.iloc[-1, :2] = levels.iloc[-1, :2].to_numpy() * factor
    return Panel(
        panel.a_id, panel.b_id, panel.a_kind, panel.b_kind, panel.frequency, levels, panel.changes
    )


def test_the_last_day_cannot_change_any_position_up_to_it(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 800)
    panel = build_panel(a, b)
    base = ratio_timing_backtest(panel, "a")
    for factor in (0.5, 2.0):
        moved = ratio_timing_backtest(_scaled_last_row(panel, factor), "a")
        assert moved.curves.position == base.curves.position
        assert moved.curves.strategy[:-1] == base.curves.strategy[:-1]
    # Sanity: the last day's data does reach the results (buy and hold's last value).
    assert moved.curves.buy_and_hold[-1] != base.curves.buy_and_hold[-1]


def test_positions_depend_only_on_earlier_closes(rng: np.random.Generator) -> None:
    """Cut the history at any day and perturb that day: positions up to it are unchanged."""
    a, b = log_pair(rng, 500)
    full = ratio_timing_backtest(build_panel(a, b), "a")
    for cut in rng.integers(60, 500, size=8).tolist():
        dates = pd.DatetimeIndex(a.levels.index[:cut])
        adj = a.adj.to_numpy()[:cut].copy()
        adj[-1] *= 1.4
        a_cut = series("aaa", dates, a.close.to_numpy()[:cut], adj)
        b_cut = series("bbb", dates, b.close.to_numpy()[:cut] * 0.7)
        short = ratio_timing_backtest(build_panel(a_cut, b_cut), "a")
        assert short.curves.position == full.curves.position[: cut - 20]


# --- costs ---


def test_costs_are_five_bp_per_unit_of_position_change(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 1500)
    panel = build_panel(a, b)
    free = ratio_timing_backtest(panel, "a", cost_bp=0.0, off_weight=0.25)
    paid = ratio_timing_backtest(panel, "a", off_weight=0.25)
    turnover = np.abs(np.diff(paid.curves.position))
    np.testing.assert_allclose(
        _returns(paid.curves.strategy),
        _returns(free.curves.strategy) - COST * turnover,
        rtol=1e-9,
        atol=1e-15,
    )
    assert paid.whole.strategy.switches == np.count_nonzero(turnover) > 10
    # The entry from cash moves by 1 or 0.25; later switches between 1 and 0.25 by 0.75.
    assert turnover[0] in (0.25, 1.0) and set(turnover[1:].tolist()) == {0.0, 0.75}
    assert paid.whole.buy_and_hold == free.whole.buy_and_hold


# --- figures against pandas ---


def _pandas_backtest(panel: Panel, lookback: int, off: float, cash: float) -> pd.DataFrame:
    """The rule written directly in pandas: returns and equity of strategy and hold."""
    a, b = panel.levels["a_adj"], panel.levels["b_adj"]
    signal = (a / b).pct_change(lookback) > 0
    position = signal.map({True: 1.0, False: off}).shift(1).iloc[lookback:]
    position.iloc[0] = 0.0
    r = a.pct_change().iloc[lookback:]
    strat = position * r + (1 - position) * cash / 252 - COST * position.diff().abs()
    frame = pd.DataFrame({"position": position, "strat": strat, "hold": r})
    frame.iloc[0, 1:] = 0.0  # the first row is the start: no return yet
    frame["strat_equity"] = (1 + frame["strat"]).cumprod()
    frame["hold_equity"] = (1 + frame["hold"]).cumprod()
    return frame


def _pandas_performance(
    equity: pd.Series, returns: pd.Series, position: pd.Series
) -> dict[str, float]:
    years = (equity.index[-1] - equity.index[0]).days / 365.25
    final = equity.iloc[-1] / equity.iloc[0]
    return {
        "cagr": final ** (1 / years) - 1,
        "volatility": returns.std() * math.sqrt(252),
        "sharpe": returns.mean() / returns.std() * math.sqrt(252),
        "max_drawdown": (equity / equity.cummax() - 1).min(),
        "time_invested": position.iloc[1:].mean(),
        "final_value": final,
    }


def _assert_matches(p: Performance, expected: dict[str, float]) -> None:
    for key, value in expected.items():
        assert getattr(p, key) == pytest.approx(value, rel=1e-10), key


@pytest.mark.parametrize(("off", "cash"), [(0.0, 0.0), (0.5, 0.04)])
def test_figures_match_pandas(rng: np.random.Generator, off: float, cash: float) -> None:
    a, b = log_pair(rng, 2600, start="2014-03-03")
    panel = build_panel(a, b)
    result = ratio_timing_backtest(panel, "a", off_weight=off, cash_rate=cash)
    frame = _pandas_backtest(panel, 20, off, cash)
    np.testing.assert_allclose(result.curves.strategy, frame["strat_equity"], rtol=1e-12)
    np.testing.assert_allclose(result.curves.buy_and_hold, frame["hold_equity"], rtol=1e-12)
    rets = frame.iloc[1:]
    _assert_matches(
        result.whole.strategy,
        _pandas_performance(frame["strat_equity"], rets["strat"], frame["position"]),
    )
    _assert_matches(
        result.whole.buy_and_hold,
        _pandas_performance(frame["hold_equity"], rets["hold"], frame["position"] * 0 + 1),
    )
    start = frame.index[frame.index <= frame.index[-1] - pd.DateOffset(years=5)][-1]
    recent = frame.loc[start:]
    assert result.last_5y is not None and result.last_5y.start == start.date()
    _assert_matches(
        result.last_5y.strategy,
        _pandas_performance(recent["strat_equity"], recent["strat"].iloc[1:], recent["position"]),
    )
    assert result.last_5y.strategy.switches == int((recent["position"].diff().iloc[1:] != 0).sum())
    assert result.whole.buy_and_hold.switches == 0


def test_short_history_has_no_five_year_figures(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 700, start="2020-01-01")
    result = ratio_timing_backtest(build_panel(a, b), "a")
    assert result.last_5y is None
    assert result.notes["last_5y"].startswith("needs a backtest starting on or before")


# --- refusals and JSON ---


def test_a_diff_leg_is_refused(rng: np.random.Generator) -> None:
    a, _ = log_pair(rng, 300)
    spread = series(
        "hy-oas", pd.DatetimeIndex(a.levels.index), rng.normal(4, 0.1, 300), change=ChangeKind.DIFF
    )
    with pytest.raises(InvalidRequestError, match="two log legs"):
        ratio_timing_backtest(build_panel(a, spread), "a")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"risk_on": "c"}, "risk_on"),
        ({"lookback": 0}, "lookback"),
        ({"off_weight": 1.5}, "off_weight"),
        ({"cost_bp": -1.0}, "cost_bp"),
        ({"cash_rate": math.nan}, "cash_rate"),
    ],
)
def test_bad_arguments_are_refused(
    rng: np.random.Generator, kwargs: dict[str, object], match: str
) -> None:
    a, b = log_pair(rng, 300)
    args: dict[str, object] = {"risk_on": "a", **kwargs}
    with pytest.raises(InvalidRequestError, match=match):
        ratio_timing_backtest(build_panel(a, b), **args)  # type: ignore[arg-type]


def test_too_short_a_panel_raises_with_counts(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 35)
    with pytest.raises(InsufficientDataError, match=r"needs 20 changes; 14 available"):
        ratio_timing_backtest(build_panel(a, b), "a")


def test_json_is_plain_and_complete(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 700)
    result: BacktestResult = ratio_timing_backtest(build_panel(a, b), "b")
    out = backtest_to_dict(result)
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert list(out) == ["rule", "current", "periods", "curves", "notes"]
    assert out["rule"]["risk_on"] == "bbb" and out["periods"]["5y"] is None
    assert (
        out["current"]["date"]
        == out["curves"]["dates"][-1]
        == a.levels.index[-1].date().isoformat()
    )
    assert out["current"]["signal"] in ("risk-on leads", "risk-off reasserts")
    assert len(out["curves"]["strategy"]) == len(out["curves"]["dates"]) == 700 - 20
    assert list(out["periods"]["max"]["strategy"]) == [
        "cagr",
        "volatility",
        "sharpe",
        "max_drawdown",
        "time_invested",
        "switches",
        "final_value",
    ]
