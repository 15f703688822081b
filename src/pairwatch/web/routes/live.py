"""Live header values: a JSON snapshot and a server-sent event stream.

- `GET /api/v1/live?ids=iwm,vix`: `quote_payload` for those metrics, each entry with
  its display texts (`value_text`, `change_text`, `tone`, `as_of_text`).
- `GET /api/v1/live/stream?ids=iwm,vix`: `text/event-stream`; the current payload at
  once as `event: quote`, then an `event: quote` with the entries that changed whenever
  the jobs publish one about these metrics, and a `: heartbeat` comment after
  `heartbeat` seconds without news. `static/live.js` consumes both.

The app needs a `LiveState` in `app.state.live` (`install_live` puts it there); without
one, the first request builds one over the site's context with a hub of its own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.routing import NoMatchFound

from pairwatch.catalog import Catalog
from pairwatch.domain import ChangeKind
from pairwatch.errors import InvalidRequestError
from pairwatch.services.live import (
    CLOSED,
    MARKET_ZONE,
    Event,
    LiveHub,
    quote_payload,
    select,
    utc_now,
)
from pairwatch.services.market_hours import Market
from pairwatch.store import Store
from pairwatch.web import formatting

router = APIRouter(prefix="/api/v1", tags=["live"])

SNAPSHOT_ROUTE = "live-values"
MAX_IDS = 64
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 5000
IDS_HELP = "Metric ids separated by commas, e.g. iwm,vix (at most 12)."
NO_STORE = {"Cache-Control": "no-store"}
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@dataclass
class LiveState:
    """What the live routes need: the hub, the store and catalog, the clock, the heartbeat."""

    hub: LiveHub
    store: Store
    catalog: Catalog
    heartbeat: float = HEARTBEAT_SECONDS
    clock: Callable[[], dt.datetime] = utc_now

    def payload(self, metric_ids: Sequence[str]) -> Event:
        """The current live payload of `metric_ids` (blocking: store reads)."""
        return quote_payload(self.store, self.catalog, metric_ids, now=self.clock())


def install_live(app: FastAPI, state: LiveState) -> None:
    """Give `app` its live state, and mount the router unless the app already has it."""
    app.state.live = state
    if not has_live_routes(app):
        app.include_router(router)


def has_live_routes(app: FastAPI) -> bool:
    """True when `app` already serves the live routes (found by route name)."""
    try:
        app.url_path_for(SNAPSHOT_ROUTE)
    except NoMatchFound:
        return False
    return True


async def get_live(request: Request) -> LiveState:
    """The app's LiveState, built from the site's context on first use when missing."""
    state = getattr(request.app.state, "live", None)
    if state is not None:
        return cast(LiveState, state)
    site = getattr(request.app.state, "site", None)
    if site is None:
        raise RuntimeError("the live routes need app.state.live: call install_live(app, ...)")
    built = LiveState(LiveHub(), site.store, site.catalog)
    request.app.state.live = built
    return built


LiveDep = Annotated[LiveState, Depends(get_live)]
IdsQuery = Annotated[str, Query(description=IDS_HELP, max_length=400)]


def parse_ids(text: str, catalog: Catalog) -> list[str]:
    """Canonical metric ids from `iwm,vix`; unknown ids raise UnknownMetricError (404)."""
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unique = list(dict.fromkeys(wanted))
    if not unique:
        raise InvalidRequestError("ids needs one or more metric ids, e.g. ids=iwm,vix")
    if len(unique) > MAX_IDS:
        raise InvalidRequestError(
            f"ids takes at most {MAX_IDS} metric ids, got {len(unique)}; ask in several requests"
        )
    return [catalog.metric(metric_id).id for metric_id in unique]


# --- display texts -------------------------------------------------------------------


def _change_figure(entry: dict[str, Any]) -> float | None:
    """The change the page shows: a fraction for `log` metrics, units for `diff` ones."""
    if entry["change_kind"] == ChangeKind.LOG.value:
        return cast(float | None, entry["change_pct"])
    return cast(float | None, entry["change"])


def as_of_text(entry: dict[str, Any]) -> str:
    """'2026-04-02 15:45 EDT' for a quote (in its market's zone), the date for a close."""
    stamp = entry["as_of"]
    if stamp is None:
        return formatting.DASH
    if not entry["from_quote"]:
        return str(stamp)
    zone = MARKET_ZONE[Market(entry["market"])]
    return dt.datetime.fromisoformat(stamp).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def with_text(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry plus the texts the page shows, formatted as the server-rendered page does."""
    figure = _change_figure(entry)
    return {
        **entry,
        "value_text": formatting.level(entry["value"]),
        "change_text": formatting.change(figure, entry["change_kind"], entry["unit"]),
        "tone": formatting.tone(figure),
        "as_of_text": as_of_text(entry),
    }


def texts(payload: Event) -> Event:
    """A payload whose entries carry their display texts."""
    metrics = {m: with_text(entry) for m, entry in payload["metrics"].items()}
    return {**payload, "metrics": metrics}


# --- server-sent events --------------------------------------------------------------


def sse(event: str, data: Event) -> str:
    """One server-sent event with a JSON body."""
    body = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return f"event: {event}\ndata: {body}\n\n"


async def event_stream(live: LiveState, metric_ids: Sequence[str]) -> AsyncIterator[str]:
    """The stream of one client: the current payload, then updates and heartbeats.

    It subscribes before reading the current payload, so no update falls in between.
    """
    subscription = live.hub.subscribe()
    try:
        first = await run_in_threadpool(live.payload, metric_ids)
        yield f"retry: {RETRY_MS}\n" + sse("quote", texts(first))
        while True:
            event = await subscription.next_event(live.heartbeat)
            if event is None:
                yield ": heartbeat\n\n"
            elif event.get("type") == CLOSED["type"]:
                return
            elif (chosen := select(event, metric_ids)) is not None:
                yield sse("quote", texts(chosen))
    finally:
        subscription.close()


@router.get(
    "/live", name=SNAPSHOT_ROUTE, summary="Latest values of some metrics, with their freshness"
)
def live_values(ids: IdsQuery, live: LiveDep) -> JSONResponse:
    """For each metric: value, previous close, change, as-of time, source, market state
    and freshness badge ("live (delayed 15 min)", "end of day", "closed", "stale since ...")."""
    metric_ids = parse_ids(ids, live.catalog)
    return JSONResponse(texts(live.payload(metric_ids)), headers=NO_STORE)


@router.get(
    "/live/stream",
    summary="Server-sent events with the latest values of some metrics",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def live_stream(ids: IdsQuery, live: LiveDep) -> StreamingResponse:
    """`event: quote` with the payload of `/api/v1/live` at once, then with every update;
    a `: heartbeat` comment keeps idle connections open."""
    metric_ids = parse_ids(ids, live.catalog)
    return StreamingResponse(
        event_stream(live, metric_ids), media_type="text/event-stream", headers=SSE_HEADERS
    )
