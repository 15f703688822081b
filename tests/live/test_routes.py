"""The live routes on a bare FastAPI app: JSON snapshot, server-sent events, bad input."""

from __future__ import annotations

import datetime as dt
import json
import threading
import warnings
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from pairwatch.catalog import Catalog
from pairwatch.domain import Quote
from pairwatch.services.live import LiveHub
from pairwatch.store import Store
from pairwatch.web.errors import install_error_handlers
from pairwatch.web.routes.live import LiveState, has_live_routes, install_live, router

from .conftest import closes, ny

with warnings.catch_warnings():
    # Starlette asks for the `httpx2` fork; the `httpx` it falls back to works the same.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

NOW = ny(2026, 4, 2, 11, 0)


@pytest.fixture
def live(store: Store, catalog: Catalog) -> LiveState:
    closes(store, "iwm", {"2026-03-31": 200.0, "2026-04-01": 202.0}, "yahoo:IWM")
    closes(store, "vix", {"2026-03-31": 15.0, "2026-04-01": 16.0}, "cboe:VIX")
    closes(store, "hy-oas", {"2026-03-31": 3.10, "2026-04-01": 3.15}, "fred:BAMLH0A0HYM2")
    taken = (NOW - dt.timedelta(minutes=1)).astimezone(dt.UTC)
    store.save_quote("iwm", Quote("IWM", 204.02, taken, 202.0), "yahoo:IWM")
    return LiveState(LiveHub(), store, catalog, heartbeat=0.2, clock=lambda: NOW)


@pytest.fixture
def client(live: LiveState) -> Iterator[TestClient]:
    app = FastAPI()
    install_error_handlers(app)
    install_live(app, live)
    with TestClient(app) as test_client:
        yield test_client


def read_event(lines: Iterator[str]) -> tuple[str, dict[str, object] | None]:
    """The next event's name and JSON body, or ("comment", None) for a comment."""
    name, data = "message", None
    for line in lines:
        if line.startswith(":"):
            return "comment", None
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = json.loads(line.removeprefix("data: "))
        elif line == "" and data is not None:
            return name, data
    raise AssertionError("the stream ended")


def test_snapshot_has_values_texts_and_badges(client: TestClient) -> None:
    response = client.get("/api/v1/live", params={"ids": "iwm,VIX,hy-oas"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["generated_at"] == NOW.isoformat()
    iwm, vix, oas = (body["metrics"][m] for m in ("iwm", "vix", "hy-oas"))
    assert iwm["value"] == 204.02
    assert iwm["value_text"] == "204.02"
    assert iwm["change_text"] == "+1.00%"
    assert iwm["tone"] == "up"
    assert iwm["badge"] == "live (delayed 15 min)"
    assert iwm["as_of_text"] == "2026-04-02 10:59 EDT"
    assert vix["badge"] == "end of day"
    assert vix["as_of_text"] == "2026-04-01"
    assert oas["change_text"] == "+0.050 pp"  # a `diff` metric: change in its own unit
    assert oas["market_state"] is None


@pytest.mark.parametrize(
    ("ids", "status", "message"),
    [
        ("iwm,nope", 404, "unknown metric 'nope'"),
        (" , ", 422, "ids needs one or more metric ids"),
        (",".join(f"m{i}" for i in range(65)), 422, "at most 64"),
    ],
)  # fmt: skip
def test_bad_ids_are_refused(client: TestClient, ids: str, status: int, message: str) -> None:
    for path in ("/api/v1/live", "/api/v1/live/stream"):
        response = client.get(path, params={"ids": ids})
        assert response.status_code == status
        assert message in response.json()["error"]["message"]


def test_missing_ids_is_a_validation_error(client: TestClient) -> None:
    assert client.get("/api/v1/live").status_code == 422


def test_stream_sends_the_current_payload_at_once(client: TestClient) -> None:
    with client.stream("GET", "/api/v1/live/stream", params={"ids": "iwm,vix"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        name, data = read_event(response.iter_lines())
    assert name == "quote"
    assert data is not None
    metrics = data["metrics"]
    assert isinstance(metrics, dict) and set(metrics) == {"iwm", "vix"}
    assert metrics["iwm"]["value_text"] == "204.02"


def test_stream_forwards_published_updates_for_its_metrics(
    client: TestClient, live: LiveState
) -> None:
    update = {"type": "quote", "generated_at": "later", "metrics": {}}
    with client.stream("GET", "/api/v1/live/stream", params={"ids": "vix"}) as response:
        lines = response.iter_lines()
        read_event(lines)  # the snapshot; the client is subscribed from here on
        entry = live.payload(["vix", "iwm"])["metrics"]
        update["metrics"] = {"iwm": entry["iwm"]}  # not this client's metric: filtered
        live.hub.publish(update)
        changed = {**entry["vix"], "value": 17.25, "badge": "closed", "badge_kind": "closed"}
        publisher = threading.Thread(
            target=live.hub.publish,
            args=({"type": "quote", "generated_at": "later", "metrics": {"vix": changed}},),
        )
        publisher.start()
        name, data = read_event(lines)
        publisher.join()
    assert name == "quote"
    assert data == {"generated_at": "later", "metrics": {"vix": {**changed,
        "value_text": "17.25", "change_text": changed_text(changed), "tone": "up",
        "as_of_text": "2026-04-01"}}}  # fmt: skip


def changed_text(entry: dict[str, object]) -> str:
    pct = entry["change_pct"]
    assert isinstance(pct, float)
    return f"{pct:+.2%}"


def test_stream_sends_heartbeats_when_idle(client: TestClient) -> None:
    with client.stream("GET", "/api/v1/live/stream", params={"ids": "vix"}) as response:
        lines = response.iter_lines()
        read_event(lines)
        assert read_event(lines) == ("comment", None)


def test_stream_ends_when_the_hub_closes(client: TestClient, live: LiveState) -> None:
    with client.stream("GET", "/api/v1/live/stream", params={"ids": "vix"}) as response:
        lines = response.iter_lines()
        read_event(lines)
        live.hub.close()
        rest = list(lines)
    assert all(line == "" or line.startswith(":") for line in rest)
    assert live.hub.subscriber_count == 0


def test_routes_fall_back_to_the_site_context(store: Store, catalog: Catalog) -> None:
    closes(store, "vix", {"2026-04-01": 16.0}, "cboe:VIX")
    app = FastAPI()
    app.state.site = SimpleNamespace(store=store, catalog=catalog)
    app.include_router(router)
    with TestClient(app) as test_client:
        response = test_client.get("/api/v1/live", params={"ids": "vix"})
    assert response.status_code == 200
    assert response.json()["metrics"]["vix"]["value"] == 16.0
    assert isinstance(app.state.live, LiveState)


def test_install_live_mounts_the_router_once(live: LiveState) -> None:
    bare, mounted = FastAPI(), FastAPI()
    mounted.include_router(router)
    for app in (bare, mounted):
        before = len(app.routes)
        install_live(app, live)
        assert has_live_routes(app)
        assert len(app.routes) == (before + 1 if app is bare else before)
        assert app.state.live is live
