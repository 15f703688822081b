"""Conditional GET: ETags from cheap inputs, and 304 answers that skip the computation.

A tag is the hash of everything the response depends on (code version, store, the data
versions of the metrics involved, the request's parameters), all of which are read
without computing the response; `conditional` compares it with If-None-Match first and
builds the response only when the client's copy is out of date. Tags are weak (W/):
the gzip middleware may re-encode a body without changing its meaning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

CACHE_CONTROL = "public, max-age=60"


def make_etag(*parts: object) -> str:
    """A weak ETag hashing the repr of the parts."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]
    return f'W/"{digest}"'


def _opaque(tag: str) -> str:
    """The quoted part of a tag, without a weak prefix."""
    return tag.strip().removeprefix("W/")


def etag_matches(if_none_match: str | None, tag: str) -> bool:
    """Weak comparison of a tag against an If-None-Match header (a list, or '*')."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return _opaque(tag) in {_opaque(candidate) for candidate in if_none_match.split(",")}


def conditional(request: Request, tag: str, build: Callable[[], Response]) -> Response:
    """304 when the client holds `tag`; otherwise build() with ETag and Cache-Control."""
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    response = build()
    response.headers.update(headers)
    return response
