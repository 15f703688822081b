"""CoinGecko: pure parsing of hand-written fixtures, then the wire through `Fetcher`.

`bitcoin_market_chart.json` extends the example in CoinGecko's `market_chart` reference:
1711843200000 is 2024-03-31 00:00 UTC and closes 2024-03-30; 1711983682000 is 2024-04-01
15:01:22 UTC, the live price.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from pairwatch.domain import Observation
from pairwatch.errors import DataError, ProviderError
from pairwatch.providers.base import HistoryQuery, HttpResponse, Provider
from pairwatch.providers.coingecko import CoinGeckoProvider
from pairwatch.providers.http import Fetcher

FIXTURES = Path(__file__).parent.parent / "fixtures" / "coingecko"
BASE = "http://coingecko.test"
KEY = "CG-s3cr3t-demo-key"
TODAY = dt.date(2024, 4, 1)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def provider(base: str = BASE, key: str | None = None) -> CoinGeckoProvider:
    return CoinGeckoProvider(base, key, today=lambda: TODAY)


def respond(content: bytes, status: int = 200, coin: str = "bitcoin") -> HttpResponse:
    request = provider().history_request(HistoryQuery(coin))
    return HttpResponse(request, status, {"content-type": "application/json"}, content)


def history(content: bytes, **query: Any) -> list[Observation]:
    return provider().parse_history(respond(content), HistoryQuery("bitcoin", **query))


def prices(*points: list[Any]) -> bytes:
    return json.dumps({"prices": list(points), "market_caps": [], "total_volumes": []}).encode()


# --- requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days"),
    [
        (None, "365"),
        (dt.date(2024, 3, 30), "4"),  # 2 days back, plus 2 for the 00:00 UTC shift
        (dt.date(2024, 4, 1), "2"),
        (dt.date(2023, 4, 2), "365"),  # 365 days back + 2, capped
        (dt.date(2020, 1, 1), "365"),
    ],
)
def test_days_cover_the_start_within_the_public_limit(start: dt.date | None, days: str) -> None:
    request = provider().history_request(HistoryQuery("bitcoin", start=start))
    assert request.url == "http://coingecko.test/api/v3/coins/bitcoin/market_chart"
    assert request.params == (("vs_currency", "usd"), ("days", days), ("interval", "daily"))
    assert request.headers == ()


def test_key_goes_in_the_demo_header_only() -> None:
    keyed = provider(key=KEY)
    request = keyed.history_request(HistoryQuery("bitcoin"))
    assert request.headers == (("x-cg-demo-api-key", KEY),)
    assert KEY not in request.display_url
    assert KEY not in repr(keyed)
    assert (keyed.min_interval, provider().min_interval) == (2.0, 2.5)
    assert isinstance(keyed, Provider)


def test_quote_request() -> None:
    request = provider().quote_request("bitcoin")
    assert request.full_url == (
        "http://coingecko.test/api/v3/simple/price?ids=bitcoin&vs_currencies=usd"
        "&include_last_updated_at=true&include_24hr_change=true"
    )


# --- pure parsing ---------------------------------------------------------------------------


def test_midnight_points_close_the_previous_utc_day_and_live_point_is_dropped() -> None:
    assert history(fixture("bitcoin_market_chart.json")) == [
        Observation(dt.date(2024, 3, 29), 69893.44553462),
        Observation(dt.date(2024, 3, 30), 69702.3087473573),
        Observation(dt.date(2024, 3, 31), 71246.9514406015),
    ]


def test_history_is_clipped_to_the_query_window() -> None:
    rows = history(fixture("bitcoin_market_chart.json"), start=dt.date(2024, 3, 30))
    assert [r.date for r in rows] == [dt.date(2024, 3, 30), dt.date(2024, 3, 31)]


def test_only_midnight_points_is_fine() -> None:
    rows = history(prices([1711843200000, 69702.3087473573], [1711929600000, 71246]))
    assert rows == [
        Observation(dt.date(2024, 3, 30), 69702.3087473573),
        Observation(dt.date(2024, 3, 31), 71246.0),
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (prices([1711843200000, 1.0], [1711900000000, 2.0], [1711929600000, 3.0]), "not at 00:00"),
        (prices([1711843200000, None], [1711929600000, 3.0]), "bad price value None"),
        (prices([1711843200000]), "bad price point"),
        (prices(["1711843200000", 1.0]), "bad timestamp"),
        (prices([1711983682000, 68887.7495158568]), "no observations"),
        (b'{"market_caps": []}', "no 'prices' array"),
    ],
    ids=["hourly-in-middle", "null", "short-point", "text-stamp", "live-only", "no-prices"],
)
def test_malformed_bodies_are_data_errors(body: bytes, reason: str) -> None:
    with pytest.raises(DataError, match=reason):
        history(body)


def test_quote_price_time_and_24h_reference() -> None:
    request = provider().quote_request("bitcoin")
    response = HttpResponse(request, 200, {}, fixture("bitcoin_simple_price.json"))
    quote = provider().parse_quote(response, "bitcoin")
    assert quote.price == 66000.0
    assert quote.as_of == dt.datetime(2024, 4, 1, 15, 1, 22, tzinfo=dt.UTC)
    # +10 % in 24 h: the price a day earlier was 60000 (66000 / 1.1).
    assert quote.previous_close == pytest.approx(60000.0, rel=1e-12)
    assert quote.currency == "USD"


@pytest.mark.parametrize(("change", "previous"), [(-50, 132000.0), (None, None), (-100.0, None)])
def test_quote_day_ago_price_from_the_change(change: float | None, previous: float | None) -> None:
    entry: dict[str, Any] = {"usd": 66000, "last_updated_at": 1711983682}
    if change is not None:
        entry["usd_24h_change"] = change
    body = json.dumps({"bitcoin": entry}).encode()
    response = HttpResponse(provider().quote_request("bitcoin"), 200, {}, body)
    assert provider().parse_quote(response, "bitcoin").previous_close == previous


def test_quote_for_unknown_coin_is_a_data_error() -> None:
    response = HttpResponse(provider().quote_request("nocoin"), 200, {}, b"{}")
    with pytest.raises(DataError, match="no USD price for 'nocoin'"):
        provider().parse_quote(response, "nocoin")


def test_unknown_coin_error_body_is_permanent() -> None:
    with pytest.raises(ProviderError, match="HTTP 404: coin not found") as info:
        provider().parse_history(respond(fixture("coin_not_found.json"), 404), HistoryQuery("x"))
    assert info.value.permanent is True


# --- on the wire, through the real Fetcher -------------------------------------------------

PATH = "/api/v3/coins/bitcoin/market_chart"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fetcher(sleeps: list[float]) -> Iterator[Fetcher]:
    with Fetcher(user_agent="pairwatch-test", sleep=sleeps.append) as f:
        yield f


def fetch_history(
    server: HTTPServer, fetcher: Fetcher, key: str | None = None, **query: Any
) -> list[Observation]:
    source = provider(server.url_for("").rstrip("/"), key)
    wanted = HistoryQuery("bitcoin", **query)
    response = fetcher.fetch(source.history_request(wanted), provider="coingecko", symbol="bitcoin")
    return source.parse_history(response, wanted)


def test_wire_sends_key_header_and_exact_query(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(
        PATH,
        query_string="vs_currency=usd&days=4&interval=daily",
        headers={"x-cg-demo-api-key": KEY},
    ).respond_with_data(fixture("bitcoin_market_chart.json"), content_type="application/json")
    rows = fetch_history(httpserver, fetcher, KEY, start=dt.date(2024, 3, 30))
    assert [r.close for r in rows] == [69702.3087473573, 71246.9514406015]
    request, _ = httpserver.log[0]
    assert request.environ["REQUEST_URI"] == PATH + "?vs_currency=usd&days=4&interval=daily"


def test_wire_keyless_sends_no_key_header(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(PATH).respond_with_data(
        fixture("bitcoin_market_chart.json"), content_type="application/json"
    )
    fetch_history(httpserver, fetcher)
    request, _ = httpserver.log[0]
    assert "x-cg-demo-api-key" not in request.headers


def test_wire_range_limit_401_is_permanent_not_retried_and_hides_the_key(
    httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    httpserver.expect_request(PATH).respond_with_data(
        fixture("range_exceeded.json"), status=401, content_type="application/json"
    )
    with pytest.raises(ProviderError) as info:
        fetch_history(httpserver, fetcher, KEY)
    error = info.value
    assert (error.status, error.permanent) == (401, True)
    assert error.reason.startswith("HTTP 401 (error_code 10012): Your request exceeds the")
    assert fetcher.attempts == 1
    assert sleeps == []
    request, _ = httpserver.log[0]
    assert request.headers["x-cg-demo-api-key"] == KEY  # sent ...
    assert KEY not in str(error)  # ... never shown
    assert KEY not in error.url


def test_wire_rate_limit_then_200(
    httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request(PATH).respond_with_data(
        fixture("rate_limited.json"),
        status=429,
        content_type="application/json",
        headers={"Retry-After": "60"},
    )
    httpserver.expect_request(PATH).respond_with_data(
        fixture("bitcoin_market_chart.json"), content_type="application/json"
    )
    assert len(fetch_history(httpserver, fetcher)) == 3
    assert sleeps == [60.0]


def test_wire_rate_limit_exhausted_is_transient(
    httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]
) -> None:
    httpserver.expect_request(PATH).respond_with_data(
        fixture("rate_limited.json"), status=429, content_type="application/json"
    )
    with pytest.raises(ProviderError, match="You've exceeded the Rate Limit") as info:
        fetch_history(httpserver, fetcher)
    assert (info.value.status, info.value.permanent) == (429, False)
    assert sleeps == [1.0, 2.0, 4.0]


def test_wire_500_then_200(httpserver: HTTPServer, fetcher: Fetcher, sleeps: list[float]) -> None:
    httpserver.expect_oneshot_request(PATH).respond_with_data("upstream error", status=500)
    httpserver.expect_request(PATH).respond_with_data(
        fixture("bitcoin_market_chart.json"), content_type="application/json"
    )
    assert len(fetch_history(httpserver, fetcher)) == 3
    assert sleeps == [1.0]


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (fixture("bitcoin_market_chart.json")[:120], "application/json", "not a JSON object"),
        (b"<html><head><title>Just a moment...</title></head></html>", "text/html", "HTML page"),
        (b'{"prices": [], "market_caps": [], "total_volumes": []}', "application/json", "no obs"),
    ],
    ids=["truncated", "html", "empty"],
)
def test_wire_bad_200_bodies_are_data_errors(
    httpserver: HTTPServer, fetcher: Fetcher, body: bytes, content_type: str, reason: str
) -> None:
    httpserver.expect_request(PATH).respond_with_data(body, content_type=content_type)
    with pytest.raises(DataError, match=reason):
        fetch_history(httpserver, fetcher)


def test_wire_quote(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(
        "/api/v3/simple/price",
        query_string=(
            "ids=bitcoin&vs_currencies=usd&include_last_updated_at=true&include_24hr_change=true"
        ),
    ).respond_with_data(fixture("bitcoin_simple_price.json"), content_type="application/json")
    source = provider(httpserver.url_for("").rstrip("/"))
    request = source.quote_request("bitcoin")
    response = fetcher.fetch(request, provider="coingecko", symbol="bitcoin")
    assert source.parse_quote(response, "bitcoin").price == 66000.0
