"""Yahoo Finance chart API v8: daily bars and a latest quote for funds, indices and crypto.

A bar is dated in its exchange's own time zone (`meta.exchangeTimezoneName`), never by its
UTC date: a New York fund's bar stamped 13:30 UTC belongs to that New York day, and BTC-USD
(zone "UTC") is stamped 00:00 UTC. Values are kept exactly as sent (float32 values printed
as doubles, e.g. 241.33999633789062); re-anchoring of adjusted closes is the store's job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from curl_cffi import requests as curl_requests
from curl_cffi.curl import CurlError
from curl_cffi.requests.exceptions import Timeout as CurlTimeout

from pairwatch.domain import Observation, Quote
from pairwatch.errors import ProviderError
from pairwatch.providers.base import (
    HistoryQuery,
    HttpRequest,
    HttpResponse,
    fail,
    finalize,
    json_float,
    json_or_none,
    require_not_html,
    require_ok,
    within,
)
from pairwatch.providers.http import Transport, TransportError

EARLIEST = dt.date(1900, 1, 1)
"""`period1` for a query without a start: before any Yahoo series begins (full history)."""

OPEN_END = 9_999_999_999
"""`period2` for a query without an end: Yahoo clips it to now, and the request stays pure."""

_MARGIN = dt.timedelta(days=1)


class BrowserTransport:
    """A `Transport` that presents Chrome's TLS/HTTP2 fingerprint (curl_cffi impersonation).

    Yahoo refuses plain non-browser TLS clients. Chrome's own User-Agent is kept (the
    `user_agent` argument is ignored): a non-browser agent on a Chrome fingerprint is the
    very mismatch bot filters look for. Works over plain http too (local replay servers).
    """

    def __init__(self) -> None:
        self._session: curl_requests.Session[curl_requests.Response] = curl_requests.Session(
            impersonate="chrome"
        )

    def send(self, request: HttpRequest, *, timeout: float, user_agent: str) -> HttpResponse:
        """One GET; timeouts and network failures become `TransportError`."""
        try:
            resp = self._session.get(
                request.full_url, headers=dict(request.headers) or None, timeout=timeout
            )
        except CurlTimeout as exc:
            raise TransportError(f"timed out after {timeout:g} s") from exc
        except CurlError as exc:
            raise TransportError(f"network error: {exc}") from exc
        return HttpResponse(
            request=request,
            status=int(resp.status_code),
            headers={str(k).lower(): str(v) for k, v in resp.headers.items()},
            content=bytes(resp.content),
        )

    def close(self) -> None:
        """Release the curl handles."""
        self._session.close()


class YahooProvider:
    """Daily history and quotes from `{base_url}/v8/finance/chart/{symbol}`."""

    name = "yahoo"
    min_interval: float = 0.5

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        # Only the live https service needs impersonation; an http mirror or replay doesn't.
        self.transport: Transport | None = (
            BrowserTransport() if self.base_url.startswith("https://") else None
        )

    def close(self) -> None:
        """Close the provider's own transport, if it has one."""
        if self.transport is not None:
            self.transport.close()

    def chart_url(self, symbol: str) -> str:
        """The chart endpoint, with the symbol percent-encoded (`^VIX` -> `%5EVIX`)."""
        return f"{self.base_url}/v8/finance/chart/{quote(symbol, safe='')}"

    def history_request(self, query: HistoryQuery) -> HttpRequest:
        """Daily bars with dividends and splits; a day of margin each side, clipped on parse."""
        first = query.start - _MARGIN if query.start else EARLIEST
        period2 = _unix(query.end + 2 * _MARGIN) if query.end else OPEN_END
        params = (
            ("period1", str(_unix(first))),
            ("period2", str(period2)),
            ("interval", "1d"),
            ("events", "div,split"),
            ("includeAdjustedClose", "true"),
        )
        return HttpRequest(self.chart_url(query.symbol), params)

    def parse_history(self, response: HttpResponse, query: HistoryQuery) -> list[Observation]:
        """Bars dated in the exchange zone; a repeated live bar keeps its last copy."""
        result = self._result(response, query.symbol)
        try:
            rows = drop_live_repeat(daily_rows(result))
        except ValueError as exc:
            raise fail(self.name, query.symbol, response, str(exc)) from exc
        return finalize(self.name, query.symbol, response, within(query, rows), query.change)

    def quote_request(self, symbol: str) -> HttpRequest:
        """Five daily bars: light, and they hold the previous close."""
        return HttpRequest(self.chart_url(symbol), (("range", "5d"), ("interval", "1d")))

    def parse_quote(self, response: HttpResponse, symbol: str) -> Quote:
        """`meta.regularMarketPrice` at `meta.regularMarketTime`, in the exchange zone."""
        result = self._result(response, symbol)
        try:
            return read_quote(result, symbol)
        except ValueError as exc:
            raise fail(self.name, symbol, response, str(exc)) from exc

    def _result(self, response: HttpResponse, symbol: str) -> Mapping[str, Any]:
        """`chart.result[0]`, after refusing Yahoo's error object, bad statuses and HTML."""
        body = json_or_none(response.content)
        error = _chart_error(body)
        if error is not None:
            raise _error_from_chart(self.name, symbol, response, error)
        require_ok(self.name, symbol, response)
        require_not_html(self.name, symbol, response)
        if body is None:
            raise fail(self.name, symbol, response, "body is not valid JSON (truncated?)")
        results = _get(body, "chart", "result")
        if not isinstance(results, list) or not results or not isinstance(results[0], dict):
            raise fail(self.name, symbol, response, "no chart result in the response")
        return results[0]


# --- pure parsing of one chart result ---------------------------------------------------


def daily_rows(result: Mapping[str, Any]) -> list[Observation]:
    """One observation per bar with a close, in Yahoo's order; raises ValueError on junk.

    A bar whose close is null is skipped; so is one whose adjusted close is null while the
    series has adjusted closes (mixing adjusted and raw levels would fake a return).
    """
    zone = exchange_zone(result)
    stamps = result.get("timestamp")
    if not isinstance(stamps, list) or not stamps:
        raise ValueError("no bars in the response (timestamp missing or empty)")
    closes = _series(_get(result, "indicators", "quote", 0, "close"), "close", len(stamps))
    adj_values = _get(result, "indicators", "adjclose", 0, "adjclose")
    adjs = None if adj_values is None else _series(adj_values, "adjclose", len(stamps))
    rows = []
    for i, stamp in enumerate(stamps):
        close = _number(closes[i], "close")
        adj = None if adjs is None else _number(adjs[i], "adjclose")
        if close is None or (adjs is not None and adj is None):
            continue
        rows.append(Observation(_local_date(stamp, zone), close, adj))
    return rows


def drop_live_repeat(rows: list[Observation]) -> list[Observation]:
    """Yahoo may send the live bar twice (the last two on one date): keep the last one.

    Only the latest date gets this treatment; `finalize` refuses duplicates elsewhere.
    """
    if len(rows) >= 2 and rows[-1].date == rows[-2].date:
        return [*rows[:-2], rows[-1]]
    return rows


def read_quote(result: Mapping[str, Any], symbol: str) -> Quote:
    """The latest price from `meta`; previous close as described in `previous_close`."""
    meta = _meta(result)
    price = _number(meta.get("regularMarketPrice"), "regularMarketPrice")
    if price is None:
        raise ValueError("meta.regularMarketPrice is missing")
    as_of = dt.datetime.fromtimestamp(_stamp(meta.get("regularMarketTime")), exchange_zone(result))
    currency, state = meta.get("currency"), meta.get("marketState")
    return Quote(
        symbol=symbol,
        price=price,
        as_of=as_of,
        previous_close=previous_close(result, as_of.date()),
        currency=currency if isinstance(currency, str) else None,
        market_state=state if isinstance(state, str) else None,
    )


def previous_close(result: Mapping[str, Any], today: dt.date) -> float | None:
    """`meta.previousClose` when sent, else the last bar before `today`.

    `meta.chartPreviousClose` is the close before the chart's first bar (five days back for
    range=5d), so it is only a last resort.
    """
    meta = _meta(result)
    sent = _number(meta.get("previousClose"), "previousClose")
    if sent is not None:
        return sent
    rows = daily_rows(result) if result.get("timestamp") else []
    earlier = [row for row in rows if row.date < today]
    if earlier:
        return earlier[-1].close
    return _number(meta.get("chartPreviousClose"), "chartPreviousClose")


def exchange_zone(result: Mapping[str, Any]) -> ZoneInfo:
    """The exchange's IANA zone from `meta.exchangeTimezoneName`."""
    name = _meta(result).get("exchangeTimezoneName")
    if not isinstance(name, str) or not name:
        raise ValueError("meta.exchangeTimezoneName is missing")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown exchange time zone {name!r}") from exc


# --- small helpers ------------------------------------------------------------------------


def _unix(day: dt.date) -> int:
    """Seconds since the epoch at 00:00 UTC of `day`."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _local_date(stamp: object, zone: ZoneInfo) -> dt.date:
    """The exchange-local date of a unix timestamp."""
    seconds = _stamp(stamp)
    try:
        return dt.datetime.fromtimestamp(seconds, zone).date()
    except (OverflowError, OSError) as exc:
        raise ValueError(f"timestamp {seconds} is out of range") from exc


def _stamp(value: object) -> int:
    """A unix timestamp in seconds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"bad timestamp {value!r}")
    return value


def _number(value: object, what: str) -> float | None:
    """A JSON number as float64, or None for null (Yahoo's gap marker)."""
    return None if value is None else json_float(value, what)


def _series(values: object, key: str, length: int) -> list[Any]:
    """An indicator series, checked to be a list as long as the timestamps."""
    if not isinstance(values, list):
        raise ValueError(f"indicators lack a {key!r} series")
    if len(values) != length:
        raise ValueError(f"{len(values)} {key} values for {length} timestamps")
    return values


def _meta(result: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = result.get("meta")
    if not isinstance(meta, dict):
        raise ValueError("chart result has no meta")
    return meta


def _get(node: object, *path: str | int) -> Any:
    """Walk dicts and lists; None as soon as a step is missing."""
    for step in path:
        if isinstance(step, str) and isinstance(node, dict):
            node = node.get(step)
        elif isinstance(step, int) and isinstance(node, list) and len(node) > step:
            node = node[step]
        else:
            return None
    return node


def _chart_error(body: object) -> Mapping[str, Any] | None:
    """Yahoo's `chart.error` object, when the body carries one."""
    error = _get(body, "chart", "error")
    return error if isinstance(error, dict) else None


def _error_from_chart(
    provider: str, symbol: str, response: HttpResponse, error: Mapping[str, Any]
) -> ProviderError:
    """Quote Yahoo's own description; only rate limits and server errors are transient."""
    code = error.get("code") or "error"
    description = error.get("description") or "(no description)"
    return ProviderError(
        provider,
        symbol,
        response.request.display_url,
        f"HTTP {response.status}: {code}: {description}",
        permanent=not (response.status == 429 or response.status >= 500),
        status=response.status,
    )
