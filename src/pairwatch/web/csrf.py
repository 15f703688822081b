"""Signed anti-forgery tokens for the page forms (the digest sign-up form).

The token is the form's name signed with the site's secret, so a page can be cached
and revalidated (its ETag does not change per request) while a cross-site POST, which
cannot read the page, still has no valid token. The site passes the shared signing key
(PAIRWATCH_SECRET_KEY, or the key file under PAIRWATCH_HOME), so every web worker of one
site accepts the others' tokens; without one the signer falls back to a random key.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeSerializer

SUBSCRIBE_FORM = "subscribe"


class CsrfSigner:
    """Issues and checks the hidden `csrf_token` field of the page forms."""

    def __init__(self, secret: str | None = None) -> None:
        key = secret or secrets.token_urlsafe(32)
        self._serializer = URLSafeSerializer(key, salt="pairwatch-form")

    def token(self, form: str = SUBSCRIBE_FORM) -> str:
        """The token the named form carries."""
        return str(self._serializer.dumps(form))

    def valid(self, token: str, form: str = SUBSCRIBE_FORM) -> bool:
        """True when `token` was issued by this signer for the named form."""
        try:
            return bool(self._serializer.loads(token) == form)
        except BadSignature:
            return False
