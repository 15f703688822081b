"""The scheduler: which jobs exist and when they fire, no overlap, and job runs against a
fake Syncer (what changed, what failed, what live clients and hooks are told)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from apscheduler.triggers.date import DateTrigger

from pairwatch.catalog import Catalog
from pairwatch.domain import Metric, Observation, Quote
from pairwatch.errors import ProviderError
from pairwatch.jobs import Jobs, Refresher, RefreshEvent, history_group, quote_market
from pairwatch.services.live import Event, LiveHub
from pairwatch.services.market_hours import Market
from pairwatch.services.sync import SyncResult
from pairwatch.store import Store

from .conftest import ny, utc

THURSDAY = ny(2026, 4, 2, 11, 0)
SATURDAY = ny(2026, 4, 4, 11, 0)
CBOE = ("vix", "vix9d", "vix3m", "vvix", "skew")
US_QUOTED = (*CBOE, "iwm", "spy", "qqq", "hyg", "lqd", "tlt", "gld", "uup", "kre")


class RecordingHub(LiveHub):
    """A hub that remembers what was published."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)
        super().publish(event)


@dataclass
class FakeSyncer:
    """Writes prepared rows and quotes into the store, or fails as told."""

    store: Store
    rows: dict[str, list[Observation]] = field(default_factory=dict)
    quotes: dict[str, Quote] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    exploding: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)

    def sync(self, metric: Metric, since: dt.date | None = None) -> SyncResult:
        self.calls.append(metric.id)
        if metric.id in self.exploding:
            raise RuntimeError(f"{metric.id}: unexpected")
        if metric.id in self.failing:
            return SyncResult(metric.id, str(metric.source), error="HTTP 503: try later")
        written = self.store.upsert(metric.id, self.rows.get(metric.id, []), str(metric.source))
        return SyncResult(metric.id, str(metric.source), written.added, written.updated)

    def refresh_quote(self, metric: Metric) -> Quote | None:
        self.calls.append(metric.id)
        quote = self.quotes.get(metric.id)
        if quote is None:
            raise ProviderError("yahoo", metric.id, "http://quotes.test", "HTTP 503")
        self.store.save_quote(metric.id, quote, str(metric.quote))
        return quote


@dataclass
class Clock:
    """A settable clock."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Rig:
    jobs: Jobs
    syncer: FakeSyncer
    hub: RecordingHub
    clock: Clock
    hooked: list[RefreshEvent]


@pytest.fixture
def rig(store: Store, catalog: Catalog) -> Iterator[Rig]:
    syncer, hub, clock = FakeSyncer(store), RecordingHub(), Clock(THURSDAY)
    jobs = Jobs(Refresher(syncer, store, catalog, hub, clock=clock), run_jobs=False)
    hooked: list[RefreshEvent] = []
    jobs.after_refresh.append(hooked.append)
    yield Rig(jobs, syncer, hub, clock, hooked)
    jobs.shutdown()


def next_fire(jobs: Jobs, job_id: str, after: dt.datetime) -> dt.datetime:
    job = jobs.scheduler.get_job(job_id)
    fire: dt.datetime = job.trigger.get_next_fire_time(None, after)
    return fire


# --- the job table -------------------------------------------------------------------


def test_job_table_lists_every_refresh_without_overlap(rig: Rig) -> None:
    table = {row.id: row for row in rig.jobs.table()}
    assert set(table) == {
        "history-cboe",
        "history-etfs",
        "history-fred",
        "history-fred-morning",
        "history-crypto",
        "history-catch-up",
        "quotes-us",
        "quotes-crypto",
    }
    for row in table.values():
        assert (row.max_instances, row.coalesce) == (1, True), row.id
    assert table["quotes-us"].misfire_grace_time == 30
    assert "day_of_week='mon-fri'" in table["history-cboe"].trigger


@pytest.mark.parametrize(
    ("job_id", "after", "expected"),
    [
        ("history-cboe", ny(2026, 4, 1, 12, 0), ny(2026, 4, 1, 17, 30)),
        ("history-cboe", ny(2026, 4, 3, 18, 0), ny(2026, 4, 6, 17, 30)),  # Friday -> Monday
        ("history-etfs", ny(2026, 4, 1, 12, 0), ny(2026, 4, 1, 16, 30)),
        ("history-fred", ny(2026, 4, 1, 12, 0), ny(2026, 4, 1, 16, 30)),
        ("history-fred-morning", ny(2026, 4, 6, 7, 0), ny(2026, 4, 7, 6, 0)),
        ("history-fred-morning", ny(2026, 4, 3, 7, 0), ny(2026, 4, 4, 6, 0)),  # Saturday too
        ("history-fred-morning", ny(2026, 4, 4, 7, 0), ny(2026, 4, 7, 6, 0)),  # not Sun/Mon
        ("history-crypto", utc(2026, 4, 4, 0, 20), utc(2026, 4, 5, 0, 15)),
        ("quotes-us", ny(2026, 4, 2, 8, 30), ny(2026, 4, 2, 9, 0)),
        ("quotes-us", ny(2026, 4, 2, 10, 0) + dt.timedelta(seconds=1), ny(2026, 4, 2, 10, 1)),
        ("quotes-us", ny(2026, 4, 3, 17, 0), ny(2026, 4, 6, 9, 0)),
        # Summer time in New York: 17:30 EDT is 21:30 UTC; in winter 22:30 UTC.
        ("history-cboe", utc(2026, 7, 1, 12, 0), utc(2026, 7, 1, 21, 30)),
        ("history-cboe", utc(2026, 12, 1, 12, 0), utc(2026, 12, 1, 22, 30)),
    ],
)
def test_triggers_fire_after_each_provider_publishes(
    rig: Rig, job_id: str, after: dt.datetime, expected: dt.datetime
) -> None:
    assert next_fire(rig.jobs, job_id, after) == expected


def test_crypto_quotes_every_two_minutes_and_a_catch_up_at_start(rig: Rig) -> None:
    crypto = rig.jobs.scheduler.get_job("quotes-crypto").trigger
    assert crypto.interval == dt.timedelta(seconds=120)
    catch_up = rig.jobs.scheduler.get_job("history-catch-up").trigger
    assert isinstance(catch_up, DateTrigger)
    assert catch_up.run_date == THURSDAY + dt.timedelta(seconds=10)


def test_metrics_are_grouped_by_publisher(catalog: Catalog) -> None:
    groups = {m.id: history_group(m) for m in catalog}
    assert {m for m, g in groups.items() if g == "cboe"} == set(CBOE)
    assert groups["iwm"] == groups["hyg"] == "etfs"
    assert groups["dgs10"] == groups["nfci"] == "fred"
    assert groups["btc"] == groups["eth"] == "crypto"
    us = {m.id for m in catalog if quote_market(m) is Market.US_EQUITIES}
    assert us == set(US_QUOTED)
    assert {m.id for m in catalog if quote_market(m) is Market.CRYPTO} == {"btc", "eth"}


def test_run_jobs_off_never_starts_the_scheduler(rig: Rig) -> None:
    assert rig.jobs.start() is False
    assert not rig.jobs.scheduler.running


def test_extra_jobs_get_the_same_no_overlap_settings(rig: Rig) -> None:
    rig.jobs.add_job("digest", "Daily digest", lambda: None, DateTrigger(THURSDAY))
    row = next(r for r in rig.jobs.table() if r.id == "digest")
    assert (row.max_instances, row.coalesce) == (1, True)


def test_unknown_job_names_the_known_ones(rig: Rig) -> None:
    with pytest.raises(KeyError, match="quotes-us"):
        rig.jobs.run_now("nope")


# --- runs ----------------------------------------------------------------------------


def test_history_run_reports_changes_and_failures_and_tells_everyone(rig: Rig) -> None:
    rig.syncer.rows["vix"] = [Observation(dt.date(2026, 4, 1), 16.0, 16.0)]
    rig.syncer.failing.add("vix9d")
    rig.syncer.exploding.add("vix3m")
    event = rig.jobs.run_now("history-cboe")
    assert isinstance(event, RefreshEvent)
    assert rig.syncer.calls == list(CBOE)  # one failure does not stop the others
    assert event.changed == ("vix",)
    assert event.failed == ("vix9d", "vix3m")
    assert (event.job_id, event.kind, event.at) == ("history-cboe", "history", THURSDAY)
    assert rig.hooked == [event]
    [published] = rig.hub.events
    assert published["type"] == "quote"
    assert set(published["metrics"]) == {"vix"}
    assert published["metrics"]["vix"]["value"] == 16.0


def test_history_run_without_changes_calls_no_hook(rig: Rig) -> None:
    event = rig.jobs.run_now("history-fred")
    assert isinstance(event, RefreshEvent)
    assert event.changed == ()
    assert rig.hooked == []
    assert rig.hub.events == []


def test_a_failing_hook_does_not_stop_the_others(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_: RefreshEvent) -> None:
        raise ValueError("alerts are down")

    rig.jobs.after_refresh.insert(0, broken)
    rig.syncer.rows["iwm"] = [Observation(dt.date(2026, 4, 1), 202.0, 202.0)]
    with caplog.at_level(logging.ERROR, logger="pairwatch.jobs"):
        event = rig.jobs.run_now("history-etfs")
    assert rig.hooked == [event]
    assert "after_refresh hook" in caplog.text


def test_us_quotes_are_skipped_outside_market_hours(rig: Rig) -> None:
    rig.clock.now = SATURDAY
    assert rig.jobs.run_now("quotes-us") is None
    assert rig.syncer.calls == []


def test_us_quotes_publish_only_what_changed(rig: Rig) -> None:
    taken = THURSDAY.astimezone(dt.UTC) - dt.timedelta(minutes=1)
    rig.syncer.quotes = {
        "vix": Quote("VIX", 17.0, taken, 16.0),
        "iwm": Quote("IWM", 204.0, taken, 202.0),
    }
    first = rig.jobs.run_now("quotes-us")
    assert isinstance(first, RefreshEvent)
    assert rig.syncer.calls == list(US_QUOTED)
    assert first.changed == ("vix", "iwm")
    assert len(first.failed) == len(US_QUOTED) - 2
    assert set(rig.hub.events[-1]["metrics"]) == set(US_QUOTED)  # first run: everything
    assert rig.hub.events[-1]["metrics"]["iwm"]["badge"] == "live (delayed 15 min)"

    again = rig.jobs.run_now("quotes-us")
    assert isinstance(again, RefreshEvent)
    assert again.changed == ()
    assert len(rig.hub.events) == 1  # nothing new to say
    assert rig.hooked == [first]

    rig.syncer.quotes["iwm"] = Quote("IWM", 204.5, taken + dt.timedelta(minutes=1), 202.0)
    third = rig.jobs.run_now("quotes-us")
    assert isinstance(third, RefreshEvent)
    assert third.changed == ("iwm",)
    assert set(rig.hub.events[-1]["metrics"]) == {"iwm"}
    assert rig.hub.events[-1]["metrics"]["iwm"]["value"] == 204.5


def test_the_close_is_announced_when_the_session_ends(rig: Rig) -> None:
    taken = THURSDAY.astimezone(dt.UTC)
    rig.syncer.quotes = {"vix": Quote("VIX", 17.0, taken, 16.0)}
    rig.jobs.run_now("quotes-us")
    rig.clock.now = ny(2026, 4, 2, 16, 10)  # after the close, inside the grace period
    rig.jobs.run_now("quotes-us")
    assert rig.hub.events[-1]["metrics"]["vix"]["badge"] == "closed"


def test_crypto_quotes_run_on_weekends(rig: Rig) -> None:
    rig.clock.now = SATURDAY
    rig.syncer.quotes = {"btc": Quote("bitcoin", 80000.0, SATURDAY.astimezone(dt.UTC))}
    event = rig.jobs.run_now("quotes-crypto")
    assert isinstance(event, RefreshEvent)
    assert rig.syncer.calls == ["btc", "eth"]
    assert event.changed == ("btc",)
    assert event.failed == ("eth",)


def test_the_scheduler_survives_a_failing_job(
    store: Store, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = Jobs(Refresher(FakeSyncer(store), store, catalog, LiveHub()), run_jobs=True)
    ran = threading.Event()

    def boom() -> None:
        raise RuntimeError("provider exploded")

    soon = dt.datetime.now(dt.UTC) + dt.timedelta(milliseconds=100)
    jobs.add_job("boom", "Failing job", boom, DateTrigger(soon))
    jobs.add_job("after", "Next job", ran.set, DateTrigger(soon + dt.timedelta(milliseconds=200)))
    with caplog.at_level(logging.ERROR, logger="pairwatch.jobs"):
        assert jobs.start() is True
        try:
            assert ran.wait(5.0)
            assert jobs.scheduler.running
        finally:
            jobs.shutdown()
    assert not jobs.scheduler.running
    assert "job boom failed" in caplog.text
