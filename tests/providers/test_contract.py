"""One contract, every provider: what any provider must do with good and bad bodies.

Each case names a provider, a symbol, a valid fixture in its real wire format, and the
change transform; the same checks run over all of them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import pytest

from pairwatch.domain import ChangeKind
from pairwatch.errors import DataError, ProviderError
from pairwatch.providers.base import HistoryQuery, HttpResponse, Provider
from pairwatch.providers.cboe import CboeProvider
from pairwatch.providers.coingecko import CoinGeckoProvider
from pairwatch.providers.fred import FredProvider
from pairwatch.providers.stooq import StooqProvider
from pairwatch.providers.yahoo import YahooProvider

FIXTURES = Path(__file__).parent.parent / "fixtures"
BASE = "http://127.0.0.1:9"
HTML = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>"


@dataclass(frozen=True)
class Case:
    """A provider with one valid history body."""

    id: str
    provider: Provider
    symbol: str
    fixture: str
    change: ChangeKind
    content_type: str


CASES = [
    Case(
        "cboe", CboeProvider(BASE, BASE), "VIX", "cboe/VIX_History.csv", ChangeKind.LOG, "text/csv"
    ),
    Case(
        "fred-csv",
        FredProvider(BASE, BASE, None),
        "BAMLH0A0HYM2",
        "fred/fredgraph_BAMLH0A0HYM2.csv",
        ChangeKind.DIFF,
        "text/csv",
    ),
    Case(
        "fred-json",
        FredProvider(BASE, BASE, "k" * 32),
        "DGS10",
        "fred/observations_DGS10.json",
        ChangeKind.DIFF,
        "application/json",
    ),
    Case(
        "yahoo",
        YahooProvider(BASE),
        "IWM",
        "yahoo/iwm_chart.json",
        ChangeKind.LOG,
        "application/json",
    ),
    Case(
        "coingecko",
        CoinGeckoProvider(BASE, None, today=lambda: dt.date(2024, 4, 5)),
        "bitcoin",
        "coingecko/bitcoin_market_chart.json",
        ChangeKind.LOG,
        "application/json",
    ),
    Case(
        "stooq",
        StooqProvider(BASE, "key"),
        "iwm.us",
        "stooq/iwm_us.csv",
        ChangeKind.LOG,
        "text/csv",
    ),
]


def respond(
    case: Case, body: bytes, status: int = 200, content_type: str | None = None
) -> HttpResponse:
    query = HistoryQuery(case.symbol, change=case.change)
    request = case.provider.history_request(query)
    headers = {"content-type": content_type or case.content_type}
    return HttpResponse(request, status, headers, body)


def parse(case: Case, body: bytes, status: int = 200, content_type: str | None = None) -> list:  # type: ignore[type-arg]
    query = HistoryQuery(case.symbol, change=case.change)
    return case.provider.parse_history(respond(case, body, status, content_type), query)


def valid(case: Case) -> bytes:
    return (FIXTURES / case.fixture).read_bytes()


pytestmark = pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])


def test_request_goes_to_the_configured_base_url(case: Case) -> None:
    request = case.provider.history_request(HistoryQuery(case.symbol, change=case.change))
    assert request.url.startswith(BASE + "/")
    assert case.symbol.lower() in request.full_url.lower().replace("%5e", "^")


def test_valid_body_gives_sorted_unique_finite_rows(case: Case) -> None:
    rows = parse(case, valid(case))
    assert rows, "a valid fixture must parse to observations"
    dates = [r.date for r in rows]
    assert dates == sorted(set(dates))
    assert all(math.isfinite(r.close) for r in rows)
    if case.change is ChangeKind.LOG:
        assert all(r.close > 0 for r in rows)


def test_html_with_status_200_is_an_error_never_data(case: Case) -> None:
    with pytest.raises(DataError, match="HTML"):
        parse(case, HTML, 200, "text/html; charset=utf-8")


def test_empty_body_is_an_error(case: Case) -> None:
    with pytest.raises(DataError):
        parse(case, b"")


def test_truncated_body_is_an_error(case: Case) -> None:
    body = valid(case)
    cut = body[: int(len(body) * 0.6)]
    with pytest.raises(DataError):
        parse(case, cut)


def test_server_error_is_transient(case: Case) -> None:
    with pytest.raises(ProviderError) as caught:
        parse(case, b"Internal Server Error", 500, "text/plain")
    assert not caught.value.permanent
    assert not isinstance(caught.value, DataError)


def test_errors_name_provider_symbol_and_url(case: Case) -> None:
    with pytest.raises(ProviderError) as caught:
        parse(case, HTML, 200, "text/html")
    message = str(caught.value)
    assert case.provider.name in message
    assert case.symbol in message
    assert BASE in message
