"""FRED provider: both wire formats (keyless fredgraph CSV, keyed JSON API) parsed from
fixtures, and fetched over a local HTTP server through the real Fetcher. Expected values
are read off the fixtures."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pairwatch.domain import ChangeKind, Observation
from pairwatch.errors import DataError, ProviderError
from pairwatch.providers.base import HistoryQuery, HttpRequest, HttpResponse
from pairwatch.providers.fred import FredProvider
from pairwatch.providers.http import Fetcher, RetryPolicy

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fred"
WEB = "https://fred.stlouisfed.org"
API = "https://api.stlouisfed.org"
GRAPH_PATH = "/graph/fredgraph.csv"
API_PATH = "/fred/series/observations"
KEY = "0123456789abcdef0123456789abcdef"
KEYLESS = FredProvider(WEB, API, None)
KEYED = FredProvider(WEB, API, KEY)

# Values of tests/fixtures/fred/fredgraph_BAMLH0A0HYM2.csv; 2026-02-16 is empty (missing),
# 2026-02-28 is a Saturday month end, which ICE publishes.
HY_OAS = [
    (dt.date(2026, 2, 13), 3.02),
    (dt.date(2026, 2, 17), 3.05),
    (dt.date(2026, 2, 18), 2.99),
    (dt.date(2026, 2, 19), 2.97),
    (dt.date(2026, 2, 20), 3.01),
    (dt.date(2026, 2, 23), 3.06),
    (dt.date(2026, 2, 24), 3.04),
    (dt.date(2026, 2, 25), 2.98),
    (dt.date(2026, 2, 26), 3.03),
    (dt.date(2026, 2, 27), 3.14),
    (dt.date(2026, 2, 28), 3.16),
    (dt.date(2026, 3, 2), 3.09),
    (dt.date(2026, 3, 3), 3.11),
    (dt.date(2026, 3, 4), 3.00),
    (dt.date(2026, 3, 5), 3.02),
    (dt.date(2026, 3, 6), 3.18),
]


def fixture(name: str) -> bytes:
    """Raw bytes of a FRED fixture."""
    return (FIXTURES / name).read_bytes()


HY = fixture("fredgraph_BAMLH0A0HYM2.csv")
DGS10_JSON = fixture("observations_DGS10.json")


def query(
    symbol: str = "BAMLH0A0HYM2",
    start: dt.date | None = None,
    end: dt.date | None = None,
    change: ChangeKind = ChangeKind.DIFF,
) -> HistoryQuery:
    """A history query; spreads and yields are diff-change metrics."""
    return HistoryQuery(symbol, start, end, change)


def answer(
    body: bytes, request: HttpRequest | None = None, status: int = 200, ctype: str = "text/csv"
) -> HttpResponse:
    """An HttpResponse carrying `body` for `request` (the keyless HY OAS CSV by default)."""
    request = request or KEYLESS.history_request(query())
    return HttpResponse(request, status, {"content-type": ctype}, body)


def parse(body: bytes, q: HistoryQuery | None = None) -> list[tuple[dt.date, float]]:
    """(date, value) pairs parsed from a keyless CSV body."""
    q = q or query()
    rows = KEYLESS.parse_history(answer(body, KEYLESS.history_request(q)), q)
    return [(row.date, row.close) for row in rows]


def parse_api(body: bytes, q: HistoryQuery, status: int = 200) -> list[Observation]:
    """Observations parsed from a JSON API body answering the keyed request for `q`."""
    request = KEYED.history_request(q)
    return KEYED.parse_history(answer(body, request, status, "application/json"), q)


# --- requests ------------------------------------------------------------------------------


def test_keyless_request_is_fredgraph_csv_with_the_series_id() -> None:
    request = KEYLESS.history_request(query())
    assert request.full_url == WEB + GRAPH_PATH + "?id=BAMLH0A0HYM2"


def test_keyless_request_passes_start_as_cosd_and_end_as_coed() -> None:
    q = query(start=dt.date(2026, 2, 20), end=dt.date(2026, 3, 6))
    request = KEYLESS.history_request(q)
    assert request.full_url == WEB + GRAPH_PATH + "?id=BAMLH0A0HYM2&cosd=2026-02-20&coed=2026-03-06"


def test_keyed_request_is_the_observations_api_with_a_masked_key() -> None:
    request = KEYED.history_request(query("DGS10", dt.date(2026, 6, 29)))
    assert request.url == API + API_PATH
    assert request.params == (
        ("series_id", "DGS10"),
        ("api_key", KEY),
        ("file_type", "json"),
        ("observation_start", "2026-06-29"),
    )
    assert request.secret_params == frozenset({"api_key"})
    assert KEY not in request.display_url
    assert request.display_url == (
        API + API_PATH + "?series_id=DGS10&api_key=%2A%2A%2A&file_type=json"
        "&observation_start=2026-06-29"
    )


def test_rate_limit_depends_on_the_key() -> None:
    assert KEYED.min_interval == 0.5
    assert KEYLESS.min_interval == 0.25
    assert FredProvider(WEB, API, "").min_interval == 0.25
    assert FredProvider(WEB, API, "").history_request(query()).url == WEB + GRAPH_PATH


def test_there_is_no_quote_endpoint() -> None:
    assert KEYED.quote_request("DGS10") is None
    with pytest.raises(ProviderError) as caught:
        KEYED.parse_quote(answer(b"{}"), "DGS10")
    assert caught.value.permanent and "no quote endpoint" in caught.value.reason


# --- keyless CSV parsing -------------------------------------------------------------------


def test_current_header_with_empty_missing_values() -> None:
    assert parse(HY) == HY_OAS


def test_old_date_header_with_dot_missing_values() -> None:
    rows = parse(fixture("fredgraph_DGS10_old.csv"), query("DGS10"))
    assert len(rows) == 13
    assert dt.date(2023, 11, 23) not in dict(rows)
    assert rows[:2] == [(dt.date(2023, 11, 13), 4.64), (dt.date(2023, 11, 14), 4.44)]
    assert rows[7:9] == [(dt.date(2023, 11, 22), 4.41), (dt.date(2023, 11, 24), 4.47)]
    assert rows[-1] == (dt.date(2023, 11, 30), 4.37)


def test_crlf_without_final_newline_keeps_zero_and_negative_spreads() -> None:
    body = fixture("fredgraph_T10Y2Y_crlf.csv")
    assert b"\r\n" in body and not body.endswith(b"\n")  # the fixture's point
    assert parse(body, query("T10Y2Y")) == [
        (dt.date(2024, 8, 26), -0.05),
        (dt.date(2024, 8, 27), -0.03),
        (dt.date(2024, 8, 28), -0.02),
        (dt.date(2024, 8, 29), -0.01),
        (dt.date(2024, 8, 30), 0.0),
        (dt.date(2024, 9, 3), 0.01),
        (dt.date(2024, 9, 4), 0.04),
        (dt.date(2024, 9, 5), 0.05),
        (dt.date(2024, 9, 6), 0.08),
        (dt.date(2024, 9, 9), 0.05),
        (dt.date(2024, 9, 10), 0.02),
    ]


def test_lf_file_without_final_newline_parses_too() -> None:
    assert parse(HY.rstrip(b"\n")) == HY_OAS


def test_weekly_series_is_one_row_per_week() -> None:
    rows = parse(fixture("fredgraph_NFCI.csv"), query("NFCI"))
    assert rows[0] == (dt.date(2026, 4, 3), -0.52143)
    assert rows[-1] == (dt.date(2026, 5, 22), -0.55318)
    assert {day.weekday() for day, _ in rows} == {4}
    assert {b - a for (a, _), (b, _) in itertools.pairwise(rows)} == {dt.timedelta(days=7)}


def test_rows_before_start_are_dropped_even_if_the_server_sent_them() -> None:
    assert parse(HY, query(start=dt.date(2026, 3, 2))) == HY_OAS[-5:]


def test_series_id_in_header_is_case_insensitive() -> None:
    body = HY.replace(b"BAMLH0A0HYM2", b"bamlh0a0hym2", 1)
    assert parse(body) == HY_OAS


# --- JSON API parsing ----------------------------------------------------------------------


def test_json_api_skips_dot_values() -> None:
    rows = parse_api(DGS10_JSON, query("DGS10", dt.date(2026, 6, 29)))
    assert [(row.date, row.close) for row in rows] == [
        (dt.date(2026, 6, 29), 4.41),
        (dt.date(2026, 6, 30), 4.38),
        (dt.date(2026, 7, 1), 4.45),
        (dt.date(2026, 7, 2), 4.49),
        (dt.date(2026, 7, 6), 4.48),
        (dt.date(2026, 7, 7), 4.52),
        (dt.date(2026, 7, 8), 4.50),
        (dt.date(2026, 7, 9), 4.46),
        (dt.date(2026, 7, 10), 4.43),
    ]


def test_json_api_error_body_is_a_permanent_provider_error_quoting_fred() -> None:
    with pytest.raises(ProviderError) as caught:
        parse_api(fixture("error_400.json"), query("NOSUCHSERIES"), status=400)
    error = caught.value
    assert not isinstance(error, DataError)
    assert error.permanent and error.status == 400
    assert error.reason == "HTTP 400: Bad Request.  The series does not exist."
    assert KEY not in str(error) and KEY not in error.url


def test_json_api_error_that_echoes_the_key_is_masked() -> None:
    body = b'{"error_code":400,"error_message":"Bad Request.  api_key ' + KEY.encode() + b'"}'
    with pytest.raises(ProviderError) as caught:
        parse_api(body, query("DGS10"), status=400)
    assert KEY not in str(caught.value)
    assert caught.value.reason.endswith("api_key ***")


def test_server_error_with_json_body_is_transient() -> None:
    body = b'{"error_code":500,"error_message":"Internal Server Error."}'
    with pytest.raises(ProviderError) as caught:
        parse_api(body, query("DGS10"), status=500)
    assert not caught.value.permanent
    assert caught.value.reason == "HTTP 500: Internal Server Error."


# --- refusals ------------------------------------------------------------------------------

T10Y2Y = fixture("fredgraph_T10Y2Y_crlf.csv")


@pytest.mark.parametrize(
    ("body", "symbol", "reason"),
    [
        (b"", "BAMLH0A0HYM2", "empty body"),
        (b"observation_date,BAMLH0A0HYM2\n", "BAMLH0A0HYM2", "no observations"),
        (
            b"observation_date,BAMLH0A0HYM2\n2026-02-16,\n2026-02-17,.\n",
            "BAMLH0A0HYM2",
            "no observations",
        ),
        (HY[:-7], "BAMLH0A0HYM2", "line 18 has 1 fields, expected 2: '2026-03-0'"),
        (HY.rstrip(b"\n").rsplit(b",", 1)[0], "BAMLH0A0HYM2", "line 18 has 1 fields"),
        (HY.replace(b"observation_date,", b"date,", 1), "BAMLH0A0HYM2", "unexpected header"),
        (HY.replace(b"\n", b",VALUE_UNIT\n", 1), "BAMLH0A0HYM2", "unexpected header"),
        (HY, "BAMLC0A0CM", "header names series 'BAMLH0A0HYM2', not 'BAMLC0A0CM'"),
        (HY.replace(b"2026-02-18", b"02/18/2026"), "BAMLH0A0HYM2", "line 5: time data"),
        (HY.replace(b"2.99", b"n/a"), "BAMLH0A0HYM2", "line 5: could not convert"),
        (HY.replace(b"2.99", b"NaN"), "BAMLH0A0HYM2", "non-finite"),
        (HY + b"2026-03-06,3.21\n", "BAMLH0A0HYM2", "conflicting duplicate"),
        (fixture("html_page.html"), "BAMLH0A0HYM2", "HTML page"),
    ],
)
def test_suspicious_csv_is_refused(body: bytes, symbol: str, reason: str) -> None:
    q = query(symbol)
    with pytest.raises(DataError) as caught:
        KEYLESS.parse_history(answer(body, KEYLESS.history_request(q)), q)
    assert reason in caught.value.reason
    assert caught.value.provider == "fred" and caught.value.symbol == symbol
    assert caught.value.url == f"{WEB}{GRAPH_PATH}?id={symbol}"


def test_log_metric_refuses_zero_and_negative_levels() -> None:
    q = query("T10Y2Y", change=ChangeKind.LOG)
    with pytest.raises(DataError) as caught:
        KEYLESS.parse_history(answer(T10Y2Y, KEYLESS.history_request(q)), q)
    assert "non-positive level -0.05 on 2024-08-26" in caught.value.reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (DGS10_JSON[:-30], "not JSON"),
        (b'{"count": 0, "observations": {}}', "no 'observations' list"),
        (b'{"observations": [["2026-07-01", "4.45"]]}', "observation 1 is not an object"),
        (b'{"observations": [{"date": "2026-07-01", "value": 4.45}]}', "string 'date' and 'value'"),
        (b'{"observations": [{"date": "07/01/2026", "value": "4.45"}]}', "observation 1"),
        (b'{"observations": []}', "no observations"),
        (fixture("html_page.html"), "HTML page"),
    ],
)
def test_suspicious_json_is_refused_without_leaking_the_key(body: bytes, reason: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_api(body, query("DGS10"))
    assert reason in caught.value.reason
    assert KEY not in str(caught.value)
    assert caught.value.url.startswith(API + API_PATH + "?series_id=DGS10&api_key=%2A%2A%2A")


# --- over the wire -------------------------------------------------------------------------


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the fetcher asked for, instead of sleeping."""
    return []


@pytest.fixture
def fetcher(sleeps: list[float]) -> Iterator[Fetcher]:
    with Fetcher(sleep=sleeps.append) as fetcher:
        yield fetcher


def local(httpserver: HTTPServer, key: str | None) -> FredProvider:
    """A provider whose both hosts are the local test server."""
    base = httpserver.url_for("/").rstrip("/")
    return FredProvider(base, base, key)


def fetch(fetcher: Fetcher, provider: FredProvider, q: HistoryQuery) -> list[Observation]:
    """The production path: build, fetch, parse."""
    request = provider.history_request(q)
    return provider.parse_history(fetcher.fetch(request, provider="fred", symbol=q.symbol), q)


def drain(httpserver: HTTPServer, count: int) -> None:
    """Wait until the (single-threaded) server has answered `count` requests, so that an
    abandoned slow request is not logged into the next test."""
    deadline = time.monotonic() + 3.0
    while len(httpserver.log) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(httpserver.log) == count


def test_wire_keyless_csv_path_and_query_string(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(GRAPH_PATH).respond_with_data(HY, content_type="text/csv")
    rows = fetch(fetcher, local(httpserver, None), query(start=dt.date(2026, 3, 2)))
    assert [(row.date, row.close) for row in rows] == HY_OAS[-5:]
    ((request, _),) = httpserver.log
    assert request.path == GRAPH_PATH
    assert request.query_string == b"id=BAMLH0A0HYM2&cosd=2026-03-02"


def test_wire_keyed_json_path_and_query_string(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(API_PATH).respond_with_data(
        DGS10_JSON, content_type="application/json; charset=UTF-8"
    )
    rows = fetch(fetcher, local(httpserver, KEY), query("DGS10", dt.date(2026, 6, 29)))
    assert (rows[0].date, rows[0].close, len(rows)) == (dt.date(2026, 6, 29), 4.41, 9)
    ((request, _),) = httpserver.log
    assert request.path == API_PATH
    assert request.query_string == (
        f"series_id=DGS10&api_key={KEY}&file_type=json&observation_start=2026-06-29".encode()
    )


def test_wire_429_waits_for_retry_after_then_parses(
    httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request(GRAPH_PATH).respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "3"}
    )
    httpserver.expect_request(GRAPH_PATH).respond_with_data(HY, content_type="text/csv")
    rows = fetch(fetcher, local(httpserver, None), query())
    assert [(row.date, row.close) for row in rows] == HY_OAS
    assert sleeps == [3.0]
    assert len(httpserver.log) == 2


def test_wire_three_500s_then_200_backs_off_and_parses(
    httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    for _ in range(3):
        httpserver.expect_oneshot_request(API_PATH).respond_with_data("", status=500)
    httpserver.expect_request(API_PATH).respond_with_data(
        DGS10_JSON, content_type="application/json"
    )
    rows = fetch(fetcher, local(httpserver, KEY), query("DGS10"))
    assert len(rows) == 9
    assert sleeps == [1.0, 2.0, 4.0]
    assert len(httpserver.log) == 4


def test_wire_timeout_ends_in_a_provider_error_without_the_key(httpserver: HTTPServer) -> None:
    def slow(_: Request) -> Response:
        time.sleep(0.25)
        return Response(DGS10_JSON, content_type="application/json")

    httpserver.expect_request(API_PATH).respond_with_handler(slow)
    began = time.monotonic()
    fetcher = Fetcher(timeout=0.2, policy=RetryPolicy(retries=2), sleep=lambda _: None)
    with fetcher, pytest.raises(ProviderError) as caught:
        fetch(fetcher, local(httpserver, KEY), query("DGS10"))
    assert time.monotonic() - began < 1.0
    assert not isinstance(caught.value, DataError)
    assert "timed out" in caught.value.reason and "3 attempts" in caught.value.reason
    assert KEY not in str(caught.value)
    drain(httpserver, 3)


def test_wire_400_json_error_is_permanent_and_not_retried(
    httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    httpserver.expect_request(API_PATH).respond_with_data(
        fixture("error_400.json"), status=400, content_type="application/json"
    )
    with pytest.raises(ProviderError) as caught:
        fetch(fetcher, local(httpserver, KEY), query("NOSUCHSERIES"))
    assert caught.value.permanent and caught.value.status == 400
    assert "The series does not exist." in caught.value.reason
    assert KEY not in str(caught.value)
    assert (len(httpserver.log), sleeps) == (1, [])


@pytest.mark.parametrize(
    ("body", "ctype", "reason"),
    [
        (fixture("html_page.html"), "text/html; charset=utf-8", "HTML page"),
        (HY[: HY.rindex(b",")], "text/csv", "line 18 has 1 fields"),
        (b"observation_date,BAMLH0A0HYM2\n", "text/csv", "no observations"),
        (b"date,value\n2026-03-06,3.18\n", "text/csv", "unexpected header"),
    ],
    ids=["html", "truncated", "empty", "header-change"],
)
def test_wire_bad_bodies_with_status_200_are_data_errors(
    httpserver: HTTPServer, fetcher: Fetcher, body: bytes, ctype: str, reason: str
) -> None:
    httpserver.expect_request(GRAPH_PATH).respond_with_data(body, content_type=ctype)
    with pytest.raises(DataError) as caught:
        fetch(fetcher, local(httpserver, None), query())
    assert reason in caught.value.reason
    assert len(httpserver.log) == 1
