"""Browser tests: the real `pairwatch serve` app on loopback, driven in headless Chromium.

One server (uvicorn in a thread, via `PairwatchServer` with the scheduler off) over a
temporary SQLite store holding the demo history, and one Chromium, both shared by every
test of this package; each test gets a fresh browser context. The fixtures are
package-scoped rather than session-scoped so Playwright's sync driver is stopped before
other packages (tests/live) start one of their own.

The server's clocks are pinned to Friday 2026-01-02 11:00 New York time, two days after
the demo history ends, so badges read "end of day" and a fresh quote reads "live".

Without Chromium these tests skip, except under CI=true where they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request

from pairwatch.catalog import Catalog, load_catalog
from pairwatch.config import Settings
from pairwatch.serve import PairwatchServer
from pairwatch.services.demo import load_demo
from pairwatch.store import Store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
NOW = dt.datetime(2026, 1, 2, 16, 0, tzinfo=dt.UTC)  # Friday, 11:00 in New York
START_TIMEOUT = 30.0
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}
LIVE_STREAM = "/api/v1/live/stream"
PLOTLY_PATH = "/static/vendor/plotly.min.js"
ABORTED = "net::ERR_ABORTED"
CHARTS_READY = "() => window.pairwatchCharts !== undefined && window.pairwatchCharts.ready"
# Sets window.redrawn once charts.js has drawn again (after a theme or colour-scheme change).
REDRAWN = """() => { window.redrawn = false;
  document.addEventListener('pairwatch:charts', () => { window.redrawn = true; }, { once: true });
}"""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    """The running site: its base URL (no trailing slash) and the server's objects."""

    url: str
    server: PairwatchServer

    @property
    def store(self) -> Store:
        """The store the site reads (the server's own)."""
        return self.server.context.store

    @property
    def catalog(self) -> Catalog:
        """The server's catalog."""
        return self.server.context.catalog

    def get_json(self, path: str) -> Any:
        """GET a JSON document from the site."""
        import json

        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.load(response)


def _wait_until_answering(url: str, thread: threading.Thread, server: PairwatchServer) -> None:
    """Block until uvicorn has started and the home page answers 200."""
    deadline = time.monotonic() + START_TIMEOUT
    while not server.server.started:
        if not thread.is_alive():
            raise RuntimeError("the pairwatch server thread died while starting")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the pairwatch server did not start in {START_TIMEOUT:.0f} s")
        time.sleep(0.02)
    with urllib.request.urlopen(url + "/", timeout=START_TIMEOUT) as response:
        if response.status != 200:
            raise RuntimeError(f"GET / answered {response.status}")


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`pairwatch serve` (no scheduled jobs) over a demo store, on a free loopback port."""
    folder = tmp_path_factory.mktemp("browser-site")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    seed = Store(url)
    load_demo(seed, load_catalog())
    seed.close()
    settings = Settings(home=folder / "home", database_url=url, catalog_file=None)
    port = free_port()
    server = PairwatchServer(HOST, port, settings=settings, run_jobs=False)
    server.app.state.site.today = NOW.date
    server.app.state.live.clock = lambda: NOW
    server.jobs.refresher.clock = lambda: NOW
    thread = threading.Thread(target=server.run, name="pairwatch-browser-server", daemon=True)
    thread.start()
    base = f"http://{HOST}:{port}"
    try:
        _wait_until_answering(base, thread, server)
        yield Served(base, server)
    finally:
        server.stop()
        thread.join(15)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium (Debian's) for the package."""
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("CI=true but chromium is not installed: the browser tests must run")
        pytest.skip("needs Chromium (Debian package `chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watch:
    """What a page did: console errors, page errors, failed requests, every URL requested."""

    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location['url']})")

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"pageerror: {error}")

    def on_request_failed(self, request: Request) -> None:
        if request.failure == ABORTED and urlsplit(request.url).path == LIVE_STREAM:
            return  # the page's event stream, cut when the page unloads or reloads
        self.failed.append(f"{request.method} {request.url}: {request.failure}")

    def on_request(self, request: Request) -> None:
        self.requested.append(request.url)

    def foreign(self) -> list[str]:
        """Requested URLs whose host is not the loopback server (CDNs, fonts, trackers)."""
        return [
            url
            for url in self.requested
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != HOST
        ]

    def assert_clean(self) -> None:
        """No console or page error, no failed request, nothing fetched from elsewhere."""
        assert self.errors == [], "\n".join(self.errors)
        assert self.failed == [], "\n".join(self.failed)
        assert self.foreign() == [], "\n".join(self.foreign())


def watch(page: Page) -> Watch:
    """Start recording a page's errors and requests (call before navigating)."""
    found = Watch()
    page.on("console", found.on_console)
    page.on("pageerror", found.on_page_error)
    page.on("requestfailed", found.on_request_failed)
    page.on("request", found.on_request)
    return found


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, served: Served) -> Iterator[NewContext]:
    """Open browser contexts on the site (keyword arguments as `Browser.new_context`)."""
    opened: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=served.url, **options)
        context.set_default_timeout(15_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    """A desktop page in a fresh context."""
    return new_context().new_page()


def without_charts(page: Page) -> None:
    """Serve an empty Plotly to this page, for tests about other parts of it.

    charts.js then leaves the server-rendered fallbacks in place; the browser is spared
    parsing Plotly's 4.8 MB bundle, which takes 2-3 s per page on a slow runner.
    """
    page.route(
        f"**{PLOTLY_PATH}*",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
    )


def wait_for_charts(page: Page) -> None:
    """Wait until charts.js has drawn every chart of the page (it sets window.pairwatchCharts)."""
    if page.locator("#chart-data").count():
        page.wait_for_function(CHARTS_READY)


def charts(page: Page) -> list[dict[str, Any]]:
    """Each drawn Plotly chart's id and traces, read from Plotly's state on the element."""
    found: list[dict[str, Any]] = page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map((el) => ({
            id: el.id,
            chart: el.getAttribute('data-chart'),
            fontColor: el.layout && el.layout.font ? el.layout.font.color : null,
            traces: (el.data || []).map((trace) => ({
                name: trace.name,
                x: trace.x ? trace.x.length : 0,
                y: trace.y ? trace.y.length : 0,
                firstY: trace.y && trace.y.length ? trace.y[0] : null,
                firstX: trace.x && trace.x.length ? trace.x[0] : null,
            })),
        }))"""
    )
    return found


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
