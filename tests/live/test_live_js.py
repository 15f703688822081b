"""static/live.js in headless Chromium: header fields follow the stream, and polling takes
over without EventSource. Skipped without Chromium, except under CI=true."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

import pairwatch.web
from pairwatch.catalog import Catalog
from pairwatch.domain import Quote
from pairwatch.services.live import LiveHub
from pairwatch.store import Store
from pairwatch.web.routes.live import LiveState, install_live

from .conftest import closes, ny

NOW = ny(2026, 4, 2, 11, 0)
STATIC = Path(pairwatch.web.__file__).parent / "static"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() == "true"

PAGE = """<!doctype html><html><head><title>live</title><link rel="icon" href="data:,"></head><body>
<section data-live-ids="iwm,vix">
{legs}
</section>
<script src="/static/live.js"></script>
</body></html>"""
LEG = """<div><span data-live-value="{id}">old</span>
<span class="change" data-live-change="{id}">old</span>
<span data-live-asof="{id}">old</span>
<span class="badge eod" data-live-badge="{id}">old</span></div>"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Site:
    url: str
    live: LiveState


@pytest.fixture
def site(store: Store, catalog: Catalog) -> Iterator[Site]:
    """A bare app with the live routes, the static files and a two-leg test page."""
    closes(store, "iwm", {"2026-03-31": 200.0, "2026-04-01": 202.0}, "yahoo:IWM")
    closes(store, "vix", {"2026-03-31": 15.0, "2026-04-01": 16.0}, "cboe:VIX")
    taken = (NOW - dt.timedelta(minutes=1)).astimezone(dt.UTC)
    store.save_quote("iwm", Quote("IWM", 204.02, taken, 202.0), "yahoo:IWM")
    live = LiveState(LiveHub(), store, catalog, heartbeat=1.0, clock=lambda: NOW)
    app = FastAPI()
    install_live(app, live)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    legs = "\n".join(LEG.format(id=m) for m in ("iwm", "vix"))
    app.add_api_route("/", lambda: HTMLResponse(PAGE.format(legs=legs)), methods=["GET"])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, ws="none",
                       timeout_graceful_shutdown=1)
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.02)
    yield Site(f"http://127.0.0.1:{port}/", live)
    live.hub.close()
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("CI=true but chromium is not installed")
        pytest.skip("needs Chromium (Debian package `chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def open_page(browser: Any, url: str, *, no_event_source: bool = False) -> tuple[Any, list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if no_event_source:
        page.add_init_script("delete window.EventSource;")
    page.goto(url)
    return page, errors


def field(page: Any, kind: str, metric_id: str) -> Any:
    return page.locator(f'[data-live-{kind}="{metric_id}"]')


def test_the_stream_fills_the_header_and_follows_updates(browser: Any, site: Site) -> None:
    from playwright.sync_api import expect

    page, errors = open_page(browser, site.url)
    expect(field(page, "badge", "iwm")).to_have_text("live (delayed 15 min)")
    expect(field(page, "badge", "iwm")).to_have_class("badge live")
    expect(field(page, "value", "iwm")).to_have_text("204.02")
    expect(field(page, "change", "iwm")).to_have_text("+1.00%")
    expect(field(page, "change", "iwm")).to_have_class("change up")
    expect(field(page, "asof", "iwm")).to_have_text("2026-04-02 10:59 EDT")
    expect(field(page, "badge", "vix")).to_have_text("end of day")
    assert page.evaluate("window.pairwatchLive.state().mode") == "stream"

    entry = site.live.payload(["vix"])["metrics"]["vix"]
    lower = {**entry, "value": 15.2, "change": -0.8, "change_pct": 15.2 / 16.0 - 1}
    site.live.hub.publish({"type": "quote", "generated_at": "t", "metrics": {"vix": lower}})
    expect(field(page, "value", "vix")).to_have_text("15.20")
    expect(field(page, "change", "vix")).to_have_text("-5.00%")
    expect(field(page, "change", "vix")).to_have_class("change down")
    expect(field(page, "value", "iwm")).to_have_text("204.02")  # untouched
    assert errors == []


def test_without_event_source_the_page_polls(browser: Any, site: Site) -> None:
    from playwright.sync_api import expect

    page, errors = open_page(browser, site.url, no_event_source=True)
    expect(field(page, "value", "iwm")).to_have_text("204.02")
    expect(field(page, "badge", "vix")).to_have_text("end of day")
    assert page.evaluate("window.pairwatchLive.state().mode") == "polling"
    assert errors == []


def test_a_refused_stream_falls_back_to_polling(browser: Any, site: Site) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    page.route("**/api/v1/live/stream*", lambda route: route.fulfill(status=503, body="busy"))
    page.goto(site.url)
    expect(field(page, "value", "iwm")).to_have_text("204.02")
    assert page.evaluate("window.pairwatchLive.state().mode") == "polling"
