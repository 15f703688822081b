"""Live values: what a page header shows now, and an in-process hub that pushes updates.

`quote_payload` answers "what is each metric worth now, and how fresh is that?" from the
store: the stored latest quote where it is newer than the last daily close, else the last
close. Its freshness badge tells the truth:

- "live (delayed 15 min)" (US markets) or "live" (crypto): the market is open and the value
  is a quote taken within the last `FRESH_QUOTE`;
- "closed": the market is outside its regular session; the value is the last close or
  the session's last quote;
- "end of day" ("end of week" for weekly series): a daily close of an open market without
  a fresh quote, or a FRED publication;
- "stale since DATE": the last value is older than 4 calendar days (10 for weekly series,
  45 for monthly) on the UTC date of `now`.

`LiveHub` fans events out from the scheduler's threads to every connected client's
asyncio queue; a slow client loses its oldest events, never blocks the publisher. Events
are plain dicts: `{"type": "quote", "generated_at", "metrics": {id: entry}}` from the
jobs, and `{"type": "closed"}` once when the hub shuts down. A relay (see `add_relay`)
also receives every event published in this process, e.g. `RedisFanout`, which forwards
them to the hubs of the other processes of a deployment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pairwatch.catalog import Catalog
from pairwatch.domain import ChangeKind, Frequency, Metric, Quote
from pairwatch.services.market_hours import (
    NEW_YORK,
    Market,
    MarketState,
    market_for,
    market_state,
)
from pairwatch.store import Store

Event = dict[str, Any]

FRESH_QUOTE = dt.timedelta(minutes=30)
CLOSE_LOOKBACK = dt.timedelta(days=100)
STALE_AFTER_DAYS = {Frequency.DAILY: 4, Frequency.WEEKLY: 10, Frequency.MONTHLY: 45}
END_OF_PERIOD = {
    Frequency.DAILY: "end of day",
    Frequency.WEEKLY: "end of week",
    Frequency.MONTHLY: "end of month",
}
LIVE_BADGE = {Market.US_EQUITIES: "live (delayed 15 min)", Market.CRYPTO: "live"}
MARKET_ZONE = {Market.US_EQUITIES: NEW_YORK, Market.CRYPTO: dt.UTC, Market.FRED: dt.UTC}
DEFAULT_QUEUE_SIZE = 16
CLOSED: Event = {"type": "closed"}


def utc_now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


# --- what a header shows -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LastClose:
    """A metric's newest stored observation and the one before it."""

    date: dt.date
    close: float
    previous: float | None
    source: str


@dataclass(frozen=True, slots=True)
class Reading:
    """The value a header shows and where it comes from (a quote or a close)."""

    value: float
    previous: float | None
    day: dt.date
    as_of: str
    source: str
    quote: Quote | None


def last_close(store: Store, metric_id: str) -> LastClose | None:
    """The last two stored closes of a metric, or None when nothing is stored."""
    _, last = store.span(metric_id)
    if last is None:
        return None
    rows = store.rows(metric_id, last - CLOSE_LOOKBACK)
    dates = sorted(rows)[-2:]
    newest = rows[dates[-1]]
    previous = rows[dates[0]].close if len(dates) == 2 else None
    return LastClose(dates[-1], newest.close, previous, newest.source)


def quote_day(quote: Quote, market: Market) -> dt.date:
    """The trading date a quote belongs to, in its market's zone."""
    return quote.as_of.astimezone(MARKET_ZONE[market]).date()


def quote_is_fresh(quote: Quote, now: dt.datetime) -> bool:
    """True when a quote was taken within `FRESH_QUOTE` of `now`."""
    return now - quote.as_of <= FRESH_QUOTE


def prefer_quote(
    quote: Quote | None, close: LastClose | None, market: Market, state: MarketState
) -> bool:
    """Whether the header shows the quote rather than the last close.

    A quote from a later day than the last close wins; on the same day it wins only while
    the market is open (after the session the stored close is the final word).
    """
    if quote is None:
        return False
    if close is None:
        return True
    day = quote_day(quote, market)
    return day > close.date or (day == close.date and state.open)


def reading(
    metric: Metric,
    quote: Quote | None,
    close: LastClose | None,
    market: Market,
    state: MarketState,
) -> Reading | None:
    """The value to show: the quote when preferred, else the last close; None without data."""
    if quote is not None and prefer_quote(quote, close, market, state):
        source = str(metric.quote) if metric.quote is not None else quote.symbol
        stamp = quote.as_of.isoformat()
        return Reading(
            quote.price, quote.previous_close, quote_day(quote, market), stamp, source, quote
        )
    if close is None:
        return None
    return Reading(
        close.close, close.previous, close.date, close.date.isoformat(), close.source, None
    )


def badge(
    metric: Metric, shown: Reading, market: Market, state: MarketState, now: dt.datetime
) -> tuple[str, str]:
    """Freshness badge text and kind ("live", "closed", "eod" or "stale")."""
    today = now.astimezone(dt.UTC).date()
    if (today - shown.day).days > STALE_AFTER_DAYS[metric.frequency]:
        return f"stale since {shown.day.isoformat()}", "stale"
    if market is not Market.FRED and not state.open:
        return "closed", "closed"
    if shown.quote is not None and state.open and quote_is_fresh(shown.quote, now):
        return LIVE_BADGE[market], "live"
    return END_OF_PERIOD[metric.frequency], "eod"


def changes(
    metric: Metric, value: float, previous: float | None
) -> tuple[float | None, float | None]:
    """(change in units, change as a fraction); the fraction only for `log` metrics."""
    if previous is None:
        return None, None
    fraction = None
    if metric.change is ChangeKind.LOG and previous != 0:
        fraction = value / previous - 1.0
    return value - previous, fraction


def _empty_entry(metric: Metric, market: Market, state: MarketState) -> Event:
    """The entry of a metric with nothing stored."""
    return {
        **_identity(metric, market, state),
        "value": None,
        "previous_close": None,
        "change": None,
        "change_pct": None,
        "as_of": None,
        "source": str(metric.source),
        "from_quote": False,
        "badge": "no data yet",
        "badge_kind": "none",
    }


def _identity(metric: Metric, market: Market, state: MarketState) -> Event:
    """The fields that describe a metric and its market, whatever its data."""
    return {
        "id": metric.id,
        "label": metric.label,
        "unit": metric.unit,
        "change_kind": metric.change.value,
        "market": market.value,
        "market_state": None if market is Market.FRED else state.label,
        "next_open": None if state.next_open is None else state.next_open.isoformat(),
    }


def quote_entry(store: Store, metric: Metric, now: dt.datetime) -> Event:
    """One metric's live entry: value, previous close, change, as-of, source, state, badge."""
    market = market_for(metric)
    state = market_state(market, now)
    shown = reading(
        metric, store.load_quote(metric.id), last_close(store, metric.id), market, state
    )
    if shown is None:
        return _empty_entry(metric, market, state)
    change, fraction = changes(metric, shown.value, shown.previous)
    text, kind = badge(metric, shown, market, state, now)
    return {
        **_identity(metric, market, state),
        "value": shown.value,
        "previous_close": shown.previous,
        "change": change,
        "change_pct": fraction,
        "as_of": shown.as_of,
        "source": shown.source,
        "from_quote": shown.quote is not None,
        "badge": text,
        "badge_kind": kind,
    }


def quote_payload(
    store: Store,
    catalog: Catalog,
    metric_ids: Iterable[str],
    *,
    now: dt.datetime | None = None,
) -> Event:
    """`{"generated_at", "metrics": {id: entry}}` for the given ids (unknown ids raise)."""
    moment = now if now is not None else utc_now()
    metrics = [catalog.metric(metric_id) for metric_id in metric_ids]
    return {
        "generated_at": moment.isoformat(),
        "metrics": {m.id: quote_entry(store, m, moment) for m in metrics},
    }


def select(event: Mapping[str, Any], metric_ids: Iterable[str]) -> Event | None:
    """The part of a hub event about `metric_ids`, or None when it concerns none of them."""
    entries = event.get("metrics", {})
    chosen = {m: entries[m] for m in metric_ids if m in entries}
    if not chosen:
        return None
    return {"generated_at": event.get("generated_at"), "metrics": chosen}


# --- fan-out -------------------------------------------------------------------------


class Subscription:
    """One client's bounded queue of hub events; iterate it, and close it when done."""

    def __init__(self, hub: LiveHub, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self._hub = hub
        self.loop = loop
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=size)
        self.dropped = 0

    def offer(self, event: Event) -> None:
        """Queue an event, dropping the oldest one when full (runs on the loop's thread)."""
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(event)

    async def next_event(self, timeout: float | None = None) -> Event | None:
        """The next event, or None when `timeout` seconds pass without one."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return await self.queue.get()

    def close(self) -> None:
        """Stop receiving events."""
        self._hub.unsubscribe(self)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *_: object) -> None:
        self.close()


class LiveHub:
    """In-process publish/subscribe: `publish` from any thread, `subscribe` in a loop."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._lock = threading.Lock()
        self._subscribers: list[Subscription] = []
        self._relays: list[Callable[[Event], None]] = []
        self.closed = False

    @property
    def subscriber_count(self) -> int:
        """How many clients are listening."""
        with self._lock:
            return len(self._subscribers)

    def subscribe(self) -> Subscription:
        """A new subscription bound to the running event loop (call it inside the loop)."""
        subscription = Subscription(self, asyncio.get_running_loop(), self.queue_size)
        with self._lock:
            self._subscribers.append(subscription)
            closed = self.closed
        if closed:
            subscription.offer(CLOSED)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget a subscription (idempotent)."""
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)

    def add_relay(self, relay: Callable[[Event], None]) -> None:
        """Also hand every event published here (with `relay` on) to `relay`.

        A relay must not block for long nor raise: it runs on the publisher's thread.
        """
        with self._lock:
            self._relays.append(relay)

    def remove_relay(self, relay: Callable[[Event], None]) -> None:
        """Forget a relay (idempotent)."""
        with self._lock:
            if relay in self._relays:
                self._relays.remove(relay)

    def publish(self, event: Event, *, relay: bool = True) -> None:
        """Hand `event` to every subscriber (and relay); safe from any thread, never blocks.

        `relay=False` delivers to this process's subscribers only: for events that came
        from another process, and for the hub's own shutdown.
        """
        with self._lock:
            subscribers = list(self._subscribers)
            relays = list(self._relays) if relay else []
        for subscription in subscribers:
            self._deliver(subscription, event)
        for forward in relays:
            forward(event)

    def _deliver(self, subscription: Subscription, event: Event) -> None:
        """Queue on the subscriber's loop; a subscriber whose loop has closed is dropped.

        Always through `call_soon_threadsafe`, so publishing is safe from any thread and
        even from a signal handler running on the loop's own thread.
        """
        try:
            subscription.loop.call_soon_threadsafe(subscription.offer, event)
        except RuntimeError:
            self.unsubscribe(subscription)

    def close(self) -> None:
        """Tell every subscriber (and any later one) that no more events will come."""
        with self._lock:
            self.closed = True
        self.publish(CLOSED, relay=False)
