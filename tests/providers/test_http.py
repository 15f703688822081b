"""The shared fetch path: Retry-After, backoff, rate limits, coalescing, User-Agent."""

from __future__ import annotations

import threading
import time

import pytest
from pytest_httpserver import HTTPServer

from pairwatch.config import DEFAULT_USER_AGENT
from pairwatch.errors import ProviderError
from pairwatch.providers.base import HttpRequest, HttpResponse, require_ok
from pairwatch.providers.http import (
    Fetcher,
    RateLimiter,
    RetryPolicy,
    TransportError,
    retry_after_seconds,
)


def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after_seconds("7") == 7.0
    now = 1_700_000_000.0  # Tue, 14 Nov 2023 22:13:20 GMT
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:50 GMT", now=now) == 30.0
    assert retry_after_seconds("Tue, 14 Nov 2023 22:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_backoff_doubles_and_retry_after_wins_but_is_capped() -> None:
    policy = RetryPolicy(retries=4, backoff=0.5, max_wait=10)
    assert [policy.delay(i, None) for i in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert policy.delay(1, 3.0) == 3.0
    assert policy.delay(1, 3600.0) == 10


def test_rate_limiter_spaces_requests() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(0.5, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait()
    assert slept == [0.5, 0.5]


class SlowTransport:
    """Blocks until released, counting sends: to observe coalescing."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.sends = 0

    def send(self, request: HttpRequest, *, timeout: float, user_agent: str) -> HttpResponse:
        self.sends += 1
        self.release.wait(5)
        return HttpResponse(request, 200, {}, b"ok")

    def close(self) -> None:
        pass


def test_identical_concurrent_requests_are_coalesced() -> None:
    transport = SlowTransport()
    fetcher = Fetcher(transport=transport)
    request = HttpRequest("http://example.test/a", (("x", "1"),))
    results: list[HttpResponse] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(fetcher.fetch(request, provider="p", symbol="S"))
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    time.sleep(0.1)
    transport.release.set()
    for t in threads:
        t.join()
    assert transport.sends == 1
    assert len(results) == 4 and all(r.content == b"ok" for r in results)


class FailingTransport:
    def __init__(self) -> None:
        self.calls = 0

    def send(self, request: HttpRequest, *, timeout: float, user_agent: str) -> HttpResponse:
        self.calls += 1
        raise TransportError("timed out after 0.1 s")

    def close(self) -> None:
        pass


def test_network_failure_after_retries_names_attempts() -> None:
    transport = FailingTransport()
    waits: list[float] = []
    fetcher = Fetcher(transport=transport, policy=RetryPolicy(2, 1.0, 60), sleep=waits.append)
    with pytest.raises(ProviderError, match="gave up after 3 attempts") as caught:
        fetcher.fetch(HttpRequest("http://x.test/y"), provider="p", symbol="S")
    assert transport.calls == 3
    assert waits == [1.0, 2.0]
    assert not caught.value.permanent


def test_user_agent_names_pairwatch(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ua", headers={"User-Agent": DEFAULT_USER_AGENT}).respond_with_data(
        "hi"
    )
    with Fetcher(user_agent=DEFAULT_USER_AGENT) as fetcher:
        response = fetcher.fetch(HttpRequest(httpserver.url_for("/ua")), provider="p", symbol="S")
    assert response.status == 200 and response.content == b"hi"
    assert "pairwatch" in DEFAULT_USER_AGENT


def test_client_errors_are_returned_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    with Fetcher(sleep=lambda _: pytest.fail("must not wait")) as fetcher:
        response = fetcher.fetch(HttpRequest(httpserver.url_for("/gone")), provider="p", symbol="S")
    assert response.status == 404
    assert len(httpserver.log) == 1


def test_retry_after_longer_than_we_wait_fails_now_and_says_when(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/busy").respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "3600"}
    )
    waits: list[float] = []
    with Fetcher(policy=RetryPolicy(3, 1.0, 60), sleep=waits.append) as fetcher:
        response = fetcher.fetch(HttpRequest(httpserver.url_for("/busy")), provider="p", symbol="S")
    assert response.status == 429 and waits == []
    with pytest.raises(ProviderError, match=r"Retry-After: 3600") as caught:
        require_ok("p", "S", response)
    assert not caught.value.permanent
