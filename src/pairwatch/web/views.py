"""Page view models: one function per page turns a request's parameters into plain data.

Routes parse the request, call one of these, and render the template with the result.
Every figure comes from the pair report (`report_to_dict`, the JSON the API serves),
the stored series (headers, sparklines, metric pages) or `charts.chart_payload`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from pairwatch.analytics.panel import changes as level_changes
from pairwatch.analytics.stats import ChangesResult, changes_table, max_drawdown, volatility
from pairwatch.domain import PERIODS_PER_YEAR, Metric, MetricSeries, Pair
from pairwatch.errors import InvalidRequestError, PairwatchError
from pairwatch.services.report import report_to_dict
from pairwatch.web.attribution import Attribution, attributions
from pairwatch.web.charts import chart_payload, metric_payload
from pairwatch.web.faq import FaqItem, PairText, faq
from pairwatch.web.freshness import LegHeader, leg_header, statistics_end_note
from pairwatch.web.site import Site
from pairwatch.web.slugs import pair_slug
from pairwatch.web.sparkline import Lines, lines, sparkline

WINDOW_CHOICES: tuple[tuple[str, int | None], ...] = (
    ("1m", 30),
    ("3m", 91),
    ("6m", 182),
    ("1y", 365),
    ("5y", 1826),
    ("max", None),
)
DEFAULT_PAIR_WINDOW = 90
DEFAULT_METRIC_WINDOW = 365
RELATED_WINDOW = 90
RISK_DAYS = 365
STATIC_CHART_SIZE = (640, 180)


def pair_label(site: Site, pair: Pair) -> str:
    """'IWM vs HY OAS': a pair named by its legs' short labels."""
    return f"{site.catalog.metric(pair.a).label} vs {site.catalog.metric(pair.b).label}"


@dataclass(frozen=True, slots=True)
class WindowLink:
    """One entry of a window selector."""

    label: str
    href: str
    current: bool


def window_value(window: int | None) -> str:
    """The query value of a window: days, or 'max'."""
    return "max" if window is None else str(window)


def window_title(window: int | None) -> str:
    """'90-day' or 'whole-history', for headings."""
    return "Whole-history" if window is None else f"{window}-day"


def page_query(window: int | None, as_of: dt.date | None, default: int | None) -> str:
    """The query string keeping a non-default window and an asof date ('' if neither)."""
    params: dict[str, str] = {}
    if window != default:
        params["window"] = window_value(window)
    if as_of is not None:
        params["asof"] = as_of.isoformat()
    return f"?{urlencode(params)}" if params else ""


def window_links(
    base: str, window: int | None, as_of: dt.date | None, default: int | None
) -> list[WindowLink]:
    """The selector's links; a current window not among the choices is listed first."""
    choices = list(WINDOW_CHOICES)
    if window not in {days for _, days in choices}:
        choices.insert(0, (f"{window}d", window))
    return [
        WindowLink(label, base + page_query(days, as_of, default), days == window)
        for label, days in choices
    ]


# --- home -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardLeg:
    """One leg of a home-page card."""

    header: LegHeader
    spark: Lines | None


@dataclass(frozen=True, slots=True)
class PairCard:
    """A curated comparison on the home page."""

    pair: Pair
    slug: str
    a: CardLeg
    b: CardLeg


@dataclass(frozen=True, slots=True)
class HomeView:
    """The home page: cards, the picker's metrics, the synthetic flag."""

    cards: list[PairCard]
    metrics: list[Metric]
    synthetic: bool
    live_ids: str = ""
    csrf_token: str = ""


def _card_leg(site: Site, metric_id: str) -> CardLeg:
    """Latest value, day change and 90-close sparkline of one metric."""
    series = site.series(metric_id)
    header = leg_header(series, site.today(), quote=site.store.load_quote(metric_id))
    spark = None if series.levels.empty else sparkline(series.close.tolist())
    return CardLeg(header, spark)


def home_view(site: Site) -> HomeView:
    """Every curated pair as a card (each metric read once), and the picker's list."""
    legs: dict[str, CardLeg] = {}
    cards = []
    for pair in site.catalog.pairs:
        for metric_id in (pair.a, pair.b):
            if metric_id not in legs:
                legs[metric_id] = _card_leg(site, metric_id)
        cards.append(PairCard(pair, pair.slug, legs[pair.a], legs[pair.b]))
    return HomeView(
        cards, list(site.catalog), site.synthetic(legs), ",".join(legs), site.csrf.token()
    )


# --- search ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchView:
    """Metrics and curated pairs matching a query."""

    q: str
    metrics: list[Metric]
    pairs: list[tuple[Pair, str]]
    synthetic: bool = False


def _matches(words: list[str], *texts: str) -> bool:
    """True when every word occurs in one of the texts (case-insensitive)."""
    haystack = " ".join(texts).lower()
    return all(word in haystack for word in words)


def _metric_text(metric: Metric) -> tuple[str, ...]:
    """What a metric is found by."""
    return (metric.id, metric.name, metric.label, metric.asset_class.value, metric.description)


def search_view(site: Site, q: str) -> SearchView:
    """Metrics and pairs whose ids, names, titles or descriptions hold every word of q."""
    words = q.lower().split()
    catalog = site.catalog
    metrics = [m for m in catalog if _matches(words, *_metric_text(m))]
    pairs = [
        (p, pair_label(site, p))
        for p in catalog.pairs
        if _matches(
            words,
            p.title,
            *_metric_text(catalog.metric(p.a)),
            *_metric_text(catalog.metric(p.b)),
        )
    ]
    return SearchView(q, metrics, pairs)


def picker_target(site: Site, a: str | None, b: str | None, window: str | None) -> str:
    """The comparison page the home page's picker asks for."""
    if not a or not b:
        raise InvalidRequestError("pick two metrics: both 'a' and 'b' are required")
    metric_a, metric_b = site.catalog.metric(a), site.catalog.metric(b)
    if metric_a.id == metric_b.id:
        raise InvalidRequestError(
            f"cannot compare {metric_a.id!r} with itself: pick two different metrics"
        )
    query = f"?{urlencode({'window': window})}" if window else ""
    return f"/compare/{pair_slug(metric_a.id, metric_b.id)}{query}"


# --- compare --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RelatedPair:
    """Another curated pair sharing a leg, with its current 90-day correlation."""

    pair: Pair
    label: str
    correlation: float | None
    note: str | None


@dataclass(frozen=True, slots=True)
class StaticChart:
    """The no-JavaScript rendering of the levels chart: polylines in one SVG box."""

    width: int
    height: int
    lines: list[tuple[str, str]]


@dataclass(frozen=True)
class CompareView:
    """Everything the pair page shows, section by section."""

    a: Metric
    b: Metric
    pair: Pair | None
    slug: str
    window: int | None
    window_name: str
    as_of: dt.date | None
    data: Mapping[str, Any]
    headers: tuple[LegHeader, LegHeader]
    end_note: str | None
    chart: Mapping[str, Any] | None
    static_chart: StaticChart | None
    windows: list[WindowLink]
    query: str
    gauge: Metric
    faq: list[FaqItem]
    related: list[RelatedPair]
    sources: list[Attribution]
    synthetic: bool
    csrf_token: str


def static_chart(chart: Mapping[str, Any] | None) -> StaticChart | None:
    """Both drawn legs as polylines: one scale when they share an axis, else one each."""
    if chart is None:
        return None
    width, height = STATIC_CHART_SIZE
    a, b = chart["levels"]["a"], chart["levels"]["b"]
    if chart["levels"]["axes"] == "shared":
        drawn = lines([a, b], width, height)
        found = [] if drawn is None else list(drawn.points)
    else:
        found = [d.points[0] for d in (lines([a], width, height), lines([b], width, height)) if d]
    if len(found) != 2:
        return None
    return StaticChart(width, height, list(zip(found, ("leg-a", "leg-b"), strict=True)))


def related_pairs(site: Site, a: str, b: str) -> list[RelatedPair]:
    """Curated pairs sharing a leg with a/b, each with its current 90-day correlation."""
    seen: set[frozenset[str]] = {frozenset((a, b))}
    found = []
    for pair in (*site.catalog.pairs_with(a), *site.catalog.pairs_with(b)):
        key = frozenset((pair.a, pair.b))
        if key in seen:
            continue
        seen.add(key)
        found.append(_related(site, pair))
    return found


def related_ids(site: Site, a: str, b: str) -> set[str]:
    """Every metric the related-comparisons section reads (legs and gauges)."""
    ids: set[str] = set()
    for pair in (*site.catalog.pairs_with(a), *site.catalog.pairs_with(b)):
        ids.update(site.report_ids(pair.a, pair.b))
    return ids


def _related(site: Site, pair: Pair) -> RelatedPair:
    """One related pair; a pair without data says why instead of failing the page."""
    label = pair_label(site, pair)
    try:
        report = site.report(pair.a, pair.b, RELATED_WINDOW, forecasts=False)
    except PairwatchError as exc:
        return RelatedPair(pair, label, None, str(exc))
    if report.stats is None:
        return RelatedPair(pair, label, None, report.notes.get("stats"))
    return RelatedPair(pair, label, report.stats.correlation, None)


def _sources(series: Iterable[MetricSeries]) -> list[Attribution]:
    """Attribution lines of several series, without repeats."""
    return list(dict.fromkeys(line for s in series for line in attributions(s)))


def compare_view(
    site: Site, a: str, b: str, window: int | None, as_of: dt.date | None
) -> CompareView:
    """The pair page of a vs b over `window` days as of `as_of`."""
    series_a, series_b = site.legs(a, b, as_of)
    metric_a, metric_b = series_a.metric, series_b.metric
    report = site.report(metric_a.id, metric_b.id, window, as_of)
    data = report_to_dict(report)
    chart = chart_payload(data, metric_a, metric_b)
    gauge = site.catalog.metric(site.gauge(metric_a.id, metric_b.id))
    slug = pair_slug(metric_a.id, metric_b.id)
    return CompareView(
        a=metric_a,
        b=metric_b,
        pair=site.catalog.pair(metric_a.id, metric_b.id),
        slug=slug,
        window=window,
        window_name=window_title(window),
        as_of=as_of,
        data=data,
        headers=(_header(site, series_a, as_of), _header(site, series_b, as_of)),
        end_note=statistics_end_note(
            metric_a, metric_b, report.changes.a.date, report.changes.b.date, report.end
        ),
        chart=chart,
        static_chart=static_chart(chart),
        windows=window_links(f"/compare/{slug}", window, as_of, DEFAULT_PAIR_WINDOW),
        query=page_query(window, as_of, DEFAULT_PAIR_WINDOW),
        gauge=gauge,
        faq=faq(data, PairText(metric_a, metric_b, gauge.label)),
        related=related_pairs(site, metric_a.id, metric_b.id),
        sources=_sources((series_a, series_b)),
        synthetic=site.context.demo or series_a.synthetic or series_b.synthetic,
        csrf_token=site.csrf.token(),
    )


def _header(site: Site, series: MetricSeries, as_of: dt.date | None) -> LegHeader:
    """A leg's header: with its stored quote today, without one on a historical page."""
    quote = None if as_of else site.store.load_quote(series.metric.id)
    return leg_header(series, site.today(), quote=quote, historical=as_of)


def compare_etag(site: Site, a: str, b: str, window: int | None, as_of: dt.date | None) -> str:
    """The pair page's ETag: every metric it reads, the window, asof, today, quotes."""
    ids = {*site.report_ids(a, b), *related_ids(site, a.lower(), b.lower())}
    return site.etag(ids, "compare", a, b, window, as_of, site.today(), quotes=True)


# --- embed ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbedView:
    """The minimal chart page for an iframe."""

    a: Metric
    b: Metric
    slug: str
    window: int | None
    chart: Mapping[str, Any] | None
    sources: list[Attribution]
    synthetic: bool
    query: str


def embed_view(site: Site, a: str, b: str, window: int | None, as_of: dt.date | None) -> EmbedView:
    """The pair's charts alone, with attribution and a link to the full page."""
    series_a, series_b = site.legs(a, b, as_of)
    metric_a, metric_b = series_a.metric, series_b.metric
    data = report_to_dict(site.report(metric_a.id, metric_b.id, window, as_of))
    return EmbedView(
        a=metric_a,
        b=metric_b,
        slug=pair_slug(metric_a.id, metric_b.id),
        window=window,
        chart=chart_payload(data, metric_a, metric_b),
        sources=_sources((series_a, series_b)),
        synthetic=site.context.demo or series_a.synthetic or series_b.synthetic,
        query=page_query(window, as_of, DEFAULT_PAIR_WINDOW),
    )


# --- metric ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskFigures:
    """A metric's volatility and drawdowns on its adjusted levels."""

    volatility_1y: float | None
    drawdown_1y: float | None
    drawdown_all: float | None


@dataclass(frozen=True)
class MetricView:
    """The metric page."""

    metric: Metric
    header: LegHeader
    changes: ChangesResult | None
    risk: RiskFigures
    first_date: dt.date | None
    observations: int
    window: int | None
    chart: Mapping[str, Any]
    windows: list[WindowLink]
    comparisons: list[tuple[Pair, str]]
    sources: list[Attribution]
    synthetic: bool


def risk_figures(series: MetricSeries) -> RiskFigures:
    """1-year annualised volatility and max drawdown, and the whole history's drawdown."""
    adj = series.adj
    if len(adj) < 2:
        return RiskFigures(None, None, None)
    kind = series.metric.change
    recent = adj.loc[adj.index > adj.index[-1] - pd.Timedelta(days=RISK_DAYS)]
    moves = level_changes(recent, kind).to_numpy(np.float64)
    ppy = PERIODS_PER_YEAR[series.metric.frequency]
    vol = volatility(moves, ppy) if len(moves) >= 2 else None
    return RiskFigures(
        vol,
        max_drawdown(recent.to_numpy(np.float64), kind),
        max_drawdown(adj.to_numpy(np.float64), kind),
    )


def metric_view(site: Site, metric_id: str, window: int | None) -> MetricView:
    """A metric page; a metric with no stored data renders with a 'no data yet' header."""
    series = site.series(metric_id)
    metric = series.metric
    empty = series.levels.empty
    comparisons = [(p, pair_label(site, p)) for p in site.catalog.pairs_with(metric.id)]
    return MetricView(
        metric=metric,
        header=leg_header(series, site.today(), quote=site.store.load_quote(metric.id)),
        changes=None if empty else changes_table(series.close, metric.change),
        risk=risk_figures(series),
        first_date=None if empty else series.levels.index[0].date(),
        observations=len(series.levels),
        window=window,
        chart=metric_payload(series, window),
        windows=window_links(f"/metrics/{metric.id}", window, None, DEFAULT_METRIC_WINDOW),
        comparisons=comparisons,
        sources=attributions(series),
        synthetic=site.context.demo or series.synthetic,
    )
