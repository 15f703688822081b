"""Scheduled refreshes for `pairwatch serve` (APScheduler, in the serving process).

Daily history, after each provider publishes (New York time unless noted):

    history-cboe          Mon-Fri 17:30     CBOE index closes
    history-etfs          Mon-Fri 16:30     Yahoo (and Stooq) fund closes
    history-fred          Mon-Fri 16:30     FRED series published during the day
    history-fred-morning  Tue-Sat 06:00     FRED series published overnight
    history-crypto        daily 00:15 UTC   crypto closes (UTC days)
    history-catch-up      once, at start    every group, so a restarted server is current

Latest quotes, during each market's hours, spaced for the providers' rate limits:

    quotes-us             every 60 s, Mon-Fri 09:00-16:59, acting 09:30 to 15 min after
                          the close on NYSE trading days (holidays and early closes known)
    quotes-crypto         every 120 s, always (CoinGecko's keyless limit is a few calls
                          a minute)

No job overlaps itself (`max_instances=1`) and missed runs collapse into one
(`coalesce=True`). A failing metric is logged and the others carry on; a failing job is
logged by the scheduler, which keeps running. After a refresh, entries whose shown value
or freshness changed go to the `LiveHub`, and, when stored data changed, every hook in
`after_refresh` is called with a `RefreshEvent` (alerts and the digest register there).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from pairwatch.catalog import Catalog
from pairwatch.config import NotifySettings
from pairwatch.domain import Metric, Quote
from pairwatch.errors import ProviderError
from pairwatch.notify.alerts import check_alerts
from pairwatch.notify.delivery import send_daily_digest
from pairwatch.services.context import Context
from pairwatch.services.live import Event, LiveHub, quote_payload, utc_now
from pairwatch.services.market_hours import NEW_YORK, Market, in_quote_window, market_for
from pairwatch.services.sync import SyncResult
from pairwatch.store import Store

log = logging.getLogger(__name__)

RefreshKind = Literal["history", "quotes"]
HISTORY_GROUPS = ("cboe", "etfs", "fred", "crypto")
QUOTE_GRACE = dt.timedelta(minutes=15)
CATCH_UP_DELAY = dt.timedelta(seconds=10)
HISTORY_MISFIRE_GRACE = 3600
QUOTES_MISFIRE_GRACE = 30
WORKERS = 4


class RefreshSource(Protocol):
    """What the jobs need of `services.sync.Syncer` (a fake stands in for it in tests)."""

    def sync(self, metric: Metric, since: dt.date | None = None) -> SyncResult:
        """Refresh one metric's history."""
        ...

    def refresh_quote(self, metric: Metric) -> Quote | None:
        """Fetch and store one metric's latest quote (None where there is none)."""
        ...


@dataclass(frozen=True, slots=True)
class RefreshEvent:
    """What one job run did: which metrics' stored data changed and which failed."""

    job_id: str
    kind: RefreshKind
    changed: tuple[str, ...]
    failed: tuple[str, ...]
    at: dt.datetime


AfterRefresh = Callable[[RefreshEvent], None]


def history_group(metric: Metric) -> str | None:
    """The daily-history job of a metric (None for imported-only metrics)."""
    if market_for(metric) is Market.CRYPTO:
        return "crypto"
    provider = metric.source.provider
    if provider in ("yahoo", "stooq"):
        return "etfs"
    return provider if provider in HISTORY_GROUPS else None


def quote_market(metric: Metric) -> Market | None:
    """The market whose quote job refreshes a metric (None without a quote source)."""
    return None if metric.quote is None else market_for(metric)


def _quote_changed(before: Quote | None, after: Quote | None) -> bool:
    """True when a new quote differs from the stored one in price or time."""
    if after is None:
        return False
    return before is None or (before.price, before.as_of) != (after.price, after.as_of)


class Refresher:
    """Runs one group's refresh, tells live clients, and calls the `after_refresh` hooks."""

    def __init__(
        self,
        source: RefreshSource,
        store: Store,
        catalog: Catalog,
        hub: LiveHub,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.source = source
        self.store = store
        self.catalog = catalog
        self.hub = hub
        self.clock = clock
        self.after_refresh: list[AfterRefresh] = []
        self._sent: dict[str, Event] = {}
        self._lock = threading.Lock()

    def history(self, job_id: str, groups: Sequence[str]) -> RefreshEvent:
        """Refresh the daily history of every metric in `groups`."""
        metrics = [m for m in self.catalog if history_group(m) in groups]
        changed, failed = [], []
        for metric in metrics:
            result = self._sync(metric)
            if result is None or not result.ok:
                failed.append(metric.id)
            elif result.added or result.updated or result.deleted:
                changed.append(metric.id)
        return self._finish(job_id, "history", changed, failed, changed)

    def quotes(self, job_id: str, market: Market) -> RefreshEvent | None:
        """Refresh the latest quotes of `market`'s metrics; None outside its hours."""
        if not in_quote_window(market, self.clock(), QUOTE_GRACE):
            return None
        metrics = [m for m in self.catalog if quote_market(m) is market]
        changed, failed = [], []
        for metric in metrics:
            before = self.store.load_quote(metric.id)
            after = self._quote(metric)
            if after is None and metric.quote is not None:
                failed.append(metric.id)
            elif _quote_changed(before, after):
                changed.append(metric.id)
        return self._finish(job_id, "quotes", changed, failed, [m.id for m in metrics])

    def _sync(self, metric: Metric) -> SyncResult | None:
        """One metric's history refresh; an unexpected failure is logged, not raised."""
        try:
            result = self.source.sync(metric)
        except Exception:  # a job must outlive any one metric's failure
            log.exception("history refresh of %s failed", metric.id)
            return None
        if not result.ok:
            log.warning("history refresh of %s failed: %s", metric.id, result.error)
        return result

    def _quote(self, metric: Metric) -> Quote | None:
        """One metric's quote refresh; failures are logged, not raised."""
        try:
            return self.source.refresh_quote(metric)
        except ProviderError as exc:
            log.warning("quote of %s failed: %s", metric.id, exc)
        except Exception:  # a job must outlive any one metric's failure
            log.exception("quote of %s failed", metric.id)
        return None

    def _finish(
        self,
        job_id: str,
        kind: RefreshKind,
        changed: list[str],
        failed: list[str],
        shown: Iterable[str],
    ) -> RefreshEvent:
        """Publish what live clients see differently, then run the hooks on a data change."""
        event = RefreshEvent(job_id, kind, tuple(changed), tuple(failed), self.clock())
        self.publish(shown)
        if event.changed:
            self._run_hooks(event)
        return event

    def publish(self, metric_ids: Iterable[str]) -> Event | None:
        """Send the live entries of `metric_ids` that differ from the last ones sent."""
        ids = list(dict.fromkeys(metric_ids))
        if not ids:
            return None
        payload = quote_payload(self.store, self.catalog, ids, now=self.clock())
        with self._lock:
            fresh = {
                m: entry for m, entry in payload["metrics"].items() if self._sent.get(m) != entry
            }
            self._sent.update(fresh)
        if not fresh:
            return None
        event: Event = {"type": "quote", "generated_at": payload["generated_at"], "metrics": fresh}
        self.hub.publish(event)
        return event

    def _run_hooks(self, event: RefreshEvent) -> None:
        """Call every hook; one failing hook is logged and does not stop the others."""
        for hook in list(self.after_refresh):
            try:
                hook(event)
            except Exception:  # a hook belongs to another feature; keep the job alive
                log.exception("after_refresh hook %r failed for %s", hook, event.job_id)


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One scheduled job: id, description, trigger, and the refresh it runs."""

    id: str
    name: str
    trigger: BaseTrigger
    kind: RefreshKind
    groups: tuple[str, ...] = ()
    market: Market | None = None
    misfire_grace_time: int = HISTORY_MISFIRE_GRACE


def _weekdays_at(hour: int, minute: int, days: str = "mon-fri") -> CronTrigger:
    return CronTrigger(day_of_week=days, hour=hour, minute=minute, timezone=NEW_YORK)


def history_specs(start: dt.datetime) -> list[JobSpec]:
    """The daily-history jobs, plus a one-off catch-up shortly after `start`."""
    return [
        JobSpec("history-cboe", "CBOE index closes", _weekdays_at(17, 30), "history", ("cboe",)),
        JobSpec("history-etfs", "Fund closes (Yahoo)", _weekdays_at(16, 30), "history", ("etfs",)),
        JobSpec("history-fred", "FRED (afternoon)", _weekdays_at(16, 30), "history", ("fred",)),
        JobSpec(
            "history-fred-morning",
            "FRED (overnight releases)",
            _weekdays_at(6, 0, "tue-sat"),
            "history",
            ("fred",),
        ),
        JobSpec(
            "history-crypto",
            "Crypto closes",
            CronTrigger(hour=0, minute=15, timezone=dt.UTC),
            "history",
            ("crypto",),
        ),
        JobSpec(
            "history-catch-up",
            "Catch-up of every history at start",
            DateTrigger(run_date=start + CATCH_UP_DELAY, timezone=dt.UTC),
            "history",
            HISTORY_GROUPS,
        ),
    ]


def quote_specs() -> list[JobSpec]:
    """The latest-quote jobs."""
    us_hours = CronTrigger(
        day_of_week="mon-fri", hour="9-16", minute="*", second=0, timezone=NEW_YORK
    )
    return [
        JobSpec(
            "quotes-us",
            "US quotes (CBOE, Yahoo)",
            us_hours,
            "quotes",
            market=Market.US_EQUITIES,
            misfire_grace_time=QUOTES_MISFIRE_GRACE,
        ),
        JobSpec(
            "quotes-crypto",
            "Crypto quotes (CoinGecko)",
            IntervalTrigger(seconds=120, timezone=dt.UTC),
            "quotes",
            market=Market.CRYPTO,
            misfire_grace_time=QUOTES_MISFIRE_GRACE,
        ),
    ]


@dataclass(frozen=True, slots=True)
class JobInfo:
    """A row of the job table."""

    id: str
    name: str
    trigger: str
    max_instances: int
    coalesce: bool
    misfire_grace_time: int | None


@dataclass
class Jobs:
    """The scheduler of one serving process. With `run_jobs=False` nothing ever runs."""

    refresher: Refresher
    run_jobs: bool = True
    scheduler: BackgroundScheduler = field(init=False)
    specs: dict[str, JobSpec] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.scheduler = BackgroundScheduler(
            timezone=dt.UTC,
            executors={"default": ThreadPoolExecutor(WORKERS)},
            job_defaults={"max_instances": 1, "coalesce": True},
        )
        self.scheduler.add_listener(
            _log_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )
        for spec in [*history_specs(self.refresher.clock()), *quote_specs()]:
            self.add_spec(spec)

    @property
    def after_refresh(self) -> list[AfterRefresh]:
        """Hooks called with a `RefreshEvent` after every refresh that changed stored data."""
        return self.refresher.after_refresh

    def add_spec(self, spec: JobSpec) -> None:
        """Schedule one refresh job."""
        self.specs[spec.id] = spec
        self.add_job(spec.id, spec.name, self._runner(spec), spec.trigger, spec.misfire_grace_time)

    def add_job(
        self,
        job_id: str,
        name: str,
        func: Callable[[], object],
        trigger: BaseTrigger,
        misfire_grace_time: int = HISTORY_MISFIRE_GRACE,
    ) -> None:
        """Schedule any job (e.g. the digest) with the same no-overlap settings."""
        self.scheduler.add_job(
            func,
            trigger,
            id=job_id,
            name=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=misfire_grace_time,
            replace_existing=True,
        )

    def _runner(self, spec: JobSpec) -> Callable[[], RefreshEvent | None]:
        """The callable a spec schedules."""
        if spec.market is not None:
            market = spec.market
            return lambda: self.refresher.quotes(spec.id, market)
        return lambda: self.refresher.history(spec.id, spec.groups)

    def run_now(self, job_id: str) -> object:
        """Run a job in the calling thread, now (tests and one-off refreshes)."""
        job = self.scheduler.get_job(job_id)
        if job is None:
            raise KeyError(f"no job {job_id!r}; jobs: {', '.join(self.job_ids())}")
        return job.func(*job.args, **job.kwargs)

    def job_ids(self) -> list[str]:
        """Ids of every scheduled job."""
        return [job.id for job in self.scheduler.get_jobs()]

    def table(self) -> list[JobInfo]:
        """Every job with its trigger and overlap settings."""
        return [
            JobInfo(
                job.id,
                job.name,
                str(job.trigger),
                job.max_instances,
                job.coalesce,
                job.misfire_grace_time,
            )
            for job in self.scheduler.get_jobs()
        ]

    def start(self) -> bool:
        """Start the scheduler's thread (unless `run_jobs` is off); True when running."""
        if self.run_jobs and not self.scheduler.running:
            self.scheduler.start()
            log.info("scheduler started with %d jobs", len(self.job_ids()))
        return bool(self.scheduler.running)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the scheduler, letting running jobs finish when `wait`."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)


def _log_job_event(event: JobEvent) -> None:
    """Log a failed, missed or skipped job run (the scheduler keeps running)."""
    if isinstance(event, JobExecutionEvent) and event.exception is not None:
        log.error("job %s failed: %r", event.job_id, event.exception)
    elif event.code == EVENT_JOB_MISSED:
        log.warning("job %s missed its run time", event.job_id)
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        log.warning("job %s still running; this run is skipped", event.job_id)


def add_notify_jobs(jobs: Jobs, context: Context, settings: NotifySettings) -> None:
    """Alerts after every history refresh that changed data; the digest after the close."""

    def alerts(event: RefreshEvent) -> None:
        if event.kind == "history":
            check_alerts(context.store, context.catalog, settings=settings)

    jobs.after_refresh.append(alerts)
    hour, minute = (int(part) for part in settings.digest_time.split(":"))
    trigger = CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute, timezone=NEW_YORK)
    jobs.add_job(
        "digest",
        "Daily digest",
        lambda: send_daily_digest(context.store, context.catalog, settings=settings),
        trigger,
    )


def build_jobs(
    context: Context,
    hub: LiveHub,
    *,
    run_jobs: bool = True,
    clock: Callable[[], dt.datetime] = utc_now,
) -> Jobs:
    """The jobs of a serving process over `context` (its syncer, store and catalog)."""
    refresher = Refresher(context.syncer, context.store, context.catalog, hub, clock=clock)
    return Jobs(refresher, run_jobs=run_jobs)
