"""Rich tables for the CLI, drawn from plain data (the report's JSON dict, sync results)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pairwatch.catalog import Catalog
from pairwatch.domain import ChangeKind, Metric, Quote
from pairwatch.services.sync import SyncResult

DASH = "—"
CHANGE_KEYS = ("1d", "1w", "1m", "3m", "ytd", "1y")


def level(value: float | None) -> str:
    """A level with sensible precision (fewer decimals for large numbers)."""
    if value is None:
        return DASH
    digits = 2 if abs(value) >= 1 else 4
    return f"{value:,.{digits}f}"


def change(value: float | None, kind: ChangeKind) -> Text:
    """A signed change: percent for log metrics, units for diff metrics; coloured by sign."""
    if value is None:
        return Text(DASH, style="dim")
    text = f"{value:+.2%}" if kind is ChangeKind.LOG else f"{value:+.3f}"
    return Text(text, style="green" if value > 0 else "red" if value < 0 else "")


def number(value: float | None, fmt: str = "+.3f") -> str:
    """A plain figure or a dash."""
    return DASH if value is None else format(value, fmt)


def fetch_table(results: Sequence[SyncResult]) -> Group:
    """One row per metric (rows added and updated, first and last date, source, status),
    then every error in full below the table."""
    table = Table(title="fetch", title_justify="left")
    for name, justify in (
        ("metric", "left"),
        ("added", "right"),
        ("updated", "right"),
        ("first", "left"),
        ("last", "left"),
        ("source", "left"),
        ("status", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    errors: list[Text] = []
    for r in results:
        status = Text("ok", style="green") if r.ok else Text("FAILED", style="bold red")
        if r.ok and r.note:
            status = Text(f"ok ({r.note})", style="green")
        table.add_row(
            r.metric_id,
            str(r.added),
            str(r.updated),
            _date(r.first),
            _date(r.last),
            r.source or DASH,
            status,
        )
        if not r.ok:
            errors.append(
                Text(f"{r.metric_id}: {r.error}" + (f" ({r.note})" if r.note else ""), style="red")
            )
    return Group(table, *errors)


def _date(value: object) -> str:
    return DASH if value is None else str(value)


def metrics_table(catalog: Catalog) -> Table:
    """Every metric with its source, frequency, change transform and role."""
    table = Table(title=f"metrics ({len(catalog.metrics)})", title_justify="left")
    for name in ("id", "name", "source", "fallback", "freq", "change", "unit", "class", "role"):
        table.add_column(name)
    for m in catalog:
        table.add_row(
            m.id,
            m.name,
            str(m.source),
            str(m.fallback or DASH),
            m.frequency.value,
            m.change.value,
            m.unit,
            m.asset_class.value,
            m.risk_role.value,
        )
    return table


def pairs_table(catalog: Catalog) -> Table:
    """Every curated pair with its title and reading."""
    table = Table(title=f"pairs ({len(catalog.pairs)})", title_justify="left")
    table.add_column("pair", no_wrap=True)
    table.add_column("title")
    table.add_column("how to read it", ratio=1)
    for p in catalog.pairs:
        table.add_row(f"{p.a}/{p.b}", p.title, p.reading)
    return table


def quotes_table(rows: Sequence[tuple[Metric, Quote | None, str | None]]) -> Table:
    """Latest quotes: price, change on the previous close, time and state."""
    table = Table(title="quotes (delayed)", title_justify="left")
    for name in ("metric", "price", "change", "as of", "state"):
        table.add_column(name)
    for metric, quote, error in rows:
        if quote is None:
            table.add_row(metric.id, DASH, DASH, DASH, Text(error or "no quote endpoint", "red"))
            continue
        move = None if not quote.previous_close else quote.price / quote.previous_close - 1
        table.add_row(
            metric.id,
            level(quote.price),
            change(move, ChangeKind.LOG),
            quote.as_of.isoformat(timespec="minutes"),
            quote.market_state or DASH,
        )
    return table


def changes_table(data: Mapping[str, Any], a: Metric, b: Metric) -> Table:
    """Last value and price changes 1d..1y for both legs, each on its own series."""
    table = Table(title="changes (each on its own series)", title_justify="left")
    table.add_column("")
    for metric in (a, b):
        table.add_column(metric.label, justify="right")
    legs = data["changes"]
    table.add_row("last", level(legs["a"]["last"]), level(legs["b"]["last"]))
    table.add_row("date", str(legs["a"]["date"]), str(legs["b"]["date"]))
    for key in CHANGE_KEYS:
        table.add_row(key, change(legs["a"][key], a.change), change(legs["b"][key], b.change))
    return table


def leg_stats_table(stats: Mapping[str, Any], a: Metric, b: Metric) -> Table:
    """Per-leg window figures side by side."""
    window = stats["window"]
    table = Table(
        title=f"window: {window}{'' if window == 'max' else ' days'}",
        caption=f"{stats['start']} .. {stats['end']}, {stats['observations']} rows",
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("")
    for metric in (a, b):
        table.add_column(metric.label, justify="right")
    sa, sb = stats["a"], stats["b"]
    table.add_row("first", level(sa["first"]), level(sb["first"]))
    table.add_row("last", level(sa["last"]), level(sb["last"]))
    table.add_row(
        "change (total return)", change(sa["change"], a.change), change(sb["change"], b.change)
    )
    table.add_row("high", level(sa["high"]), level(sb["high"]))
    table.add_row("low", level(sa["low"]), level(sb["low"]))
    table.add_row("volatility (ann.)", _vol(sa["volatility"], a), _vol(sb["volatility"], b))
    table.add_row(
        "max drawdown", change(sa["max_drawdown"], a.change), change(sb["max_drawdown"], b.change)
    )
    return table


def _vol(value: float | None, metric: Metric) -> str:
    if value is None:
        return DASH
    return f"{value:.1%}" if metric.change is ChangeKind.LOG else f"{value:.3f}"


def pair_stats_table(stats: Mapping[str, Any]) -> Table:
    """Correlation, beta, the ratio's position and relative performance."""
    table = Table(title="pair", title_justify="left", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    lo, hi = stats["correlation_ci"] or (None, None)
    table.add_row(
        "correlation (95% CI)", f"{number(stats['correlation'])}  [{number(lo)}, {number(hi)}]"
    )
    table.add_row("spearman", number(stats["spearman"]))
    table.add_row(
        "beta ± se", f"{number(stats['beta'], '+.4f')} ± {number(stats['beta_se'], '.4f')}"
    )
    table.add_row("r²", number(stats["r_squared"], ".3f"))
    table.add_row("correlation, last 20", number(stats["rolling_correlation"]))
    ratio = stats.get("ratio")
    if ratio:
        table.add_row("ratio last / mean", f"{level(ratio['last'])} / {level(ratio['mean'])}")
        table.add_row("ratio z-score", number(ratio["zscore"], "+.2f"))
        table.add_row("ratio percentile", number(ratio["percentile"], ".1f"))
    if "relative_performance" in stats:
        table.add_row("relative performance", change(stats["relative_performance"], ChangeKind.LOG))
    return table


def compare_view(
    data: Mapping[str, Any], a: Metric, b: Metric, *, synthetic: bool = False
) -> Group:
    """The readable side-by-side comparison printed by `pairwatch compare`."""
    title = f"{a.label} vs {b.label}: {a.name} / {b.name}"
    if synthetic:
        title = f"SYNTHETIC DATA - {title}"
    parts: list[Any] = [Panel(title, style="bold magenta" if synthetic else "bold")]
    parts.append(changes_table(data, a, b))
    stats = data.get("stats")
    if stats:
        parts.append(leg_stats_table(stats, a, b))
        parts.append(pair_stats_table(stats))
    for section, note in (data.get("notes") or {}).items():
        parts.append(Text(f"{section}: {note}", style="yellow"))
    return Group(*parts)
