"""Market hours: NYSE holidays by rule, session boundaries across DST, crypto, FRED.

Holiday dates are checked against the NYSE's published calendars for 2024-2027 (and
2021, 2022, 2028 for the observance rules), not derived from the code's own rules.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pairwatch.domain import AssetClass, ChangeKind, Frequency, Metric, RiskRole, Source
from pairwatch.services.market_hours import (
    Market,
    MarketState,
    easter_sunday,
    in_quote_window,
    is_trading_day,
    market_for,
    market_state,
    nyse_early_closes,
    nyse_holidays,
    session_close,
    us_equities_state,
)

from .conftest import NY, ny, utc

D = dt.date

# NYSE "Holidays and Trading Hours", as published.
NYSE_HOLIDAYS = {
    2024: [
        D(2024, 1, 1), D(2024, 1, 15), D(2024, 2, 19), D(2024, 3, 29), D(2024, 5, 27),
        D(2024, 6, 19), D(2024, 7, 4), D(2024, 9, 2), D(2024, 11, 28), D(2024, 12, 25),
    ],
    2025: [
        D(2025, 1, 1), D(2025, 1, 20), D(2025, 2, 17), D(2025, 4, 18), D(2025, 5, 26),
        D(2025, 6, 19), D(2025, 7, 4), D(2025, 9, 1), D(2025, 11, 27), D(2025, 12, 25),
    ],
    2026: [
        D(2026, 1, 1), D(2026, 1, 19), D(2026, 2, 16), D(2026, 4, 3), D(2026, 5, 25),
        D(2026, 6, 19), D(2026, 7, 3), D(2026, 9, 7), D(2026, 11, 26), D(2026, 12, 25),
    ],
    2027: [
        D(2027, 1, 1), D(2027, 1, 18), D(2027, 2, 15), D(2027, 3, 26), D(2027, 5, 31),
        D(2027, 6, 18), D(2027, 7, 5), D(2027, 9, 6), D(2027, 11, 25), D(2027, 12, 24),
    ],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(NYSE_HOLIDAYS))
def test_holidays_match_the_published_nyse_calendar(year: int) -> None:
    assert sorted(nyse_holidays(year)) == NYSE_HOLIDAYS[year]


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)),
     (2027, D(2027, 3, 28)), (2000, D(2000, 4, 23)), (2038, D(2038, 4, 25)),
     (1818, D(1818, 3, 22)), (2285, D(2285, 3, 22))],
)  # fmt: skip
def test_easter_sunday_matches_known_dates(year: int, easter: dt.date) -> None:
    # 1818 and 2285 are the earliest possible Easter (22 March); 2038 the latest.
    assert easter_sunday(year) == easter


def test_named_holidays_of_2026() -> None:
    holidays = nyse_holidays(2026)
    assert holidays[D(2026, 4, 3)] == "Good Friday"
    assert holidays[D(2026, 6, 19)] == "Juneteenth"
    assert holidays[D(2026, 7, 3)] == "Independence Day"  # July 4 is a Saturday
    assert holidays[D(2026, 11, 26)] == "Thanksgiving Day"


def test_observance_rules() -> None:
    # Sunday holidays move to Monday: Juneteenth 2022, Christmas 2022, July 4 2021.
    assert D(2022, 6, 20) in nyse_holidays(2022)
    assert D(2022, 12, 26) in nyse_holidays(2022)
    assert D(2021, 7, 5) in nyse_holidays(2021)
    # Saturday holidays move to Friday: Christmas 2021, Juneteenth 2027.
    assert D(2021, 12, 24) in nyse_holidays(2021)
    assert D(2027, 6, 18) in nyse_holidays(2027)
    # ...except New Year's Day: 1 Jan 2022 and 1 Jan 2028 are Saturdays, the Friday trades.
    assert is_trading_day(D(2021, 12, 31))
    assert is_trading_day(D(2027, 12, 31))
    assert not any(day.month == 1 and day.day <= 3 for day in nyse_holidays(2028))


def test_juneteenth_only_from_2022() -> None:
    assert is_trading_day(D(2021, 6, 18))  # a Friday; June 19 2021 was a Saturday
    assert "Juneteenth" not in nyse_holidays(2021).values()


def test_early_closes() -> None:
    assert nyse_early_closes(2024) == {D(2024, 7, 3), D(2024, 11, 29), D(2024, 12, 24)}
    assert nyse_early_closes(2026) == {D(2026, 11, 27), D(2026, 12, 24)}
    assert nyse_early_closes(2027) == {D(2027, 11, 26)}  # Dec 24 2027 is the holiday
    assert session_close(D(2026, 11, 27)) == dt.time(13, 0)
    assert session_close(D(2026, 11, 30)) == dt.time(16, 0)
    assert not us_equities_state(ny(2026, 11, 27, 13, 30)).open
    assert us_equities_state(ny(2026, 11, 27, 12, 59)).open


@pytest.mark.parametrize(
    ("at", "label"),
    [
        (ny(2026, 4, 2, 9, 29), "pre-market"),
        (ny(2026, 4, 2, 9, 30), "open"),
        (ny(2026, 4, 2, 15, 59), "open"),
        (ny(2026, 4, 2, 16, 0), "after-hours"),
        (ny(2026, 4, 2, 19, 59), "after-hours"),
        (ny(2026, 4, 2, 20, 0), "closed"),
        (ny(2026, 4, 2, 3, 59), "closed"),
        (ny(2026, 4, 3, 11, 0), "closed"),  # Good Friday
        (ny(2026, 4, 4, 11, 0), "closed"),  # Saturday
        (ny(2026, 6, 19, 11, 0), "closed"),  # Juneteenth
        (ny(2026, 7, 3, 11, 0), "closed"),  # Independence Day observed
        (ny(2026, 11, 26, 11, 0), "closed"),  # Thanksgiving
    ],
)
def test_us_session_labels(at: dt.datetime, label: str) -> None:
    state = us_equities_state(at)
    assert state.label == label
    assert state.open is (label == "open")


def test_open_follows_new_york_time_across_dst() -> None:
    # DST began Sunday 8 March 2026: 09:30 was 14:30 UTC on Friday, 13:30 UTC on Monday.
    assert us_equities_state(utc(2026, 3, 6, 14, 30)).open
    assert us_equities_state(utc(2026, 3, 6, 14, 29)).label == "pre-market"
    assert us_equities_state(utc(2026, 3, 9, 13, 30)).open
    assert us_equities_state(utc(2026, 3, 9, 13, 29)).label == "pre-market"
    # DST ended Sunday 1 November 2026: the close moves from 20:00 to 21:00 UTC.
    assert not us_equities_state(utc(2026, 10, 30, 20, 0)).open
    assert us_equities_state(utc(2026, 11, 2, 20, 59)).open
    assert not us_equities_state(utc(2026, 11, 2, 21, 0)).open


def test_next_open_skips_weekends_and_holidays() -> None:
    # Thursday 2 April 2026 after the close: Good Friday, the weekend, then Monday.
    state = us_equities_state(ny(2026, 4, 2, 17, 0))
    assert state.next_open == dt.datetime(2026, 4, 6, 9, 30, tzinfo=NY)
    assert state.next_open is not None and state.next_open.utcoffset() == dt.timedelta(hours=-4)
    # Before the open on a trading day: today's open.
    assert us_equities_state(ny(2026, 4, 2, 8, 0)).next_open == ny(2026, 4, 2, 9, 30)
    # Christmas Day 2026 (Friday): next open Monday 28 December.
    assert us_equities_state(ny(2026, 12, 25, 10, 0)).next_open == ny(2026, 12, 28, 9, 30)
    # Open: no next open.
    assert us_equities_state(ny(2026, 4, 2, 10, 0)).next_open is None


def test_crypto_is_always_open_and_fred_is_never_a_market() -> None:
    for at in (ny(2026, 4, 3, 3, 0), ny(2026, 12, 25, 12, 0), utc(2026, 4, 4, 23, 59)):
        assert market_state(Market.CRYPTO, at) == MarketState(True, "open", None)
        assert market_state(Market.FRED, at) == MarketState(False, "closed", None)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        market_state(Market.US_EQUITIES, dt.datetime(2026, 4, 2, 12, 0))


def test_quote_window_runs_until_fifteen_minutes_after_the_close() -> None:
    grace = dt.timedelta(minutes=15)
    assert not in_quote_window(Market.US_EQUITIES, ny(2026, 4, 2, 9, 29), grace)
    assert in_quote_window(Market.US_EQUITIES, ny(2026, 4, 2, 9, 30), grace)
    assert in_quote_window(Market.US_EQUITIES, ny(2026, 4, 2, 16, 14), grace)
    assert not in_quote_window(Market.US_EQUITIES, ny(2026, 4, 2, 16, 15), grace)
    assert in_quote_window(Market.US_EQUITIES, ny(2026, 11, 27, 13, 10), grace)  # early close
    assert not in_quote_window(Market.US_EQUITIES, ny(2026, 11, 27, 13, 15), grace)
    assert not in_quote_window(Market.US_EQUITIES, ny(2026, 4, 3, 11, 0), grace)  # holiday
    assert in_quote_window(Market.CRYPTO, ny(2026, 4, 3, 11, 0), grace)
    assert not in_quote_window(Market.FRED, ny(2026, 4, 2, 11, 0), grace)


def _metric(source: str, asset: AssetClass, quote: str | None = None) -> Metric:
    provider, symbol = source.split(":")
    quoted = None if quote is None else Source(*quote.split(":"))
    return Metric(
        "x", "X", Source(provider, symbol), Frequency.DAILY, ChangeKind.LOG, "USD", asset,
        RiskRole.NEUTRAL, "", quote=quoted,
    )  # fmt: skip


def test_market_for_metrics() -> None:
    assert market_for(_metric("cboe:VIX", AssetClass.VOLATILITY, "cboe:VIX")) is Market.US_EQUITIES
    assert market_for(_metric("yahoo:IWM", AssetClass.EQUITY, "yahoo:IWM")) is Market.US_EQUITIES
    assert market_for(_metric("yahoo:BTC-USD", AssetClass.CRYPTO)) is Market.CRYPTO
    assert market_for(_metric("fred:DGS10", AssetClass.RATES)) is Market.FRED
