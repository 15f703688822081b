"""What the header says about a leg: its value, day change, as-of time and freshness badge.

Badges tell the truth about how fresh a value is:
- "delayed": a stored provider quote newer than the last daily close is shown;
- "end of day": the last daily close, recent enough for the metric's frequency;
- "stale since DATE": the last observation is older than 4 calendar days (daily metrics),
  10 (weekly) or 45 (monthly) on the server's UTC date;
- "as of DATE": a historical page (`?asof=`), which shows what was known then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pairwatch.domain import AssetClass, ChangeKind, Frequency, Metric, MetricSeries, Quote
from pairwatch.web.attribution import provider_name

STALE_AFTER_DAYS = {Frequency.DAILY: 4, Frequency.WEEKLY: 10, Frequency.MONTHLY: 45}


@dataclass(frozen=True, slots=True)
class LegHeader:
    """One leg of a page header."""

    metric: Metric
    value: float | None
    change: float | None
    since: dt.date | None
    as_of: str
    badge: str
    badge_kind: str
    source: str


def is_stale(metric: Metric, last: dt.date, today: dt.date) -> bool:
    """True when the last observation is older than the metric's frequency allows."""
    return (today - last).days > STALE_AFTER_DAYS[metric.frequency]


def _move(kind: ChangeKind, new: float, old: float | None) -> float | None:
    """log: new / old - 1; diff: new - old; None without an old value."""
    if old is None or (kind is ChangeKind.LOG and old == 0):
        return None
    return new / old - 1.0 if kind is ChangeKind.LOG else new - old


def _usable_quote(
    metric: Metric, quote: Quote | None, last: dt.date, today: dt.date
) -> Quote | None:
    """The quote if it is newer than the last close and not itself stale."""
    if quote is None:
        return None
    day = quote.as_of.astimezone(dt.UTC).date()
    return quote if day >= last and not is_stale(metric, day, today) else None


def _no_data(metric: Metric) -> LegHeader:
    """The header of a metric with nothing stored."""
    source = provider_name(str(metric.source))
    return LegHeader(metric, None, None, None, "—", "no data yet", "none", source)


def _from_quote(metric: Metric, quote: Quote, source: str) -> LegHeader:
    """A delayed quote as the current value."""
    stamp = quote.as_of.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    change = _move(metric.change, quote.price, quote.previous_close)
    return LegHeader(metric, quote.price, change, None, stamp, "delayed", "delayed", source)


def leg_header(
    series: MetricSeries,
    today: dt.date,
    *,
    quote: Quote | None = None,
    historical: dt.date | None = None,
) -> LegHeader:
    """The header of one leg from its (possibly as-of-truncated) series and stored quote."""
    metric = series.metric
    if series.levels.empty:
        return _no_data(metric)
    close = series.close
    last = close.index[-1].date()
    source = provider_name(series.source or str(metric.source))
    found = None if historical else _usable_quote(metric, quote, last, today)
    if found is not None:
        return _from_quote(metric, found, source)
    previous = float(close.iloc[-2]) if len(close) > 1 else None
    since = close.index[-2].date() if len(close) > 1 else None
    badge, kind = _badge(metric, last, today, historical)
    value = float(close.iloc[-1])
    change = _move(metric.change, value, previous)
    return LegHeader(metric, value, change, since, last.isoformat(), badge, kind, source)


def _badge(
    metric: Metric, last: dt.date, today: dt.date, historical: dt.date | None
) -> tuple[str, str]:
    """Badge text and kind for a value taken from the daily history."""
    if historical is not None:
        return f"as of {historical.isoformat()}", "historical"
    if is_stale(metric, last, today):
        return f"stale since {last.isoformat()}", "stale"
    return "end of day", "eod"


def _end_reason(a: Metric, b: Metric, later: Metric, earlier: Metric, day: dt.date) -> str:
    """Why the pair's last shared date is earlier than one leg's last observation."""
    if a.frequency != b.frequency:
        coarse = a if a.frequency is not Frequency.DAILY else b
        return f"{coarse.label} is {coarse.frequency.value}, so the pair is compared on its dates"
    if later.asset_class is AssetClass.CRYPTO and earlier.asset_class is not AssetClass.CRYPTO:
        return (
            f"{later.label} trades every day, including weekends and holidays; "
            f"{earlier.label} does not"
        )
    return (
        f"{earlier.label} has no observation after {day.isoformat()} yet "
        "(a holiday or publication lag)"
    )


def statistics_end_note(
    a: Metric, b: Metric, a_last: dt.date, b_last: dt.date, end: dt.date
) -> str | None:
    """When the legs end on different days, which day the statistics run to and why."""
    if a_last == b_last == end:
        return None
    later, earlier = (a, b) if a_last >= b_last else (b, a)
    later_day, earlier_day = max(a_last, b_last), min(a_last, b_last)
    reason = _end_reason(a, b, later, earlier, earlier_day)
    return (
        f"Pair statistics run to {end.isoformat()}, the last date both legs share: {reason}. "
        f"{later.label}'s latest value ({later_day.isoformat()}) is in its header and changes "
        "table, which use each series' own dates."
    )
