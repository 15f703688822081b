"""The whole path of issue #5 on the real web app: subscribe on /compare/iwm-vs-vix,
confirm through the mailed link, receive a digest with IWM and VIX figures over SMTP,
and leave with one click."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pairwatch.config import Settings
from pairwatch.errors import InsufficientDataError
from pairwatch.notify.delivery import send_digests
from pairwatch.services import compare
from pairwatch.store import Store
from pairwatch.web import create_app
from pairwatch.web.routes.subscriptions import router
from tests.notify.conftest import (
    BASE_URL,
    SECRET,
    SmtpServer,
    TestClient,
    link_in,
    path_of,
    text_of,
)


def _no_forecast(series: object, as_of: object = None) -> None:
    """Skip the GARCH fits of the page (the web tests cover them)."""
    raise InsufficientDataError("forecasts", 1, 0, "(skipped in the digest tests)")


def _form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the page's sign-up form."""
    form = re.search(r'<form[^>]*action="[^"]*/subscribe"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None, "the page has no sign-up form"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


def test_subscribe_on_the_pair_page_confirm_receive_and_leave(
    demo_store: Store, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in {
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "BASE_URL": BASE_URL,
        "SECRET_KEY": SECRET,
        "MAIL_FROM": "pairwatch <digest@pairwatch.example>",
    }.items():
        monkeypatch.setenv(f"PAIRWATCH_{name}", value)
    monkeypatch.setattr(compare, "leg_forecast", _no_forecast)  # the slow part, not ours
    app = create_app(Settings(database_url=demo_store.url, home=tmp_path / "home"))
    app.include_router(router)
    with TestClient(app, base_url=BASE_URL) as client:
        page = client.get("/compare/iwm-vs-vix")
        assert page.status_code == 200
        fields = _form_fields(page.text)
        answer = client.post("/subscribe", data={**fields, "email": "Visitor@Example.com"})
        assert answer.status_code == 200 and "Check your inbox" in answer.text
        [confirmation] = smtp.recorder.to("visitor@example.com")
        confirm = link_in(text_of(confirmation), "/confirm?token=")
        assert client.get(path_of(confirm)).status_code == 200
        notifier = app.state.notify.notifier  # built by the router on first use
        assert notifier.store.url == demo_store.url  # the site's own store
        run = send_digests(notifier)
        assert run.sent == ["visitor@example.com"]
        digest = smtp.recorder.to("visitor@example.com")[-1]
        text = text_of(digest)
        assert "IWM vs VIX" in text and "IWM:" in text and "VIX:" in text
        leave = path_of(digest["List-Unsubscribe"].strip("<>"))
        assert client.post(leave, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        assert send_digests(notifier, as_of=None).sent == []


def test_subscribe_from_the_home_page_with_chosen_pairs(
    demo_store: Store, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in {
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "BASE_URL": BASE_URL,
        "SECRET_KEY": SECRET,
    }.items():
        monkeypatch.setenv(f"PAIRWATCH_{name}", value)
    app = create_app(Settings(database_url=demo_store.url, home=tmp_path / "home"))
    with TestClient(app, base_url=BASE_URL) as client:
        fields = _form_fields(client.get("/").text)
        data = {**fields, "email": "reader@example.com", "pairs": ["hyg-vs-vix", "gld-vs-uup"]}
        answer = client.post("/subscribe", data=data)
        assert answer.status_code == 200 and "Check your inbox" in answer.text
        [confirmation] = smtp.recorder.to("reader@example.com")
        assert client.get(path_of(link_in(text_of(confirmation), "/confirm?token="))).is_success
        notifier = app.state.notify.notifier
        reader = notifier.subscribers.by_email("reader@example.com")
        assert reader is not None and reader.confirmed
        assert set(reader.pairs) == {"hyg-vs-vix", "gld-vs-uup"}
