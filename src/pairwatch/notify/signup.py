"""Double opt-in sign-up, confirmation, one-click unsubscribe and the preferences link.

`sign_up` never tells the caller whether an address was known: the page says "check your
inbox" in every case, and only the inbox's owner learns more. What the inbox receives:

- a new address, a pending one, or one that left earlier: the confirmation link (signed,
  expiring after PAIRWATCH_CONFIRM_HOURS);
- a confirmed address: a short note that it is subscribed already, with its links.

At most one such mail goes to an address every NOTICE_GAP, however often it is typed in.
Nothing else is ever sent to an address until it is confirmed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from email.message import EmailMessage

from email_validator import EmailNotValidError, validate_email

from pairwatch.errors import InvalidRequestError
from pairwatch.notify.digest import default_pairs, normalise_pairs
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.render import confirm_message, notice_message
from pairwatch.notify.subscriptions import CONFIRMED, PENDING, UNSUBSCRIBED, Subscriber
from pairwatch.notify.tokens import PREFERENCES, UNSUBSCRIBE, TokenError

log = logging.getLogger(__name__)
NOTICE_GAP = dt.timedelta(minutes=5)


def normalise_address(text: str) -> str:
    """The address in normalised, lower-case form; InvalidRequestError when malformed.

    Syntax only (no DNS lookups): the confirmation mail is the real test.
    """
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidRequestError(f"not a valid email address: {exc}") from exc
    return str(checked.normalized).lower()


def _requested(notifier: Notifier, pairs: Iterable[str]) -> tuple[str, ...]:
    """The valid pairs of a sign-up form (unknown ones are an error)."""
    return normalise_pairs(pairs, notifier.catalog)


def _register(notifier: Notifier, email: str, requested: tuple[str, ...]) -> Subscriber:
    """The subscriber after this sign-up: new, re-opened, or with more pending pairs."""
    subs = notifier.subscribers
    chosen = requested or default_pairs(notifier.catalog)
    subscriber = subs.add(email, chosen, notifier.clock())
    if subscriber.status == UNSUBSCRIBED:
        subs.restart(subscriber.id, chosen)
    elif subscriber.status == PENDING and requested:
        merged = normalise_pairs((*subscriber.pairs, *requested), notifier.catalog)
        subs.set_pending_pairs(subscriber.id, merged)
    found = subs.get(subscriber.id)
    return found if found is not None else subscriber


def sign_up(notifier: Notifier, email: str, pairs: Iterable[str] = ()) -> EmailMessage | None:
    """Register a sign-up; the mail to send (confirmation or notice), or None if throttled.

    InvalidRequestError for a malformed address or an unknown pair.
    """
    address = normalise_address(email)
    subscriber = _register(notifier, address, _requested(notifier, pairs))
    if not notifier.subscribers.claim_notice(subscriber.id, notifier.clock(), NOTICE_GAP):
        log.info("sign-up of subscriber %d: a mail went out recently, none sent", subscriber.id)
        return None
    envelope = notifier.envelope(address)
    if subscriber.status == CONFIRMED:
        return notice_message(envelope, notifier.links(subscriber.id))
    hours = notifier.settings.confirm_hours
    token = notifier.tokens.confirm(subscriber.id, address)
    link = f"{notifier.settings.site_url}/confirm?token={token}"
    return confirm_message(envelope, link, hours, notifier.settings.site_url)


def confirm(notifier: Notifier, token: str) -> Subscriber:
    """Confirm the sign-up of a confirmation token; TokenError when invalid or expired.

    Confirming twice is harmless; a subscription cancelled since the mail was sent stays
    cancelled (its old link is refused).
    """
    max_age = notifier.settings.confirm_hours * 3600
    subscriber_id, email = notifier.tokens.read_confirm(token, max_age)
    subscriber = notifier.subscribers.get(subscriber_id)
    if subscriber is None or subscriber.email != email or subscriber.status == UNSUBSCRIBED:
        raise TokenError("confirmation", expired=False)
    if subscriber.status == PENDING:
        notifier.subscribers.confirm(subscriber_id, notifier.clock())
        log.info("subscriber %d confirmed", subscriber_id)
    confirmed = notifier.subscribers.get(subscriber_id)
    return confirmed if confirmed is not None else subscriber


def unsubscribe(notifier: Notifier, token: str) -> None:
    """Unsubscribe the reader of an unsubscribe token (idempotent); TokenError if forged."""
    subscriber_id = notifier.tokens.read_subscriber(UNSUBSCRIBE, token)
    if notifier.subscribers.unsubscribe(subscriber_id, notifier.clock()):
        log.info("subscriber %d unsubscribed", subscriber_id)


def subscriber_of(notifier: Notifier, token: str) -> Subscriber:
    """The confirmed reader of a preferences token; TokenError otherwise."""
    subscriber_id = notifier.tokens.read_subscriber(PREFERENCES, token)
    subscriber = notifier.subscribers.get(subscriber_id)
    if subscriber is None or subscriber.status != CONFIRMED:
        raise TokenError("preferences", expired=False)
    return subscriber


def change_pairs(notifier: Notifier, token: str, pairs: Iterable[str]) -> Subscriber:
    """Replace a reader's pairs (none chosen: the default three)."""
    subscriber = subscriber_of(notifier, token)
    chosen = _requested(notifier, pairs) or default_pairs(notifier.catalog)
    notifier.subscribers.set_pairs(subscriber.id, chosen)
    return subscriber_of(notifier, token)
