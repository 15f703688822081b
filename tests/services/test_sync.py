"""Refresh rules: incremental tails, revisions, re-anchoring, fallbacks, and losing nothing."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from pairwatch.domain import (
    AssetClass,
    ChangeKind,
    Frequency,
    Metric,
    Observation,
    Quote,
    RiskRole,
    Source,
)
from pairwatch.errors import DataError
from pairwatch.providers.base import HistoryQuery, HttpRequest, HttpResponse, finalize, require_ok
from pairwatch.providers.http import Fetcher, RetryPolicy
from pairwatch.services.sync import Syncer
from pairwatch.store import Store

D = dt.date


class TableProvider:
    """A provider whose wire format is a JSON list of [date, close, adj] rows."""

    def __init__(self, name: str) -> None:
        self.name = name

    def history_request(self, query: HistoryQuery) -> HttpRequest:
        params = (("start", query.start.isoformat()),) if query.start else ()
        return HttpRequest(f"http://{self.name}.test/{query.symbol}", params)

    def parse_history(self, response: HttpResponse, query: HistoryQuery) -> list[Observation]:
        require_ok(self.name, query.symbol, response)
        try:
            raw = json.loads(response.content)
        except ValueError as exc:
            raise DataError(self.name, query.symbol, response.request.url, "bad JSON") from exc
        rows = [Observation(D.fromisoformat(d), c, a) for d, c, a in raw]
        return finalize(self.name, query.symbol, response, rows, query.change)

    def quote_request(self, symbol: str) -> HttpRequest | None:
        return None

    def parse_quote(self, response: HttpResponse, symbol: str) -> Quote:
        raise NotImplementedError


@dataclass
class ReplayTransport:
    """Serves each provider's current history, honouring the `start` parameter."""

    history: dict[str, list[tuple[str, float, float | None]]] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    garbage: dict[str, bytes] = field(default_factory=dict)
    requests: list[HttpRequest] = field(default_factory=list)

    def send(self, request: HttpRequest, *, timeout: float, user_agent: str) -> HttpResponse:
        self.requests.append(request)
        host = request.url.split("/")[2]
        if host in self.status:
            return HttpResponse(request, self.status[host], {}, b"Service Unavailable")
        if host in self.garbage:
            return HttpResponse(request, 200, {}, self.garbage[host])
        start = dict(request.params).get("start", "")
        rows = [r for r in self.history.get(host, []) if r[0] >= start]
        return HttpResponse(
            request, 200, {"content-type": "application/json"}, json.dumps(rows).encode()
        )

    def close(self) -> None:
        pass


METRIC = Metric(
    id="iwm",
    name="IWM",
    source=Source("primary", "IWM"),
    fallback=Source("backup", "iwm"),
    frequency=Frequency.DAILY,
    change=ChangeKind.LOG,
    unit="USD",
    asset_class=AssetClass.EQUITY,
    risk_role=RiskRole.RISK_ON,
    description="test",
)


START = D(2024, 1, 1)


def days(
    n: int, start: D = START, close0: float = 100.0, factor: float = 0.99
) -> list[tuple[str, float, float | None]]:
    return [
        ((start + dt.timedelta(days=i)).isoformat(), close0 + i, (close0 + i) * factor)
        for i in range(n)
    ]


@pytest.fixture
def wire() -> ReplayTransport:
    return ReplayTransport()


class Clock:
    """A settable clock, so tests can let days pass between refreshes."""

    def __init__(self) -> None:
        self.now = dt.datetime(2024, 3, 1, 22, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, days: float) -> None:
        self.now += dt.timedelta(days=days)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def syncer(store: Store, wire: ReplayTransport, clock: Clock) -> Iterator[Syncer]:
    fetcher = Fetcher(
        transport=wire, policy=RetryPolicy(retries=1, backoff=0), sleep=lambda _: None
    )
    providers = {"primary": TableProvider("primary"), "backup": TableProvider("backup")}
    yield Syncer(store, providers, fetcher, overlap_days=3, fallback_after_days=3, clock=clock)


def test_first_fetch_takes_full_history_then_only_the_tail(
    syncer: Syncer, wire: ReplayTransport
) -> None:
    wire.history["primary.test"] = days(20)
    first = syncer.sync(METRIC)
    assert (first.ok, first.added, first.first, first.last) == (
        True,
        20,
        D(2024, 1, 1),
        D(2024, 1, 20),
    )
    assert wire.requests[-1].params == ()
    wire.history["primary.test"] = days(22)
    second = syncer.sync(METRIC)
    assert (second.added, second.updated) == (2, 0)
    assert dict(wire.requests[-1].params) == {"start": "2024-01-17"}  # 3 days of overlap


def test_revision_in_overlap_replaces_stored_value(
    syncer: Syncer, wire: ReplayTransport, store: Store
) -> None:
    wire.history["primary.test"] = [("2024-01-01", 100.0, None), ("2024-01-02", 101.0, None)]
    syncer.sync(METRIC)
    wire.history["primary.test"] = [
        ("2024-01-01", 100.0, None),
        ("2024-01-02", 101.5, None),
        ("2024-01-03", 102.0, None),
    ]
    result = syncer.sync(METRIC)
    assert (result.added, result.updated) == (1, 1)
    assert store.rows("iwm")[D(2024, 1, 2)].close == 101.5


def test_reanchored_adjusted_closes_replace_the_whole_history(
    syncer: Syncer, wire: ReplayTransport, store: Store
) -> None:
    wire.history["primary.test"] = days(30, factor=0.99)
    syncer.sync(METRIC)
    wire.history["primary.test"] = days(31, factor=0.98)  # a dividend re-anchored every adj close
    result = syncer.sync(METRIC)
    assert result.note and "re-anchored" in result.note
    assert wire.requests[-1].params == ()  # the full history was asked for again
    adj = {d: r.adj_close for d, r in store.rows("iwm").items()}
    assert adj[D(2024, 1, 1)] == 100.0 * 0.98  # the oldest row moved too: no false seam
    assert len(adj) == 31


def test_garbage_fails_loudly_and_loses_nothing(
    syncer: Syncer, wire: ReplayTransport, store: Store
) -> None:
    wire.history["primary.test"] = days(10)
    syncer.sync(METRIC)
    before = store.rows("iwm")
    version = store.data_version("iwm")
    wire.garbage["primary.test"] = b'[["2024-01-11", 110.0, 108.9], ["2024-01-12", -5'
    wire.garbage["backup.test"] = b"<html><body>Too many requests</body></html>"
    result = syncer.sync(METRIC)
    assert not result.ok
    assert "primary IWM" in (result.error or "")
    assert store.rows("iwm") == before
    assert store.data_version("iwm") == version


def test_transient_failure_keeps_data_and_does_not_fall_back(
    syncer: Syncer, wire: ReplayTransport, store: Store
) -> None:
    wire.history["primary.test"] = days(10)
    wire.history["backup.test"] = days(10, close0=200.0)
    syncer.sync(METRIC)
    wire.status["primary.test"] = 503
    result = syncer.sync(METRIC)
    assert not result.ok and "HTTP 503" in (result.error or "")
    assert store.provider_source("iwm") == "primary:IWM"
    assert not any(r.url.startswith("http://backup") for r in wire.requests)


def test_one_bad_answer_never_swaps_the_source(
    syncer: Syncer, wire: ReplayTransport, store: Store, clock: Clock
) -> None:
    wire.history["primary.test"] = days(10)
    wire.history["backup.test"] = days(12, close0=200.0)
    syncer.sync(METRIC)
    wire.garbage["primary.test"] = b"<!DOCTYPE html><html><body>Oops</body></html>"
    for _ in range(3):  # failing, but not yet for three days
        clock.advance(0.9)
        result = syncer.sync(METRIC)
        assert not result.ok and "stored data kept" in (result.note or "")
    assert {r.source for r in store.rows("iwm").values()} == {"primary:IWM"}
    assert not any(r.url.startswith("http://backup") for r in wire.requests)


def test_fallback_replaces_whole_history_when_primary_fails_for_good(
    syncer: Syncer, wire: ReplayTransport, store: Store, clock: Clock
) -> None:
    wire.history["primary.test"] = days(10)
    syncer.sync(METRIC)
    wire.garbage["primary.test"] = b"not json"
    wire.history["backup.test"] = days(12, close0=200.0)
    assert not syncer.sync(METRIC).ok  # day 0: first failure, history kept
    clock.advance(3.1)
    result = syncer.sync(METRIC)  # failing on end for more than three days
    assert result.ok and result.source == "backup:iwm"
    assert result.note and "fallback used" in result.note and "primary IWM" in result.note
    rows = store.rows("iwm")
    assert {r.source for r in rows.values()} == {"backup:iwm"}  # never spliced
    assert rows[D(2024, 1, 1)].close == 200.0
    del wire.garbage["primary.test"]
    wire.history["primary.test"] = days(12)
    back = syncer.sync(METRIC)  # the primary recovered: it takes the history back whole
    assert back.source == "primary:IWM"
    assert {r.source for r in store.rows("iwm").values()} == {"primary:IWM"}


def test_success_resets_the_failure_clock(
    syncer: Syncer, wire: ReplayTransport, store: Store, clock: Clock
) -> None:
    wire.history["primary.test"] = days(10)
    wire.history["backup.test"] = days(12, close0=200.0)
    syncer.sync(METRIC)
    wire.status["primary.test"] = 404
    syncer.sync(METRIC)
    clock.advance(2)
    del wire.status["primary.test"]
    assert syncer.sync(METRIC).ok
    wire.status["primary.test"] = 404
    clock.advance(2)  # four days since the first failure, but only now failing again
    assert not syncer.sync(METRIC).ok
    assert store.provider_source("iwm") == "primary:IWM"


def test_first_fetch_falls_back_at_once(syncer: Syncer, wire: ReplayTransport) -> None:
    wire.status["primary.test"] = 404
    wire.history["backup.test"] = days(5, close0=200.0)
    result = syncer.sync(METRIC)  # nothing stored: nothing to lose
    assert result.ok and result.source == "backup:iwm"


def test_shorter_fallback_never_replaces_a_longer_history(
    syncer: Syncer, wire: ReplayTransport, store: Store, clock: Clock
) -> None:
    wire.history["primary.test"] = days(400)
    syncer.sync(METRIC)
    wire.status["primary.test"] = 404
    wire.history["backup.test"] = days(30, start=D(2025, 1, 1))
    syncer.sync(METRIC)
    clock.advance(4)
    result = syncer.sync(METRIC)
    assert not result.ok and "not replacing" in (result.error or "")
    assert store.count("iwm") == 400
    assert store.provider_source("iwm") == "primary:IWM"


def test_reanchoring_never_thins_the_history(
    syncer: Syncer, wire: ReplayTransport, store: Store
) -> None:
    wire.history["primary.test"] = days(400)
    syncer.sync(METRIC)
    moved = days(400, factor=0.98)
    wire.history["primary.test"] = moved[:5] + moved[370:]  # re-anchored but with holes
    result = syncer.sync(METRIC)
    assert not result.ok and "thinner" in (result.error or "")
    assert store.count("iwm") == 400


def test_a_moving_last_bar_is_not_reanchoring(
    syncer: Syncer, wire: ReplayTransport, store: Store
) -> None:
    wire.history["primary.test"] = days(30)
    syncer.sync(METRIC)
    bars = days(31)
    day30 = bars[29]
    bars[29] = (day30[0], day30[1] + 1.0, (day30[1] + 1.0) * 0.99)  # the live bar closed higher
    wire.history["primary.test"] = bars
    before = len(wire.requests)
    result = syncer.sync(METRIC)
    assert result.ok and not result.note
    assert len(wire.requests) - before == 1  # only the tail: no full refetch
    assert (result.added, result.updated) == (1, 1)


def test_imported_rows_survive_refreshes(
    syncer: Syncer, wire: ReplayTransport, store: Store, clock: Clock
) -> None:
    store.upsert("iwm", [Observation(D(2020, 1, 2), 50.0, 50.0)], "import:old.csv")
    wire.history["primary.test"] = days(5)
    syncer.sync(METRIC)
    wire.garbage["primary.test"] = b"junk"
    wire.history["backup.test"] = days(5, close0=300.0)
    syncer.sync(METRIC)
    clock.advance(4)
    assert syncer.sync(METRIC).source == "backup:iwm"
    assert store.rows("iwm")[D(2020, 1, 2)].source == "import:old.csv"


def test_concurrent_writers_of_a_new_metric_both_succeed(store: Store) -> None:
    rows = [Observation(D(2024, 1, d), 100.0 + d) for d in range(1, 20)]
    errors: list[BaseException] = []

    def write() -> None:
        try:
            store.upsert("kre", rows, "yahoo:KRE")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count("kre") == 19
