"""The one fetch path: timeouts, retries with backoff, Retry-After, per-host rate limits,
a User-Agent naming pairwatch, and coalescing of identical in-flight requests."""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from pairwatch.errors import ProviderError
from pairwatch.providers.base import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class Transport(Protocol):
    """Sends one request; raises `TransportError` on a network failure or timeout."""

    def send(self, request: HttpRequest, *, timeout: float, user_agent: str) -> HttpResponse:
        """One attempt, no retries."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class TransportError(Exception):
    """A network failure or timeout (retryable)."""


class HttpxTransport:
    """The default transport: a pooled httpx client."""

    def __init__(self) -> None:
        self._client = httpx.Client(follow_redirects=True)

    def send(self, request: HttpRequest, *, timeout: float, user_agent: str) -> HttpResponse:
        headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}
        headers.update(dict(request.headers))
        try:
            resp = self._client.get(
                request.url, params=list(request.params), headers=headers, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            raise TransportError(f"timed out after {timeout:g} s") from exc
        except httpx.TransportError as exc:
            raise TransportError(f"network error: {exc}") from exc
        return HttpResponse(
            request=request,
            status=resp.status_code,
            headers={k.lower(): v for k, v in resp.headers.items()},
            content=resp.content,
        )

    def close(self) -> None:
        self._client.close()


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse Retry-After: delta-seconds or an HTTP-date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class RateLimiter:
    """Minimum spacing between requests to one host (thread-safe)."""

    min_interval: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self) -> None:
        """Block until this host may be asked again."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.min_interval
        if start > now:
            self.sleep(start - now)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry."""

    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Wait before retry number `attempt` (1-based): Retry-After wins, capped."""
        if retry_after is not None:
            return min(retry_after, self.max_wait)
        return float(min(self.backoff * 2 ** (attempt - 1), self.max_wait))


class Fetcher:
    """Sends provider requests through one path. Safe to share between threads."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        user_agent: str = "pairwatch",
        policy: RetryPolicy | None = None,
        host_intervals: Mapping[str, float] | None = None,
        default_interval: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: Transport | None = None,
    ) -> None:
        self.timeout = timeout
        self.user_agent = user_agent
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._default_transport = transport or HttpxTransport()
        self._host_intervals = dict(host_intervals or {})
        self._default_interval = default_interval
        self._limiters: dict[str, RateLimiter] = {}
        self._inflight: dict[tuple[HttpRequest, int], Future[HttpResponse]] = {}
        self._lock = threading.Lock()
        self.attempts = 0

    def close(self) -> None:
        """Close the default transport."""
        self._default_transport.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_host_interval(self, host: str, seconds: float) -> None:
        """Space requests to `host` at least `seconds` apart."""
        with self._lock:
            self._host_intervals[host] = seconds
            self._limiters.pop(host, None)

    def _limiter(self, host: str) -> RateLimiter:
        with self._lock:
            limiter = self._limiters.get(host)
            if limiter is None:
                interval = self._host_intervals.get(host, self._default_interval)
                limiter = RateLimiter(interval, sleep=self._sleep)
                self._limiters[host] = limiter
            return limiter

    def fetch(
        self,
        request: HttpRequest,
        *,
        provider: str,
        symbol: str,
        transport: Transport | None = None,
        retry_status: Callable[[HttpResponse], bool] | None = None,
    ) -> HttpResponse:
        """Send `request`, retrying transient failures; identical concurrent calls share one.

        Returns the final response whatever its status (providers read error bodies);
        raises ProviderError when the network failed on every attempt.
        """
        key = (request, id(transport))
        with self._lock:
            running = self._inflight.get(key)
            if running is None:
                future: Future[HttpResponse] = Future()
                self._inflight[key] = future
        if running is not None:
            return running.result()
        try:
            result = self._fetch_with_retries(
                request, provider, symbol, transport or self._default_transport, retry_status
            )
        except BaseException as exc:
            future.set_exception(exc)
            raise
        else:
            future.set_result(result)
            return result
        finally:
            with self._lock:
                self._inflight.pop(key, None)

    def _fetch_with_retries(
        self,
        request: HttpRequest,
        provider: str,
        symbol: str,
        transport: Transport,
        retry_status: Callable[[HttpResponse], bool] | None,
    ) -> HttpResponse:
        should_retry = retry_status or (lambda r: r.status in RETRYABLE_STATUS)
        limiter = self._limiter(urlsplit(request.url).netloc)
        attempt = 0
        while True:
            limiter.wait()
            self.attempts += 1
            try:
                response = transport.send(request, timeout=self.timeout, user_agent=self.user_agent)
            except TransportError as exc:
                if attempt >= self.policy.retries:
                    raise ProviderError(
                        provider,
                        symbol,
                        request.display_url,
                        f"{exc} (gave up after {attempt + 1} attempts)",
                    ) from exc
                reason, wait = str(exc), self.policy.delay(attempt + 1, None)
            else:
                if not should_retry(response) or attempt >= self.policy.retries:
                    return response
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
                if retry_after is not None and retry_after > self.policy.max_wait:
                    return response  # asked to wait longer than we will: fail now, say when
                reason = f"HTTP {response.status}"
                wait = self.policy.delay(attempt + 1, retry_after)
            attempt += 1
            log.warning(
                "%s %s: %s; retry %d/%d in %.1f s",
                provider,
                symbol,
                reason,
                attempt,
                self.policy.retries,
                wait,
            )
            self._sleep(wait)
