"""Alerts: conditions on a pair, checked after each data refresh, each firing sent once.

`check_alerts(store, catalog, as_of)` reads every active alert's pair as of the date (the
90-day pair report, the gauge's regime, the legs' last closes), evaluates the condition
against the state kept from the previous check (`conditions.evaluate`), and delivers what
fired: by email to a confirmed subscriber, or as a signed JSON POST to a webhook.

Each firing has a key (condition and date, e.g. `zscore>2@2025-12-31`) stored under a
unique (alert, key) constraint *before* it is delivered, so a firing goes out at most
once, however often the check runs and from however many processes. A delivery that
fails is recorded as failed with its reason and not retried.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pairwatch.catalog import Catalog
from pairwatch.errors import InsufficientDataError, InvalidRequestError, NoDataError
from pairwatch.notify.conditions import Condition, Outcome, Reading, evaluate, parse_condition
from pairwatch.notify.digest import (
    DIGEST_WINDOW,
    PAIR_SEPARATOR,
    gauge_level,
    last_trading_day,
    parse_pair,
    regime_of,
)
from pairwatch.notify.mailer import MailConfigError, MailError
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.render import alert_message
from pairwatch.notify.settings import NotifySettings
from pairwatch.notify.signup import normalise_address, sign_up
from pairwatch.notify.subscriptions import FAILED, SENDING, SENT, new_row_id, now_utc, utc
from pairwatch.notify.tables import alert_firings, alerts
from pairwatch.notify.webhooks import WebhookError, WebhookRefusedError, check_target, post_webhook
from pairwatch.services.compare import compare_pair, gauge_id
from pairwatch.store import Store

log = logging.getLogger(__name__)
EMAIL = "email"
WEBHOOK = "webhook"
LOCAL = "local"
SUBSCRIBER = "subscriber"
SKIPPED = "skipped"
MAX_SUBSCRIBER_ALERTS = 20


@dataclass(frozen=True)
class Alert:
    """One alert: whose, on which pair, what condition, delivered how and where."""

    id: int
    subscriber_id: int | None
    owner: str
    a: str
    b: str
    condition: Condition
    channel: str
    target: str
    active: bool
    state: dict[str, Any]
    checked_on: dt.date | None
    created_at: dt.datetime

    @property
    def slug(self) -> str:
        """The pair, e.g. 'iwm-vs-vix'."""
        return f"{self.a}{PAIR_SEPARATOR}{self.b}"


@dataclass(frozen=True)
class FiringResult:
    """What happened to one fired condition."""

    alert_id: int
    key: str
    channel: str
    status: str
    summary: str
    error: str | None = None


def _alert(row: Any) -> Alert:
    """An alerts row as an Alert."""
    return Alert(
        id=row.id,
        subscriber_id=row.subscriber_id,
        owner=row.owner,
        a=row.a,
        b=row.b,
        condition=Condition.from_params(row.condition, json.loads(row.params)),
        channel=row.channel,
        target=row.target,
        active=bool(row.active),
        state=json.loads(row.state or "{}"),
        checked_on=row.checked_on,
        created_at=utc(row.created_at) or now_utc(),
    )


class AlertBook:
    """Alerts and their firings in the store behind `engine`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add(
        self,
        pair: tuple[str, str],
        condition: Condition,
        channel: str,
        target: str,
        *,
        owner: str = LOCAL,
        subscriber_id: int | None = None,
    ) -> Alert:
        """Store a new active alert."""
        values = {
            "subscriber_id": subscriber_id,
            "owner": owner,
            "a": pair[0],
            "b": pair[1],
            "condition": condition.kind.value,
            "params": json.dumps(condition.params()),
            "channel": channel,
            "target": target,
            "active": True,
            "state": "{}",
            "created_at": now_utc(),
        }
        with self.engine.begin() as conn:
            new_id = new_row_id(conn.execute(alerts.insert().values(**values)))
        found = self.get(new_id)
        assert found is not None
        return found

    def get(self, alert_id: int) -> Alert | None:
        """The alert with this id, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(alerts).where(alerts.c.id == alert_id)).first()
        return None if row is None else _alert(row)

    def all(self, *, active_only: bool = False, subscriber_id: int | None = None) -> list[Alert]:
        """Alerts in creation order, optionally only active ones or one subscriber's."""
        query = sa.select(alerts).order_by(alerts.c.id)
        if active_only:
            query = query.where(alerts.c.active.is_(True))
        if subscriber_id is not None:
            query = query.where(alerts.c.subscriber_id == subscriber_id)
        with self.engine.connect() as conn:
            return [_alert(r) for r in conn.execute(query)]

    def remove(self, alert_id: int, subscriber_id: int | None = None) -> bool:
        """Delete an alert (only the subscriber's own, when one is given)."""
        stmt = alerts.delete().where(alerts.c.id == alert_id)
        if subscriber_id is not None:
            stmt = stmt.where(alerts.c.subscriber_id == subscriber_id)
        with self.engine.begin() as conn:
            return bool(conn.execute(stmt).rowcount)

    def save_state(self, alert_id: int, state: dict[str, Any], checked_on: dt.date) -> None:
        """Keep what the next check compares with."""
        stmt = alerts.update().where(alerts.c.id == alert_id)
        with self.engine.begin() as conn:
            conn.execute(stmt.values(state=json.dumps(state), checked_on=checked_on))

    def claim_firing(
        self, alert_id: int, key: str, as_of: dt.date, payload: dict[str, Any]
    ) -> int | None:
        """Record a firing before delivering it; None when this key fired already."""
        values = {
            "alert_id": alert_id,
            "fired_key": key,
            "as_of": as_of,
            "payload": json.dumps(payload, allow_nan=False),
            "status": SENDING,
            "fired_at": now_utc(),
        }
        try:
            with self.engine.begin() as conn:
                return new_row_id(conn.execute(alert_firings.insert().values(**values)))
        except sa.exc.IntegrityError:
            return None

    def finish_firing(self, firing_id: int, status: str, error: str | None = None) -> None:
        """Record how a firing's delivery went."""
        stmt = alert_firings.update().where(alert_firings.c.id == firing_id)
        with self.engine.begin() as conn:
            conn.execute(stmt.values(status=status, error=error))

    def firings(self, alert_id: int) -> list[dict[str, Any]]:
        """Every firing of an alert, oldest first."""
        query = (
            sa.select(alert_firings)
            .where(alert_firings.c.alert_id == alert_id)
            .order_by(alert_firings.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


def add_alert(
    notifier: Notifier,
    pair: str,
    when: str,
    *,
    webhook: str | None = None,
    email: str | None = None,
    subscriber_id: int | None = None,
) -> Alert:
    """Create an alert on `pair` ('iwm-vs-vix' or 'iwm/vix') delivered to one target.

    A webhook URL is checked now (scheme and public address); an email address must be a
    confirmed subscriber's, else it is signed up (a confirmation mail goes out) and the
    alert waits: nothing is sent to an unconfirmed address.
    """
    if (webhook is None) == (email is None):
        raise InvalidRequestError("give exactly one of --webhook URL or --email ADDRESS")
    a, b = parse_pair(pair.replace("/", PAIR_SEPARATOR), notifier.catalog)
    condition = parse_condition(when, a, b)
    book = AlertBook(notifier.store.engine)
    if webhook is not None:
        check_target(webhook, allow_private=notifier.settings.allow_private_webhooks)
        return book.add((a, b), condition, WEBHOOK, webhook.strip())
    address = normalise_address(str(email))
    if subscriber_id is not None and len(book.all(subscriber_id=subscriber_id)) >= (
        MAX_SUBSCRIBER_ALERTS
    ):
        raise InvalidRequestError(f"at most {MAX_SUBSCRIBER_ALERTS} alerts per reader")
    reader = notifier.subscribers.by_email(address)
    if reader is None or not reader.confirmed:
        message = sign_up(notifier, address, [f"{a}{PAIR_SEPARATOR}{b}"])
        if message is not None:
            notifier.send(message)
        reader = notifier.subscribers.by_email(address)
    owner = SUBSCRIBER if subscriber_id is not None else LOCAL
    reader_id = reader.id if reader is not None else None
    return book.add((a, b), condition, EMAIL, address, owner=owner, subscriber_id=reader_id)


def read_pair(store: Store, catalog: Catalog, a: str, b: str, as_of: dt.date) -> Reading:
    """The figures a pair's conditions are checked against, as of `as_of`."""
    report = compare_pair(store, catalog, a, b, DIGEST_WINDOW, as_of, forecasts=False)
    gauge = gauge_id(catalog, a, b)
    level = gauge_level(store, catalog, gauge, as_of)
    stats, ratio = report.stats, None if report.stats is None else report.stats.ratio
    return Reading(
        slug=f"{a}{PAIR_SEPARATOR}{b}",
        as_of=as_of,
        zscore=None if ratio is None else ratio.zscore,
        ratio=None if ratio is None else ratio.last,
        correlation=None if stats is None else stats.correlation,
        gauge=gauge,
        gauge_level=level,
        regime=regime_of(level),
        levels={a: report.changes.a.last, b: report.changes.b.last},
        divergences=report.divergences or (),
    )


def _payload(alert: Alert, outcome: Outcome, reading: Reading) -> dict[str, Any]:
    """The JSON a webhook receives (and the email shows): the alert and its figures."""
    return {
        "event": "alert",
        "alert": {"id": alert.id, "pair": alert.slug, "condition": alert.condition.text},
        "key": outcome.key,
        "as_of": reading.as_of.isoformat(),
        "summary": outcome.summary,
        "trigger": outcome.figures,
        "figures": reading.figures(),
    }


def _deliver(notifier: Notifier, alert: Alert, payload: dict[str, Any]) -> None:
    """Send one firing by its channel; MailError, WebhookError or WebhookRefusedError on failure."""
    if alert.channel == WEBHOOK:
        post_webhook(
            alert.target,
            payload,
            notifier.settings.secret(),
            allow_private=notifier.settings.allow_private_webhooks,
            timeout=notifier.settings.webhook_timeout,
            attempts=notifier.settings.webhook_attempts,
            backoff=notifier.settings.webhook_backoff,
        )
        return
    subject = f"pairwatch alert: {payload['summary']}"
    links = notifier.links(alert.subscriber_id)
    notifier.send(alert_message(notifier.envelope(alert.target), subject, payload, links))


def _can_deliver(notifier: Notifier, alert: Alert) -> bool:
    """Email alerts only reach confirmed subscribers; webhooks always may be tried."""
    if alert.channel != EMAIL:
        return True
    reader = None if alert.subscriber_id is None else notifier.subscribers.get(alert.subscriber_id)
    return reader is not None and reader.confirmed and reader.email == alert.target


def _fire(notifier: Notifier, alert: Alert, outcome: Outcome, reading: Reading) -> FiringResult:
    """Claim the firing's key, deliver it, and record the result."""
    book = AlertBook(notifier.store.engine)
    payload = _payload(alert, outcome, reading)
    firing = book.claim_firing(alert.id, outcome.key, reading.as_of, payload)
    if firing is None:
        return FiringResult(alert.id, outcome.key, alert.channel, SKIPPED, outcome.summary)
    try:
        _deliver(notifier, alert, payload)
    except (MailError, WebhookError, WebhookRefusedError, MailConfigError) as exc:
        book.finish_firing(firing, FAILED, str(exc))
        log.warning("alert %d %s: delivery failed: %s", alert.id, outcome.key, exc)
        return FiringResult(alert.id, outcome.key, alert.channel, FAILED, outcome.summary, str(exc))
    book.finish_firing(firing, SENT)
    log.info("alert %d fired %s via %s", alert.id, outcome.key, alert.channel)
    return FiringResult(alert.id, outcome.key, alert.channel, SENT, outcome.summary)


class _Readings:
    """Pair readings computed once per check run (None when the pair has no data)."""

    def __init__(self, store: Store, catalog: Catalog, as_of: dt.date) -> None:
        self.store, self.catalog, self.as_of = store, catalog, as_of
        self._found: dict[str, Reading | None] = {}

    def get(self, alert: Alert) -> Reading | None:
        """The reading of an alert's pair (computed on first use)."""
        if alert.slug not in self._found:
            try:
                reading: Reading | None = read_pair(
                    self.store, self.catalog, alert.a, alert.b, self.as_of
                )
            except (NoDataError, InsufficientDataError, InvalidRequestError) as exc:
                log.warning("alerts on %s not checked: %s", alert.slug, exc)
                reading = None
            self._found[alert.slug] = reading
        return self._found[alert.slug]


def run_checks(notifier: Notifier, as_of: dt.date | None = None) -> list[FiringResult]:
    """Check every active alert as of `as_of` (default: the last trading day)."""
    day = as_of or last_trading_day(notifier.store, notifier.catalog)
    readings = _Readings(notifier.store, notifier.catalog, day)
    book = AlertBook(notifier.store.engine)
    results: list[FiringResult] = []
    for alert in book.all(active_only=True):
        reading = readings.get(alert)
        if reading is None or not _can_deliver(notifier, alert):
            continue
        outcome = evaluate(alert.condition, reading, alert.state)
        if outcome.fired:
            results.append(_fire(notifier, alert, outcome, reading))
        book.save_state(alert.id, outcome.state, day)
    return results


def check_alerts(
    store: Store,
    catalog: Catalog,
    as_of: dt.date | None = None,
    *,
    settings: NotifySettings | None = None,
    notifier: Notifier | None = None,
) -> list[FiringResult]:
    """Check every alert after a data refresh (the scheduler's entry point)."""
    owned = notifier is None
    notifier = notifier or Notifier(settings or NotifySettings(), store, catalog)
    try:
        return run_checks(notifier, as_of)
    finally:
        if owned:
            notifier.close()
