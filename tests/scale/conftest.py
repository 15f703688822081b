"""Fixtures for the multi-process (Redis) tests: a Redis URL, unique names, cleanup.

The URL comes from PAIRWATCH_TEST_REDIS_URL, read at import time (the root conftest clears
PAIRWATCH_* for every test). Without it, or when Redis does not answer, the tests that need
Redis skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from pairwatch.catalog import Catalog, load_catalog
from pairwatch.services.demo import load_demo
from pairwatch.store import Store

REDIS_ENV = "PAIRWATCH_TEST_REDIS_URL"
# Read before `isolated_env` clears PAIRWATCH_* for each test.
REDIS_URL = os.environ.get(REDIS_ENV)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _redis_url_or_skip() -> str:
    url = REDIS_URL
    if not url:
        if IN_CI:
            pytest.fail(f"CI=true but {REDIS_ENV} is not set: the Redis tests must run")
        pytest.skip(f"Redis tests need {REDIS_ENV} (e.g. redis://127.0.0.1:6379/15)")
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"CI=true but Redis at {url} is unreachable: {exc}")
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    finally:
        client.close()
    return url


@pytest.fixture
def redis_url() -> str:
    """The test Redis's URL (skips, or fails under CI, without one)."""
    return _redis_url_or_skip()


@pytest.fixture
def namespace(redis_url: str) -> Iterator[str]:
    """A key prefix / channel name unique to this test; its keys are deleted afterwards."""
    name = f"pwtest:{uuid.uuid4().hex[:12]}:"
    yield name
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{name}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def closed_port_url() -> str:
    """A Redis URL to a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The built-in catalog."""
    return load_catalog()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    """A store file with the synthetic demo history, built once per session."""
    path = tmp_path_factory.mktemp("scale-demo") / "demo.sqlite"
    store = Store(f"sqlite:///{path}")
    load_demo(store, catalog)
    store.close()
    return path


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store file (so its URL, and its Redis keys, are unique)."""
    path = tmp_path / "store.sqlite"
    shutil.copyfile(demo_file, path)
    return path
