"""The daily digest as data: `build_digest(store, catalog, as_of) -> Digest`.

For each chosen pair it quotes the pair report (`services.compare_pair`, 90-day window,
no forecasts): both legs' day moves (the changes table's 1d column), the window's
correlation, beta and ratio z-score, the regime of the gauge's last level, the signal
reading, and the divergence days that are new since the reader's last digest (or dated
on the as-of day for a first digest). Across the catalog it ranks the biggest movers.

Biggest movers: every metric with an observation on the as-of day is scored by the
z-score of that day's change against its own daily changes of the 365 calendar days
before (log changes of adjusted levels for prices, differences for yields and spreads;
sample standard deviation, at least 20 changes); the five highest and five lowest
z-scores are the movers up and down. The move shown is the change of the displayed level
from the previous observation (a percentage for prices, units for yields and spreads).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from pairwatch.analytics.divergence import Divergence
from pairwatch.analytics.regimes import REGIME_NAMES, classify
from pairwatch.catalog import Catalog
from pairwatch.domain import AssetClass, ChangeKind, Frequency, Metric
from pairwatch.errors import InsufficientDataError, InvalidRequestError, NoDataError
from pairwatch.services.compare import compare_pair, gauge_id
from pairwatch.services.report import PairReport
from pairwatch.store import Store

log = logging.getLogger(__name__)
DIGEST_WINDOW = 90
DEFAULT_PAIR_COUNT = 3
MAX_PAIRS = 12
MOVER_COUNT = 5
MOVER_LOOKBACK_DAYS = 365
MOVER_MIN_CHANGES = 20
PAIR_SEPARATOR = "-vs-"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class LegMove:
    """One leg on the as-of day: last level, its date, the 1d change, and a recent line."""

    id: str
    label: str
    name: str
    unit: str
    kind: str
    last: float
    date: dt.date
    one_day: float | None
    line: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class PairDigest:
    """One pair's part of the digest; figures are None where the report has none."""

    slug: str
    a: LegMove
    b: LegMove
    title: str
    why: str
    window: int
    start: dt.date | None
    end: dt.date
    correlation: float | None
    beta: float | None
    zscore: float | None
    ratio: float | None
    gauge: str
    gauge_level: float | None
    regime: str | None
    signal: str | None
    divergences: tuple[Divergence, ...]
    line: tuple[float | None, ...] = ()
    line_label: str = ""


@dataclass(frozen=True)
class Mover:
    """A metric's move on the as-of day and its size in standard deviations."""

    id: str
    label: str
    name: str
    unit: str
    kind: str
    last: float
    change: float
    z: float


@dataclass(frozen=True)
class SourceLine:
    """Where a metric shown in the digest comes from."""

    label: str
    name: str
    source: str


@dataclass(frozen=True)
class Digest:
    """Everything one reader's digest shows, as of one date."""

    as_of: dt.date
    since: dt.date | None
    pairs: tuple[PairDigest, ...]
    up: tuple[Mover, ...]
    down: tuple[Mover, ...]
    sources: tuple[SourceLine, ...]
    synthetic: bool
    skipped: tuple[str, ...] = field(default_factory=tuple)

    @property
    def new_divergences(self) -> int:
        """Number of new divergence days over all pairs."""
        return sum(len(p.divergences) for p in self.pairs)


def parse_pair(slug: str, catalog: Catalog) -> tuple[str, str]:
    """The two metric ids of 'a-vs-b'; InvalidRequestError when unknown or the same.

    Ids may hold '-' (hy-oas-vs-ig-oas), so every split at '-vs-' is tried.
    """
    text = slug.strip().lower()
    parts = text.split(PAIR_SEPARATOR)
    for cut in range(1, len(parts)):
        a, b = PAIR_SEPARATOR.join(parts[:cut]), PAIR_SEPARATOR.join(parts[cut:])
        if a in catalog.metrics and b in catalog.metrics and a != b:
            return a, b
    raise InvalidRequestError(
        f"unknown pair {slug!r}: use two different catalog metric ids joined by "
        f"'{PAIR_SEPARATOR}', e.g. iwm-vs-vix"
    )


def normalise_pairs(slugs: Iterable[str], catalog: Catalog) -> tuple[str, ...]:
    """Valid, distinct pair slugs in the given order (at most MAX_PAIRS)."""
    found: dict[str, None] = {}
    for slug in slugs:
        if slug.strip():
            a, b = parse_pair(slug, catalog)
            found[f"{a}{PAIR_SEPARATOR}{b}"] = None
    if len(found) > MAX_PAIRS:
        raise InvalidRequestError(f"choose at most {MAX_PAIRS} pairs, got {len(found)}")
    return tuple(found)


def default_pairs(catalog: Catalog) -> tuple[str, ...]:
    """The first three curated pairs (iwm-vs-vix first)."""
    return tuple(p.slug for p in catalog.pairs[:DEFAULT_PAIR_COUNT])


def last_trading_day(store: Store, catalog: Catalog) -> dt.date:
    """The newest date of any daily equity series (the US market's last session).

    Falls back to the newest date of any series; NoDataError when the store is empty.
    """
    equity = [
        m for m in catalog if m.asset_class is AssetClass.EQUITY and m.frequency is Frequency.DAILY
    ]
    for group in (equity, list(catalog)):
        ends = [end for m in group if (end := store.span(m.id)[1]) is not None]
        if ends:
            return max(ends)
    raise NoDataError("iwm")


def first_sentence(text: str) -> str:
    """The first sentence of a curated text."""
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def _leg(metric: Metric, report: PairReport, leg: str) -> LegMove:
    """A leg's day move from the report's changes table and its chart line."""
    row = report.changes.a if leg == "a" else report.changes.b
    line = () if report.series is None else getattr(report.series, leg).values
    return LegMove(
        metric.id,
        metric.label,
        metric.name,
        metric.unit,
        metric.change.value,
        row.last,
        row.date,
        row.one_day,
        tuple(line),
    )


def regime_of(level: float | None) -> str | None:
    """The regime name of a gauge level (calm < 15 <= normal < 20 <= elevated < 30)."""
    if level is None or not math.isfinite(level):
        return None
    return REGIME_NAMES[int(classify(np.array([level], dtype=np.float64))[0])]


def gauge_level(store: Store, catalog: Catalog, gauge: str, as_of: dt.date) -> float | None:
    """The gauge's last close on or before the as-of date."""
    if gauge not in catalog.metrics:
        return None
    series = store.load_series(catalog.metric(gauge), as_of)
    return None if series.levels.empty else float(series.close.iloc[-1])


def _ratio_line(report: PairReport) -> tuple[tuple[float | None, ...], str]:
    """The ratio (or the spread) over the window, for the pair's sparkline."""
    series = report.series
    if series is None:
        return (), ""
    if series.ratio is not None:
        return series.ratio.values, "ratio"
    return (series.spread or ()), "spread"


def pair_digest(store: Store, catalog: Catalog, slug: str, as_of: dt.date) -> PairDigest:
    """One pair's section: the report's figures as of `as_of` (all divergence days)."""
    a, b = parse_pair(slug, catalog)
    report = compare_pair(store, catalog, a, b, DIGEST_WINDOW, as_of, forecasts=False)
    pair = catalog.pair(a, b)
    ma, mb = catalog.metric(a), catalog.metric(b)
    gauge = gauge_id(catalog, a, b)
    level = gauge_level(store, catalog, gauge, as_of)
    stats = report.stats
    line, line_label = _ratio_line(report)
    return PairDigest(
        slug=slug,
        a=_leg(ma, report, "a"),
        b=_leg(mb, report, "b"),
        title=(pair.title if pair and pair.title else f"{ma.label} vs {mb.label}"),
        why=first_sentence(pair.why if pair else ma.description),
        window=DIGEST_WINDOW,
        start=None if stats is None else stats.start,
        end=report.end,
        correlation=None if stats is None else stats.correlation,
        beta=None if stats is None else stats.beta,
        zscore=None if stats is None or stats.ratio is None else stats.ratio.zscore,
        ratio=None if stats is None or stats.ratio is None else stats.ratio.last,
        gauge=gauge,
        gauge_level=level,
        regime=regime_of(level),
        signal=None if report.signal is None else report.signal.label,
        divergences=report.divergences or (),
        line=line,
        line_label=line_label,
    )


def new_divergences(
    days: Sequence[Divergence], as_of: dt.date, since: dt.date | None
) -> tuple[Divergence, ...]:
    """Divergence days after `since` (the last digest), or on the as-of day without one."""
    if since is None:
        return tuple(d for d in days if d.date == as_of)
    return tuple(d for d in days if since < d.date <= as_of)


@dataclass(frozen=True)
class RecentLevels:
    """A metric's display and adjusted levels over the last year and a bit, oldest first."""

    metric: Metric
    dates: tuple[dt.date, ...]
    close: tuple[float, ...]
    adj: tuple[float, ...]


def recent_levels(store: Store, metric: Metric, as_of: dt.date) -> RecentLevels:
    """The stored rows from MOVER_LOOKBACK_DAYS + 10 days before `as_of` up to it."""
    start = as_of - dt.timedelta(days=MOVER_LOOKBACK_DAYS + 10)
    rows = sorted((d, r) for d, r in store.rows(metric.id, start).items() if d <= as_of)
    return RecentLevels(
        metric,
        tuple(d for d, _ in rows),
        tuple(r.close for _, r in rows),
        tuple(r.close if r.adj_close is None else r.adj_close for _, r in rows),
    )


def move_score(levels: RecentLevels, as_of: dt.date) -> float | None:
    """The z-score of the change on `as_of` vs the changes of the year before it."""
    if not levels.dates or levels.dates[-1] != as_of:
        return None
    adj = np.asarray(levels.adj, dtype=np.float64)
    moves = np.log(adj[1:] / adj[:-1]) if levels.metric.change is ChangeKind.LOG else np.diff(adj)
    cutoff = as_of - dt.timedelta(days=MOVER_LOOKBACK_DAYS)
    past = moves[:-1][np.asarray([d > cutoff for d in levels.dates[1:-1]], dtype=bool)]
    if len(past) < MOVER_MIN_CHANGES:
        return None
    std = float(np.std(past, ddof=1))
    today = float(moves[-1])
    return today / std if std > 0 and math.isfinite(today) else None


def _mover(levels: RecentLevels, z: float) -> Mover:
    """A mover: last level and the change of the display level from the previous row."""
    ref, last = levels.close[-2], levels.close[-1]
    metric = levels.metric
    change = last / ref - 1.0 if metric.change is ChangeKind.LOG else last - ref
    return Mover(
        metric.id, metric.label, metric.name, metric.unit, metric.change.value, last, change, z
    )


def biggest_movers(
    store: Store, catalog: Catalog, as_of: dt.date, count: int = MOVER_COUNT
) -> tuple[tuple[Mover, ...], tuple[Mover, ...]]:
    """The `count` largest moves up and down on `as_of`, by z-score (see the module doc)."""
    scored: list[Mover] = []
    for metric in catalog:
        levels = recent_levels(store, metric, as_of)
        z = move_score(levels, as_of)
        if z is not None:
            scored.append(_mover(levels, z))
    ranked = sorted(scored, key=lambda m: m.z, reverse=True)
    up = tuple(m for m in ranked if m.z > 0)[:count]
    down = tuple(m for m in reversed(ranked) if m.z < 0)[:count]
    return up, down


def source_line(store: Store, metric: Metric) -> SourceLine:
    """A metric's source: the provider of its newest stored row, else the catalog's."""
    if store.is_synthetic(metric.id):
        return SourceLine(metric.label, metric.name, "synthetic demo data (not market data)")
    return SourceLine(
        metric.label, metric.name, store.provider_source(metric.id) or str(metric.source)
    )


class DigestBuilder:
    """Builds digests for many readers as of one date, computing each pair only once."""

    def __init__(self, store: Store, catalog: Catalog, as_of: dt.date | None = None) -> None:
        self.store = store
        self.catalog = catalog
        self.as_of = as_of or last_trading_day(store, catalog)
        self._pairs: dict[str, PairDigest | str] = {}
        self._movers: tuple[tuple[Mover, ...], tuple[Mover, ...]] | None = None

    def pair(self, slug: str) -> PairDigest | str:
        """A pair's section, or just its slug when it cannot be computed (logged)."""
        if slug not in self._pairs:
            try:
                self._pairs[slug] = pair_digest(self.store, self.catalog, slug, self.as_of)
            except (NoDataError, InsufficientDataError, InvalidRequestError) as exc:
                log.warning("digest %s: pair %s left out: %s", self.as_of, slug, exc)
                self._pairs[slug] = slug
        return self._pairs[slug]

    def movers(self) -> tuple[tuple[Mover, ...], tuple[Mover, ...]]:
        """The catalog's biggest movers on the as-of date (computed once)."""
        if self._movers is None:
            self._movers = biggest_movers(self.store, self.catalog, self.as_of)
        return self._movers

    def digest(self, pairs: Sequence[str] = (), since: dt.date | None = None) -> Digest:
        """One reader's digest: their pairs (default: the first three curated ones)."""
        chosen = tuple(pairs) or default_pairs(self.catalog)
        sections = [self.pair(slug) for slug in chosen]
        found = tuple(
            replace(s, divergences=new_divergences(s.divergences, self.as_of, since))
            for s in sections
            if isinstance(s, PairDigest)
        )
        up, down = self.movers()
        return Digest(
            as_of=self.as_of,
            since=since,
            pairs=found,
            up=up,
            down=down,
            sources=self._sources(found),
            synthetic=any(self.store.is_synthetic(i) for p in found for i in (p.a.id, p.b.id)),
            skipped=tuple(s for s in sections if isinstance(s, str)),
        )

    def _sources(self, pairs: Sequence[PairDigest]) -> tuple[SourceLine, ...]:
        """The source of every leg shown, each metric once."""
        ids = dict.fromkeys(leg.id for p in pairs for leg in (p.a, p.b))
        return tuple(source_line(self.store, self.catalog.metric(i)) for i in ids)


def build_digest(
    store: Store,
    catalog: Catalog,
    as_of: dt.date | None = None,
    pairs: Sequence[str] = (),
    since: dt.date | None = None,
) -> Digest:
    """The digest of `pairs` as of `as_of` (default: the last trading day in the store)."""
    return DigestBuilder(store, catalog, as_of).digest(pairs, since)
