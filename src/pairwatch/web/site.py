"""The web app's shared state: context, caches, templates, clock, and cache validators."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from starlette.templating import Jinja2Templates

from pairwatch.catalog import Catalog
from pairwatch.config import NotifySettings
from pairwatch.domain import MetricSeries
from pairwatch.errors import InvalidRequestError, NoDataError
from pairwatch.services.cache import ReportCache, compare_cached, report_inputs
from pairwatch.services.compare import check_as_of, gauge_id
from pairwatch.services.context import Context
from pairwatch.services.report import PairReport, truncate
from pairwatch.store import Store
from pairwatch.web.csrf import CsrfSigner
from pairwatch.web.etag import make_etag


def utc_today() -> dt.date:
    """Today's date in UTC: what freshness badges are measured against."""
    return dt.datetime.now(dt.UTC).date()


def catalog_fingerprint(catalog: Catalog) -> str:
    """A short hash of every metric and pair, so ETags change with the catalog file."""
    text = repr((sorted(catalog.metrics.items()), catalog.pairs))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Site:
    """Everything a route needs, built once by `create_app`."""

    context: Context
    templates: Jinja2Templates
    code_version: str
    csrf: CsrfSigner = field(default_factory=lambda: CsrfSigner(NotifySettings().secret()))
    reports: ReportCache = field(default_factory=ReportCache)
    today: Callable[[], dt.date] = utc_today

    @cached_property
    def catalog_version(self) -> str:
        """Fingerprint of the catalog (loaded once per process)."""
        return catalog_fingerprint(self.catalog)

    @property
    def catalog(self) -> Catalog:
        """The catalog in use."""
        return self.context.catalog

    @property
    def store(self) -> Store:
        """The store in use."""
        return self.context.store

    def series(self, metric_id: str, as_of: dt.date | None = None) -> MetricSeries:
        """A metric's stored series (cached per data version), cut at `as_of`."""
        metric = self.catalog.metric(metric_id)
        return truncate(self.store.load_series(metric), as_of)

    def leg(self, metric_id: str, as_of: dt.date | None = None) -> MetricSeries:
        """A metric's series for a pair figure: NoDataError when empty, asof checked."""
        whole = self.series(metric_id)
        if whole.levels.empty:
            raise NoDataError(whole.metric.id)
        check_as_of(whole, as_of)
        return truncate(whole, as_of)

    def legs(
        self, a: str, b: str, as_of: dt.date | None = None
    ) -> tuple[MetricSeries, MetricSeries]:
        """Both legs of a comparison, refusing a metric compared with itself."""
        if self.catalog.metric(a).id == self.catalog.metric(b).id:
            raise InvalidRequestError(
                f"cannot compare {a.lower()!r} with itself: pick two different metrics"
            )
        return self.leg(a, as_of), self.leg(b, as_of)

    def report(
        self,
        a: str,
        b: str,
        window: int | None,
        as_of: dt.date | None = None,
        *,
        forecasts: bool = True,
    ) -> PairReport:
        """The pair report, computed once per data version."""
        return compare_cached(
            self.store, self.catalog, self.reports, a, b, window, as_of, forecasts=forecasts
        )

    def gauge(self, a: str, b: str) -> str:
        """The regime gauge of a pair."""
        return gauge_id(self.catalog, a.lower(), b.lower())

    def report_ids(self, a: str, b: str) -> tuple[str, ...]:
        """Every metric a report of a/b reads (legs, gauge, VIX): its ETag inputs."""
        return report_inputs(self.catalog, a, b)

    def synthetic(self, metric_ids: Iterable[str]) -> bool:
        """True when any of the metrics holds the demo's synthetic data."""
        return self.context.demo or any(self.series(m).synthetic for m in metric_ids)

    def etag(self, metric_ids: Iterable[str], *extra: object, quotes: bool = False) -> str:
        """A tag over the code, catalog, store, the metrics' data versions and `extra`.

        With `quotes`, the stored quotes' timestamps count too (pages that show them).
        """
        ids = sorted({m.lower() for m in metric_ids})
        state = [(m, self.store.data_version(m)) for m in ids]
        stamps = [self._quote_stamp(m) for m in ids] if quotes else []
        return make_etag(
            self.code_version, self.catalog_version, self.store.url, state, stamps, extra
        )

    def _quote_stamp(self, metric_id: str) -> str | None:
        """When the stored quote of a metric was taken, if there is one."""
        quote = self.store.load_quote(metric_id)
        return None if quote is None else quote.as_of.isoformat()
