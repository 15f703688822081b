"""The `pairwatch` command line: fetch, compare, catalog, import, quote, demo."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pairwatch import render
from pairwatch.config import Settings
from pairwatch.domain import Metric, Quote
from pairwatch.errors import PairwatchError
from pairwatch.notify import cli as notify_cli
from pairwatch.serve import serve_command
from pairwatch.services.compare import compare_pair
from pairwatch.services.context import Context
from pairwatch.services.demo import load_demo
from pairwatch.services.imports import import_csv
from pairwatch.services.report import report_to_dict
from pairwatch.services.sync import SyncResult
from pairwatch.windows import parse_window

app = typer.Typer(
    help="Compare two market or macro metrics side by side.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


class State:
    """Options shared by every command."""

    demo: bool = False


state = State()


@app.callback()
def main_options(
    demo: Annotated[bool, typer.Option("--demo", help="Use the synthetic demo store.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    """pairwatch: any two metrics side by side."""
    state.demo = demo
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False, show_time=False)],
        force=True,
    )


def _context() -> Context:
    return Context(Settings(), demo=state.demo)


def _fail(exc: PairwatchError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {exc}")
    return typer.Exit(code=2)


@app.command()
def fetch(
    ids: Annotated[list[str] | None, typer.Argument(help="Metric ids, e.g. iwm vix.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every metric of the catalog.")] = False,
    since: Annotated[str | None, typer.Option(help="Fetch from this date (YYYY-MM-DD).")] = None,
) -> None:
    """Fetch daily history into the local store (only new rows after the first time)."""
    ctx = _context()
    try:
        metrics = list(ctx.catalog) if all_ else [ctx.catalog.metric(i) for i in ids or []]
        if not metrics:
            raise typer.BadParameter("name metric ids or pass --all")
        start = _parse_date(since, "--since") if since else None
        results = _run_fetch(ctx, metrics, start)
    except PairwatchError as exc:
        raise _fail(exc) from exc
    finally:
        ctx.close()
    out.print(render.fetch_table(results))
    if any(not r.ok for r in results):
        raise typer.Exit(code=1)


def _run_fetch(ctx: Context, metrics: list[Any], since: dt.date | None) -> list[SyncResult]:
    results: list[SyncResult] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("fetching", total=len(metrics))
        for metric in metrics:
            progress.update(task, description=f"fetching {metric.id}")
            results.append(ctx.syncer.sync(metric, since))
            progress.advance(task)
    return results


def _parse_date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{option} takes a date YYYY-MM-DD, got {text!r}") from exc


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="First metric id, e.g. iwm.")],
    b: Annotated[str, typer.Argument(help="Second metric id, e.g. vix.")],
    window: Annotated[str, typer.Option(help="Days (5..36500) or 'max'.")] = "90",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    do_fetch: Annotated[bool, typer.Option("--fetch", help="Refresh both first.")] = False,
    asof: Annotated[str | None, typer.Option("--asof", help="Report as of YYYY-MM-DD.")] = None,
) -> None:
    """Compare two metrics from the store: changes, window statistics, and more."""
    ctx = _context()
    try:
        days = parse_window(window)
        as_of = _parse_date(asof, "--asof") if asof else None
        if do_fetch:
            _fetch_legs(ctx, a, b)
        report = compare_pair(ctx.store, ctx.catalog, a, b, days, as_of)
        data = report_to_dict(report)
        synthetic = ctx.demo
    except PairwatchError as exc:
        raise _fail(exc) from exc
    finally:
        ctx.close()
    if as_json:
        sys.stdout.write(json.dumps(data, indent=1, allow_nan=False) + "\n")
        return
    metric_a, metric_b = ctx.catalog.metric(a), ctx.catalog.metric(b)
    out.print(render.compare_view(data, metric_a, metric_b, synthetic=synthetic))


def _fetch_legs(ctx: Context, a: str, b: str) -> None:
    for metric_id in (a, b):
        result = ctx.syncer.sync(ctx.catalog.metric(metric_id))
        if not result.ok:
            err.print(f"[yellow]warning:[/] {metric_id}: {result.error}")


@app.command()
def catalog() -> None:
    """List every metric and curated pair."""
    ctx = _context()
    try:
        out.print(render.metrics_table(ctx.catalog))
        out.print(render.pairs_table(ctx.catalog))
    except PairwatchError as exc:
        raise _fail(exc) from exc


@app.command(name="import")
def import_(
    metric_id: Annotated[str, typer.Argument(help="Metric id, e.g. hy-oas.")],
    file: Annotated[Path, typer.Argument(help="CSV with a date and a value column.")],
) -> None:
    """Load your own history for a metric; provider refreshes extend it, never delete it."""
    ctx = _context()
    try:
        result = import_csv(ctx.store, ctx.catalog.metric(metric_id), file)
        first, last = ctx.store.span(metric_id)
    except PairwatchError as exc:
        raise _fail(exc) from exc
    finally:
        ctx.close()
    out.print(
        f"{metric_id}: {result.added} rows added, {result.updated} updated "
        f"from {file.name}; stored {first} .. {last}"
    )


@app.command()
def quote(ids: Annotated[list[str], typer.Argument(help="Metric ids.")]) -> None:
    """Fetch and show the latest quotes (delayed) for some metrics."""
    ctx = _context()
    rows: list[tuple[Metric, Quote | None, str | None]] = []
    try:
        for metric_id in ids:
            metric = ctx.catalog.metric(metric_id)
            try:
                rows.append((metric, ctx.syncer.refresh_quote(metric), None))
            except PairwatchError as exc:
                rows.append((metric, None, str(exc)))
    except PairwatchError as exc:
        raise _fail(exc) from exc
    finally:
        ctx.close()
    out.print(render.quotes_table(rows))
    if any(e for _, _, e in rows):
        raise typer.Exit(code=1)


@app.command()
def demo() -> None:
    """Fill a separate demo store with deterministic synthetic data (labelled SYNTHETIC)."""
    ctx = Context(Settings(), demo=True)
    try:
        rows = load_demo(ctx.store, ctx.catalog)
        report = compare_pair(ctx.store, ctx.catalog, "iwm", "vix", 90)
        data = report_to_dict(report)
        metric_a, metric_b = ctx.catalog.metric("iwm"), ctx.catalog.metric("vix")
    except PairwatchError as exc:
        raise _fail(exc) from exc
    finally:
        ctx.close()
    out.print(
        f"[bold magenta]SYNTHETIC[/] demo store written: {rows} rows at "
        f"{ctx.database_url.removeprefix('sqlite:///')}"
    )
    out.print(render.compare_view(data, metric_a, metric_b, synthetic=True))
    out.print("Try: [bold]pairwatch --demo compare spy hyg --window 365[/]")


app.command(name="serve")(serve_command)
notify_cli.register(app, _context)


def main() -> None:
    """Console-script entry point."""
    app()
