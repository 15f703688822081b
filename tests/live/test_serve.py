"""`pairwatch serve` end to end: the site and the live routes on a real loopback port."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import typer
from typer.testing import CliRunner

from pairwatch.config import Settings
from pairwatch.serve import PairwatchServer, serve, serve_command
from pairwatch.services.context import Context
from pairwatch.services.demo import load_demo


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose demo store holds the synthetic history (built once; tests only read)."""
    settings = Settings(home=tmp_path_factory.mktemp("serve-home"))
    context = Context(settings, demo=True)
    try:
        load_demo(context.store, context.catalog)
    finally:
        context.close()
    return settings


@pytest.fixture
def running(demo_settings: Settings) -> Iterator[PairwatchServer]:
    """`serve` on a free loopback port in a thread, jobs off, over the demo store."""
    server = PairwatchServer("127.0.0.1", free_port(), settings=demo_settings, demo=True)
    thread = threading.Thread(target=server.run, name="pairwatch-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.server.started:
        assert thread.is_alive(), "the server thread died during start-up"
        assert time.monotonic() < deadline, "the server did not start within 20 s"
        time.sleep(0.02)
    yield server
    server.stop()
    thread.join(10)
    assert not thread.is_alive()


def test_serve_answers_live_values_from_the_demo_store(running: PairwatchServer) -> None:
    assert not running.jobs.run_jobs  # the demo store never runs provider refreshes
    assert not running.jobs.scheduler.running
    with httpx.Client(base_url=running.url, timeout=10) as client:
        response = client.get("/api/v1/live", params={"ids": "iwm,vix"})
        assert response.status_code == 200
        metrics = response.json()["metrics"]
        assert set(metrics) == {"iwm", "vix"}
        assert metrics["iwm"]["source"] == "synthetic:demo"
        assert metrics["iwm"]["as_of"] == "2025-12-31"
        assert client.get("/api/v1/live", params={"ids": "nope"}).status_code == 404
        assert client.get("/static/live.js").status_code == 200


def test_serve_streams_the_current_values_and_stops_cleanly(running: PairwatchServer) -> None:
    with (
        httpx.Client(base_url=running.url, timeout=10) as client,
        client.stream("GET", "/api/v1/live/stream", params={"ids": "iwm,vix"}) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        data = next(line for line in response.iter_lines() if line.startswith("data: "))
    assert set(json.loads(data.removeprefix("data: "))["metrics"]) == {"iwm", "vix"}


def test_serve_runs_the_server_it_builds(
    monkeypatch: pytest.MonkeyPatch, demo_settings: Settings
) -> None:
    built: list[PairwatchServer] = []
    monkeypatch.setattr(PairwatchServer, "run", lambda self: built.append(self))
    serve("127.0.0.1", 8765, settings=demo_settings, run_jobs=False)
    [server] = built
    assert server.url == "http://127.0.0.1:8765/"
    assert not server.jobs.run_jobs
    server.context.close()


def test_serve_command_options(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[PairwatchServer] = []
    monkeypatch.setattr(PairwatchServer, "run", lambda self: built.append(self))
    app = typer.Typer()

    @app.callback()
    def root(demo: bool = typer.Option(False, "--demo")) -> None:
        """Like pairwatch's own root command."""

    app.command(name="serve")(serve_command)
    runner = CliRunner()
    result = runner.invoke(app, ["--demo", "serve", "--port", "8123", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert "http://0.0.0.0:8123/" in result.output
    assert "scheduled refreshes off" in result.output  # demo: never
    assert "SYNTHETIC" in result.output
    result = runner.invoke(app, ["serve", "--no-jobs"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000/" in result.output
    assert "scheduled refreshes off" in result.output
    result = runner.invoke(app, ["serve"])
    assert "scheduled refreshes on" in result.output
    assert [s.context.demo for s in built] == [True, False, False]
    for server in built:
        server.context.close()
    assert runner.invoke(app, ["serve", "--port", "0"]).exit_code == 2


def test_serve_command_reports_an_unreachable_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAIRWATCH_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """A root command without --demo."""

    app.command(name="serve")(serve_command)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "error: cannot open the store" in result.output
