"""Keep a metric's stored history current: `sync_series` is the one refresh use case.

Rules (issue #2): ask only for the recent tail with a few days of overlap; revised values
replace stored ones; a metric's history comes from one source at a time (a fallback
replaces the whole provider history, never spliced in); when Yahoo re-anchors adjusted
closes the whole adjusted history is replaced in the same transaction; a failure leaves
the store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from pairwatch.domain import Metric, Observation, Quote, Source
from pairwatch.errors import DataError, ProviderError
from pairwatch.providers.base import HistoryQuery, Provider
from pairwatch.providers.http import Fetcher
from pairwatch.store import FetchRecord, Store, StoredRow

log = logging.getLogger(__name__)

ADJ_TOLERANCE = 1e-9
FALLBACK_COVERAGE_SLACK = dt.timedelta(days=7)
MIN_REPLACEMENT_SHARE = 0.9


@dataclass(frozen=True, slots=True)
class SyncResult:
    """Outcome of one metric's refresh, for the CLI table and the fetch log."""

    metric_id: str
    source: str | None
    added: int = 0
    updated: int = 0
    deleted: int = 0
    first: dt.date | None = None
    last: dt.date | None = None
    error: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        """True when the store now holds this source's current data."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class _Plan:
    source: Source
    start: dt.date | None
    replace: bool


def adjusted_moved(
    stored: Mapping[dt.date, StoredRow], fresh: Sequence[Observation], source: str
) -> bool:
    """True when a stored adjusted close differs from the provider's new one (re-anchoring)."""
    latest = max(stored, default=None)
    for row in fresh:
        if row.date == latest:
            continue  # the newest stored bar may have been a live one that moved since
        old = stored.get(row.date)
        if old is None or old.source != source or old.adj_close is None or row.adj_close is None:
            continue
        if abs(row.adj_close - old.adj_close) > ADJ_TOLERANCE * abs(old.adj_close):
            return True
    return False


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Syncer:
    """Runs refreshes against one store with one set of providers and one fetcher."""

    def __init__(
        self,
        store: Store,
        providers: Mapping[str, Provider],
        fetcher: Fetcher,
        *,
        overlap_days: int = 10,
        fallback_after_days: float = 3.0,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.store = store
        self.providers = providers
        self.fetcher = fetcher
        self.overlap = dt.timedelta(days=overlap_days)
        self.fallback_after = dt.timedelta(days=fallback_after_days)
        self.clock = clock

    def sync(self, metric: Metric, since: dt.date | None = None) -> SyncResult:
        """Refresh one metric from its primary source, or its fallback when that fails for good.

        A source that already holds the stored history must fail for `fallback_after_days`
        on end (no success in between) before another source may replace it: one bad
        answer (an HTML page, a cut body, an outage) never swaps out good history.
        """
        stored_source = self.store.provider_source(metric.id)
        errors: list[str] = []
        for source in metric.sources:
            plan = self._plan(metric, source, stored_source, since)
            try:
                result = self._run(metric, plan, stored_source)
            except ProviderError as exc:
                errors.append(str(exc))
                self._log_failure(metric, source, exc)
                if stored_source == str(source) and not self._failing_for_good(metric, source):
                    note = (
                        f"stored data kept; another source replaces it only after "
                        f"{self.fallback_after.days} days of failures"
                    )
                    return self._failed(metric, str(source), str(exc), note)
                continue
            if errors:
                result = replace(result, note=f"fallback used; {'; '.join(errors)}")
            return result
        return self._failed(metric, stored_source or str(metric.source), "; ".join(errors))

    def _failing_for_good(self, metric: Metric, source: Source) -> bool:
        """True when `source` has failed on every try for at least `fallback_after`."""
        since = self.store.failing_since(metric.id, str(source))
        return since is not None and self.clock() - since >= self.fallback_after

    def _failed(
        self, metric: Metric, source: str, error: str, note: str | None = None
    ) -> SyncResult:
        """A failure result that still reports what the store holds (unchanged)."""
        first, last = self.store.span(metric.id)
        return SyncResult(metric.id, source, first=first, last=last, error=error, note=note)

    def _plan(
        self, metric: Metric, source: Source, stored_source: str | None, since: dt.date | None
    ) -> _Plan:
        if stored_source is not None and stored_source != str(source):
            return _Plan(source, None, replace=True)
        if since is not None:
            return _Plan(source, since, replace=False)
        if stored_source is None:
            return _Plan(source, None, replace=False)
        _, last = self.store.span(metric.id, str(source))
        start = None if last is None else last - self.overlap
        return _Plan(source, start, replace=False)

    def _fetch(
        self, metric: Metric, source: Source, start: dt.date | None
    ) -> tuple[list[Observation], str]:
        provider = self.providers.get(source.provider)
        if provider is None:
            raise ProviderError(
                source.provider, source.symbol, "", "provider not configured", permanent=True
            )
        query = HistoryQuery(source.symbol, start=start, change=metric.change)
        request = provider.history_request(query)
        response = self.fetcher.fetch(
            request,
            provider=source.provider,
            symbol=source.symbol,
            transport=getattr(provider, "transport", None),
        )
        try:
            return provider.parse_history(response, query), request.display_url
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, OSError) as exc:
            raise DataError(
                source.provider, source.symbol, request.display_url, f"unreadable body: {exc!r}"
            ) from exc

    def _run(self, metric: Metric, plan: _Plan, stored_source: str | None) -> SyncResult:
        started = self.clock()
        rows, url = self._fetch(metric, plan.source, plan.start)
        replacing, note = plan.replace, None
        source = str(plan.source)
        if replacing:
            self._check_coverage(metric, plan.source, rows, stored_source, url)
            note = f"replaced history from {stored_source} with {source}"
        elif plan.start is not None and adjusted_moved(
            self.store.rows(metric.id, plan.start), rows, source
        ):
            rows, url = self._fetch(metric, plan.source, None)
            self._check_coverage(metric, plan.source, rows, source, url)
            replacing, note = True, "adjusted closes re-anchored by the provider; history replaced"
        written = self.store.upsert(metric.id, rows, source, replace=replacing)
        first, last = self.store.span(metric.id)
        self.store.log_fetch(
            FetchRecord(
                metric.id,
                source,
                url,
                started,
                self.clock(),
                True,
                written.added,
                written.updated,
                note,
            )
        )
        return SyncResult(
            metric.id,
            source,
            written.added,
            written.updated,
            written.deleted,
            first,
            last,
            note=note,
        )

    def _check_coverage(
        self,
        metric: Metric,
        source: Source,
        rows: Sequence[Observation],
        stored_source: str | None,
        url: str,
    ) -> None:
        """Refuse a replacement that would drop years of history (CoinGecko's 365 days)."""
        first_stored, _ = self.store.span(metric.id, stored_source)
        if first_stored is None or not rows:
            return
        if rows[0].date > first_stored + FALLBACK_COVERAGE_SLACK:
            raise ProviderError(
                source.provider,
                source.symbol,
                url,
                f"{source} starts {rows[0].date.isoformat()}, stored {stored_source} history "
                f"starts {first_stored.isoformat()}: not replacing it with a shorter one",
                permanent=True,
            )
        stored_rows = self.store.count(metric.id, stored_source)
        if len(rows) < MIN_REPLACEMENT_SHARE * stored_rows:
            raise DataError(
                source.provider,
                source.symbol,
                url,
                f"{source} sent {len(rows)} rows where {stored_rows} are stored: "
                "not replacing the history with a much thinner one",
            )

    def _log_failure(self, metric: Metric, source: Source, exc: ProviderError) -> None:
        now = self.clock()
        log.info("%s: %s", metric.id, exc)
        self.store.log_fetch(
            FetchRecord(metric.id, str(source), exc.url, now, now, False, message=str(exc))
        )

    def refresh_quote(self, metric: Metric) -> Quote | None:
        """Fetch and store the latest quote where the metric's quote source has one."""
        source = metric.quote
        if source is None:
            return None
        provider = self.providers[source.provider]
        request = provider.quote_request(source.symbol)
        if request is None:
            return None
        response = self.fetcher.fetch(
            request,
            provider=source.provider,
            symbol=source.symbol,
            transport=getattr(provider, "transport", None),
        )
        quote = provider.parse_quote(response, source.symbol)
        self.store.save_quote(metric.id, quote, str(source))
        return quote
