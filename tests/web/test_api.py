"""Route tests of the JSON API and the CSV downloads over the demo store."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pairwatch.analytics.panel import build_panel, select_window
from pairwatch.catalog import load_catalog
from pairwatch.services.compare import compare_pair
from pairwatch.services.report import report_to_dict, truncate
from pairwatch.store import Store
from tests.web.conftest import TestClient

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def store(demo_file: Path) -> Any:
    """A read-only handle on the session's demo store."""
    handle = Store(f"sqlite:///{demo_file}")
    yield handle
    handle.close()


def _json_roundtrip(data: Any) -> Any:
    """What a JSON client reads back (tuples become lists, floats stay exact)."""
    return json.loads(json.dumps(data, allow_nan=False))


def test_catalog_lists_every_metric_and_pair(client: TestClient) -> None:
    response = client.get("/api/v1/catalog")
    assert response.status_code == 200
    body = response.json()
    assert [m["id"] for m in body["metrics"]] == list(CATALOG.metrics)
    assert [p["slug"] for p in body["pairs"]] == [p.slug for p in CATALOG.pairs]
    hy = next(m for m in body["metrics"] if m["id"] == "hy-oas")
    assert hy["source"] == "fred:BAMLH0A0HYM2" and hy["change"] == "diff"


def test_metric_detail_has_latest_and_changes(client: TestClient, store: Store) -> None:
    body = client.get("/api/v1/metrics/IWM").json()
    series = store.load_series(CATALOG.metric("iwm"))
    assert body["metric"]["id"] == "iwm"
    assert body["latest"] == {
        "date": "2025-12-31",
        "close": float(series.close.iloc[-1]),
        "adj": float(series.adj.iloc[-1]),
    }
    assert body["observations"] == len(series.levels)
    assert body["synthetic"] is True
    report = report_to_dict(compare_pair(store, CATALOG, "iwm", "vix", 90, forecasts=False))
    assert body["changes"] == report["changes"]["a"]
    assert "iwm-vs-vix" in body["pairs"]


def test_series_csv_parses_and_holds_every_observation(client: TestClient, store: Store) -> None:
    response = client.get("/api/v1/metrics/hy-oas/series.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="hy-oas.csv"' in response.headers["content-disposition"]
    frame = pd.read_csv(io.StringIO(response.text), parse_dates=["date"], index_col="date")
    series = store.load_series(CATALOG.metric("hy-oas"))
    assert list(frame.columns) == ["close", "adj"]
    assert len(frame) == len(series.levels)
    assert (frame["close"].to_numpy() == series.close.to_numpy()).all()
    assert (frame.index == series.levels.index).all()


def test_series_json_matches_the_csv(client: TestClient) -> None:
    body = client.get("/api/v1/metrics/btc/series.json").json()
    frame = pd.read_csv(io.StringIO(client.get("/api/v1/metrics/btc/series.csv").text))
    assert body["metric"] == "btc" and body["synthetic"] is True
    assert len(body["observations"]) == len(frame)
    last = body["observations"][-1]
    assert [last["date"], last["close"], last["adj"]] == frame.iloc[-1].tolist()


@pytest.mark.parametrize(
    ("a", "b", "query", "window", "as_of"),
    [
        ("iwm", "vix", "window=90", 90, None),
        ("iwm", "vix", "", 90, None),
        ("hy-oas", "ig-oas", "window=max", None, None),
        ("spy", "hyg", "window=365&asof=2022-06-30", 365, "2022-06-30"),
    ],
)
def test_compare_is_exactly_the_cli_report(
    client: TestClient,
    store: Store,
    a: str,
    b: str,
    query: str,
    window: int | None,
    as_of: str | None,
) -> None:
    day = None if as_of is None else dt.date.fromisoformat(as_of)
    response = client.get(f"/api/v1/compare/{a}-vs-{b}?{query}")
    assert response.status_code == 200
    expected = report_to_dict(compare_pair(store, CATALOG, a, b, window, day))
    assert response.json() == _json_roundtrip(expected)
    assert list(response.json()) == list(expected)


def test_panel_csv_is_the_aligned_window(client: TestClient, store: Store) -> None:
    response = client.get("/api/v1/compare/btc-vs-vix/panel.csv?window=182")
    assert response.status_code == 200
    assert 'filename="btc-vs-vix_182_panel.csv"' in response.headers["content-disposition"]
    frame = pd.read_csv(io.StringIO(response.text), parse_dates=["date"], index_col="date")
    assert list(frame.columns) == ["a_close", "a_adj", "b_close", "b_adj"]
    a = store.load_series(CATALOG.metric("btc"))
    b = store.load_series(CATALOG.metric("vix"))
    expected = select_window(build_panel(a, b), 182).levels
    assert (frame.index == expected.index).all()
    assert (frame.to_numpy() == expected.to_numpy()).all()
    assert frame.index[-1].isoformat().startswith("2025-12-31")


def test_panel_csv_respects_asof(client: TestClient, store: Store) -> None:
    text = client.get("/api/v1/compare/iwm-vs-vix/panel.csv?window=30&asof=2020-03-20").text
    frame = pd.read_csv(io.StringIO(text), parse_dates=["date"], index_col="date")
    cut = dt.date(2020, 3, 20)
    a = truncate(store.load_series(CATALOG.metric("iwm")), cut)
    b = truncate(store.load_series(CATALOG.metric("vix")), cut)
    assert len(frame) == len(select_window(build_panel(a, b), 30).levels)
    assert frame.index[-1].date() == cut


def test_stats_csv_is_the_statistics_table(client: TestClient, store: Store) -> None:
    response = client.get("/api/v1/compare/iwm-vs-vix/stats.csv")
    assert response.status_code == 200
    frame = pd.read_csv(io.StringIO(response.text), index_col="figure")
    assert list(frame.columns) == ["a", "b", "pair"]
    stats = report_to_dict(compare_pair(store, CATALOG, "iwm", "vix", 90, forecasts=False))["stats"]
    assert float(frame.loc["volatility", "a"]) == stats["a"]["volatility"]
    assert float(frame.loc["max_drawdown", "b"]) == stats["b"]["max_drawdown"]
    assert float(frame.loc["correlation", "pair"]) == stats["correlation"]
    assert float(frame.loc["correlation_ci_low", "pair"]) == stats["correlation_ci"][0]
    assert float(frame.loc["ratio_zscore", "pair"]) == stats["ratio"]["zscore"]
    assert float(frame.loc["observations", "pair"]) == stats["observations"]


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/api/v1/compare/iwm-vs-vix?window=abc", 422, "window must be"),
        ("/api/v1/compare/iwm-vs-vix?window=0", 422, "window must be from 5"),
        ("/api/v1/compare/iwm-vs-vix?window=99999", 422, "window must be from 5"),
        ("/api/v1/compare/iwm-vs-vix?asof=31/12/2025", 422, "asof must be a date"),
        ("/api/v1/compare/iwm-vs-vix?asof=1999-01-01", 422, "before the data"),
        ("/api/v1/compare/iwm-vs-iwm", 422, "with itself"),
        ("/api/v1/compare/foo-vs-vix", 404, "unknown metric 'foo'"),
        ("/api/v1/compare/iwm-vs-foo/panel.csv", 404, "unknown metric 'foo'"),
        ("/api/v1/compare/iwm-vix", 404, "not a comparison"),
        ("/api/v1/metrics/foo", 404, "unknown metric 'foo'"),
        ("/api/v1/metrics/foo/series.csv", 404, "unknown metric 'foo'"),
        ("/api/v1/compare/iwm-vs-vix/stats.csv?window=3", 422, "window must be from 5"),
        ("/api/v1/nothing-here", 404, "no such page"),
    ],
)
def test_api_errors_are_json(client: TestClient, path: str, status: int, says: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == status
    assert says in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/catalog",
        "/api/v1/metrics/vix",
        "/api/v1/metrics/vix/series.csv",
        "/api/v1/metrics/vix/series.json",
        "/api/v1/compare/iwm-vs-vix",
        "/api/v1/compare/iwm-vs-vix/panel.csv",
        "/api/v1/compare/iwm-vs-vix/stats.csv",
    ],
)
def test_api_responses_are_cacheable(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["etag"].startswith('W/"')
    again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
