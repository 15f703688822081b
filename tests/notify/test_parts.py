"""Small parts: PNG sparklines, tokens, the rate limit, the secret key file."""

from __future__ import annotations

import os
import stat
import struct
import zlib
from pathlib import Path

import pytest
from pydantic import SecretStr

from pairwatch.notify.charts import HEIGHT, LAST, LINE, PALETTE, SCALE, WIDTH, sparkline
from pairwatch.notify.ratelimit import RateLimiter
from pairwatch.notify.settings import NotifySettings, stored_secret
from pairwatch.notify.tokens import CONFIRM, UNSUBSCRIBE, TokenError, Tokens


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking each CRC."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    found, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        found.append((kind, data))
        pos += 12 + length
    return found


def _pixels(png: bytes) -> list[bytes]:
    """Rows of palette indices (filter type 0 only)."""
    chunks = dict(_chunks(png))
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    raw = zlib.decompress(chunks[b"IDAT"])
    rows = [raw[r * (width + 1) : (r + 1) * (width + 1)] for r in range(height)]
    assert all(row[0] == 0 for row in rows)
    return [row[1:] for row in rows]


def test_sparkline_is_a_valid_indexed_png() -> None:
    png = sparkline([1.0, 2.0, 3.0, 2.0, 5.0])
    assert png is not None
    chunks = _chunks(png)
    assert [k for k, _ in chunks] == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]
    header = chunks[0][1]
    assert struct.unpack(">IIBBBBB", header) == (WIDTH * SCALE, HEIGHT * SCALE, 8, 3, 0, 0, 0)
    assert chunks[1][1] == b"".join(bytes(c) for c in PALETTE)
    rows = _pixels(png)
    # the maximum (last value, 5.0) is drawn at the top right, the minimum at the bottom left
    top = [i for i, row in enumerate(rows) if LAST in row]
    assert top and min(top) < len(rows) // 4
    left_column = [row[8] for row in rows]
    assert LINE in left_column[len(rows) // 2 :]


def test_sparkline_needs_two_finite_values() -> None:
    assert sparkline([]) is None
    assert sparkline([1.0, None, float("nan")]) is None
    flat = sparkline([2.0, 2.0, 2.0])
    assert flat is not None and any(LINE in row for row in _pixels(flat))


def test_tokens_are_bound_to_their_purpose_and_key() -> None:
    tokens = Tokens("k" * 40)
    token = tokens.subscriber(UNSUBSCRIBE, 7)
    assert tokens.read_subscriber(UNSUBSCRIBE, token) == 7
    with pytest.raises(TokenError):
        tokens.read_subscriber("preferences", token)
    with pytest.raises(TokenError):
        Tokens("x" * 40).read_subscriber(UNSUBSCRIBE, token)
    with pytest.raises(TokenError):
        tokens.read_confirm(token, 60)
    confirm = tokens.confirm(3, "a@b.example")
    assert tokens.read_confirm(confirm, 60) == (3, "a@b.example")
    with pytest.raises(TokenError) as caught:
        tokens.loads(CONFIRM, confirm, max_age=-1)
    assert caught.value.expired
    assert tokens.csrf_valid(tokens.csrf()) and not tokens.csrf_valid(token)


def test_rate_limiter_window() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 60.0, clock=lambda: now[0])
    assert [limiter.hit("a") for _ in range(3)] == [None, None, None]
    assert limiter.hit("a") == pytest.approx(60.0)
    assert limiter.hit("b") is None  # per key
    now[0] = 60.5
    assert limiter.hit("a") is None


def test_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "home" / "secret_key"
    first = stored_secret(path)
    assert len(first) >= 32 and stored_secret(path) == first
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]
    settings = NotifySettings(home=tmp_path / "home")
    assert settings.secret() == first
    assert NotifySettings(home=tmp_path, secret_key=SecretStr("s" * 40)).secret() == "s" * 40


def test_settings_read_the_issue_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAIRWATCH_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("PAIRWATCH_SMTP_PORT", "587")
    monkeypatch.setenv("PAIRWATCH_SMTP_USER", "u")
    monkeypatch.setenv("PAIRWATCH_SMTP_PASSWORD", "p")
    monkeypatch.setenv("PAIRWATCH_MAIL_FROM", "Desk <desk@example.org>")
    monkeypatch.setenv("PAIRWATCH_BASE_URL", "https://pw.example.org/")
    monkeypatch.setenv("PAIRWATCH_ALLOW_PRIVATE_WEBHOOKS", "true")
    settings = NotifySettings()
    assert (settings.smtp_host, settings.port, settings.tls_mode) == (
        "mail.example.org",
        587,
        "starttls",
    )
    assert settings.smtp_password is not None and settings.smtp_password.get_secret_value() == "p"
    assert settings.site_url == "https://pw.example.org"
    assert settings.allow_private_webhooks and settings.mail_from == "Desk <desk@example.org>"
