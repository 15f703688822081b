"""Shared fixtures: an isolated environment, and stores on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pairwatch.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
PG_ENV = "PAIRWATCH_TEST_DATABASE_URL"
# Read before `isolated_env` clears PAIRWATCH_* for each test.
PG_URL = os.environ.get(PG_ENV)
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No test reads the developer's settings or writes to their data folder."""
    for name in list(os.environ):
        if name.startswith("PAIRWATCH_") or name in ("FRED_API_KEY",):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("PAIRWATCH_HOME", str(home))
    return home


def _postgres_url_or_skip() -> str:
    url, in_ci = PG_URL, IN_CI
    if not url:
        if in_ci:
            pytest.fail(f"CI=true but {PG_ENV} is not set: the PostgreSQL store tests must run")
        pytest.skip(
            f"PostgreSQL store tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # any driver error means "not reachable"
        if in_ci:
            pytest.fail(f"CI=true but PostgreSQL at {url} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {url} is unreachable: {exc}")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL into a fresh, private PostgreSQL schema, dropped afterwards."""
    base = _postgres_url_or_skip()
    schema = f"pw_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in base else "?"
    try:
        yield f"{base}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same store contract, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated, empty store."""
    s = Store(store_url)
    yield s
    s.close()
