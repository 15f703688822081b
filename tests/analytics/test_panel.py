"""The pair panel: calendars, as-of sampling, changes, windows and input errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pairwatch.analytics.panel import build_panel, changes, select_window, validate_window
from pairwatch.domain import ChangeKind, Frequency
from pairwatch.errors import InsufficientDataError, InvalidRequestError, NoDataError
from tests.analytics.factories import business_days, random_walk, series


def test_inner_join_skips_a_holiday_only_one_leg_has(rng: np.random.Generator) -> None:
    dates = business_days(10)
    holiday = dates[4]
    a = series("aaa", dates.delete(4), random_walk(rng, 9))
    b = series("bbb", dates, random_walk(rng, 10))
    panel = build_panel(a, b)
    assert holiday not in panel.levels.index
    assert len(panel.levels) == 9 and len(panel.changes) == 8
    # the change across the holiday spans two of b's days: no forward fill, no gap row
    after = panel.changes.loc[dates[5]]
    assert after["b"] == pytest.approx(math.log(b.adj.iloc[5] / b.adj.iloc[3]), rel=1e-15)
    assert after["a"] == pytest.approx(math.log(a.adj.loc[dates[5]] / a.adj.loc[dates[3]]))


def test_crypto_seven_days_against_etf_five_days(rng: np.random.Generator) -> None:
    every_day = pd.date_range("2024-01-01", periods=28, freq="D")  # Monday first
    crypto = series("btc", every_day, random_walk(rng, 28, 0.03))
    etf = series("spy", business_days(20, "2024-01-01"), random_walk(rng, 20))
    panel = build_panel(crypto, etf)
    assert list(panel.levels.index) == list(etf.levels.index)
    monday = pd.Timestamp("2024-01-08")
    friday = pd.Timestamp("2024-01-05")
    expected = math.log(crypto.adj.loc[monday] / crypto.adj.loc[friday])
    assert panel.changes.loc[monday, "a"] == pytest.approx(expected, rel=1e-15)
    assert panel.ppy == 252


@pytest.mark.parametrize("weekly_leg", ["a", "b"])
def test_weekly_leg_sets_dates_and_daily_leg_is_sampled_as_of(
    rng: np.random.Generator, weekly_leg: str
) -> None:
    fridays = pd.date_range("2024-01-05", periods=6, freq="W-FRI")
    days = business_days(30, "2024-01-01").drop([pd.Timestamp("2024-01-19")])  # closed Friday
    assert pd.Timestamp("2024-01-19") not in days
    weekly = series("claims", fridays, random_walk(rng, 6), frequency=Frequency.WEEKLY)
    daily = series("iwm", days, random_walk(rng, 29))
    a, b = (weekly, daily) if weekly_leg == "a" else (daily, weekly)
    panel = build_panel(a, b)
    daily_col = "b_close" if weekly_leg == "a" else "a_close"
    assert list(panel.levels.index) == list(fridays)
    assert panel.frequency is Frequency.WEEKLY and panel.ppy == 52
    expected = daily.close.reindex(fridays, method="ffill")  # pandas as-of, independent
    np.testing.assert_array_equal(panel.levels[daily_col].to_numpy(), expected.to_numpy())
    assert panel.levels.loc["2024-01-19", daily_col] == daily.close.loc["2024-01-18"]


def test_as_of_sampling_stops_where_the_daily_leg_has_nothing_new(
    rng: np.random.Generator,
) -> None:
    fridays = pd.date_range("2024-01-05", periods=10, freq="W-FRI")
    days = business_days(15, "2024-01-01")  # ends Friday 2024-01-19
    weekly = series("claims", fridays, random_walk(rng, 10), frequency=Frequency.WEEKLY)
    panel = build_panel(weekly, series("iwm", days, random_walk(rng, 15)))
    assert panel.levels.index[-1] == pd.Timestamp("2024-01-19")


def test_monthly_leg_against_weekly_leg_is_monthly(rng: np.random.Generator) -> None:
    months = pd.date_range("2024-01-31", periods=6, freq="ME")
    weeks = pd.date_range("2024-01-05", periods=30, freq="W-FRI")
    monthly = series(
        "cpi", months, random_walk(rng, 6), frequency=Frequency.MONTHLY, change=ChangeKind.DIFF
    )
    weekly = series("claims", weeks, random_walk(rng, 30), frequency=Frequency.WEEKLY)
    panel = build_panel(weekly, monthly)
    assert panel.frequency is Frequency.MONTHLY and panel.ppy == 12
    assert list(panel.levels.index) == list(months)


def test_changes_use_adjusted_levels_log_and_diff() -> None:
    dates = business_days(3)
    fund = series("fund", dates, [100.0, 99.0, 101.0], [98.0, 99.0, 101.0])
    rate = series("rate", dates, [1.5, 1.25, 1.75], change=ChangeKind.DIFF)
    panel = build_panel(fund, rate)
    np.testing.assert_allclose(panel.changes["a"], [math.log(99 / 98), math.log(101 / 99)])
    np.testing.assert_array_equal(panel.changes["b"], [-0.25, 0.5])
    assert not panel.both_log


def test_changes_of_a_series() -> None:
    levels = pd.Series([2.0, 4.0, 1.0], index=business_days(3))
    np.testing.assert_allclose(changes(levels, ChangeKind.LOG), np.log([2.0, 0.25]))
    np.testing.assert_array_equal(changes(levels, ChangeKind.DIFF), [2.0, -3.0])
    assert list(changes(levels, ChangeKind.LOG).index) == list(levels.index[1:])


def test_window_holds_rows_after_end_minus_n_days(rng: np.random.Generator) -> None:
    dates = pd.date_range("2024-01-01", periods=40, freq="D")
    panel = build_panel(
        series("aaa", dates, random_walk(rng, 40)), series("bbb", dates, random_walk(rng, 40))
    )
    window = select_window(panel, 10)
    # end = 2024-02-09; end - 10 days = 2024-01-30 is out, 2024-01-31 is in
    assert window.start.isoformat() == "2024-01-31" and window.end.isoformat() == "2024-02-09"
    assert len(window.levels) == 10 and window.n == 9
    assert list(window.changes.index) == list(window.levels.index[1:])
    whole = select_window(panel, None)
    assert whole.n == 39 and whole.days is None


@pytest.mark.parametrize("days", [4, 36501, 0, -5, 5.5, True, "90"])
def test_window_outside_5_to_36500_is_refused(days: object) -> None:
    with pytest.raises(InvalidRequestError, match="window"):
        validate_window(days)  # type: ignore[arg-type]


@pytest.mark.parametrize("days", [5, 36500, None])
def test_window_limits_are_accepted(days: int | None) -> None:
    validate_window(days)


def test_same_metric_twice_is_refused(rng: np.random.Generator) -> None:
    a = series("aaa", business_days(5), random_walk(rng, 5))
    with pytest.raises(InvalidRequestError, match="itself"):
        build_panel(a, a)


def test_empty_leg_raises_no_data(rng: np.random.Generator) -> None:
    empty = series("bbb", [], [])
    with pytest.raises(NoDataError, match="bbb"):
        build_panel(series("aaa", business_days(5), random_walk(rng, 5)), empty)


def test_no_shared_dates_says_how_many_each_leg_has(rng: np.random.Generator) -> None:
    a = series("aaa", business_days(5, "2020-01-01"), random_walk(rng, 5))
    b = series("bbb", business_days(7, "2021-01-01"), random_walk(rng, 7))
    with pytest.raises(InsufficientDataError) as caught:
        build_panel(a, b)
    message = str(caught.value)
    assert "0 shared dates" in message
    assert "aaa: 5 observations" in message and "bbb: 7 observations" in message
