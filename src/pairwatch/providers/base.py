"""The provider protocol: building a request and parsing a body are pure functions.

Only `providers.http.Fetcher` performs I/O. A provider turns a `HistoryQuery` into an
`HttpRequest`, and an `HttpResponse` into validated `Observation`s (or a `Quote`), raising
`ProviderError` / `DataError` with the provider, symbol, URL and reason.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlencode

from pairwatch.domain import ChangeKind, Observation, Quote
from pairwatch.errors import DataError, ProviderError


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Ask for a symbol's daily history, optionally from `start` (inclusive) on."""

    symbol: str
    start: dt.date | None = None
    end: dt.date | None = None
    change: ChangeKind = ChangeKind.LOG


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A GET request, hashable so identical in-flight requests can be coalesced."""

    url: str
    params: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    secret_params: frozenset[str] = field(default_factory=frozenset)

    @property
    def full_url(self) -> str:
        """URL with its query string (secrets included); for sending only."""
        return f"{self.url}?{urlencode(self.params)}" if self.params else self.url

    @property
    def display_url(self) -> str:
        """URL with secret parameters masked; for messages and logs."""
        shown = [(k, "***" if k in self.secret_params else v) for k, v in self.params]
        return f"{self.url}?{urlencode(shown)}" if shown else self.url


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What came back: status, headers (lower-cased names) and the raw body."""

    request: HttpRequest
    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        """Body decoded as UTF-8 (providers here all send UTF-8 or ASCII)."""
        return self.content.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@runtime_checkable
class Provider(Protocol):
    """One data provider. `name` is the catalog's provider key."""

    name: str

    def history_request(self, query: HistoryQuery) -> HttpRequest:
        """The request for daily history."""
        ...

    def parse_history(self, response: HttpResponse, query: HistoryQuery) -> list[Observation]:
        """Validated observations, ascending by date; raises on anything suspicious."""
        ...

    def quote_request(self, symbol: str) -> HttpRequest | None:
        """The latest-quote request, or None where the provider has none."""
        ...

    def parse_quote(self, response: HttpResponse, symbol: str) -> Quote:
        """The latest quote."""
        ...


class NoQuoteEndpoint:
    """Mixin for providers that publish history only (FRED, Stooq)."""

    name: str

    def quote_request(self, symbol: str) -> HttpRequest | None:
        """None: there is no latest-quote endpoint."""
        return None

    def parse_quote(self, response: HttpResponse, symbol: str) -> Quote:
        """Always raises: there is no quote to parse."""
        raise ProviderError(
            self.name,
            symbol,
            response.request.display_url,
            f"{self.name} has no quote endpoint",
            permanent=True,
        )


# --- validation shared by every provider ---------------------------------------------

_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")


def looks_like_html(content: bytes) -> bool:
    """True for an HTML page (a login wall, a rate-limit page) sent in place of data."""
    head = content[:512].lstrip().lower()
    return any(head.startswith(m) or m in head for m in _HTML_MARKERS)


def fail(provider: str, query_symbol: str, response: HttpResponse, reason: str) -> DataError:
    """A DataError naming provider, symbol, URL and reason."""
    return DataError(provider, query_symbol, response.request.display_url, reason)


def require_ok(provider: str, symbol: str, response: HttpResponse) -> None:
    """Raise for a non-2xx status, quoting the start of the error body."""
    if 200 <= response.status < 300:
        return
    snippet = " ".join(response.text.split())[:200]
    retry_after = response.headers.get("retry-after")
    if retry_after:
        snippet = f"{snippet} (Retry-After: {retry_after})"
    permanent = response.status in (400, 401, 403, 404, 410, 422)
    raise ProviderError(
        provider,
        symbol,
        response.request.display_url,
        f"HTTP {response.status}: {snippet or '(empty body)'}",
        permanent=permanent,
        status=response.status,
    )


def require_not_html(provider: str, symbol: str, response: HttpResponse) -> None:
    """Refuse an HTML page, whatever its status."""
    if response.content_type == "text/html" or looks_like_html(response.content):
        raise fail(provider, symbol, response, "received an HTML page instead of data")


def parse_float(text: str) -> float:
    """Parse a provider number as IEEE float64; raises ValueError on junk or non-finite."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"non-finite number {text!r}")
    return value


def json_or_none(content: bytes) -> Any:
    """The decoded JSON body, or None when it is not JSON (a text error, a truncated body)."""
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


def json_float(value: object, what: str) -> float:
    """A JSON number as IEEE float64, exactly as sent; ValueError for null, text, bool, NaN."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"bad {what} value {value!r}")
    try:
        number = float(value)
    except OverflowError as exc:  # an integer too large for a double
        raise ValueError(f"out-of-range {what} value {value!r}") from exc
    if not math.isfinite(number):
        raise ValueError(f"non-finite {what} value {value!r}")
    return number


def finalize(
    provider: str,
    symbol: str,
    response: HttpResponse,
    rows: Iterable[Observation],
    change: ChangeKind,
    *,
    keep_last_duplicate: bool = False,
) -> list[Observation]:
    """Sort, check duplicates and positivity, and refuse an empty result.

    Duplicate dates with different values are refused unless `keep_last_duplicate`
    (Yahoo repeats the live bar; the last one wins).
    """
    by_date: dict[dt.date, Observation] = {}
    for row in rows:
        seen = by_date.get(row.date)
        if seen is not None and seen != row and not keep_last_duplicate:
            raise fail(
                provider,
                symbol,
                response,
                f"conflicting duplicate rows for {row.date.isoformat()}: "
                f"{seen.close!r} vs {row.close!r}",
            )
        by_date[row.date] = row
    if not by_date:
        raise fail(provider, symbol, response, "no observations in the response")
    ordered = [by_date[d] for d in sorted(by_date)]
    if change is ChangeKind.LOG:
        check_positive(provider, symbol, response, ordered)
    return ordered


def check_positive(
    provider: str, symbol: str, response: HttpResponse, rows: Sequence[Observation]
) -> None:
    """A `log` metric cannot hold a zero or negative level."""
    for row in rows:
        if row.close <= 0 or (row.adj_close is not None and row.adj_close <= 0):
            raise fail(
                provider,
                symbol,
                response,
                f"non-positive level {row.close!r} on {row.date.isoformat()} "
                "for a metric with log changes",
            )


def within(query: HistoryQuery, rows: Iterable[Observation]) -> Iterator[Observation]:
    """Keep rows inside the query's [start, end] window (requests may ask a day of margin)."""
    for row in rows:
        if (query.start is None or row.date >= query.start) and (
            query.end is None or row.date <= query.end
        ):
            yield row
