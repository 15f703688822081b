"""Reading and writing series, quotes and the fetch log. All writes are one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from pairwatch.domain import Metric, MetricSeries, Observation, Quote
from pairwatch.lru import LruCache
from pairwatch.store.engine import create_engine, migrate
from pairwatch.store.schema import fetch_log, metrics, observations, quotes

IMPORT_PREFIX = "import:"
SYNTHETIC_SOURCE = "synthetic:demo"
WRITE_ATTEMPTS = 3
SERIES_CACHE_SIZE = 64


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write changed."""

    added: int
    updated: int
    deleted: int = 0

    @property
    def changed(self) -> bool:
        """True when any row was added, updated or removed."""
        return bool(self.added or self.updated or self.deleted)


@dataclass(frozen=True, slots=True)
class StoredRow:
    """One stored observation with its source."""

    close: float
    adj_close: float | None
    source: str


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """One line of the fetch log."""

    metric_id: str
    source: str
    url: str | None
    started_at: dt.datetime
    finished_at: dt.datetime
    ok: bool
    rows_added: int = 0
    rows_updated: int = 0
    message: str | None = None


def is_provider_source(source: str) -> bool:
    """Rows from a provider (not a user's import, not synthetic demo data)."""
    return not (source.startswith(IMPORT_PREFIX) or source == SYNTHETIC_SOURCE)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(stamp: dt.datetime) -> dt.datetime:
    """A stored timestamp as aware UTC (SQLite hands back naive UTC values)."""
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


class Store:
    """The local store: SQLite by default, any SQLAlchemy URL (PostgreSQL) otherwise."""

    def __init__(self, url: str, *, engine: sa.Engine | None = None) -> None:
        self.url = url
        self.engine = engine or create_engine(url)
        migrate(self.engine)
        self._series_cache: LruCache[tuple[Metric, int, dt.date | None], MetricSeries] = LruCache(
            SERIES_CACHE_SIZE
        )

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    # --- reading -------------------------------------------------------------------

    def load_series(self, metric: Metric, as_of: dt.date | None = None) -> MetricSeries:
        """A metric's history as a MetricSeries (empty frame if nothing is stored).

        Kept in a small in-process cache keyed by the metric's data version: every write
        bumps the version, so a cached series is never stale, and repeated reports skip
        the row conversion (half of a report's time on a full history).
        """
        key = (metric, self.data_version(metric.id), as_of)
        return self._series_cache.get_or_compute(key, lambda: self._read_series(metric, as_of))

    def _read_series(self, metric: Metric, as_of: dt.date | None) -> MetricSeries:
        query = (
            sa.select(
                observations.c.date,
                observations.c.close,
                observations.c.adj_close,
                observations.c.source,
            )
            .where(observations.c.metric_id == metric.id)
            .order_by(observations.c.date)
        )
        if as_of is not None:
            query = query.where(observations.c.date <= as_of)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            synthetic = bool(
                conn.execute(
                    sa.select(metrics.c.synthetic).where(metrics.c.id == metric.id)
                ).scalar()
            )
        return _to_series(metric, rows, synthetic)

    def rows(self, metric_id: str, start: dt.date | None = None) -> dict[dt.date, StoredRow]:
        """Stored rows from `start` on, by date."""
        query = sa.select(
            observations.c.date,
            observations.c.close,
            observations.c.adj_close,
            observations.c.source,
        ).where(observations.c.metric_id == metric_id)
        if start is not None:
            query = query.where(observations.c.date >= start)
        with self.engine.connect() as conn:
            return {r.date: StoredRow(r.close, r.adj_close, r.source) for r in conn.execute(query)}

    def provider_source(self, metric_id: str) -> str | None:
        """Source of the newest provider row (imports and demo data don't count)."""
        query = (
            sa.select(observations.c.source)
            .where(observations.c.metric_id == metric_id)
            .order_by(observations.c.date.desc())
        )
        with self.engine.connect() as conn:
            for (source,) in conn.execute(query):
                if is_provider_source(source):
                    return str(source)
        return None

    def span(
        self, metric_id: str, source: str | None = None
    ) -> tuple[dt.date | None, dt.date | None]:
        """First and last stored date (of one source, if given)."""
        query = sa.select(sa.func.min(observations.c.date), sa.func.max(observations.c.date)).where(
            observations.c.metric_id == metric_id
        )
        if source is not None:
            query = query.where(observations.c.source == source)
        with self.engine.connect() as conn:
            first, last = conn.execute(query).one()
        return first, last

    def count(self, metric_id: str, source: str | None = None) -> int:
        """Number of stored observations (of one source, if given)."""
        query = sa.select(sa.func.count()).where(observations.c.metric_id == metric_id)
        if source is not None:
            query = query.where(observations.c.source == source)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def data_version(self, metric_id: str) -> int:
        """Bumped on every change to the metric's rows; 0 if never written."""
        query = sa.select(metrics.c.data_version).where(metrics.c.id == metric_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def is_synthetic(self, metric_id: str) -> bool:
        """True when the metric holds the demo's synthetic data."""
        query = sa.select(metrics.c.synthetic).where(metrics.c.id == metric_id)
        with self.engine.connect() as conn:
            return bool(conn.execute(query).scalar())

    # --- writing -------------------------------------------------------------------

    def upsert(
        self,
        metric_id: str,
        rows: Sequence[Observation],
        source: str,
        *,
        replace: bool = False,
        synthetic: bool = False,
    ) -> WriteResult:
        """Insert new dates and overwrite changed ones, in one transaction.

        With `replace`, provider rows not in `rows` are deleted first (a new source or a
        re-anchored adjusted history replaces the old one); imported rows are kept.
        """
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    return write_rows(
                        conn, metric_id, rows, source, replace=replace, synthetic=synthetic
                    )
            except sa.exc.IntegrityError:
                # another writer inserted the same metric or dates first: the transaction
                # rolled back whole, so diff again against what is stored now
                if attempt + 1 == WRITE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def delete_metric(self, metric_id: str) -> None:
        """Remove a metric's rows (the demo resets synthetic data this way).

        The version is bumped, never reset: versions key every cache, so a number must
        never come back with other data behind it.
        """
        with self.engine.begin() as conn:
            deleted = conn.execute(
                observations.delete().where(observations.c.metric_id == metric_id)
            ).rowcount
            if deleted:
                _bump_version(conn, metric_id)

    def log_fetch(self, record: FetchRecord) -> None:
        """Append one line to the fetch log."""
        with self.engine.begin() as conn:
            conn.execute(
                fetch_log.insert().values(
                    metric_id=record.metric_id,
                    source=record.source,
                    url=record.url,
                    started_at=record.started_at,
                    finished_at=record.finished_at,
                    ok=record.ok,
                    rows_added=record.rows_added,
                    rows_updated=record.rows_updated,
                    message=record.message,
                )
            )

    def failing_since(self, metric_id: str, source: str) -> dt.datetime | None:
        """When `source` first failed after its last success for this metric (None: not failing)."""
        log = fetch_log.c
        mine = (log.metric_id == metric_id) & (log.source == source)
        with self.engine.connect() as conn:
            last_ok = conn.execute(sa.select(sa.func.max(log.id)).where(mine & log.ok)).scalar()
            failed = sa.select(sa.func.min(log.started_at)).where(mine & ~log.ok)
            if last_ok is not None:
                failed = failed.where(log.id > last_ok)  # log order, not clock order
            first_failure = conn.execute(failed).scalar()
        return None if first_failure is None else _aware(first_failure)

    def fetch_history(self, metric_id: str, limit: int = 20) -> list[FetchRecord]:
        """The newest fetch-log lines for a metric."""
        query = (
            sa.select(fetch_log)
            .where(fetch_log.c.metric_id == metric_id)
            .order_by(fetch_log.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [
                FetchRecord(
                    r.metric_id,
                    r.source,
                    r.url,
                    r.started_at,
                    r.finished_at,
                    r.ok,
                    r.rows_added,
                    r.rows_updated,
                    r.message,
                )
                for r in conn.execute(query)
            ]

    def save_quote(self, metric_id: str, quote: Quote, source: str) -> None:
        """Store the newest quote of a metric (one row per metric)."""
        values = {
            "source": source,
            "price": quote.price,
            "previous_close": quote.previous_close,
            "as_of": quote.as_of.astimezone(dt.UTC),
            "fetched_at": _now(),
            "currency": quote.currency,
            "market_state": quote.market_state,
        }
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    updated = conn.execute(
                        quotes.update().where(quotes.c.metric_id == metric_id).values(**values)
                    ).rowcount
                    if not updated:
                        conn.execute(quotes.insert().values(metric_id=metric_id, **values))
                return
            except sa.exc.IntegrityError:
                if attempt + 1 == WRITE_ATTEMPTS:
                    raise

    def load_quote(self, metric_id: str) -> Quote | None:
        """The stored quote of a metric, if any."""
        query = sa.select(quotes).where(quotes.c.metric_id == metric_id)
        with self.engine.connect() as conn:
            r = conn.execute(query).first()
        if r is None:
            return None
        as_of = r.as_of if r.as_of.tzinfo else r.as_of.replace(tzinfo=dt.UTC)
        return Quote(
            r.source.split(":", 1)[-1], r.price, as_of, r.previous_close, r.currency, r.market_state
        )


def write_rows(
    conn: sa.Connection,
    metric_id: str,
    rows: Sequence[Observation],
    source: str,
    *,
    replace: bool = False,
    synthetic: bool = False,
) -> WriteResult:
    """The body of `Store.upsert` on an open transaction (so callers can compose writes)."""
    _ensure_metric(conn, metric_id, synthetic)
    start = None if replace or not rows else min(r.date for r in rows)
    existing = _existing(conn, metric_id, start)
    new_dates = {r.date for r in rows}
    deleted = _delete_replaced(conn, metric_id, existing, new_dates) if replace else 0
    inserts, updates = _diff(rows, existing, source)
    if inserts:
        conn.execute(
            observations.insert(),
            [
                {
                    "metric_id": metric_id,
                    "date": r.date,
                    "close": r.close,
                    "adj_close": r.adj_close,
                    "source": source,
                }
                for r in inserts
            ],
        )
    if updates:
        stmt = (
            observations.update()
            .where(
                observations.c.metric_id == sa.bindparam("m_id"),
                observations.c.date == sa.bindparam("m_date"),
            )
            .values(
                close=sa.bindparam("m_close"),
                adj_close=sa.bindparam("m_adj"),
                source=sa.bindparam("m_source"),
            )
        )
        conn.execute(
            stmt,
            [
                {
                    "m_id": metric_id,
                    "m_date": r.date,
                    "m_close": r.close,
                    "m_adj": r.adj_close,
                    "m_source": source,
                }
                for r in updates
            ],
        )
    result = WriteResult(len(inserts), len(updates), deleted)
    if result.changed:
        _bump_version(conn, metric_id)
    return result


def _bump_version(conn: sa.Connection, metric_id: str) -> None:
    conn.execute(
        metrics.update()
        .where(metrics.c.id == metric_id)
        .values(
            data_version=metrics.c.data_version + 1,
            updated_at=_now(),
        )
    )


def _ensure_metric(conn: sa.Connection, metric_id: str, synthetic: bool) -> None:
    found = conn.execute(sa.select(metrics.c.id).where(metrics.c.id == metric_id)).first()
    if found is None:
        conn.execute(metrics.insert().values(id=metric_id, data_version=0, synthetic=synthetic))
    else:
        conn.execute(metrics.update().where(metrics.c.id == metric_id).values(synthetic=synthetic))


def _existing(
    conn: sa.Connection, metric_id: str, start: dt.date | None
) -> dict[dt.date, StoredRow]:
    query = sa.select(
        observations.c.date, observations.c.close, observations.c.adj_close, observations.c.source
    ).where(observations.c.metric_id == metric_id)
    if start is not None:
        query = query.where(observations.c.date >= start)
    return {r.date: StoredRow(r.close, r.adj_close, r.source) for r in conn.execute(query)}


def _delete_replaced(
    conn: sa.Connection, metric_id: str, existing: dict[dt.date, StoredRow], keep: set[dt.date]
) -> int:
    doomed = [d for d, row in existing.items() if d not in keep and is_provider_source(row.source)]
    if doomed:
        conn.execute(
            observations.delete().where(
                observations.c.metric_id == metric_id, observations.c.date == sa.bindparam("d")
            ),
            [{"d": d} for d in doomed],
        )
        for d in doomed:
            del existing[d]
    return len(doomed)


def _diff(
    rows: Iterable[Observation], existing: dict[dt.date, StoredRow], source: str
) -> tuple[list[Observation], list[Observation]]:
    inserts: list[Observation] = []
    updates: list[Observation] = []
    for row in rows:
        stored = existing.get(row.date)
        if stored is None:
            inserts.append(row)
        elif (stored.close, stored.adj_close, stored.source) != (row.close, row.adj_close, source):
            updates.append(row)
    return inserts, updates


def _to_series(metric: Metric, rows: Sequence[Any], synthetic: bool) -> MetricSeries:
    index = pd.DatetimeIndex(pd.to_datetime([r[0] for r in rows]), name="date")
    close = np.array([r[1] for r in rows], dtype=np.float64)
    adj = np.array([r[1] if r[2] is None else r[2] for r in rows], dtype=np.float64)
    levels = pd.DataFrame({"close": close, "adj": adj}, index=index)
    sources = tuple(dict.fromkeys(r[3] for r in rows))
    return MetricSeries(
        metric=metric,
        levels=levels,
        source=sources[-1] if sources else "",
        synthetic=synthetic,
        sources=sources,
    )
