"""Shared fixtures for the live side: a store, the built-in catalog, a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pairwatch.catalog import Catalog, load_catalog
from pairwatch.domain import Observation
from pairwatch.store import Store

NY = ZoneInfo("America/New_York")


def ny(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An instant given in New York wall-clock time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=NY)


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An instant given in UTC."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def closes(store: Store, metric_id: str, rows: dict[str, float], source: str) -> None:
    """Store daily closes given as {"YYYY-MM-DD": close}."""
    observations = [Observation(dt.date.fromisoformat(d), c, c) for d, c in sorted(rows.items())]
    store.upsert(metric_id, observations, source)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated SQLite store."""
    s = Store(f"sqlite:///{tmp_path / 'live.sqlite'}")
    yield s
    s.close()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The built-in catalog."""
    return load_catalog(None)
