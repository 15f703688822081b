"""Stooq: daily history as CSV from `/q/d/l/` (a fallback for US funds, e.g. `iwm.us`).

Stooq now needs a download key, so the provider is off unless one is configured. The body
is `Date,Open,High,Low,Close,Volume` with YYYY-MM-DD dates. Failures come as plain text
with status 200 ("No data" for an unknown symbol or an empty window, "Exceeded the daily
hits limit" for the quota) or as an HTML page, never as data. Stooq's closes are already
split- and dividend-adjusted, so each observation stores that close as both `close` and
`adj_close`. Stooq has no quote endpoint.
"""

from __future__ import annotations

import csv
import datetime as dt

from pairwatch.domain import Observation
from pairwatch.errors import ProviderError
from pairwatch.providers.base import (
    HistoryQuery,
    HttpRequest,
    HttpResponse,
    NoQuoteEndpoint,
    fail,
    finalize,
    parse_float,
    require_not_html,
    require_ok,
    within,
)

KEY_PARAM = "apikey"
DISABLED = "stooq is disabled: set PAIRWATCH_STOOQ_API_KEY"
_NO_DATA = ("no data", "brak danych")  # English and Polish sites
_QUOTA = "exceeded the daily hits limit"


class StooqProvider(NoQuoteEndpoint):
    """Daily adjusted closes by Stooq symbol; requires a download key."""

    name = "stooq"
    min_interval: float = 1.0

    def __init__(self, base_url: str, api_key: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key

    def __repr__(self) -> str:
        return f"StooqProvider({self.base_url!r}, api_key={'***' if self._api_key else None})"

    @property
    def history_url(self) -> str:
        """The CSV download endpoint."""
        return f"{self.base_url}/q/d/l/"

    def history_request(self, query: HistoryQuery) -> HttpRequest:
        """Daily CSV from `start` (d1) to `end` (d2); the key is masked in messages."""
        if self._api_key is None:
            raise ProviderError(self.name, query.symbol, self.history_url, DISABLED, permanent=True)
        params = [("s", query.symbol), ("i", "d")]
        if query.start is not None:
            params.append(("d1", query.start.strftime("%Y%m%d")))
        if query.end is not None:
            params.append(("d2", query.end.strftime("%Y%m%d")))
        params.append((KEY_PARAM, self._api_key))
        return HttpRequest(self.history_url, tuple(params), secret_params=frozenset({KEY_PARAM}))

    def parse_history(self, response: HttpResponse, query: HistoryQuery) -> list[Observation]:
        """Validated closes inside the query window."""
        self._require_csv(response, query.symbol)
        try:
            rows = parse_csv(response.text)
        except ValueError as exc:
            raise fail(self.name, query.symbol, response, str(exc)) from exc
        return finalize(self.name, query.symbol, response, within(query, rows), query.change)

    def _require_csv(self, response: HttpResponse, symbol: str) -> None:
        """Refuse bad statuses, HTML, and Stooq's plain-text refusals."""
        require_ok(self.name, symbol, response)
        require_not_html(self.name, symbol, response)
        message = response.text.strip().lstrip("\ufeff").strip().lower()
        if message in _NO_DATA:
            raise fail(self.name, symbol, response, "no data (unknown symbol or empty window)")
        if _QUOTA in message[:200]:
            raise ProviderError(
                self.name,
                symbol,
                response.request.display_url,
                "daily download limit exceeded; try again tomorrow",
            )


def parse_csv(text: str) -> list[Observation]:
    """`Date,...,Close,...` rows to observations (close = adj_close); ValueError on junk."""
    lines = text.lstrip("\ufeff").splitlines()
    reader = csv.reader(line for line in lines if line.strip())
    header = next(reader, None)
    if header is None or "Date" not in header or "Close" not in header:
        raise ValueError(f"unexpected CSV header {header!r}")
    date_at, close_at = header.index("Date"), header.index("Close")
    rows = []
    for cells in reader:
        if len(cells) != len(header):
            raise ValueError(f"row {cells!r} has {len(cells)} fields, header has {len(header)}")
        close = parse_float(cells[close_at])
        rows.append(Observation(_iso_date(cells[date_at]), close, close))
    return rows


def _iso_date(text: str) -> dt.date:
    """A strict YYYY-MM-DD date."""
    if len(text) != 10:
        raise ValueError(f"bad date {text!r}")
    return dt.date.fromisoformat(text)
