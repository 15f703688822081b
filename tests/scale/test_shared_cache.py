"""The shared report cache: workers reuse each other's reports; a Redis outage is harmless."""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from starlette.exceptions import StarletteDeprecationWarning

from pairwatch.catalog import Catalog
from pairwatch.config import Settings
from pairwatch.services import cache as cache_module
from pairwatch.services.cache import ReportCache, ReportKey, report_key
from pairwatch.services.compare import compare_pair
from pairwatch.services.demo import DEMO_END
from pairwatch.services.report import PairReport
from pairwatch.services.shared_cache import (
    RedisReportStore,
    connect,
    report_prefix,
)
from pairwatch.store import Store
from pairwatch.web import create_app
from tests.scale.conftest import closed_port_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SHARED_LOG = "pairwatch.services.shared_cache"


@pytest.fixture(scope="module")
def report_and_key(demo_file: Path, catalog: Catalog) -> tuple[PairReport, ReportKey]:
    """One real report of the demo store, and its key."""
    store = Store(f"sqlite:///{demo_file}")
    try:
        key = report_key(store, catalog, "iwm", "vix", 90, DEMO_END, forecasts=False)
        report = compare_pair(store, catalog, "iwm", "vix", 90, DEMO_END, forecasts=False)
    finally:
        store.close()
    return report, key


class Counter:
    """A compute() that counts its calls."""

    def __init__(self, report: PairReport) -> None:
        self.report = report
        self.calls = 0

    def __call__(self) -> PairReport:
        self.calls += 1
        return self.report


@pytest.fixture
def worker(redis_url: str, namespace: str) -> Iterator[Callable[[], ReportCache]]:
    """New ReportCaches ("workers"), each with its own Redis client, one shared prefix."""
    made: list[ReportCache] = []

    def build() -> ReportCache:
        cache = ReportCache(shared=RedisReportStore(connect(redis_url), namespace))
        made.append(cache)
        return cache

    yield build
    for cache in made:
        cache.close()


def test_a_second_worker_reuses_the_first_workers_report(
    worker: Callable[[], ReportCache], report_and_key: tuple[PairReport, ReportKey]
) -> None:
    report, key = report_and_key
    first, second = worker(), worker()
    compute = Counter(report)
    assert first.get_or_compute(key, compute) is report
    got = second.get_or_compute(key, compute)
    assert compute.calls == 1
    assert isinstance(got, PairReport)
    assert (got.a, got.b, got.window, got.as_of, got.end) == (
        report.a,
        report.b,
        report.window,
        report.as_of,
        report.end,
    )
    # now in the second worker's own LRU too
    assert second.entries.get(key) is got


def test_a_data_version_bump_misses(
    worker: Callable[[], ReportCache], report_and_key: tuple[PairReport, ReportKey]
) -> None:
    report, key = report_and_key
    first, second = worker(), worker()
    compute = Counter(report)
    first.get_or_compute(key, compute)
    bumped = dataclasses.replace(key, versions=(key.versions[0] + 1, *key.versions[1:]))
    second.get_or_compute(bumped, compute)
    assert compute.calls == 2
    second.get_or_compute(key, compute)  # the old version is still shared
    assert compute.calls == 2


def test_entries_expire_and_carry_the_prefix(
    redis_url: str, namespace: str, report_and_key: tuple[PairReport, ReportKey]
) -> None:
    report, key = report_and_key
    shared = RedisReportStore(connect(redis_url), namespace, ttl=60)
    try:
        shared.put(key, report)
        name = shared.redis_key(key)
        assert name.startswith(namespace)
        assert 0 < shared.client.ttl(name) <= 60
    finally:
        shared.close()


def test_the_prefix_names_code_and_store() -> None:
    one, two = report_prefix("sqlite:///a.sqlite"), report_prefix("sqlite:///b.sqlite")
    assert one != two
    assert one.startswith("pairwatch:report:")
    assert "a.sqlite" not in one  # hashed: a password in a URL never reaches Redis


def test_unreachable_redis_computes_and_warns_once(
    report_and_key: tuple[PairReport, ReportKey], caplog: pytest.LogCaptureFixture
) -> None:
    report, key = report_and_key
    cache = ReportCache(shared=RedisReportStore(connect(closed_port_url()), "pwtest:"))
    other = dataclasses.replace(key, window=30)
    compute = Counter(report)
    with caplog.at_level(logging.WARNING, logger=SHARED_LOG):
        assert cache.get_or_compute(key, compute) is report
        assert cache.get_or_compute(other, compute) is report
        assert cache.get_or_compute(key, compute) is report
    cache.close()
    assert compute.calls == 2
    warnings_logged = [r for r in caplog.records if r.name == SHARED_LOG]
    assert len(warnings_logged) == 1
    assert "Redis unavailable" in warnings_logged[0].getMessage()


def test_pages_still_render_when_redis_is_down(
    demo_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{demo_copy}", home=tmp_path / "home", redis_url=closed_port_url()
    )
    with (
        caplog.at_level(logging.WARNING, logger=SHARED_LOG),
        TestClient(create_app(settings)) as client,
    ):
        assert client.get("/compare/iwm-vs-vix").status_code == 200
        assert client.get("/compare/spy-vs-vix").status_code == 200
    assert len([r for r in caplog.records if r.name == SHARED_LOG]) == 1


def test_two_web_workers_share_reports(
    redis_url: str, demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = f"sqlite:///{demo_copy}"
    settings = Settings(database_url=database_url, home=tmp_path / "home", redis_url=redis_url)
    calls: list[tuple[str, str]] = []

    def counting(store: Store, catalog: Catalog, a: str, b: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((a, b))
        return compare_pair(store, catalog, a, b, *args, **kwargs)

    monkeypatch.setattr(cache_module, "compare_pair", counting)
    try:
        with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
            first = one.get("/compare/iwm-vs-vix")
            computed = len(calls)
            second = two.get("/compare/iwm-vs-vix")
        assert first.status_code == second.status_code == 200
        assert computed >= 1
        assert len(calls) == computed  # the second worker computed nothing
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"{report_prefix(database_url)}*"))
        if keys:
            client.delete(*keys)
        client.close()
