"""quote_payload: which value a header shows and the freshness badge, on a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest

from pairwatch.catalog import Catalog
from pairwatch.domain import Quote
from pairwatch.errors import UnknownMetricError
from pairwatch.services.live import quote_entry, quote_payload, select
from pairwatch.store import Store

from .conftest import closes, ny, utc

THURSDAY = ny(2026, 4, 2, 11, 0)  # a regular session, 11:00 New York


def entry(store: Store, catalog: Catalog, metric_id: str, now: dt.datetime) -> dict[str, object]:
    return quote_entry(store, catalog.metric(metric_id), now)


def test_fresh_quote_during_the_session_is_live(store: Store, catalog: Catalog) -> None:
    closes(store, "iwm", {"2026-03-31": 200.0, "2026-04-01": 202.0}, "yahoo:IWM")
    taken = (THURSDAY - dt.timedelta(minutes=2)).astimezone(dt.UTC)
    quote = Quote("IWM", 205.05, taken, previous_close=202.0)
    store.save_quote("iwm", quote, "yahoo:IWM")
    got = entry(store, catalog, "iwm", THURSDAY)
    assert got["badge"] == "live (delayed 15 min)"
    assert got["badge_kind"] == "live"
    assert got["value"] == 205.05
    assert got["previous_close"] == 202.0
    assert got["change"] == pytest.approx(3.05)
    assert got["change_pct"] == pytest.approx(205.05 / 202.0 - 1)
    assert got["from_quote"] is True
    assert got["source"] == "yahoo:IWM"
    assert got["market_state"] == "open"
    assert dt.datetime.fromisoformat(str(got["as_of"])) == quote.as_of


def test_a_quote_stamped_in_new_york_time_keeps_its_instant(store: Store) -> None:
    taken = ny(2026, 4, 2, 10, 58)  # Yahoo and CBOE quotes carry the exchange's zone
    store.save_quote("iwm", Quote("IWM", 205.0, taken), "yahoo:IWM")
    loaded = store.load_quote("iwm")
    assert loaded is not None and loaded.as_of == taken


def test_old_quote_during_the_session_is_end_of_day(store: Store, catalog: Catalog) -> None:
    closes(store, "iwm", {"2026-03-31": 200.0, "2026-04-01": 202.0}, "yahoo:IWM")
    old = Quote("IWM", 204.0, THURSDAY - dt.timedelta(minutes=45), previous_close=202.0)
    store.save_quote("iwm", old, "yahoo:IWM")
    got = entry(store, catalog, "iwm", THURSDAY)
    assert got["value"] == 204.0  # still the newest value known
    assert got["badge"] == "end of day"


def test_daily_close_during_the_session_is_end_of_day(store: Store, catalog: Catalog) -> None:
    closes(store, "iwm", {"2026-03-31": 200.0, "2026-04-01": 202.0}, "yahoo:IWM")
    got = entry(store, catalog, "iwm", THURSDAY)
    assert (got["value"], got["previous_close"], got["as_of"]) == (202.0, 200.0, "2026-04-01")
    assert got["change"] == pytest.approx(2.0)
    assert got["change_pct"] == pytest.approx(0.01)
    assert got["badge"] == "end of day"
    assert got["from_quote"] is False
    assert got["source"] == "yahoo:IWM"


def test_outside_hours_says_closed(store: Store, catalog: Catalog) -> None:
    closes(store, "vix", {"2026-04-01": 15.0, "2026-04-02": 16.5}, "cboe:VIX")
    saturday = ny(2026, 4, 4, 10, 0)
    got = entry(store, catalog, "vix", saturday)
    assert got["badge"] == "closed"
    assert got["badge_kind"] == "closed"
    assert got["market_state"] == "closed"
    assert got["next_open"] == "2026-04-06T09:30:00-04:00"
    assert got["value"] == 16.5


def test_after_the_close_the_stored_close_beats_a_same_day_quote(
    store: Store, catalog: Catalog
) -> None:
    closes(store, "vix", {"2026-04-01": 15.0, "2026-04-02": 16.5}, "cboe:VIX")
    store.save_quote("vix", Quote("VIX", 16.2, ny(2026, 4, 2, 15, 40), 15.0), "cboe:VIX")
    got = entry(store, catalog, "vix", ny(2026, 4, 2, 17, 45))
    assert got["value"] == 16.5
    assert got["from_quote"] is False
    assert got["badge"] == "closed"
    assert got["market_state"] == "after-hours"


def test_after_the_close_a_quote_newer_than_the_last_close_is_shown(
    store: Store, catalog: Catalog
) -> None:
    closes(store, "vix", {"2026-03-31": 15.0, "2026-04-01": 16.0}, "cboe:VIX")
    store.save_quote("vix", Quote("VIX", 17.0, ny(2026, 4, 2, 15, 59), 16.0), "cboe:VIX")
    got = entry(store, catalog, "vix", ny(2026, 4, 2, 16, 20))
    assert got["value"] == 17.0
    assert got["badge"] == "closed"
    assert got["source"] == "cboe:VIX"


@pytest.mark.parametrize(("days", "badge"), [(4, "closed"), (5, "stale since 2026-03-30")])
def test_daily_data_goes_stale_after_four_days(
    store: Store, catalog: Catalog, days: int, badge: str
) -> None:
    closes(store, "spy", {"2026-03-27": 500.0, "2026-03-30": 501.0}, "yahoo:SPY")
    now = utc(2026, 3, 30, 23, 0) + dt.timedelta(days=days)
    assert entry(store, catalog, "spy", now)["badge"] == badge


@pytest.mark.parametrize(("days", "badge"), [(10, "end of week"), (11, "stale since 2026-03-20")])
def test_weekly_data_goes_stale_after_ten_days(
    store: Store, catalog: Catalog, days: int, badge: str
) -> None:
    closes(store, "nfci", {"2026-03-13": -0.5, "2026-03-20": -0.45}, "fred:NFCI")
    got = entry(store, catalog, "nfci", utc(2026, 3, 20, 12) + dt.timedelta(days=days))
    assert got["badge"] == badge
    assert got["market"] == "fred"
    assert got["market_state"] is None


def test_fred_is_end_of_day_at_any_hour(store: Store, catalog: Catalog) -> None:
    closes(store, "dgs10", {"2026-04-01": 4.10, "2026-04-02": 4.15}, "fred:DGS10")
    for now in (ny(2026, 4, 3, 3, 0), ny(2026, 4, 3, 11, 0), ny(2026, 4, 4, 11, 0)):
        got = entry(store, catalog, "dgs10", now)
        assert got["badge"] == "end of day"
        assert got["change"] == pytest.approx(0.05)
        assert got["change_pct"] is None  # a `diff` metric: its change is in its own unit


def test_crypto_quotes_are_live_around_the_clock(store: Store, catalog: Catalog) -> None:
    closes(store, "btc", {"2026-04-03": 80000.0, "2026-04-04": 81000.0}, "yahoo:BTC-USD")
    sunday = utc(2026, 4, 5, 3, 0)
    quote = Quote("bitcoin", 82000.0, sunday - dt.timedelta(minutes=1), 81500.0, "USD")
    store.save_quote("btc", quote, "coingecko:bitcoin")
    got = entry(store, catalog, "btc", sunday)
    assert got["badge"] == "live"
    assert got["market_state"] == "open"
    assert got["source"] == "coingecko:bitcoin"
    assert got["value"] == 82000.0


def test_a_metric_without_data(store: Store, catalog: Catalog) -> None:
    got = entry(store, catalog, "vix3m", THURSDAY)
    assert got["value"] is None
    assert got["badge"] == "no data yet"
    assert got["badge_kind"] == "none"


def test_payload_covers_each_id_once_and_refuses_unknown_ones(
    store: Store, catalog: Catalog
) -> None:
    closes(store, "iwm", {"2026-04-01": 202.0}, "yahoo:IWM")
    payload = quote_payload(store, catalog, ["IWM", "vix"], now=THURSDAY)
    assert list(payload["metrics"]) == ["iwm", "vix"]
    assert payload["generated_at"] == THURSDAY.isoformat()
    assert payload["metrics"]["iwm"]["previous_close"] is None  # one row only
    with pytest.raises(UnknownMetricError):
        quote_payload(store, catalog, ["nope"], now=THURSDAY)


def test_select_keeps_only_the_requested_metrics() -> None:
    event = {"type": "quote", "generated_at": "t", "metrics": {"iwm": {"v": 1}, "spy": {"v": 2}}}
    assert select(event, ["iwm", "vix"]) == {"generated_at": "t", "metrics": {"iwm": {"v": 1}}}
    assert select(event, ["vix"]) is None
    assert select({"type": "closed"}, ["iwm"]) is None
