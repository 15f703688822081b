"""Store access for subscribers and digest deliveries (one short transaction per call).

Addresses are kept in their normalised, lower-cased form under a unique key, so the same
address typed twice (in any case) is one subscription, also when two sign-ups race.
A delivery row is inserted *before* its mail is sent; its unique key (subscriber, kind,
as-of date) is what keeps a digest from going out twice, even from two processes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pairwatch.notify.tables import deliveries, subscribers

PENDING = "pending"
CONFIRMED = "confirmed"
UNSUBSCRIBED = "unsubscribed"

SENDING = "sending"
SENT = "sent"
FAILED = "failed"
DEFERRED = "deferred"
DIGEST = "digest"


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def now_utc() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


def new_row_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the row an INSERT just added."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every insert here has an integer key
        raise LookupError("the insert returned no primary key")
    return int(key[0])


def join_pairs(pairs: tuple[str, ...]) -> str:
    """Pairs as stored: comma-separated slugs."""
    return ",".join(pairs)


def split_pairs(text: str) -> tuple[str, ...]:
    """Stored pairs back as a tuple of slugs."""
    return tuple(p for p in text.split(",") if p)


@dataclass(frozen=True)
class Subscriber:
    """One subscription: a normalised address, its status and chosen pairs."""

    id: int
    email: str
    status: str
    pairs: tuple[str, ...]
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None
    notified_at: dt.datetime | None

    @property
    def confirmed(self) -> bool:
        """True when the address confirmed and has not left."""
        return self.status == CONFIRMED


@dataclass(frozen=True)
class Delivery:
    """One digest delivery: the claim on (subscriber, kind, as-of) and how it went."""

    id: int
    subscriber_id: int
    kind: str
    as_of: dt.date
    message_id: str
    status: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    error: str | None


def _subscriber(row: Any) -> Subscriber:
    """A subscribers row as a Subscriber."""
    return Subscriber(
        id=row.id,
        email=row.email,
        status=row.status,
        pairs=split_pairs(row.pairs),
        created_at=utc(row.created_at) or now_utc(),
        confirmed_at=utc(row.confirmed_at),
        unsubscribed_at=utc(row.unsubscribed_at),
        notified_at=utc(row.notified_at),
    )


def _delivery(row: Any) -> Delivery:
    """A deliveries row as a Delivery."""
    return Delivery(
        id=row.id,
        subscriber_id=row.subscriber_id,
        kind=row.kind,
        as_of=row.as_of,
        message_id=row.message_id,
        status=row.status,
        created_at=utc(row.created_at) or now_utc(),
        sent_at=utc(row.sent_at),
        error=row.error,
    )


class Subscribers:
    """Subscribers and deliveries in the store behind `engine`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- subscribers -----------------------------------------------------------------

    def get(self, subscriber_id: int) -> Subscriber | None:
        """The subscriber with this id, if any."""
        query = sa.select(subscribers).where(subscribers.c.id == subscriber_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _subscriber(row)

    def by_email(self, email: str) -> Subscriber | None:
        """The subscriber with this normalised address, if any."""
        query = sa.select(subscribers).where(subscribers.c.email == email)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _subscriber(row)

    def add(self, email: str, pairs: tuple[str, ...], now: dt.datetime) -> Subscriber:
        """The subscriber of `email`, created as pending when new (race-safe)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    subscribers.insert().values(
                        email=email, status=PENDING, pairs=join_pairs(pairs), created_at=now
                    )
                )
        except sa.exc.IntegrityError:
            pass  # the address exists already (perhaps inserted a moment ago elsewhere)
        found = self.by_email(email)
        if found is None:  # pragma: no cover - deleted between the two statements
            raise LookupError(f"subscriber {email} vanished during sign-up")
        return found

    def _update(self, subscriber_id: int, *where: Any, **values: Any) -> bool:
        """Update one subscriber if `where` holds; True when a row changed."""
        stmt = subscribers.update().where(subscribers.c.id == subscriber_id, *where)
        with self.engine.begin() as conn:
            return bool(conn.execute(stmt.values(**values)).rowcount)

    def restart(self, subscriber_id: int, pairs: tuple[str, ...]) -> bool:
        """A left (unsubscribed) address signing up again: pending with new pairs."""
        return self._update(
            subscriber_id,
            subscribers.c.status == UNSUBSCRIBED,
            status=PENDING,
            pairs=join_pairs(pairs),
            confirmed_at=None,
        )

    def set_pending_pairs(self, subscriber_id: int, pairs: tuple[str, ...]) -> bool:
        """Replace the pairs of a sign-up that is not confirmed yet."""
        return self._update(subscriber_id, subscribers.c.status == PENDING, pairs=join_pairs(pairs))

    def confirm(self, subscriber_id: int, now: dt.datetime) -> bool:
        """Pending -> confirmed; False when the subscriber is not pending."""
        return self._update(
            subscriber_id, subscribers.c.status == PENDING, status=CONFIRMED, confirmed_at=now
        )

    def unsubscribe(self, subscriber_id: int, now: dt.datetime) -> bool:
        """Any status -> unsubscribed; False when already unsubscribed or unknown."""
        return self._update(
            subscriber_id,
            subscribers.c.status != UNSUBSCRIBED,
            status=UNSUBSCRIBED,
            unsubscribed_at=now,
        )

    def set_pairs(self, subscriber_id: int, pairs: tuple[str, ...]) -> bool:
        """Replace a confirmed subscriber's pairs."""
        return self._update(
            subscriber_id, subscribers.c.status == CONFIRMED, pairs=join_pairs(pairs)
        )

    def claim_notice(self, subscriber_id: int, now: dt.datetime, gap: dt.timedelta) -> bool:
        """Reserve the right to mail a sign-up notice: at most one per `gap` per address."""
        recent = sa.and_(
            subscribers.c.notified_at.is_not(None), subscribers.c.notified_at > now - gap
        )
        return self._update(subscriber_id, sa.not_(recent), notified_at=now)

    def confirmed(self) -> list[Subscriber]:
        """Every confirmed subscriber, oldest first."""
        query = (
            sa.select(subscribers)
            .where(subscribers.c.status == CONFIRMED)
            .order_by(subscribers.c.id)
        )
        with self.engine.connect() as conn:
            return [_subscriber(r) for r in conn.execute(query)]

    # --- deliveries --------------------------------------------------------------------

    def delivery(self, subscriber_id: int, kind: str, as_of: dt.date) -> Delivery | None:
        """The delivery row of (subscriber, kind, as-of), if one was claimed."""
        query = sa.select(deliveries).where(
            deliveries.c.subscriber_id == subscriber_id,
            deliveries.c.kind == kind,
            deliveries.c.as_of == as_of,
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _delivery(row)

    def claim(
        self, subscriber_id: int, kind: str, as_of: dt.date, message_id: str, now: dt.datetime
    ) -> int | None:
        """Claim the one delivery of (subscriber, kind, as-of); its id, or None if taken.

        A new key is inserted; a key left `deferred` by an earlier run (the server was
        unreachable, nothing was accepted) is taken over by a conditional update. Both
        are atomic, so of two processes claiming the same key only one wins.
        """
        values = {"message_id": message_id, "status": SENDING, "created_at": now, "error": None}
        try:
            with self.engine.begin() as conn:
                inserted = conn.execute(
                    deliveries.insert().values(
                        subscriber_id=subscriber_id, kind=kind, as_of=as_of, **values
                    )
                )
                return new_row_id(inserted)
        except sa.exc.IntegrityError:
            return self._reclaim(subscriber_id, kind, as_of, values)

    def _reclaim(
        self, subscriber_id: int, kind: str, as_of: dt.date, values: dict[str, Any]
    ) -> int | None:
        """Take over a deferred delivery row; None when it is sending, sent or failed."""
        where = (
            deliveries.c.subscriber_id == subscriber_id,
            deliveries.c.kind == kind,
            deliveries.c.as_of == as_of,
        )
        with self.engine.begin() as conn:
            changed = conn.execute(
                deliveries.update().where(*where, deliveries.c.status == DEFERRED).values(**values)
            ).rowcount
            if not changed:
                return None
            return int(conn.execute(sa.select(deliveries.c.id).where(*where)).scalar_one())

    def finish(
        self, delivery_id: int, status: str, now: dt.datetime, error: str | None = None
    ) -> None:
        """Record how a claimed delivery went: sent, failed (permanent) or deferred."""
        values: dict[str, Any] = {"status": status, "error": error}
        if status == SENT:
            values["sent_at"] = now
        with self.engine.begin() as conn:
            conn.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(**values))

    def last_sent(self, subscriber_id: int, kind: str = DIGEST) -> dt.date | None:
        """The as-of date of the newest delivery sent to a subscriber."""
        query = sa.select(sa.func.max(deliveries.c.as_of)).where(
            deliveries.c.subscriber_id == subscriber_id,
            deliveries.c.kind == kind,
            deliveries.c.status == SENT,
        )
        with self.engine.connect() as conn:
            found: dt.date | None = conn.execute(query).scalar()
        return found

    def stuck(self, kind: str = DIGEST) -> list[Delivery]:
        """Deliveries still marked sending (a run died between claim and result)."""
        query = sa.select(deliveries).where(
            deliveries.c.kind == kind, deliveries.c.status == SENDING
        )
        with self.engine.connect() as conn:
            return [_delivery(r) for r in conn.execute(query)]
