"""`pairwatch digest` and `pairwatch alert add|list|remove` (registered by `register`).

In `pairwatch.cli`:

    from pairwatch.notify import cli as notify_cli
    notify_cli.register(app, _context)

`register` adds the `digest` command and the `alert` group, both building their store
through the given context factory (so `pairwatch --demo digest` uses the demo store).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pairwatch.config import Settings
from pairwatch.errors import PairwatchError
from pairwatch.notify.alerts import AlertBook, add_alert
from pairwatch.notify.delivery import DigestRun, preview_digest, send_digests
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.settings import NotifySettings
from pairwatch.services.context import Context

out = Console()
err = Console(stderr=True)
log = logging.getLogger(__name__)
ContextFactory = Callable[[], Context]


class _Factory:
    """The context factory the commands use (set by `register`)."""

    make: ContextFactory = staticmethod(lambda: Context(Settings()))


def _notifier(context: Context) -> Notifier:
    """The notifier over a context's store, with the digest settings."""
    return Notifier(NotifySettings(), context.store, context.catalog)


def _fail(exc: PairwatchError) -> typer.Exit:
    """Print the error; exit code 2."""
    err.print(f"[bold red]error:[/] {exc}")
    return typer.Exit(code=2)


def _date(text: str | None) -> dt.date | None:
    """The --asof option as a date."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"--asof takes a date YYYY-MM-DD, got {text!r}") from exc


def _report(run: DigestRun) -> None:
    """Print what a send run did, address by address."""
    out.print(
        f"digest {run.as_of}: {len(run.sent)} sent, {len(run.already)} already served, "
        f"{len(run.failed)} failed, {len(run.deferred)} deferred"
    )
    for address in run.sent:
        out.print(f"  sent      {address}")
    for address, reason in run.failed:
        out.print(f"  failed    {address}: {reason}")
    for address, reason in run.deferred:
        out.print(f"  deferred  {address}: {reason} (retried by the next run)")
    for line in run.stuck:
        err.print(f"[yellow]warning:[/] {line} never finished; see docs/digest.md")


def digest_command(
    send: Annotated[
        bool, typer.Option("--send", help="Mail every confirmed reader not yet served.")
    ] = False,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="Only this confirmed address (with --send), or whose pairs to preview."
        ),
    ] = None,
    preview: Annotated[
        Path | None,
        typer.Option("--preview", help="Write the preview here (.html or .eml)."),
    ] = None,
    asof: Annotated[
        str | None, typer.Option("--asof", help="As-of date (default: last trading day).")
    ] = None,
) -> None:
    """Build the daily digest: write it for review, or --send it (once per reader a day)."""
    context = _Factory.make()
    notifier = _notifier(context)
    try:
        if send:
            _report(send_digests(notifier, _date(asof), to))
        else:
            path = preview_digest(notifier, _date(asof), to, preview)
            out.print(f"digest preview written to {path} (nothing sent; add --send to mail it)")
    except PairwatchError as exc:
        raise _fail(exc) from exc
    finally:
        notifier.close()
        context.close()


alert_app = typer.Typer(
    help="Alerts on a pair, delivered by email or webhook.", no_args_is_help=True
)


@alert_app.command("add")
def alert_add(
    pair: Annotated[str, typer.Argument(help="The pair: iwm-vs-vix or iwm/vix.")],
    when: Annotated[
        str,
        typer.Option(
            "--when", help="zscore>2, |zscore|>2, vix>30, corr-flip, divergence or regime-change."
        ),
    ],
    webhook: Annotated[str | None, typer.Option("--webhook", help="POST here.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Mail this address.")] = None,
) -> None:
    """Add an alert; it is checked after each data refresh and each firing is sent once."""
    context = _Factory.make()
    notifier = _notifier(context)
    try:
        alert = add_alert(notifier, pair, when, webhook=webhook, email=email)
        reader = notifier.subscribers.get(alert.subscriber_id) if alert.subscriber_id else None
    except PairwatchError as exc:
        raise _fail(exc) from exc
    finally:
        notifier.close()
        context.close()
    out.print(
        f"alert {alert.id}: {alert.slug} {alert.condition.text} -> {alert.channel} {alert.target}"
    )
    if alert.channel == "email" and (reader is None or not reader.confirmed):
        out.print("a confirmation mail went to that address: the alert starts once confirmed")


@alert_app.command("list")
def alert_list() -> None:
    """List every alert with its last check."""
    context = _Factory.make()
    try:
        alerts = AlertBook(context.store.engine).all()
    except PairwatchError as exc:
        raise _fail(exc) from exc
    finally:
        context.close()
    table = Table("id", "pair", "condition", "channel", "target", "checked", "active")
    for alert in alerts:
        table.add_row(
            str(alert.id),
            alert.slug,
            alert.condition.text,
            alert.channel,
            alert.target,
            str(alert.checked_on or "never"),
            "yes" if alert.active else "no",
        )
    out.print(table)


@alert_app.command("remove")
def alert_remove(alert_id: Annotated[int, typer.Argument(help="The alert's id.")]) -> None:
    """Delete an alert and its firing history."""
    context = _Factory.make()
    try:
        removed = AlertBook(context.store.engine).remove(alert_id)
    except PairwatchError as exc:
        raise _fail(exc) from exc
    finally:
        context.close()
    if not removed:
        err.print(f"[bold red]error:[/] no alert {alert_id}")
        raise typer.Exit(code=2)
    out.print(f"alert {alert_id} removed")


def register(app: typer.Typer, context: ContextFactory) -> None:
    """Add `digest` and the `alert` group to the main app, building stores via `context`."""
    _Factory.make = context
    app.command(name="digest")(digest_command)
    app.add_typer(alert_app, name="alert")
