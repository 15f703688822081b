"""Signed tokens for links in mails and for the sign-up form (itsdangerous).

Every purpose has its own salt, so a token made for one (say, unsubscribing) is never
accepted for another (confirming). Confirmation links and form tokens expire; the
unsubscribe and preferences links in a mail never do (an old mail must still let its
reader leave), and they stop working only if the secret key changes.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from pairwatch.errors import PairwatchError

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
CSRF = "csrf"
CSRF_FORM = "subscribe"
CSRF_MAX_AGE = 7 * 24 * 3600


class TokenError(PairwatchError):
    """A link or form token that is forged, altered, for another purpose, or expired."""

    def __init__(self, purpose: str, expired: bool) -> None:
        what = "has expired" if expired else "is not valid"
        super().__init__(f"this {purpose} link {what}")
        self.purpose = purpose
        self.expired = expired


class Tokens:
    """Makes and reads the signed tokens of one secret key."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        """The serializer of one purpose (its own salt)."""
        return URLSafeTimedSerializer(self._secret, salt=f"pairwatch-{purpose}")

    def dumps(self, purpose: str, payload: Any) -> str:
        """A URL-safe token carrying `payload` (JSON-able), signed for `purpose`."""
        return str(self._serializer(purpose).dumps(payload))

    def loads(self, purpose: str, token: str, max_age: int | None = None) -> Any:
        """The payload of a token made for `purpose`; TokenError if forged or too old."""
        try:
            return self._serializer(purpose).loads(token, max_age=max_age)
        except SignatureExpired as exc:
            raise TokenError(purpose, expired=True) from exc
        except BadSignature as exc:
            raise TokenError(purpose, expired=False) from exc

    def confirm(self, subscriber_id: int, email: str) -> str:
        """The confirmation link's token of one sign-up."""
        return self.dumps(CONFIRM, [subscriber_id, email])

    def read_confirm(self, token: str, max_age: int) -> tuple[int, str]:
        """(subscriber id, email) of a confirmation token no older than `max_age` s."""
        payload = self.loads(CONFIRM, token, max_age)
        if not (isinstance(payload, list) and len(payload) == 2):
            raise TokenError(CONFIRM, expired=False)
        return int(payload[0]), str(payload[1])

    def subscriber(self, purpose: str, subscriber_id: int) -> str:
        """An unsubscribe or preferences token (never expires)."""
        return self.dumps(purpose, subscriber_id)

    def read_subscriber(self, purpose: str, token: str) -> int:
        """The subscriber id of an unsubscribe or preferences token."""
        payload = self.loads(purpose, token)
        if not isinstance(payload, int):
            raise TokenError(purpose, expired=False)
        return payload

    def csrf(self) -> str:
        """A sign-up form token (valid for a week, so cached pages keep working)."""
        return self.dumps(CSRF, CSRF_FORM)

    def csrf_valid(self, token: str) -> bool:
        """True for a form token this key issued less than a week ago."""
        try:
            return bool(self.loads(CSRF, token, CSRF_MAX_AGE) == CSRF_FORM)
        except TokenError:
            return False
