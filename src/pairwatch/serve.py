"""`pairwatch serve`: one process that refreshes data on a schedule and serves the site.

The web app, the scheduler (`pairwatch.jobs`) and the live hub share one `Context` (one
store, one fetcher with its rate limits). The scheduler runs in a background thread next
to uvicorn and is shut down, after the server stops, before the store is closed. The demo
store never runs jobs: synthetic data must not mix with provider data.

With PAIRWATCH_REDIS_URL set, the hub is joined to every other `serve` process of the
deployment through Redis (`RedisFanout`): the scheduler's quote events reach the SSE
clients of the `--no-jobs` web workers too. The demo store stays alone.
"""

from __future__ import annotations

import logging
from types import FrameType
from typing import Annotated

import typer
import uvicorn

from pairwatch.config import NotifySettings, Settings
from pairwatch.errors import PairwatchError
from pairwatch.jobs import Jobs, add_notify_jobs, build_jobs
from pairwatch.services.context import Context
from pairwatch.services.fanout import RedisFanout
from pairwatch.services.live import LiveHub
from pairwatch.web.app import create_app
from pairwatch.web.routes.live import LiveState, install_live

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
GRACEFUL_SHUTDOWN_SECONDS = 3


class LiveServer(uvicorn.Server):
    """uvicorn's server that ends live streams as soon as it is asked to stop."""

    def __init__(self, config: uvicorn.Config, hub: LiveHub) -> None:
        super().__init__(config)
        self.hub = hub

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """On Ctrl+C / SIGTERM: close the event streams, then stop as uvicorn does."""
        self.hub.close()
        super().handle_exit(sig, frame)


class PairwatchServer:
    """The app, the live hub, the scheduler and uvicorn of one `serve` process."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        settings: Settings,
        run_jobs: bool = True,
        demo: bool = False,
    ) -> None:
        self.context = Context(settings, demo=demo)
        self.hub = LiveHub()
        self.fanout: RedisFanout | None = None
        if settings.redis_url and not demo:
            self.fanout = RedisFanout.from_url(self.hub, settings.redis_url)
        self.app = create_app(settings, context=self.context)
        install_live(self.app, LiveState(self.hub, self.context.store, self.context.catalog))
        self.jobs: Jobs = build_jobs(self.context, self.hub, run_jobs=run_jobs and not demo)
        if run_jobs and not demo:
            add_notify_jobs(self.jobs, self.context, NotifySettings())
        config = uvicorn.Config(
            self.app,
            host=host,
            port=port,
            log_config=None,
            ws="none",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
        self.server = LiveServer(config, self.hub)

    @property
    def url(self) -> str:
        """The address the site is served at."""
        config = self.server.config
        return f"http://{config.host}:{config.port}/"

    def run(self) -> None:
        """Start the fan-out and the scheduler, serve until stopped, then shut down."""
        if self.fanout is not None and not self.fanout.start():
            log.warning("live fan-out: Redis not subscribed yet; retrying in the background")
        self.jobs.start()
        try:
            self.server.run()
        finally:
            if self.fanout is not None:
                self.fanout.close()
            self.hub.close()
            self.jobs.shutdown(wait=True)
            self.context.close()

    def stop(self) -> None:
        """Ask a running server to stop (from another thread)."""
        self.hub.close()
        self.server.should_exit = True


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    settings: Settings,
    run_jobs: bool = True,
    demo: bool = False,
) -> None:
    """Serve the site on `host:port` with the scheduled refreshes (unless `run_jobs` is off)."""
    PairwatchServer(host, port, settings=settings, run_jobs=run_jobs, demo=demo).run()


def _root_demo(ctx: typer.Context) -> bool:
    """True when the root command got `--demo` (`pairwatch --demo serve`)."""
    return bool(ctx.find_root().params.get("demo", False))


def banner(server: PairwatchServer, *, demo: bool, no_jobs: bool) -> str:
    """The start-up line: where the site is, whether jobs run, which store is served."""
    jobs = "on" if server.jobs.run_jobs else "off"
    if demo and not no_jobs:
        jobs = "off: the demo store is never refreshed from providers"
    store = server.context.store.engine.url.render_as_string(hide_password=True)
    if demo:
        store = f"SYNTHETIC demo store {store}"
    return f"pairwatch serving {server.url} (scheduled refreshes {jobs}; {store})"


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = DEFAULT_PORT,
    no_jobs: Annotated[
        bool, typer.Option("--no-jobs", help="Serve only: no scheduled refreshes.")
    ] = False,
) -> None:
    """Serve the site and refresh data on a schedule (history after each close, live quotes)."""
    demo = _root_demo(ctx)
    try:
        server = PairwatchServer(host, port, settings=Settings(), run_jobs=not no_jobs, demo=demo)
        typer.echo(banner(server, demo=demo, no_jobs=no_jobs))
    except PairwatchError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    server.run()
