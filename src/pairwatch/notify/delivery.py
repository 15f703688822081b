"""Sending the digest: at most one per confirmed reader per as-of date, and a preview.

How "never twice" holds: for each reader the delivery row (reader, "digest", as-of) is
inserted *before* the mail is sent, under a unique key, and marked sent or failed after.
A second run, or a second process, finds the key taken and skips the reader; a reader
confirmed since the last run has no row yet and gets that day's digest.

What a failure leaves behind:

- a permanent refusal (5xx) marks the row `failed`: not retried that day;
- a temporary failure that outlasts the retries (4xx, the server unreachable) marks it
  `deferred`: nothing was accepted, so the next run takes the row over and tries again;
- a crash between the insert and the send's result leaves the row `sending`: the mail
  may or may not have left, so it is never retried automatically (at most once beats
  twice). `send_digests` logs such rows; an operator who checked the SMTP log can delete
  one to have it sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from pairwatch.catalog import Catalog
from pairwatch.errors import InvalidRequestError
from pairwatch.notify.digest import DigestBuilder
from pairwatch.notify.mailer import MailConfigError, MailError
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.render import Links, digest_message, digest_page
from pairwatch.notify.settings import NotifySettings
from pairwatch.notify.signup import normalise_address
from pairwatch.notify.subscriptions import DEFERRED, DIGEST, FAILED, SENT, Subscriber
from pairwatch.store import Store

log = logging.getLogger(__name__)
PREVIEW_DIR = "previews"


@dataclass
class DigestRun:
    """What one `send_digests` run did, address by address."""

    as_of: dt.date
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)


def _targets(notifier: Notifier, only: str | None) -> list[Subscriber]:
    """Every confirmed reader, or the one named by `only` (who must be confirmed)."""
    readers = notifier.subscribers.confirmed()
    if only is None:
        return readers
    address = normalise_address(only)
    chosen = [s for s in readers if s.email == address]
    if not chosen:
        raise InvalidRequestError(
            f"{address} is not a confirmed subscriber: digests go only to confirmed addresses"
        )
    return chosen


def _served(notifier: Notifier, reader: Subscriber, as_of: dt.date) -> bool:
    """True when the reader's delivery of the day exists and is not waiting for a retry."""
    found = notifier.subscribers.delivery(reader.id, DIGEST, as_of)
    return found is not None and found.status != DEFERRED


def _send_one(
    notifier: Notifier, builder: DigestBuilder, reader: Subscriber, run: DigestRun
) -> None:
    """Claim, render, send and record one reader's digest."""
    subs, as_of = notifier.subscribers, builder.as_of
    if _served(notifier, reader, as_of):
        run.already.append(reader.email)
        return
    digest = builder.digest(reader.pairs, subs.last_sent(reader.id))
    envelope = notifier.envelope(reader.email).with_id()
    message = digest_message(digest, envelope, notifier.links(reader.id))
    delivery = subs.claim(reader.id, DIGEST, as_of, envelope.message_id, notifier.clock())
    if delivery is None:  # another process claimed it a moment ago
        run.already.append(reader.email)
        return
    try:
        where = notifier.send(message, keep_open=True)
    except MailError as exc:
        status = FAILED if exc.permanent else DEFERRED
        subs.finish(delivery, status, notifier.clock(), exc.reason)
        (run.failed if exc.permanent else run.deferred).append((reader.email, exc.reason))
        log.warning("digest %s to %s %s: %s", as_of, reader.email, status, exc.reason)
        return
    except MailConfigError as exc:
        subs.finish(delivery, DEFERRED, notifier.clock(), str(exc))
        raise
    subs.finish(delivery, SENT, notifier.clock())
    run.sent.append(reader.email)
    log.info("digest %s sent to %s via %s (%s)", as_of, reader.email, where, envelope.message_id)


def send_digests(
    notifier: Notifier, as_of: dt.date | None = None, only: str | None = None
) -> DigestRun:
    """Mail the digest of `as_of` (default: the last trading day) to every confirmed
    reader not yet served that day, or only to the confirmed address `only`."""
    builder = DigestBuilder(notifier.store, notifier.catalog, as_of)
    run = DigestRun(builder.as_of)
    try:
        for reader in _targets(notifier, only):
            _send_one(notifier, builder, reader, run)
    finally:
        notifier.close()
    for stuck in notifier.subscribers.stuck():
        run.stuck.append(f"delivery {stuck.id} ({stuck.as_of}, {stuck.message_id})")
        log.warning(
            "digest delivery %d (%s, %s) was claimed at %s but never finished: check the SMTP "
            "log; delete the row to send it again",
            stuck.id,
            stuck.as_of,
            stuck.message_id,
            stuck.created_at,
        )
    return run


def send_daily_digest(
    store: Store,
    catalog: Catalog,
    as_of: dt.date | None = None,
    *,
    settings: NotifySettings | None = None,
) -> DigestRun:
    """The scheduler's entry point: `send_digests` with the settings from the environment."""
    return send_digests(Notifier(settings or NotifySettings(), store, catalog), as_of)


def _preview_links(notifier: Notifier, reader: Subscriber | None) -> Links:
    """A reader's real links, or placeholders marked as a preview."""
    if reader is not None:
        return notifier.links(reader.id)
    site = notifier.settings.site_url
    return Links(site, f"{site}/unsubscribe?token=PREVIEW", f"{site}/preferences?token=PREVIEW")


def preview_digest(
    notifier: Notifier,
    as_of: dt.date | None = None,
    to: str | None = None,
    path: Path | None = None,
) -> Path:
    """Write the digest for review, sending nothing: an .eml file, or .html when `path`
    ends in .html/.htm. `to` previews a confirmed reader's pairs (else the defaults)."""
    builder = DigestBuilder(notifier.store, notifier.catalog, as_of)
    address = normalise_address(to) if to else "preview@example.com"
    reader = notifier.subscribers.by_email(address) if to else None
    reader = reader if reader is not None and reader.confirmed else None
    digest = builder.digest(reader.pairs if reader else ())
    links = _preview_links(notifier, reader)
    target = path or notifier.settings.home / PREVIEW_DIR / f"digest-{builder.as_of}.eml"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() in (".html", ".htm"):
        target.write_text(digest_page(digest, links), encoding="utf-8")
    else:
        message = digest_message(digest, notifier.envelope(address), links)
        target.write_bytes(message.as_bytes())
    return target
