"""Web fixtures: one demo store built per session, apps and clients over it.

Most tests only read, so they share one app (and its report cache) over the session's
demo store; tests that write (quotes, refreshes, missing data) get their own copy.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import warnings
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from pairwatch.catalog import load_catalog
from pairwatch.config import Settings
from pairwatch.services.demo import load_demo
from pairwatch.store import Store
from pairwatch.web import create_app
from pairwatch.web.site import Site

with warnings.catch_warnings():
    # Starlette asks for the `httpx2` fork; the `httpx` it falls back to works the same.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

# The demo history ends on Wednesday 2025-12-31; two days later it is still "end of day".
TODAY = dt.date(2026, 1, 2)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding the deterministic demo history (built once)."""
    path = tmp_path_factory.mktemp("web-demo") / "demo.sqlite"
    store = Store(f"sqlite:///{path}")
    load_demo(store, load_catalog())
    store.close()
    return path


def _client(url: str, home: Path) -> TestClient:
    """A client of a new app over `url`, with the clock fixed at TODAY."""
    app = create_app(Settings(database_url=url, home=home))
    site(app).today = lambda: TODAY
    return TestClient(app)


def site(app: Any) -> Site:
    """The Site of an app."""
    found: Site = app.state.site
    return found


@pytest.fixture(scope="session")
def client(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of one app over the demo store, shared by the read-only tests."""
    with _client(f"sqlite:///{demo_file}", tmp_path_factory.mktemp("web-home")) as c:
        yield c


@pytest.fixture
def demo_store(demo_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A private, writable copy of the demo store."""
    copy = tmp_path / "demo-copy.sqlite"
    shutil.copyfile(demo_file, copy)
    store = Store(f"sqlite:///{copy}")
    yield store
    store.close()


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[[Store], TestClient]]:
    """Clients of new apps over a given store (closed after the test)."""
    opened: list[TestClient] = []

    def build(store: Store) -> TestClient:
        c = _client(store.url, tmp_path / "home")
        opened.append(c.__enter__())
        return c

    yield build
    for c in opened:
        c.__exit__(None, None, None)


class TagCollector(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """The start tags of an HTML page."""
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


CHART_DATA = re.compile(r'<script type="application/json" id="chart-data">(.*?)</script>', re.S)
