"""FRED (St. Louis Fed): daily and weekly series, by JSON API with a key or CSV without.

With an API key the provider reads `/fred/series/observations` (JSON; values are strings,
"." marks a missing day; errors are JSON bodies with `error_message`, sent with HTTP 400).
Without one it reads the keyless `/graph/fredgraph.csv`: header `observation_date,<ID>`
(before late 2024: `DATE,<ID>`), missing values "." or empty, LF or CRLF line ends, and
sometimes no newline after the last row. Dates are plain observation dates (YYYY-MM-DD).
FRED has no intraday quote endpoint.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from pairwatch.domain import Observation
from pairwatch.errors import ProviderError
from pairwatch.providers.base import (
    HistoryQuery,
    HttpRequest,
    HttpResponse,
    NoQuoteEndpoint,
    fail,
    finalize,
    json_or_none,
    parse_float,
    require_not_html,
    require_ok,
    within,
)

API_PATH = "/fred/series/observations"
GRAPH_PATH = "/graph/fredgraph.csv"
DATE_HEADERS = ("observation_date", "DATE")
MISSING = frozenset({"", "."})


class FredProvider(NoQuoteEndpoint):
    """FRED series: pure request builders and validating parsers for both wire formats."""

    name = "fred"

    def __init__(self, base_url: str, api_url: str, api_key: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key or None
        # The keyed API allows about 120 requests a minute; the keyless CSV is lighter.
        self.min_interval: float = 0.5 if self._api_key else 0.25

    def history_request(self, query: HistoryQuery) -> HttpRequest:
        """The JSON API request when a key is set, the keyless CSV otherwise."""
        if self._api_key:
            return self._api_request(query, self._api_key)
        params = (("id", query.symbol), *date_params(query, "cosd", "coed"))
        return HttpRequest(self.base_url + GRAPH_PATH, params)

    def parse_history(self, response: HttpResponse, query: HistoryQuery) -> list[Observation]:
        """Observations inside the query's window, validated and ascending."""
        self._require_data(response, query.symbol)
        try:
            rows = self._parse(response, query.symbol)
        except ValueError as exc:
            raise fail(self.name, query.symbol, response, str(exc)) from exc
        return finalize(self.name, query.symbol, response, within(query, rows), query.change)

    def _api_request(self, query: HistoryQuery, key: str) -> HttpRequest:
        params = (
            ("series_id", query.symbol),
            ("api_key", key),
            ("file_type", "json"),
            *date_params(query, "observation_start", "observation_end"),
        )
        return HttpRequest(self.api_url + API_PATH, params, secret_params=frozenset({"api_key"}))

    def _parse(self, response: HttpResponse, symbol: str) -> list[Observation]:
        if response.request.url == self.api_url + API_PATH:
            return parse_observations_json(response.text)
        return parse_graph_csv(response.text, symbol)

    def _require_data(self, response: HttpResponse, symbol: str) -> None:
        """HTTP errors quote FRED's own `error_message` when the body carries one."""
        try:
            require_ok(self.name, symbol, response)
        except ProviderError as exc:
            message = api_error_message(response.content)
            if message is None:
                raise
            raise ProviderError(
                self.name,
                symbol,
                exc.url,
                f"HTTP {exc.status}: {self._mask(message)}",
                permanent=exc.permanent,
                status=exc.status,
            ) from exc
        require_not_html(self.name, symbol, response)

    def _mask(self, text: str) -> str:
        """Never let the API key into a message, even if FRED were to echo it."""
        return text.replace(self._api_key, "***") if self._api_key else text


def date_params(query: HistoryQuery, start: str, end: str) -> tuple[tuple[str, str], ...]:
    """Server-side date bounds under the given parameter names, for the bounds that are set."""
    bounds = ((start, query.start), (end, query.end))
    return tuple((name, day.isoformat()) for name, day in bounds if day is not None)


def api_error_message(content: bytes) -> str | None:
    """FRED's error text ('Bad Request.  The series does not exist.') if the body is one."""
    doc = json_or_none(content)
    message = doc.get("error_message") if isinstance(doc, dict) else None
    return message.strip() if isinstance(message, str) else None


def observation(day: str, value: str, where: str) -> Observation | None:
    """One FRED row; None for a missing value ("." or empty). ValueError names `where`."""
    try:
        date = dt.datetime.strptime(day.strip(), "%Y-%m-%d").date()
        return None if value.strip() in MISSING else Observation(date, parse_float(value))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def present(rows: Sequence[Observation | None]) -> list[Observation]:
    """The rows that carry a value."""
    return [row for row in rows if row is not None]


# --- keyless CSV -------------------------------------------------------------------------


def parse_graph_csv(text: str, series: str) -> list[Observation]:
    """Observations of a fredgraph.csv body; raises ValueError naming the line."""
    lines = text.removeprefix("\ufeff").rstrip().splitlines()
    if not lines:
        raise ValueError("empty body")
    check_graph_header(lines[0], series)
    return present([graph_row(line, number) for number, line in enumerate(lines[1:], 2)])


def check_graph_header(line: str, series: str) -> None:
    """Accept `observation_date,<ID>` or the older `DATE,<ID>` for the series asked for."""
    cells = [cell.strip() for cell in line.split(",")]
    if len(cells) != 2 or cells[0] not in DATE_HEADERS:
        raise ValueError(
            f"unexpected header {line!r}: expected 'observation_date,{series}' or 'DATE,{series}'"
        )
    if cells[1].upper() != series.upper():
        raise ValueError(f"header names series {cells[1]!r}, not {series!r}")


def graph_row(line: str, number: int) -> Observation | None:
    """One `date,value` line; another field count means a cut-off body or a new layout."""
    fields = line.split(",")
    if len(fields) != 2:
        raise ValueError(f"line {number} has {len(fields)} fields, expected 2: {line!r}")
    return observation(fields[0], fields[1], f"line {number}")


# --- JSON API ----------------------------------------------------------------------------


def parse_observations_json(text: str) -> list[Observation]:
    """Observations of a series/observations body (a cut-off body is invalid JSON)."""
    if not text.strip():
        raise ValueError("empty body")
    try:
        doc: Any = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"body is not JSON: {exc}") from exc
    items = doc.get("observations") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ValueError("JSON has no 'observations' list")
    return present([json_row(item, number) for number, item in enumerate(items, 1)])


def json_row(item: object, number: int) -> Observation | None:
    """One observation object; `date` and `value` must be strings, as FRED sends them."""
    if not isinstance(item, dict):
        raise ValueError(f"observation {number} is not an object: {item!r}")
    day, value = item.get("date"), item.get("value")
    if not isinstance(day, str) or not isinstance(value, str):
        raise ValueError(f"observation {number} lacks string 'date' and 'value': {item!r}")
    return observation(day, value, f"observation {number}")
