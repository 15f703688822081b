"""CBOE: index histories from the daily-prices CSV files, latest levels from delayed quotes.

Each history file holds an index's whole history, so the provider filters by date itself.
Two layouts exist on the same path: `DATE,OPEN,HIGH,LOW,CLOSE` (VIX, VIX9D, VIX3M, VIX6M)
and a close-only `DATE,<SYMBOL>` (VVIX, SKEW). Dates are MM/DD/YYYY and every file ends
with a newline, so a body that does not was cut off in transit.

The delayed-quotes JSON wraps one quote in `data`; index symbols carry an underscore in
the URL (`_VIX.json`) and a caret in the body (`^VIX`). `last_trade_time` is US/Eastern
wall-clock time without an offset.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pairwatch.domain import Observation, Quote
from pairwatch.providers.base import (
    HistoryQuery,
    HttpRequest,
    HttpResponse,
    fail,
    finalize,
    parse_float,
    require_not_html,
    require_ok,
    within,
)

HISTORY_PATH = "/api/global/us_indices/daily_prices/{symbol}_History.csv"
QUOTE_PATH = "/api/global/delayed_quotes/quotes/_{symbol}.json"
OHLC_HEADER = ("DATE", "OPEN", "HIGH", "LOW", "CLOSE")
EASTERN = ZoneInfo("America/New_York")


class CboeProvider:
    """CBOE index data: pure request builders and validating parsers."""

    name = "cboe"
    min_interval: float = 0.5

    def __init__(self, base_url: str, quote_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.quote_url = quote_url.rstrip("/")

    def history_request(self, query: HistoryQuery) -> HttpRequest:
        """The whole-history CSV; CBOE takes no date parameters."""
        path = HISTORY_PATH.format(symbol=vendor_symbol(query.symbol))
        return HttpRequest(self.base_url + path)

    def parse_history(self, response: HttpResponse, query: HistoryQuery) -> list[Observation]:
        """Closes inside the query's date window, validated and ascending."""
        self._require_data(response, query.symbol)
        try:
            rows = parse_history_csv(response.text, vendor_symbol(query.symbol))
        except ValueError as exc:
            raise fail(self.name, query.symbol, response, str(exc)) from exc
        wanted = self._window(response, query, rows)
        return finalize(self.name, query.symbol, response, wanted, query.change)

    def quote_request(self, symbol: str) -> HttpRequest:
        """The delayed-quote JSON (about 15 minutes behind during the session)."""
        path = QUOTE_PATH.format(symbol=vendor_symbol(symbol))
        return HttpRequest(self.quote_url + path)

    def parse_quote(self, response: HttpResponse, symbol: str) -> Quote:
        """The last traded level, timestamped in US/Eastern."""
        self._require_data(response, symbol)
        try:
            return parse_quote_json(response.content, symbol)
        except ValueError as exc:
            raise fail(self.name, symbol, response, str(exc)) from exc

    def _require_data(self, response: HttpResponse, symbol: str) -> None:
        require_ok(self.name, symbol, response)
        require_not_html(self.name, symbol, response)

    def _window(
        self, response: HttpResponse, query: HistoryQuery, rows: Sequence[Observation]
    ) -> list[Observation]:
        """Rows inside [start, end]; says where the file ends when none are."""
        wanted = list(within(query, rows))
        if rows and not wanted:
            last = max(row.date for row in rows).isoformat()
            span = f"{query.start or 'the beginning'} to {query.end or 'today'}"
            reason = f"no observations from {span}; the file ends on {last}"
            raise fail(self.name, query.symbol, response, reason)
        return wanted


def vendor_symbol(symbol: str) -> str:
    """CBOE's bare upper-case name: 'VIX', also from '^VIX' or '_vix'."""
    return symbol.strip().lstrip("^_").upper()


# --- history CSV -------------------------------------------------------------------------


def parse_history_csv(text: str, symbol: str) -> list[Observation]:
    """Every (date, close) row of a history file; raises ValueError naming the line."""
    lines = body_lines(text)
    column = close_column(lines[0], symbol)
    width = len(lines[0].split(","))
    return [parse_row(line, number, width, column) for number, line in enumerate(lines[1:], 2)]


def body_lines(text: str) -> list[str]:
    """The lines of a complete file: refuses an empty body and a cut-off last row."""
    body = text.removeprefix("\ufeff")
    if not body.strip():
        raise ValueError("empty body")
    if not body.endswith("\n"):
        raise ValueError("body does not end with a newline: the last row was cut off")
    return body.rstrip().splitlines()


def close_column(header_line: str, symbol: str) -> int:
    """Index of the close: CLOSE in the OHLC layout, the symbol's column when close-only."""
    header = tuple(cell.strip().upper() for cell in header_line.split(","))
    if header == OHLC_HEADER:
        return OHLC_HEADER.index("CLOSE")
    if header == ("DATE", symbol):
        return 1
    raise ValueError(
        f"unexpected header {header_line!r}: expected {','.join(OHLC_HEADER)!r} or 'DATE,{symbol}'"
    )


def parse_row(line: str, number: int, width: int, column: int) -> Observation:
    """One data row; a short row means the body was truncated or the layout changed."""
    fields = line.split(",")
    if len(fields) != width:
        raise ValueError(f"line {number} has {len(fields)} fields, header has {width}: {line!r}")
    try:
        day = dt.datetime.strptime(fields[0].strip(), "%m/%d/%Y").date()
        return Observation(day, parse_float(fields[column]))
    except ValueError as exc:
        raise ValueError(f"line {number}: {exc} in {line!r}") from exc


# --- delayed quote JSON ------------------------------------------------------------------


def parse_quote_json(content: bytes, symbol: str) -> Quote:
    """A Quote from the delayed-quotes document; raises ValueError on any surprise."""
    data = quote_data(content)
    check_quote_symbol(data, symbol)
    price = number(data, "current_price")
    if price <= 0:
        raise ValueError(f"non-positive current_price {price!r}")
    return Quote(
        symbol=symbol,
        price=price,
        as_of=trade_time(data),
        previous_close=optional_number(data, "prev_day_close"),
    )


def quote_data(content: bytes) -> Mapping[str, Any]:
    """The `data` object of the document."""
    if not content.strip():
        raise ValueError("empty body")
    try:
        doc = json.loads(content)
    except ValueError as exc:
        raise ValueError(f"body is not JSON: {exc}") from exc
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, dict):
        raise ValueError("JSON has no 'data' object")
    return data


def check_quote_symbol(data: Mapping[str, Any], symbol: str) -> None:
    """Refuse a quote for another index than the one asked for."""
    quoted = data.get("symbol")
    if not isinstance(quoted, str):
        raise ValueError(f"quote has no symbol (got {quoted!r})")
    if vendor_symbol(quoted) != vendor_symbol(symbol):
        raise ValueError(f"quote is for {quoted!r}, not {symbol!r}")


def number(data: Mapping[str, Any], key: str) -> float:
    """A finite number from a JSON field (CBOE sends numbers; numeric strings pass too)."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{key} is {value!r}, not a number")
    try:
        return parse_float(str(value))
    except ValueError as exc:
        raise ValueError(f"{key} is {value!r}, not a number") from exc


def optional_number(data: Mapping[str, Any], key: str) -> float | None:
    """Like `number`, but None when the field is absent or null."""
    return None if data.get(key) is None else number(data, key)


def trade_time(data: Mapping[str, Any]) -> dt.datetime:
    """`last_trade_time` ('2026-07-08T16:14:59', Eastern wall clock) as an aware datetime."""
    raw = data.get("last_trade_time")
    if not isinstance(raw, str):
        raise ValueError(f"last_trade_time is {raw!r}, not a timestamp")
    try:
        stamp = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"last_trade_time {raw!r} is not an ISO timestamp") from exc
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=EASTERN)
