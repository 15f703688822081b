"""Webhook delivery: a signed JSON POST to a public address, and nowhere else.

The target's host is resolved and *every* address it resolves to is checked with
`ipaddress`: loopback, private, link-local, multicast, reserved and unspecified addresses
(and IPv4 addresses mapped into IPv6) are refused unless PAIRWATCH_ALLOW_PRIVATE_WEBHOOKS
is true, so a webhook cannot be used to reach the server's own network. The request is
then sent to the checked address itself (the Host header and TLS server name stay the
original host's), which closes the gap a DNS answer changing between the check and the
connection would open; redirects are not followed.

The body is signed: `X-Pairwatch-Signature: sha256=<hex HMAC-SHA256 of the exact body
bytes under the secret key>`. Receivers recompute it and compare in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from pairwatch import __version__
from pairwatch.errors import PairwatchError

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Pairwatch-Signature"
ATTEMPTS = 3
BACKOFF = 1.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookRefusedError(PairwatchError):
    """A webhook URL that pairwatch will not call (scheme, host or address)."""


class WebhookError(PairwatchError):
    """A webhook call that failed; `permanent` for a 4xx answer."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


def sign(body: bytes, secret: str) -> str:
    """'sha256=<hex HMAC-SHA256 of body>'."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str) -> bool:
    """True when `header` is the signature of `body` (constant-time comparison)."""
    return hmac.compare_digest(sign(body, secret), header)


def is_public(address: IPAddress) -> bool:
    """False for loopback, private, link-local, multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise WebhookRefusedError(f"webhook host {host!r} does not resolve: {exc}") from exc
    found = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}
    return sorted(found, key=lambda a: (a.version, int(a)))


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: the original parts and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress

    @property
    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        parts = urlsplit(self.url)
        ip = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return urlunsplit((parts.scheme, f"{ip}:{self.port}", parts.path or "/", parts.query, ""))

    @property
    def host_header(self) -> str:
        """The Host header: the original host (and port when not the default)."""
        default = {"http": 80, "https": 443}[self.scheme]
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def check_target(url: str, *, allow_private: bool) -> Target:
    """The checked target of `url`; WebhookRefusedError for anything but a public http(s) host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefusedError(f"webhook URL {url!r} must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise WebhookRefusedError("webhook URLs may not carry a user name or password")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    refused = [a for a in addresses if not is_public(a)]
    if refused and not allow_private:
        raise WebhookRefusedError(
            f"webhook host {parts.hostname!r} resolves to a loopback, private, link-local or "
            f"reserved address ({', '.join(map(str, refused))}); set "
            "PAIRWATCH_ALLOW_PRIVATE_WEBHOOKS=true to allow it"
        )
    return Target(url.strip(), parts.scheme, parts.hostname, port, addresses[0])


def encode(payload: Mapping[str, Any]) -> bytes:
    """The JSON body (UTF-8, compact, stable key order)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, allow_nan=False).encode()


def _post_once(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """One POST to the pinned address; WebhookError on a bad answer or a network error."""
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(
                target.pinned_url,
                content=body,
                headers={**headers, "Host": target.host_header},
                extensions=extensions,
            )
    except httpx.HTTPError as exc:
        raise WebhookError(f"{type(exc).__name__}: {exc}", permanent=False) from exc
    if response.is_success:
        return response.status_code
    permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
    raise WebhookError(f"HTTP {response.status_code}", permanent=permanent)


def post_webhook(
    url: str,
    payload: Mapping[str, Any],
    secret: str,
    *,
    allow_private: bool,
    timeout: float = 10.0,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST the signed JSON payload; retries network errors and 5xx; returns the status."""
    target = check_target(url, allow_private=allow_private)
    body = encode(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"pairwatch/{__version__} (webhook)",
        SIGNATURE_HEADER: sign(body, secret),
    }
    for attempt in range(1, attempts + 1):
        try:
            return _post_once(target, body, headers, timeout)
        except WebhookError as exc:
            if exc.permanent or attempt == attempts:
                raise
            log.warning("webhook %s: %s; try %d of %d", target.host, exc, attempt + 1, attempts)
            sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover
