"""Stooq: request building (key required and masked), CSV parsing, and refusals on the wire."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from pairwatch.domain import Observation
from pairwatch.errors import DataError, ProviderError
from pairwatch.providers.base import HistoryQuery, HttpResponse, Provider
from pairwatch.providers.http import Fetcher
from pairwatch.providers.stooq import StooqProvider

FIXTURES = Path(__file__).parent.parent / "fixtures" / "stooq"
BASE = "http://stooq.test"
KEY = "st00q-s3cret"
PATH = "/q/d/l/"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def respond(content: bytes, status: int = 200, content_type: str = "text/plain") -> HttpResponse:
    request = StooqProvider(BASE, KEY).history_request(HistoryQuery("iwm.us"))
    return HttpResponse(request, status, {"content-type": content_type}, content)


def history(content: bytes, **query: Any) -> list[Observation]:
    wanted = HistoryQuery("iwm.us", **query)
    return StooqProvider(BASE, KEY).parse_history(respond(content), wanted)


# --- requests -----------------------------------------------------------------------------


def test_request_carries_dates_and_a_masked_key() -> None:
    query = HistoryQuery("iwm.us", start=dt.date(2024, 3, 7), end=dt.date(2024, 3, 13))
    request = StooqProvider(BASE + "/", KEY).history_request(query)
    assert request.full_url == (
        "http://stooq.test/q/d/l/?s=iwm.us&i=d&d1=20240307&d2=20240313&apikey=" + KEY
    )
    assert request.display_url == (
        "http://stooq.test/q/d/l/?s=iwm.us&i=d&d1=20240307&d2=20240313&apikey=%2A%2A%2A"
    )


def test_request_without_dates() -> None:
    request = StooqProvider(BASE, KEY).history_request(HistoryQuery("spy.us"))
    assert request.params == (("s", "spy.us"), ("i", "d"), ("apikey", KEY))


def test_without_a_key_stooq_is_disabled() -> None:
    provider = StooqProvider(BASE, None)
    with pytest.raises(ProviderError, match="stooq is disabled: set PAIRWATCH_STOOQ_API_KEY") as e:
        provider.history_request(HistoryQuery("iwm.us"))
    assert e.value.permanent is True


def test_no_quote_endpoint() -> None:
    provider = StooqProvider(BASE, KEY)
    assert provider.quote_request("iwm.us") is None
    assert isinstance(provider, Provider)
    assert KEY not in repr(provider)


# --- pure parsing ---------------------------------------------------------------------------


def test_csv_closes_are_stored_as_close_and_adjusted_close() -> None:
    assert history(fixture("iwm_us.csv")) == [
        Observation(dt.date(2024, 3, 7), 201.1, 201.1),
        Observation(dt.date(2024, 3, 8), 203.51, 203.51),
        Observation(dt.date(2024, 3, 11), 202.06, 202.06),
        Observation(dt.date(2024, 3, 12), 203.3, 203.3),
        Observation(dt.date(2024, 3, 13), 204.47, 204.47),
    ]


def test_history_is_clipped_to_the_query_window() -> None:
    rows = history(fixture("iwm_us.csv"), start=dt.date(2024, 3, 8), end=dt.date(2024, 3, 11))
    assert [r.date for r in rows] == [dt.date(2024, 3, 8), dt.date(2024, 3, 11)]


def test_byte_order_mark_and_lf_endings_are_fine() -> None:
    body = b"\xef\xbb\xbfDate,Open,High,Low,Close,Volume\n2024-03-07,200.12,201.58,199.56,201.1,1\n"
    assert history(body) == [Observation(dt.date(2024, 3, 7), 201.1, 201.1)]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"Date,Open,High,Low,Close,Volume\r\n", "no observations"),
        (b"Symbol;Date;Close\r\n", "unexpected CSV header"),
        (fixture("iwm_us.csv")[:-20], "has 4 fields, header has 6"),
        (b"Date,Open,High,Low,Close,Volume\r\n20240307,1,1,1,1,1\r\n", "bad date '20240307'"),
        (b"Date,Open,High,Low,Close,Volume\r\n2024-03-07,1,1,1,n/a,1\r\n", "could not convert"),
        (b"Date,Open,High,Low,Close,Volume\r\n2024-03-07,1,1,1,nan,1\r\n", "non-finite"),
    ],
    ids=["header-only", "other-header", "truncated", "bad-date", "bad-close", "nan"],
)
def test_malformed_csv_is_a_data_error(body: bytes, reason: str) -> None:
    with pytest.raises(DataError, match=reason):
        history(body)


def test_quota_message_is_transient() -> None:
    provider = StooqProvider(BASE, KEY)
    with pytest.raises(ProviderError, match="daily download limit exceeded") as info:
        provider.parse_history(respond(fixture("quota.txt")), HistoryQuery("iwm.us"))
    assert not isinstance(info.value, DataError)
    assert info.value.permanent is False


# --- on the wire, through the real Fetcher -------------------------------------------------


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(user_agent="pairwatch-test", sleep=lambda _: None) as f:
        yield f


def fetch_history(server: HTTPServer, fetcher: Fetcher, **query: Any) -> list[Observation]:
    provider = StooqProvider(server.url_for("").rstrip("/"), KEY)
    wanted = HistoryQuery("iwm.us", **query)
    response = fetcher.fetch(provider.history_request(wanted), provider="stooq", symbol="iwm.us")
    return provider.parse_history(response, wanted)


def test_wire_exact_query(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(
        PATH, query_string=f"s=iwm.us&i=d&d1=20240307&apikey={KEY}"
    ).respond_with_data(fixture("iwm_us.csv"), content_type="text/csv")
    assert len(fetch_history(httpserver, fetcher, start=dt.date(2024, 3, 7))) == 5


@pytest.mark.parametrize(
    ("name", "content_type", "reason"),
    [
        ("no_data.txt", "text/plain", "no data"),
        ("captcha.html", "text/html; charset=utf-8", "HTML page"),
        ("captcha.html", "text/plain", "HTML page"),
    ],
    ids=["no-data", "html", "html-mislabelled"],
)
def test_wire_refusals_are_data_errors_without_the_key(
    httpserver: HTTPServer, fetcher: Fetcher, name: str, content_type: str, reason: str
) -> None:
    httpserver.expect_request(PATH).respond_with_data(fixture(name), content_type=content_type)
    with pytest.raises(DataError, match=reason) as info:
        fetch_history(httpserver, fetcher)
    assert KEY not in str(info.value)
    assert "apikey=%2A%2A%2A" in info.value.url
    assert fetcher.attempts == 1


def test_wire_server_error_after_retries_hides_the_key(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request(PATH).respond_with_data("Service Unavailable", status=503)
    with pytest.raises(ProviderError, match="HTTP 503: Service Unavailable") as info:
        fetch_history(httpserver, fetcher)
    assert info.value.permanent is False
    assert KEY not in str(info.value)
    assert fetcher.attempts == 4
