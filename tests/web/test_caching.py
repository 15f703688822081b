"""ETags, 304s, data-version invalidation, quotes and missing data, on writable stores."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pairwatch.domain import Observation, Quote
from pairwatch.services import cache as cache_module
from pairwatch.store import SYNTHETIC_SOURCE, Store
from pairwatch.web import views
from tests.web.conftest import TestClient, site

MakeClient = Callable[[Store], TestClient]


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a 304 must not compute the response")


def test_page_304_does_not_recompute(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    first = client.get("/compare/spy-vs-vix?window=182")
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60"
    monkeypatch.setattr(views, "compare_view", _refuse)
    again = client.get("/compare/spy-vs-vix?window=182", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["etag"] == tag


def test_api_304_does_not_recompute(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    tag = client.get("/api/v1/compare/qqq-vs-vix").headers["etag"]
    monkeypatch.setattr(site(client.app), "report", _refuse)
    headers = {"If-None-Match": f'"other", {tag}'}
    assert client.get("/api/v1/compare/qqq-vs-vix", headers=headers).status_code == 304


def test_etags_differ_by_window_and_asof(client: TestClient) -> None:
    paths = (
        "/api/v1/compare/iwm-vs-vix",
        "/api/v1/compare/iwm-vs-vix?window=30",
        "/api/v1/compare/iwm-vs-vix?window=30&asof=2024-01-31",
        "/api/v1/compare/vix-vs-iwm",
    )
    tags = {client.get(path).headers["etag"] for path in paths}
    assert len(tags) == len(paths)
    assert client.get(paths[0]).headers["etag"] == client.get(paths[0]).headers["etag"]


def test_a_refresh_changes_the_etag_and_recomputes_once(
    demo_store: Store, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(demo_store)
    calls: list[tuple[str, str]] = []
    real = cache_module.compare_pair

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append((args[2], args[3]))
        return real(*args, **kwargs)

    monkeypatch.setattr(cache_module, "compare_pair", counting)
    first = client.get("/api/v1/compare/iwm-vs-vix")
    client.get("/api/v1/compare/iwm-vs-vix")
    assert len(calls) == 1
    last = demo_store.load_series(site(client.app).catalog.metric("iwm")).close.iloc[-1]
    new = Observation(dt.date(2026, 1, 2), float(last) * 1.01, float(last) * 1.01)
    demo_store.upsert("iwm", [new], SYNTHETIC_SOURCE, synthetic=True)
    headers = {"If-None-Match": first.headers["etag"]}
    fresh = client.get("/api/v1/compare/iwm-vs-vix", headers=headers)
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != first.headers["etag"]
    assert fresh.json()["changes"]["a"]["date"] == "2026-01-02"
    for _ in range(3):
        client.get("/api/v1/compare/iwm-vs-vix")
    assert len(calls) == 2


def test_a_newer_quote_shows_as_delayed(demo_store: Store, make_client: MakeClient) -> None:
    client = make_client(demo_store)
    before = client.get("/compare/iwm-vs-vix")
    assert "delayed" not in before.text[: before.text.index('id="charts"')]
    stamp = dt.datetime(2026, 1, 2, 15, 30, tzinfo=dt.UTC)
    quote = Quote("IWM", 181.25, stamp, previous_close=177.51002214626033)
    demo_store.save_quote("iwm", quote, "yahoo:IWM")
    after = client.get("/compare/iwm-vs-vix", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    header = after.text[after.text.index('id="overview"') : after.text.index('id="charts"')]
    assert "181.25" in header
    assert "delayed" in header
    assert "2026-01-02 15:30 UTC" in header
    assert f"{181.25 / 177.51002214626033 - 1:+.2%}" in header
    # The statistics still run on the daily closes.
    assert "Pair statistics run to" not in header


def _weekdays(start: str, count: int) -> pd.DatetimeIndex:
    return pd.bdate_range(start, periods=count)


def _fill(store: Store, metric_id: str, start: str, count: int, seed: int) -> None:
    """A hand-made random walk of `count` weekdays (not synthetic-flagged)."""
    rng = np.random.default_rng(seed)
    levels = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, count)))
    rows = [
        Observation(day.date(), float(v), float(v))
        for day, v in zip(_weekdays(start, count), levels, strict=True)
    ]
    store.upsert(metric_id, rows, f"yahoo:{metric_id.upper()}")


@pytest.fixture
def small_store(tmp_path: Path) -> Any:
    """A store with real-looking (provider-sourced) IWM and SPY only; no VIX."""
    store = Store(f"sqlite:///{tmp_path / 'small.sqlite'}")
    _fill(store, "iwm", "2025-06-02", 150, seed=1)
    _fill(store, "spy", "2025-06-02", 150, seed=2)
    yield store
    store.close()


def test_missing_data_answers_409_with_the_fix(small_store: Store, make_client: MakeClient) -> None:
    client = make_client(small_store)
    page = client.get("/compare/iwm-vs-vix")
    assert page.status_code == 409
    assert "pairwatch fetch vix" in page.text
    api = client.get("/api/v1/compare/iwm-vs-vix")
    assert api.status_code == 409
    assert api.json()["error"]["type"] == "NoDataError"
    assert client.get("/api/v1/metrics/vix/series.csv").status_code == 409
    assert client.get("/embed/vix-vs-iwm").status_code == 409


def test_pages_degrade_without_data(small_store: Store, make_client: MakeClient) -> None:
    client = make_client(small_store)
    home = client.get("/")
    assert home.status_code == 200
    assert "no data yet" in home.text
    assert "SYNTHETIC DATA" not in home.text
    metric = client.get("/metrics/vix")
    assert metric.status_code == 200
    assert "pairwatch fetch vix" in metric.text
    detail = client.get("/api/v1/metrics/vix").json()
    assert detail["latest"] is None and detail["changes"] is None
    assert "pairwatch fetch vix" in detail["notes"]["data"]


def test_a_pair_without_its_gauge_still_renders(
    small_store: Store, make_client: MakeClient
) -> None:
    client = make_client(small_store)
    response = client.get("/compare/iwm-vs-spy")
    assert response.status_code == 200
    html = response.text
    assert "SYNTHETIC DATA" not in html
    assert "gauge &#39;vix&#39; has no data" in html or "no gauge" in html
    assert "Source: Yahoo Finance (IWM)" in html
    assert "90-day statistics" in html


def test_a_short_window_explains_the_missing_sections(client: TestClient) -> None:
    html = client.get("/compare/iwm-vs-vix?asof=2015-01-09&window=max").text
    assert "needs 10 changes" in html
    assert "needs 30 changes" in html


def test_live_script_loads_only_when_the_app_serves_live_quotes(
    demo_store: Store, make_client: MakeClient
) -> None:
    client = make_client(demo_store)
    assert "live.js" not in client.get("/metrics/spy").text
    client.app.state.live = object()  # type: ignore[attr-defined]
    found = re.search(r'<script src="(/static/live\.js\?v=[^"]+)" defer>', client.get("/").text)
    assert found is not None
    assert client.get(found.group(1)).status_code == 200
