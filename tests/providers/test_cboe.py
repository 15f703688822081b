"""CBOE provider: fixtures in CBOE's exact wire formats, parsed directly and fetched over
a local HTTP server through the real Fetcher. Expected values are read off the fixtures."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pairwatch.domain import ChangeKind, Observation
from pairwatch.errors import DataError, ProviderError
from pairwatch.providers.base import HistoryQuery, HttpRequest, HttpResponse
from pairwatch.providers.cboe import CboeProvider
from pairwatch.providers.http import Fetcher, RetryPolicy

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cboe"
CDN = "https://cdn.cboe.com"
VIX_PATH = "/api/global/us_indices/daily_prices/VIX_History.csv"
QUOTE_PATH = "/api/global/delayed_quotes/quotes/_VIX.json"
PROVIDER = CboeProvider(CDN, CDN)

# Closes of tests/fixtures/cboe/VIX_History.csv, in file order.
VIX_CLOSES = [
    (dt.date(2026, 6, 8), 17.11),
    (dt.date(2026, 6, 9), 16.62),
    (dt.date(2026, 6, 10), 18.03),
    (dt.date(2026, 6, 11), 19.41),
    (dt.date(2026, 6, 12), 17.84),
    (dt.date(2026, 6, 15), 17.35),
    (dt.date(2026, 6, 16), 16.57),
    (dt.date(2026, 6, 17), 16.09),
    (dt.date(2026, 6, 18), 16.45),
    (dt.date(2026, 6, 22), 15.78),
    (dt.date(2026, 6, 23), 15.42),
    (dt.date(2026, 6, 24), 15.96),
    (dt.date(2026, 6, 25), 16.88),
    (dt.date(2026, 6, 26), 16.21),
    (dt.date(2026, 6, 29), 15.67),
    (dt.date(2026, 6, 30), 15.12),
    (dt.date(2026, 7, 1), 14.89),
    (dt.date(2026, 7, 2), 15.33),
    (dt.date(2026, 7, 6), 15.91),
    (dt.date(2026, 7, 7), 16.42),
]


def fixture(name: str) -> bytes:
    """Raw bytes of a CBOE fixture."""
    return (FIXTURES / name).read_bytes()


VIX = fixture("VIX_History.csv")


def query(
    symbol: str = "VIX",
    start: dt.date | None = None,
    end: dt.date | None = None,
    change: ChangeKind = ChangeKind.LOG,
) -> HistoryQuery:
    """A history query; CBOE indices are log-change metrics."""
    return HistoryQuery(symbol, start, end, change)


def answer(
    body: bytes, request: HttpRequest | None = None, status: int = 200, ctype: str = "text/csv"
) -> HttpResponse:
    """An HttpResponse carrying `body` for `request` (the VIX history by default)."""
    request = request or PROVIDER.history_request(query())
    return HttpResponse(request, status, {"content-type": ctype}, body)


def pairs(rows: list[Observation]) -> list[tuple[dt.date, float]]:
    """(date, close) of each observation."""
    return [(row.date, row.close) for row in rows]


def refused(body: bytes, q: HistoryQuery | None = None, ctype: str = "text/csv") -> DataError:
    """The DataError that parsing `body` raises."""
    with pytest.raises(DataError) as caught:
        PROVIDER.parse_history(answer(body, ctype=ctype), q or query())
    return caught.value


# --- requests ------------------------------------------------------------------------------


def test_history_request_is_the_whole_file_csv() -> None:
    request = PROVIDER.history_request(query(start=dt.date(2026, 7, 1)))
    assert request.full_url == CDN + VIX_PATH
    assert request.params == ()


def test_quote_request_prefixes_the_index_with_an_underscore() -> None:
    assert PROVIDER.quote_request("VIX").full_url == CDN + QUOTE_PATH
    assert PROVIDER.quote_request("^VVIX").url.endswith("/quotes/_VVIX.json")


def test_trailing_slash_on_base_url_is_ignored() -> None:
    provider = CboeProvider(CDN + "/", CDN + "/")
    assert provider.history_request(query()).url == CDN + VIX_PATH


# --- history parsing -----------------------------------------------------------------------


def test_ohlc_file_yields_every_close() -> None:
    rows = PROVIDER.parse_history(answer(VIX), query())
    assert pairs(rows) == VIX_CLOSES
    assert all(row.adj_close is None for row in rows)


def test_start_is_inclusive_and_filtered_locally() -> None:
    rows = PROVIDER.parse_history(answer(VIX), query(start=dt.date(2026, 7, 1)))
    assert pairs(rows) == VIX_CLOSES[-4:]


def test_end_is_inclusive() -> None:
    q = query(start=dt.date(2026, 6, 12), end=dt.date(2026, 6, 16))
    rows = PROVIDER.parse_history(answer(VIX), q)
    assert pairs(rows) == [
        (dt.date(2026, 6, 12), 17.84),
        (dt.date(2026, 6, 15), 17.35),
        (dt.date(2026, 6, 16), 16.57),
    ]


def test_crlf_line_ends_parse_the_same() -> None:
    body = VIX.replace(b"\n", b"\r\n")
    assert pairs(PROVIDER.parse_history(answer(body), query())) == VIX_CLOSES


def test_close_only_vvix_file_reads_the_column_named_after_the_symbol() -> None:
    request = PROVIDER.history_request(query("VVIX"))
    rows = PROVIDER.parse_history(answer(fixture("VVIX_History.csv"), request), query("VVIX"))
    assert len(rows) == 11
    assert pairs(rows)[:2] == [(dt.date(2026, 6, 22), 88.41), (dt.date(2026, 6, 23), 86.9)]
    assert pairs(rows)[-1] == (dt.date(2026, 7, 7), 92.28)


def test_close_only_skew_file_keeps_one_decimal_values() -> None:
    rows = PROVIDER.parse_history(answer(fixture("SKEW_History.csv")), query("SKEW"))
    assert [row.close for row in rows] == [
        141.37,
        143.02,
        139.0,
        137.64,
        140.85,
        144.21,
        146.9,
        145.33,
        142.76,
        141.18,
        143.5,
    ]


def test_exact_duplicate_rows_collapse() -> None:
    body = fixture("VVIX_History.csv") + b"07/07/2026,92.28\n"
    rows = PROVIDER.parse_history(answer(body), query("VVIX"))
    assert len(rows) == 11


def test_zero_level_is_accepted_for_a_diff_metric() -> None:
    body = b"DATE,SKEW\n07/06/2026,0.0\n07/07/2026,-1.5\n"
    rows = PROVIDER.parse_history(answer(body), query("SKEW", change=ChangeKind.DIFF))
    assert pairs(rows) == [(dt.date(2026, 7, 6), 0.0), (dt.date(2026, 7, 7), -1.5)]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"\n\n", "empty body"),
        (b"DATE,OPEN,HIGH,LOW,CLOSE\n", "no observations"),
        (VIX[:-20], "cut off"),
        (VIX + b"07/08/2026,16.500000,17.100000\n", "line 22 has 3 fields, header has 5"),
        (VIX.replace(b"CLOSE", b"CLOSE,VOLUME", 1), "unexpected header"),
        (VIX.replace(b"CLOSE", b"LAST", 1), "unexpected header"),
        (b"DATE,SKEW\n07/07/2026,143.5\n", "unexpected header"),
        (VIX.replace(b"06/10/2026", b"2026-06-10"), "line 4"),
        (VIX.replace(b"18.030000", b"n/a"), "line 4"),
        (VIX.replace(b"18.030000", b"nan"), "non-finite"),
        (VIX.replace(b"18.030000", b"0.000000"), "non-positive level 0.0 on 2026-06-10"),
        (VIX + b"07/07/2026,15.880000,16.590000,15.630000,16.440000\n", "conflicting duplicate"),
    ],
)
def test_suspicious_history_is_refused(body: bytes, reason: str) -> None:
    error = refused(body)
    assert reason in error.reason
    assert (error.provider, error.symbol, error.url) == ("cboe", "VIX", CDN + VIX_PATH)
    assert str(error).startswith("cboe VIX: ") and CDN + VIX_PATH in str(error)
    assert error.permanent


def test_html_page_with_status_200_is_refused_whatever_the_content_type() -> None:
    page = fixture("html_page.html")
    assert "HTML page" in refused(page, ctype="text/html").reason
    assert "HTML page" in refused(page, ctype="text/csv").reason


def test_start_after_the_last_row_says_where_the_file_ends() -> None:
    error = refused(VIX, query(start=dt.date(2026, 7, 8)))
    assert "no observations from 2026-07-08" in error.reason
    assert "ends on 2026-07-07" in error.reason


def test_http_error_is_a_provider_error_not_a_data_error() -> None:
    with pytest.raises(ProviderError) as caught:
        PROVIDER.parse_history(answer(b"Not Found", status=404, ctype="text/plain"), query())
    assert not isinstance(caught.value, DataError)
    assert caught.value.permanent and caught.value.status == 404


# --- quote parsing -------------------------------------------------------------------------

QUOTE_REQUEST = PROVIDER.quote_request("VIX")
EASTERN = ZoneInfo("America/New_York")


def quote_body(**changes: object) -> bytes:
    """The quote fixture with some `data` fields replaced (None removes the field)."""
    doc = json.loads(fixture("quote_VIX.json"))
    doc["data"].update(changes)
    doc["data"] = {k: v for k, v in doc["data"].items() if v is not None}
    return json.dumps(doc).encode()


def parse_quote(body: bytes, ctype: str = "application/json") -> object:
    """Parse a quote body as the answer to the VIX quote request."""
    return PROVIDER.parse_quote(answer(body, QUOTE_REQUEST, ctype=ctype), "VIX")


def test_quote_reads_price_previous_close_and_eastern_trade_time() -> None:
    quote = PROVIDER.parse_quote(answer(fixture("quote_VIX.json"), QUOTE_REQUEST), "VIX")
    assert (quote.symbol, quote.price, quote.previous_close) == ("VIX", 17.05, 16.42)
    assert quote.as_of == dt.datetime(2026, 7, 8, 16, 14, 59, tzinfo=EASTERN)
    assert quote.as_of.utcoffset() == dt.timedelta(hours=-4)
    assert quote.as_of == dt.datetime(2026, 7, 8, 20, 14, 59, tzinfo=dt.UTC)


def test_quote_in_winter_is_five_hours_behind_utc() -> None:
    quote = PROVIDER.parse_quote(
        answer(quote_body(last_trade_time="2026-01-07T16:15:00"), QUOTE_REQUEST), "VIX"
    )
    assert quote.as_of == dt.datetime(2026, 1, 7, 21, 15, tzinfo=dt.UTC)


def test_quote_without_previous_close_still_parses() -> None:
    quote = PROVIDER.parse_quote(answer(quote_body(prev_day_close=None), QUOTE_REQUEST), "VIX")
    assert quote.previous_close is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (fixture("quote_VIX.json")[:-40], "not JSON"),
        (b'{"timestamp": "2026-07-08 20:31:07", "symbol": "_VIX"}', "no 'data' object"),
        (quote_body(symbol="^VVIX"), "quote is for '^VVIX', not 'VIX'"),
        (quote_body(current_price="n/a"), "current_price is 'n/a'"),
        (quote_body(current_price=True), "current_price is True"),
        (quote_body(current_price=0), "non-positive current_price"),
        (quote_body(last_trade_time=None), "last_trade_time is None"),
        (quote_body(last_trade_time="07/08/2026 4:14 PM"), "not an ISO timestamp"),
        (fixture("html_page.html"), "HTML page"),
    ],
)
def test_suspicious_quote_is_refused(body: bytes, reason: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_quote(body)
    assert reason in caught.value.reason
    assert caught.value.url == CDN + QUOTE_PATH


# --- over the wire -------------------------------------------------------------------------


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the fetcher asked for, instead of sleeping."""
    return []


@pytest.fixture
def fetcher(sleeps: list[float]) -> Iterator[Fetcher]:
    with Fetcher(sleep=sleeps.append) as fetcher:
        yield fetcher


@pytest.fixture
def local(httpserver: HTTPServer) -> CboeProvider:
    """A provider whose both hosts are the local test server."""
    base = httpserver.url_for("/").rstrip("/")
    return CboeProvider(base, base)


def fetch(fetcher: Fetcher, provider: CboeProvider, q: HistoryQuery) -> list[Observation]:
    """The production path: build, fetch, parse."""
    request = provider.history_request(q)
    return provider.parse_history(fetcher.fetch(request, provider="cboe", symbol=q.symbol), q)


def serve(httpserver: HTTPServer, body: bytes, ctype: str = "text/csv") -> None:
    """Answer the VIX history path with `body`."""
    httpserver.expect_request(VIX_PATH).respond_with_data(body, content_type=ctype)


def test_wire_history_uses_the_real_path_and_no_query(
    httpserver: HTTPServer, fetcher: Fetcher, local: CboeProvider
) -> None:
    serve(httpserver, VIX)
    rows = fetch(fetcher, local, query(start=dt.date(2026, 7, 6)))
    assert pairs(rows) == VIX_CLOSES[-2:]
    ((request, _),) = httpserver.log
    assert (request.method, request.path, request.query_string) == ("GET", VIX_PATH, b"")
    assert request.headers["User-Agent"].startswith("pairwatch")


def test_wire_quote_uses_the_underscore_path(
    httpserver: HTTPServer, fetcher: Fetcher, local: CboeProvider
) -> None:
    httpserver.expect_request(QUOTE_PATH).respond_with_data(
        fixture("quote_VIX.json"), content_type="application/json"
    )
    request = local.quote_request("VIX")
    quote = local.parse_quote(fetcher.fetch(request, provider="cboe", symbol="VIX"), "VIX")
    assert quote.price == 17.05
    assert httpserver.log[0][0].path == QUOTE_PATH


def test_wire_429_waits_for_retry_after_then_parses(
    httpserver: HTTPServer, fetcher: Fetcher, local: CboeProvider, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request(VIX_PATH).respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "3"}
    )
    serve(httpserver, VIX)
    assert pairs(fetch(fetcher, local, query())) == VIX_CLOSES
    assert sleeps == [3.0]
    assert len(httpserver.log) == 2


def test_wire_three_500s_then_200_backs_off_and_parses(
    httpserver: HTTPServer, fetcher: Fetcher, local: CboeProvider, sleeps: list[float]
) -> None:
    for _ in range(3):
        httpserver.expect_oneshot_request(VIX_PATH).respond_with_data("oops", status=500)
    serve(httpserver, VIX)
    assert pairs(fetch(fetcher, local, query())) == VIX_CLOSES
    assert sleeps == [1.0, 2.0, 4.0]
    assert len(httpserver.log) == 4


def test_wire_timeout_ends_in_a_provider_error_after_retries(
    httpserver: HTTPServer, local: CboeProvider
) -> None:
    def slow(_: Request) -> Response:
        time.sleep(0.25)
        return Response(VIX, content_type="text/csv")

    httpserver.expect_request(VIX_PATH).respond_with_handler(slow)
    began = time.monotonic()
    fetcher = Fetcher(timeout=0.2, policy=RetryPolicy(retries=2), sleep=lambda _: None)
    with fetcher, pytest.raises(ProviderError) as caught:
        fetch(fetcher, local, query())
    assert time.monotonic() - began < 1.0
    assert not isinstance(caught.value, DataError)
    assert "timed out" in caught.value.reason and "3 attempts" in caught.value.reason
    assert fetcher.attempts == 3
    drain(httpserver, 3)


def drain(httpserver: HTTPServer, count: int) -> None:
    """Wait until the (single-threaded) server has answered `count` requests, so that an
    abandoned slow request is not logged into the next test."""
    deadline = time.monotonic() + 3.0
    while len(httpserver.log) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(httpserver.log) == count


@pytest.mark.parametrize(
    ("body", "ctype", "reason"),
    [
        (fixture("html_page.html"), "text/html", "HTML page"),
        (VIX[: VIX.rindex(b",")], "text/csv", "cut off"),
        (b"DATE,OPEN,HIGH,LOW,CLOSE\n", "text/csv", "no observations"),
        (b"Date,Close\n07/07/2026,16.42\n", "text/csv", "unexpected header"),
    ],
    ids=["html", "truncated", "empty", "header-change"],
)
def test_wire_bad_bodies_with_status_200_are_data_errors(
    httpserver: HTTPServer,
    fetcher: Fetcher,
    local: CboeProvider,
    body: bytes,
    ctype: str,
    reason: str,
) -> None:
    serve(httpserver, body, ctype)
    with pytest.raises(DataError) as caught:
        fetch(fetcher, local, query())
    assert reason in caught.value.reason
    assert caught.value.url == local.base_url + VIX_PATH
    assert len(httpserver.log) == 1
