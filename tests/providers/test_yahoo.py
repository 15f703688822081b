"""Yahoo chart API v8: pure parsing of hand-written fixtures, then the wire through `Fetcher`.

Fixture dates were worked out by hand: 1709821800 is 2024-03-07 14:30 UTC (09:30 EST),
1710163800 is 2024-03-11 13:30 UTC (09:30 EDT, the day after the DST change), 1710115200 is
2024-03-11 00:00 UTC, 1710082800 is 2024-03-10 15:00 UTC (2024-03-11 00:00 in Tokyo).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pairwatch.domain import ChangeKind, Observation
from pairwatch.errors import DataError, ProviderError
from pairwatch.providers.base import HistoryQuery, HttpRequest, HttpResponse, Provider
from pairwatch.providers.http import Fetcher, RetryPolicy
from pairwatch.providers.yahoo import OPEN_END, BrowserTransport, YahooProvider

FIXTURES = Path(__file__).parent.parent / "fixtures" / "yahoo"
BASE = "http://yahoo.test"
NEW_YORK = ZoneInfo("America/New_York")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def edited(name: str, edit: Any) -> bytes:
    """A fixture with `edit(result)` applied to `chart.result[0]`."""
    body = json.loads(fixture(name))
    edit(body["chart"]["result"][0])
    return json.dumps(body).encode()


def respond(
    content: bytes,
    symbol: str = "IWM",
    status: int = 200,
    content_type: str = "application/json;charset=utf-8",
) -> HttpResponse:
    request = YahooProvider(BASE).history_request(HistoryQuery(symbol))
    return HttpResponse(request, status, {"content-type": content_type}, content)


def history(content: bytes, symbol: str = "IWM", **query: Any) -> list[Observation]:
    wanted = HistoryQuery(symbol, **query)
    return YahooProvider(BASE).parse_history(respond(content, symbol), wanted)


def march(*days: int) -> list[dt.date]:
    return [dt.date(2024, 3, day) for day in days]


# --- requests -----------------------------------------------------------------------------


def test_history_request_encodes_symbol_and_asks_a_day_of_margin() -> None:
    query = HistoryQuery("^VIX", start=dt.date(2024, 3, 7), end=dt.date(2024, 3, 13))
    request = YahooProvider(BASE + "/").history_request(query)
    assert request.url == "http://yahoo.test/v8/finance/chart/%5EVIX"
    assert request.params == (
        ("period1", "1709683200"),  # 2024-03-06 00:00 UTC
        ("period2", "1710460800"),  # 2024-03-15 00:00 UTC
        ("interval", "1d"),
        ("events", "div,split"),
        ("includeAdjustedClose", "true"),
    )


def test_history_request_without_dates_asks_everything() -> None:
    request = YahooProvider(BASE).history_request(HistoryQuery("BTC-USD"))
    assert request.url == "http://yahoo.test/v8/finance/chart/BTC-USD"
    params = dict(request.params)
    assert params["period1"] == "-2208988800"  # 1900-01-01 00:00 UTC
    assert params["period2"] == str(OPEN_END) == "9999999999"


def test_quote_request_is_five_daily_bars() -> None:
    request = YahooProvider(BASE).quote_request("^VIX")
    assert request.full_url == "http://yahoo.test/v8/finance/chart/%5EVIX?range=5d&interval=1d"


def test_transport_impersonates_only_for_https() -> None:
    assert YahooProvider(BASE).transport is None
    live = YahooProvider("https://query1.finance.yahoo.com")
    try:
        assert isinstance(live.transport, BrowserTransport)
    finally:
        live.close()
    assert isinstance(YahooProvider(BASE), Provider)


# --- pure parsing ---------------------------------------------------------------------------


def test_fund_bars_take_the_new_york_date_across_dst_and_skip_null_bars() -> None:
    rows = history(fixture("iwm_chart.json"))
    assert rows == [
        Observation(dt.date(2024, 3, 7), 201.10000610351562, 199.78353881835938),  # 14:30 UTC
        Observation(dt.date(2024, 3, 8), 203.50999450683594, 202.17799377441406),
        Observation(dt.date(2024, 3, 11), 202.05999755859375, 200.73745727539062),  # 13:30 UTC
        Observation(dt.date(2024, 3, 13), 204.47000122070312, 203.13800048828125),
    ]


def test_values_are_the_float64_of_the_text_as_sent() -> None:
    rows = history(fixture("iwm_chart.json"))
    assert rows[0].close == float("201.10000610351562")
    assert repr(rows[0].close) == "201.10000610351562"


def test_bar_is_dated_in_the_exchange_zone_not_utc() -> None:
    # Constructed: a Tokyo bar stamped 15:00 UTC the day before is the next day in Tokyo.
    rows = history(fixture("n225_chart.json"), "^N225")
    assert [r.date for r in rows] == march(11, 12, 13)
    assert rows[0].close == 38820.48828125


def test_crypto_in_utc_zone_is_dated_by_its_utc_day() -> None:
    rows = history(fixture("btc_usd_chart.json"), "BTC-USD")
    assert rows == [
        Observation(dt.date(2024, 3, 11), 72123.90625, 72123.90625),
        Observation(dt.date(2024, 3, 12), 71481.2890625, 71481.2890625),
        Observation(dt.date(2024, 3, 13), 73104.703125, 73104.703125),  # the live bar won
    ]


def test_repeated_live_bar_keeps_the_last_copy() -> None:
    # Quote keys arrive in another order here (close, volume, open, low, high).
    rows = history(fixture("iwm_live_repeat.json"))
    assert [r.date for r in rows] == march(11, 12, 13)
    assert rows[-1] == Observation(dt.date(2024, 3, 13), 204.52000427246094, 203.18768310546875)


def test_conflicting_duplicate_inside_history_is_refused() -> None:
    def duplicate_first_day(result: dict[str, Any]) -> None:
        result["timestamp"][1] = result["timestamp"][0] + 3600  # 2024-03-11 again

    with pytest.raises(DataError, match="conflicting duplicate rows for 2024-03-11"):
        history(edited("iwm_live_repeat.json", duplicate_first_day))


def test_index_without_adjclose_has_no_adjusted_close() -> None:
    rows = history(fixture("vix_chart.json"), "^VIX")
    assert rows == [
        Observation(dt.date(2024, 3, 11), 14.75, None),
        Observation(dt.date(2024, 3, 12), 14.069999694824219, None),
        Observation(dt.date(2024, 3, 13), 13.75, None),
    ]


def test_empty_adjclose_block_means_no_adjusted_close() -> None:
    body = edited("iwm_chart.json", lambda r: r["indicators"].update(adjclose=[{}]))
    assert [r.adj_close for r in history(body)] == [None, None, None, None]


def test_bar_with_close_but_null_adjclose_is_skipped() -> None:
    body = edited(
        "iwm_chart.json", lambda r: r["indicators"]["adjclose"][0]["adjclose"].__setitem__(0, None)
    )
    assert [r.date for r in history(body)] == march(8, 11, 13)


def test_history_is_clipped_to_the_query_window() -> None:
    rows = history(fixture("iwm_chart.json"), start=dt.date(2024, 3, 8), end=dt.date(2024, 3, 11))
    assert [r.date for r in rows] == march(8, 11)


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda r: r.pop("timestamp"), "timestamp missing or empty"),
        (lambda r: r.update(timestamp=[]), "timestamp missing or empty"),
        (lambda r: r["indicators"]["quote"][0]["close"].pop(), "4 close values for 5 timestamps"),
        (lambda r: r["indicators"]["quote"][0]["close"].__setitem__(0, "201.1"), "bad close"),
        (lambda r: r["meta"].pop("exchangeTimezoneName"), "exchangeTimezoneName is missing"),
        (lambda r: r["meta"].update(exchangeTimezoneName="Mars/Olympus"), "unknown exchange"),
    ],
)
def test_malformed_results_are_data_errors(edit: Any, reason: str) -> None:
    with pytest.raises(DataError, match=reason):
        history(edited("iwm_chart.json", edit))


def test_empty_result_is_a_data_error() -> None:
    with pytest.raises(DataError, match="no bars in the response"):
        history(fixture("empty_result.json"))


def test_non_positive_close_is_refused_for_log_metrics_only() -> None:
    def zero(result: dict[str, Any]) -> None:
        result["indicators"]["quote"][0]["close"][0] = 0.0

    body = edited("vix_chart.json", zero)
    with pytest.raises(DataError, match=r"non-positive level 0\.0 on 2024-03-11"):
        history(body, "^VIX")
    rows = history(body, "^VIX", change=ChangeKind.DIFF)
    assert rows[0].close == 0.0


def test_quote_reads_meta_in_the_exchange_zone_with_yesterdays_close() -> None:
    provider = YahooProvider(BASE)
    quote = provider.parse_quote(respond(fixture("iwm_quote.json")), "IWM")
    assert quote.price == 204.52000427246094
    assert quote.as_of == dt.datetime(2024, 3, 13, 16, 0, 2, tzinfo=NEW_YORK)
    assert quote.as_of.utcoffset() == dt.timedelta(hours=-4)
    # Not chartPreviousClose (199.85..., five bars back): the 2024-03-12 close.
    assert quote.previous_close == 203.3000030517578
    assert quote.currency == "USD"
    assert quote.market_state is None


def test_quote_prefers_previous_close_and_market_state_when_sent() -> None:
    def add(result: dict[str, Any]) -> None:
        result["meta"].update(previousClose=203.25, marketState="POST")

    quote = YahooProvider(BASE).parse_quote(respond(edited("iwm_quote.json", add)), "IWM")
    assert (quote.previous_close, quote.market_state) == (203.25, "POST")


def test_quote_without_price_is_a_data_error() -> None:
    body = edited("iwm_quote.json", lambda r: r["meta"].pop("regularMarketPrice"))
    with pytest.raises(DataError, match="regularMarketPrice is missing"):
        YahooProvider(BASE).parse_quote(respond(body), "IWM")


@pytest.mark.parametrize("body", [b"Too Many Requests", b"Edge: Too Many Requests"])
def test_rate_limit_text_body_is_a_transient_provider_error(body: bytes) -> None:
    response = respond(body, status=429, content_type="text/plain")
    with pytest.raises(ProviderError) as info:
        YahooProvider(BASE).parse_history(response, HistoryQuery("IWM"))
    assert not isinstance(info.value, DataError)
    assert (info.value.status, info.value.permanent) == (429, False)
    assert body.decode() in info.value.reason


# --- on the wire, through the real Fetcher -------------------------------------------------


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fetcher(sleeps: list[float]) -> Iterator[Fetcher]:
    with Fetcher(user_agent="pairwatch-test", sleep=sleeps.append) as f:
        yield f


def base_url(server: HTTPServer) -> str:
    return server.url_for("").rstrip("/")


def fetch_history(
    server: HTTPServer, fetcher: Fetcher, symbol: str = "IWM", **query: Any
) -> list[Observation]:
    provider = YahooProvider(base_url(server))
    wanted = HistoryQuery(symbol, **query)
    request = provider.history_request(wanted)
    response = fetcher.fetch(request, provider="yahoo", symbol=symbol, transport=provider.transport)
    return provider.parse_history(response, wanted)


def raw_uris(server: HTTPServer) -> list[str]:
    return [str(request.environ["REQUEST_URI"]) for request, _ in server.log]


def test_wire_request_path_and_query(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/v8/finance/chart/^VIX").respond_with_data(
        fixture("vix_chart.json"), content_type="application/json"
    )
    rows = fetch_history(httpserver, fetcher, "^VIX", start=dt.date(2024, 3, 11))
    assert len(rows) == 3
    assert raw_uris(httpserver) == [
        "/v8/finance/chart/%5EVIX?period1=1710028800&period2=9999999999&interval=1d"
        "&events=div%2Csplit&includeAdjustedClose=true"
    ]
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"] == "pairwatch-test"


def test_wire_429_with_retry_after_then_200(
    httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    path = "/v8/finance/chart/IWM"
    httpserver.expect_oneshot_request(path).respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_request(path).respond_with_data(
        fixture("iwm_chart.json"), content_type="application/json"
    )
    assert len(fetch_history(httpserver, fetcher)) == 4
    assert sleeps == [7.0]
    assert fetcher.attempts == 2


def test_wire_500_then_200(httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]) -> None:
    path = "/v8/finance/chart/IWM"
    httpserver.expect_oneshot_request(path).respond_with_data("boom", status=500)
    httpserver.expect_request(path).respond_with_data(
        fixture("iwm_chart.json"), content_type="application/json"
    )
    assert len(fetch_history(httpserver, fetcher)) == 4
    assert sleeps == [1.0]


def test_wire_429_text_body_after_retries(
    httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    httpserver.expect_request("/v8/finance/chart/IWM").respond_with_data(
        "Edge: Too Many Requests", status=429, content_type="text/plain"
    )
    with pytest.raises(ProviderError, match="HTTP 429: Edge: Too Many Requests") as info:
        fetch_history(httpserver, fetcher)
    assert info.value.permanent is False
    assert sleeps == [1.0, 2.0, 4.0]


def test_wire_404_error_object_is_permanent_and_quoted(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/v8/finance/chart/NOPE").respond_with_data(
        fixture("not_found.json"), status=404, content_type="application/json"
    )
    with pytest.raises(ProviderError) as info:
        fetch_history(httpserver, fetcher, "NOPE")
    error = info.value
    assert (error.status, error.permanent) == (404, True)
    assert "Not Found: No data found, symbol may be delisted" in error.reason
    assert "/v8/finance/chart/NOPE" in str(error)
    assert fetcher.attempts == 1


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (fixture("iwm_chart.json")[:300], "application/json", "not valid JSON"),
        (b"<!DOCTYPE html><html><body>consent</body></html>", "text/html", "HTML page"),
        (fixture("empty_result.json"), "application/json", "no bars"),
    ],
    ids=["truncated", "html", "empty"],
)
def test_wire_bad_200_bodies_are_data_errors(
    httpserver: HTTPServer, fetcher: Fetcher, body: bytes, content_type: str, reason: str
) -> None:
    httpserver.expect_request("/v8/finance/chart/IWM").respond_with_data(
        body, content_type=content_type
    )
    with pytest.raises(DataError, match=reason):
        fetch_history(httpserver, fetcher)


def slow_handler(release: threading.Event, seconds: float = 0.5) -> Any:
    def handle(_: Request) -> Response:
        release.wait(seconds)
        return Response(fixture("iwm_chart.json"), content_type="application/json")

    return handle


def drain(server: HTTPServer, release: threading.Event, requests: int) -> None:
    """Free the slow handler and wait until the single-threaded server has answered every
    timed-out request, so none spills into the next test's log."""
    release.set()
    deadline = time.monotonic() + 2.0
    while len(server.log) < requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(server.log) == requests


def test_wire_timeout_is_retried_then_reported(httpserver: HTTPServer, sleeps: list[float]) -> None:
    release = threading.Event()
    httpserver.expect_request("/v8/finance/chart/IWM").respond_with_handler(slow_handler(release))
    began = time.monotonic()
    with (
        Fetcher(timeout=0.2, policy=RetryPolicy(retries=1), sleep=sleeps.append) as slow,
        pytest.raises(ProviderError, match=r"timed out after 0.2 s \(gave up after 2 attempts\)"),
    ):
        fetch_history(httpserver, slow)
    assert time.monotonic() - began < 2.0
    drain(httpserver, release, 2)
    assert sleeps == [1.0]


# --- BrowserTransport ---------------------------------------------------------------------


def test_browser_transport_over_plain_http(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v8/finance/chart/^VIX").respond_with_data(
        fixture("vix_chart.json"), content_type="application/json", headers={"Retry-After": "3"}
    )
    provider = YahooProvider(base_url(httpserver))
    request = provider.quote_request("^VIX")
    transport = BrowserTransport()
    try:
        response = transport.send(request, timeout=5.0, user_agent="pairwatch-test")
    finally:
        transport.close()
    assert response.status == 200
    assert response.headers["retry-after"] == "3"
    assert response.content_type == "application/json"
    assert raw_uris(httpserver) == ["/v8/finance/chart/%5EVIX?range=5d&interval=1d"]
    sent, _ = httpserver.log[0]
    assert "Chrome" in sent.headers["User-Agent"]  # the impersonated browser's own agent
    assert provider.parse_quote(response, "^VIX").price == 13.75


def test_browser_transport_timeout_through_fetcher(
    httpserver: HTTPServer, sleeps: list[float]
) -> None:
    release = threading.Event()
    httpserver.expect_request("/v8/finance/chart/IWM").respond_with_handler(slow_handler(release))
    transport = BrowserTransport()
    request = HttpRequest(httpserver.url_for("/v8/finance/chart/IWM"))
    began = time.monotonic()
    with (
        Fetcher(timeout=0.2, policy=RetryPolicy(retries=0), sleep=sleeps.append) as slow,
        pytest.raises(ProviderError, match=r"timed out after 0.2 s \(gave up after 1 attempts\)"),
    ):
        slow.fetch(request, provider="yahoo", symbol="IWM", transport=transport)
    assert time.monotonic() - began < 2.0
    drain(httpserver, release, 1)
    transport.close()
    assert sleeps == []


def test_browser_transport_network_error_is_a_transport_error() -> None:
    transport = BrowserTransport()
    request = HttpRequest("http://127.0.0.1:9/v8/finance/chart/IWM")  # discard port: refused
    with (
        Fetcher(policy=RetryPolicy(retries=0), sleep=lambda _: None) as fetcher,
        pytest.raises(ProviderError, match="network error"),
    ):
        fetcher.fetch(request, provider="yahoo", symbol="IWM", transport=transport)
    transport.close()
