"""Fixtures for the digest: a demo store (built once), a real SMTP server on loopback,
the notifier, and the sign-up router on a bare FastAPI app."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from pairwatch.catalog import Catalog, load_catalog
from pairwatch.notify import digest as digest_module
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.settings import NotifySettings
from pairwatch.services.demo import load_demo
from pairwatch.store import Store
from pairwatch.web.routes.subscriptions import install, router

with warnings.catch_warnings():
    # Starlette asks for the `httpx2` fork; the `httpx` it falls back to works the same.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient as TestClient

BASE_URL = "https://pairwatch.example"
SENDER = "pairwatch <digest@pairwatch.example>"
SECRET = "test-secret-key-that-is-long-enough-0123456789"


@dataclass(frozen=True)
class Received:
    """One message the test SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class Recorder:
    """An aiosmtpd handler that records messages and can refuse some RCPTs."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.temporary_failures = 0
        self.refused: set[str] = set()
        self.rcpt_attempts = 0
        self.logins: list[bytes] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_attempts += 1
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            return "451 4.3.0 Temporary failure, try again later"
        if address.lower() in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages delivered to one address, oldest first."""
        return [r.message for r in self.received if address in r.rcpt_tos]


@dataclass
class SmtpServer:
    """The running test server: where it listens and what it received."""

    host: str
    port: int
    recorder: Recorder


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp(**options: Any) -> tuple[Controller, SmtpServer]:
    """An aiosmtpd server on 127.0.0.1 and a random port."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, SmtpServer("127.0.0.1", port, recorder)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback recording every message."""
    controller, server = start_smtp()
    yield server
    controller.stop()


@pytest.fixture
def smtp_auth() -> Iterator[SmtpServer]:
    """A server offering AUTH (plain text allowed: loopback test only); it accepts user
    'mailer' with password 's3cret' and records each successful login."""
    logins: list[bytes] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = (data.login, data.password) == (b"mailer", b"s3cret")
        if ok:
            logins.append(data.login)
        return AuthResult(success=ok, handled=False)  # on failure aiosmtpd answers 535

    controller, server = start_smtp(authenticator=authenticate, auth_require_tls=False)
    server.recorder.logins = logins
    yield server
    controller.stop()


_SECTIONS: dict[tuple[str, Any], Any] = {}


@pytest.fixture(autouse=True)
def computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's store is a copy of the same demo history, so a pair's digest section
    and the movers of a day are computed once per session (the slow part of a digest)."""
    sections, movers = digest_module.pair_digest, digest_module.biggest_movers

    def pair_digest(store: Store, catalog: Catalog, slug: str, as_of: Any) -> Any:
        key = (slug, as_of)
        if key not in _SECTIONS:
            _SECTIONS[key] = sections(store, catalog, slug, as_of)
        return _SECTIONS[key]

    def biggest_movers(store: Store, catalog: Catalog, as_of: Any) -> Any:
        key = ("movers", as_of)
        if key not in _SECTIONS:
            _SECTIONS[key] = movers(store, catalog, as_of)
        return _SECTIONS[key]

    monkeypatch.setattr(digest_module, "pair_digest", pair_digest)
    monkeypatch.setattr(digest_module, "biggest_movers", biggest_movers)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The built-in catalog."""
    return load_catalog()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    """A store file with the synthetic demo history, built once per session."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = Store(f"sqlite:///{path}")
    load_demo(store, catalog)
    store.close()
    return path


@pytest.fixture
def demo_store(demo_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the demo store."""
    path = tmp_path / "store.sqlite"
    shutil.copyfile(demo_file, path)
    store = Store(f"sqlite:///{path}")
    yield store
    store.close()


def make_settings(home: Path, server: SmtpServer | None, **extra: Any) -> NotifySettings:
    """Settings for the test server (or the outbox when `server` is None)."""
    values: dict[str, Any] = {
        "home": home,
        "base_url": BASE_URL,
        "mail_from": SENDER,
        "secret_key": SECRET,
        "smtp_backoff": 0.0,
        "webhook_backoff": 0.0,
        "smtp_timeout": 5.0,
    }
    if server is not None:
        values.update(smtp_host=server.host, smtp_port=server.port, smtp_tls="none")
    values.update(extra)
    return NotifySettings(**values)


@pytest.fixture
def settings(tmp_path: Path, smtp: SmtpServer) -> NotifySettings:
    """Settings pointing at the loopback SMTP server."""
    return make_settings(tmp_path / "home", smtp)


@pytest.fixture
def notifier(settings: NotifySettings, demo_store: Store, catalog: Catalog) -> Iterator[Notifier]:
    """The notifier over the demo store and the loopback SMTP server."""
    found = Notifier(settings, demo_store, catalog)
    yield found
    found.close()


def app_with(notifier: Notifier) -> FastAPI:
    """A bare FastAPI app with only the sign-up router."""
    app = FastAPI()
    install(app, notifier)
    app.include_router(router)
    return app


@pytest.fixture
def client(notifier: Notifier) -> Iterator[TestClient]:
    """A test client of the sign-up router."""
    with TestClient(app_with(notifier), base_url=BASE_URL) as test_client:
        yield test_client


def path_of(url: str) -> str:
    """The path and query of an absolute link (for the test client)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a mail."""
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    """The HTML part of a mail."""
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def link_in(text: str, path: str) -> str:
    """The first URL under BASE_URL + path in a text."""
    start = text.index(f"{BASE_URL}{path}")
    end = min(i for i in (text.find(c, start) for c in ' \n\r>"') if i != -1)
    return text[start:end]


def subscribe(
    client: TestClient, notifier: Notifier, address: str, pairs: tuple[str, ...] = ()
) -> Any:
    """POST the sign-up form as a page would (with a valid form token)."""
    form = {"email": address, "csrf_token": notifier.tokens.csrf(), "pairs": list(pairs)}
    return client.post("/subscribe", data=form)


def confirmed_reader(
    client: TestClient,
    notifier: Notifier,
    smtp: SmtpServer,
    address: str,
    pairs: tuple[str, ...] = ("iwm-vs-vix",),
) -> None:
    """Subscribe and open the confirmation link from the received mail."""
    assert subscribe(client, notifier, address, pairs).status_code == 200
    link = link_in(text_of(smtp.recorder.to(address)[-1]), "/confirm?token=")
    assert client.get(path_of(link)).status_code == 200
