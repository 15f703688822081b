"""`Notifier`: the digest's settings, store, catalog, mailer and signing keys in one place.

Built once by an edge (the CLI, the web router, the scheduler) and handed to the use
cases in `signup`, `delivery` and `alerts`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property

from pairwatch.catalog import Catalog
from pairwatch.notify.mailer import Mailer, OutboxMailer, build_mailer
from pairwatch.notify.render import Envelope, Links
from pairwatch.notify.settings import NotifySettings
from pairwatch.notify.subscriptions import Subscribers, now_utc
from pairwatch.notify.tokens import PREFERENCES, UNSUBSCRIBE, Tokens
from pairwatch.store import Store


@dataclass
class Notifier:
    """What sending digests, sign-up mails and alerts needs."""

    settings: NotifySettings
    store: Store
    catalog: Catalog
    mailer: Mailer | None = None
    clock: Callable[[], dt.datetime] = now_utc
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def tokens(self) -> Tokens:
        """Signed tokens under the secret key."""
        return Tokens(self.settings.secret())

    @cached_property
    def subscribers(self) -> Subscribers:
        """Subscriber and delivery rows."""
        return Subscribers(self.store.engine)

    @property
    def mail(self) -> Mailer:
        """The mailer: the one given, else SMTP or the outbox from the settings."""
        if self.mailer is None:
            self.mailer = build_mailer(self.settings)
        return self.mailer

    @property
    def uses_outbox(self) -> bool:
        """True when mails are written to the outbox folder instead of sent."""
        return isinstance(self.mail, OutboxMailer)

    def send(self, message: EmailMessage, *, keep_open: bool = False) -> str:
        """Deliver one message (one at a time per process); closes the connection after
        unless `keep_open` (a batch of digests reuses it)."""
        with self._lock:
            try:
                return self.mail.send(message)
            finally:
                if not keep_open:
                    self.mail.close()

    def links(self, subscriber_id: int | None = None) -> Links:
        """The site URL and, for a subscriber, their signed unsubscribe/preferences URLs."""
        site = self.settings.site_url
        if subscriber_id is None:
            return Links(site)
        return Links(
            site,
            f"{site}/unsubscribe?token={self.tokens.subscriber(UNSUBSCRIBE, subscriber_id)}",
            f"{site}/preferences?token={self.tokens.subscriber(PREFERENCES, subscriber_id)}",
        )

    def envelope(self, to: str, message_id: str = "") -> Envelope:
        """From PAIRWATCH_MAIL_FROM to `to`."""
        return Envelope(self.settings.mail_from, to, message_id)

    def close(self) -> None:
        """Release the mail connection."""
        if self.mailer is not None:
            self.mailer.close()
