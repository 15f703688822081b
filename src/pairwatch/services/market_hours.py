"""Trading sessions: is a market open at a given instant, and when does it open next.

Pure functions over aware datetimes; nothing here reads the clock.

- US equities, ETFs and CBOE indices trade 09:30-16:00 America/New_York on weekdays,
  except NYSE full holidays (computed by rule for any year, below) and with a 13:00 close
  on the NYSE's rule-based early-close days (July 3, the day after Thanksgiving,
  Christmas Eve). Outside the session the label says "pre-market" (04:00-09:30),
  "after-hours" (close-20:00) or "closed".
- Crypto trades around the clock: always open.
- FRED is not a market but a daily publication: never "open", no next open.

NYSE holiday rules (Rule 7.2): New Year's Day, Martin Luther King Jr. Day (third Monday of
January, from 1998), Washington's Birthday (third Monday of February), Good Friday (two
days before Gregorian Easter), Memorial Day (last Monday of May), Juneteenth (June 19,
from 2022), Independence Day, Labor Day (first Monday of September), Thanksgiving (fourth
Thursday of November) and Christmas. A holiday on a Saturday is observed the Friday
before, on a Sunday the Monday after; the exception is New Year's Day on a Saturday, which
is not observed (the Friday closes a year, so the exchange stays open). One-off closures
(national days of mourning, storms) are announced, not ruled, and are not included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from pairwatch.domain import AssetClass, Metric

NEW_YORK = ZoneInfo("America/New_York")
SESSION_OPEN = dt.time(9, 30)
SESSION_CLOSE = dt.time(16, 0)
EARLY_CLOSE = dt.time(13, 0)
PRE_MARKET_START = dt.time(4, 0)
AFTER_HOURS_END = dt.time(20, 0)
MLK_DAY_FROM = 1998
JUNETEENTH_FROM = 2022

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

MarketLabel = Literal["open", "closed", "pre-market", "after-hours"]


class Market(StrEnum):
    """Where a metric's latest value comes from, by its trading hours."""

    US_EQUITIES = "us-equities"
    CRYPTO = "crypto"
    FRED = "fred"


@dataclass(frozen=True, slots=True)
class MarketState:
    """Whether a market is open, how to say so, and when it next opens (if closed)."""

    open: bool
    label: MarketLabel
    next_open: dt.datetime | None


ALWAYS_OPEN = MarketState(True, "open", None)
NOT_A_MARKET = MarketState(False, "closed", None)


def market_for(metric: Metric) -> Market:
    """The market whose hours govern a metric's latest value."""
    if metric.asset_class is AssetClass.CRYPTO:
        return Market.CRYPTO
    if metric.source.provider == "fred" and metric.quote is None:
        return Market.FRED
    return Market.US_EQUITIES


# --- the NYSE calendar -------------------------------------------------------------


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous Gregorian computus)."""
    golden = year % 19
    century, rest = divmod(year, 100)
    leap_fix, leap_rest = divmod(century, 4)
    moon_fix = (century + 8) // 25
    correction = (century - moon_fix + 1) // 3
    epact = (19 * golden + century - leap_fix - correction + 15) % 30
    quarter, remainder = divmod(rest, 4)
    weekday = (32 + 2 * leap_rest + 2 * quarter - epact - remainder) % 7
    shift = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * shift + 114, 31)
    return dt.date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th `weekday` (0 = Monday) of a month; n = -1 for the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + dt.timedelta(days=offset + 7 * (n - 1))
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last = next_month - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def observed(day: dt.date) -> dt.date:
    """A fixed-date holiday's weekday: Saturday -> Friday before, Sunday -> Monday after."""
    if day.weekday() == SAT:
        return day - dt.timedelta(days=1)
    if day.weekday() == SUN:
        return day + dt.timedelta(days=1)
    return day


def _fixed_holidays(year: int) -> dict[dt.date, str]:
    """Fixed-date holidays on their observed weekday."""
    days = {
        observed(dt.date(year, 7, 4)): "Independence Day",
        observed(dt.date(year, 12, 25)): "Christmas Day",
    }
    new_year = dt.date(year, 1, 1)
    if new_year.weekday() != SAT:
        days[observed(new_year)] = "New Year's Day"
    if year >= JUNETEENTH_FROM:
        days[observed(dt.date(year, 6, 19))] = "Juneteenth"
    return days


def _floating_holidays(year: int) -> dict[dt.date, str]:
    """Holidays defined by weekday rules, and Good Friday."""
    days = {
        nth_weekday(year, 2, MON, 3): "Washington's Birthday",
        easter_sunday(year) - dt.timedelta(days=2): "Good Friday",
        nth_weekday(year, 5, MON, -1): "Memorial Day",
        nth_weekday(year, 9, MON, 1): "Labor Day",
        nth_weekday(year, 11, THU, 4): "Thanksgiving Day",
    }
    if year >= MLK_DAY_FROM:
        days[nth_weekday(year, 1, MON, 3)] = "Martin Luther King Jr. Day"
    return days


@lru_cache(maxsize=64)
def nyse_holidays(year: int) -> dict[dt.date, str]:
    """NYSE full-day closures falling in `year`, by date, with their names."""
    return dict(sorted({**_fixed_holidays(year), **_floating_holidays(year)}.items()))


@lru_cache(maxsize=64)
def nyse_early_closes(year: int) -> frozenset[dt.date]:
    """Days the NYSE closes at 13:00: July 3, the day after Thanksgiving, Christmas Eve.

    July 3 and December 24 close early only on Monday to Thursday (on a Friday they are
    the observed holiday itself).
    """
    candidates = (
        dt.date(year, 7, 3),
        nth_weekday(year, 11, THU, 4) + dt.timedelta(days=1),
        dt.date(year, 12, 24),
    )
    return frozenset(day for day in candidates if is_trading_day(day))


def is_trading_day(day: dt.date) -> bool:
    """True for a weekday that is not an NYSE holiday."""
    return day.weekday() < SAT and day not in nyse_holidays(day.year)


def session_close(day: dt.date) -> dt.time:
    """The regular session's closing time on a trading day (13:00 on early-close days)."""
    return EARLY_CLOSE if day in nyse_early_closes(day.year) else SESSION_CLOSE


def next_trading_day(day: dt.date) -> dt.date:
    """The first trading day strictly after `day`."""
    following = day + dt.timedelta(days=1)
    while not is_trading_day(following):
        following += dt.timedelta(days=1)
    return following


def session_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Open and close of a trading day's regular session, in New York time."""
    return (
        dt.datetime.combine(day, SESSION_OPEN, tzinfo=NEW_YORK),
        dt.datetime.combine(day, session_close(day), tzinfo=NEW_YORK),
    )


# --- states ------------------------------------------------------------------------


def _require_aware(at: dt.datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"market hours need an aware datetime, got naive {at.isoformat()}")


def _outside_label(local: dt.datetime, close: dt.time) -> MarketLabel:
    """The label of a trading day's hours outside the regular session."""
    clock = local.time()
    if PRE_MARKET_START <= clock < SESSION_OPEN:
        return "pre-market"
    if close <= clock < AFTER_HOURS_END:
        return "after-hours"
    return "closed"


def us_equities_state(at: dt.datetime) -> MarketState:
    """The US equity market's state at `at` (any aware datetime)."""
    _require_aware(at)
    local = at.astimezone(NEW_YORK)
    day = local.date()
    if not is_trading_day(day):
        return MarketState(False, "closed", session_bounds(next_trading_day(day))[0])
    opens, closes = session_bounds(day)
    if opens <= local < closes:
        return MarketState(True, "open", None)
    upcoming = opens if local < opens else session_bounds(next_trading_day(day))[0]
    return MarketState(False, _outside_label(local, closes.time()), upcoming)


def market_state(market: Market, at: dt.datetime) -> MarketState:
    """Whether `market` is open at `at` (aware), its label and its next open."""
    _require_aware(at)
    if market is Market.CRYPTO:
        return ALWAYS_OPEN
    if market is Market.FRED:
        return NOT_A_MARKET
    return us_equities_state(at)


def in_quote_window(market: Market, at: dt.datetime, grace: dt.timedelta) -> bool:
    """True while latest quotes are worth fetching: the session plus `grace` after its close.

    The grace lets the closing print and the 15-minute-delayed last quote arrive.
    """
    _require_aware(at)
    if market is Market.CRYPTO:
        return True
    if market is Market.FRED:
        return False
    local = at.astimezone(NEW_YORK)
    if not is_trading_day(local.date()):
        return False
    opens, closes = session_bounds(local.date())
    return opens <= local < closes + grace
