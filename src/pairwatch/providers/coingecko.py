"""CoinGecko API v3: daily crypto closes (`market_chart`) and a live price (`simple/price`).

With `interval=daily` each point is stamped 00:00:00 UTC and carries the close of the UTC
day that just ended, so it is dated the day before its stamp; the trailing point at another
time of day is the live price, a quote rather than history, and is dropped. The public and
demo API serve the last 365 days only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

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

MAX_DAYS = 365
"""The longest history the public/demo API serves."""

KEY_HEADER = "x-cg-demo-api-key"

_DAY_MS = 86_400_000
_RANGE_EXCEEDED = 10012  # CoinGecko's error code for "exceeds the allowed time range"


def utc_today() -> dt.date:
    """Today's date in UTC, the calendar CoinGecko counts `days` in."""
    return dt.datetime.now(dt.UTC).date()


class CoinGeckoProvider:
    """Daily USD closes and quotes by CoinGecko coin id (e.g. "bitcoin")."""

    name = "coingecko"

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        today: Callable[[], dt.date] = utc_today,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._today = today
        self.min_interval: float = 2.0 if api_key else 2.5

    def __repr__(self) -> str:
        return f"CoinGeckoProvider({self.base_url!r}, api_key={'***' if self._api_key else None})"

    def days_for(self, start: dt.date | None) -> int:
        """`days` covering `start` (plus margin for the 00:00 UTC shift), at most 365."""
        if start is None:
            return MAX_DAYS
        return max(2, min(MAX_DAYS, (self._today() - start).days + 2))

    def history_request(self, query: HistoryQuery) -> HttpRequest:
        """`market_chart` with daily points in USD."""
        params = (
            ("vs_currency", "usd"),
            ("days", str(self.days_for(query.start))),
            ("interval", "daily"),
        )
        url = f"{self.base_url}/api/v3/coins/{quote(query.symbol, safe='')}/market_chart"
        return HttpRequest(url, params, self._headers())

    def parse_history(self, response: HttpResponse, query: HistoryQuery) -> list[Observation]:
        """Daily closes dated by the UTC day they close; the live trailing point dropped."""
        body = self._body(response, query.symbol)
        try:
            rows = daily_closes(body.get("prices"))
        except ValueError as exc:
            raise fail(self.name, query.symbol, response, str(exc)) from exc
        return finalize(self.name, query.symbol, response, within(query, rows), query.change)

    def quote_request(self, symbol: str) -> HttpRequest:
        """`simple/price` with its update time and 24-hour change."""
        params = (
            ("ids", symbol),
            ("vs_currencies", "usd"),
            ("include_last_updated_at", "true"),
            ("include_24hr_change", "true"),
        )
        return HttpRequest(f"{self.base_url}/api/v3/simple/price", params, self._headers())

    def parse_quote(self, response: HttpResponse, symbol: str) -> Quote:
        """The live USD price; `previous_close` is the price 24 hours earlier."""
        body = self._body(response, symbol)
        try:
            return read_quote(body, symbol)
        except ValueError as exc:
            raise fail(self.name, symbol, response, str(exc)) from exc

    def _headers(self) -> tuple[tuple[str, str], ...]:
        """The demo key header when a key is configured (headers never reach messages)."""
        return ((KEY_HEADER, self._api_key),) if self._api_key else ()

    def _body(self, response: HttpResponse, symbol: str) -> Mapping[str, Any]:
        """The JSON object, after refusing CoinGecko's error bodies, bad statuses and HTML."""
        body = json_or_none(response.content)
        error = error_status(body)
        if error is not None:
            raise _provider_error(self.name, symbol, response, *error)
        require_ok(self.name, symbol, response)
        require_not_html(self.name, symbol, response)
        if not isinstance(body, dict):
            raise fail(self.name, symbol, response, "body is not a JSON object (truncated?)")
        return body


# --- pure parsing -------------------------------------------------------------------------


def daily_closes(points: object) -> list[Observation]:
    """`[[ms, price], ...]` to observations; raises ValueError on anything but daily data."""
    if not isinstance(points, list):
        raise ValueError("no 'prices' array in the response")
    rows = []
    for i, point in enumerate(points):
        stamp, price = _point(point)
        if stamp % _DAY_MS == 0:
            rows.append(Observation(_closed_day(stamp), price))
        elif i != len(points) - 1:
            raise ValueError(f"point stamped {_iso(stamp)} is not at 00:00 UTC")
    return rows


def read_quote(body: Mapping[str, Any], coin: str) -> Quote:
    """`{coin: {"usd": p, "usd_24h_change": pct, "last_updated_at": s}}` to a quote."""
    entry = body.get(coin)
    if not isinstance(entry, dict) or "usd" not in entry:
        raise ValueError(f"no USD price for {coin!r} (unknown coin id?)")
    price = json_float(entry["usd"], "usd")
    updated = entry.get("last_updated_at")
    if isinstance(updated, bool) or not isinstance(updated, int):
        raise ValueError(f"bad last_updated_at {updated!r}")
    return Quote(
        symbol=coin,
        price=price,
        as_of=dt.datetime.fromtimestamp(updated, dt.UTC),
        previous_close=_price_day_ago(price, entry.get("usd_24h_change")),
        currency="USD",
    )


def _price_day_ago(price: float, change_pct: object) -> float | None:
    """The price 24 hours earlier, from the percent change (crypto has no daily close)."""
    if change_pct is None:
        return None
    factor = 1 + json_float(change_pct, "usd_24h_change") / 100
    return price / factor if factor > 0 else None


def error_status(body: object) -> tuple[int | None, str] | None:
    """(error_code, message) from either CoinGecko error layout, or None.

    Range limit: `{"error": {"status": {"error_code": 10012, "error_message": ...}}}`;
    rate limit: `{"status": {"error_code": 429, "error_message": ...}}`;
    unknown coin: `{"error": "coin not found"}`.
    """
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, str):
        return None, error
    status = error.get("status") if isinstance(error, dict) else body.get("status")
    if isinstance(status, dict) and "error_message" in status:
        code = status.get("error_code")
        return (code if isinstance(code, int) else None), str(status["error_message"])
    return None


def _provider_error(
    provider: str, symbol: str, response: HttpResponse, code: int | None, message: str
) -> ProviderError:
    """A range-limit or client error is permanent; a rate limit or server error is not."""
    transient = response.status in (408, 425, 429) or response.status >= 500
    code_text = f" (error_code {code})" if code is not None else ""
    return ProviderError(
        provider,
        symbol,
        response.request.display_url,
        f"HTTP {response.status}{code_text}: {message.strip()}",
        permanent=code == _RANGE_EXCEEDED or not transient,
        status=response.status,
    )


def _point(point: object) -> tuple[int, float]:
    """One `[ms, price]` pair."""
    if not isinstance(point, list) or len(point) != 2:
        raise ValueError(f"bad price point {point!r}")
    stamp, price = point
    if isinstance(stamp, bool) or not isinstance(stamp, int):
        raise ValueError(f"bad timestamp in price point {point!r}")
    return stamp, json_float(price, "price")


def _closed_day(stamp_ms: int) -> dt.date:
    """The UTC day a 00:00 UTC stamp closes: the day before the stamp's date."""
    return dt.datetime.fromtimestamp(stamp_ms // 1000, dt.UTC).date() - dt.timedelta(days=1)


def _iso(stamp_ms: int) -> str:
    return dt.datetime.fromtimestamp(stamp_ms / 1000, dt.UTC).isoformat(timespec="seconds")
