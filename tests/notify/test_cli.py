"""`pairwatch digest` and `pairwatch alert` as registered by `notify.cli.register`."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from pairwatch.config import Settings
from pairwatch.notify import cli as notify_cli
from pairwatch.notify.subscriptions import Subscribers, now_utc
from pairwatch.services.context import Context
from pairwatch.store import Store
from tests.notify.conftest import BASE_URL, SECRET, SmtpServer


@pytest.fixture
def app(demo_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> typer.Typer:
    """A CLI app with the digest commands, over the demo store copy."""
    monkeypatch.setenv("PAIRWATCH_BASE_URL", BASE_URL)
    monkeypatch.setenv("PAIRWATCH_SECRET_KEY", SECRET)
    monkeypatch.setattr(notify_cli, "out", Console(width=200))
    main = typer.Typer()

    @main.callback()
    def _root() -> None:
        """Test root."""

    notify_cli.register(main, lambda: Context(Settings(database_url=demo_store.url)))
    return main


def test_digest_preview_writes_html_or_eml_and_sends_nothing(
    app: typer.Typer, tmp_path: Path, isolated_env: Path
) -> None:
    runner = CliRunner()
    html = tmp_path / "digest.html"
    result = runner.invoke(app, ["digest", "--preview", str(html)])
    assert result.exit_code == 0, result.output
    page = html.read_text("utf-8")
    assert "IWM vs VIX" in page and "data:image/png;base64," in page
    assert "Not financial advice" in page
    result = runner.invoke(app, ["digest"])
    assert result.exit_code == 0, result.output
    eml = isolated_env / "previews" / "digest-2025-12-31.eml"
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not (isolated_env / "outbox").exists()


def test_digest_send_twice_sends_once(
    app: typer.Typer, demo_store: Store, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAIRWATCH_SMTP_HOST", smtp.host)
    monkeypatch.setenv("PAIRWATCH_SMTP_PORT", str(smtp.port))
    subs = Subscribers(demo_store.engine)
    reader = subs.add("cli@example.com", ("iwm-vs-vix",), now_utc())
    subs.confirm(reader.id, now_utc())
    runner = CliRunner()
    first = runner.invoke(app, ["digest", "--send"])
    assert first.exit_code == 0, first.output
    assert "1 sent" in first.output and "cli@example.com" in first.output
    second = runner.invoke(app, ["digest", "--send"])
    assert "0 sent, 1 already served" in second.output
    assert len(smtp.recorder.to("cli@example.com")) == 1
    refused = runner.invoke(app, ["digest", "--send", "--to", "nobody@example.com"])
    assert refused.exit_code == 2 and "not a confirmed subscriber" in refused.output


def test_alert_add_list_remove(app: typer.Typer) -> None:
    runner = CliRunner()
    private = runner.invoke(
        app, ["alert", "add", "iwm/vix", "--when", "zscore>2", "--webhook", "http://10.0.0.5/h"]
    )
    assert private.exit_code == 2 and "PAIRWATCH_ALLOW_PRIVATE_WEBHOOKS" in private.output
    bad = runner.invoke(
        app, ["alert", "add", "iwm/vix", "--when", "gold>2", "--webhook", "https://1.1.1.1/h"]
    )
    assert bad.exit_code == 2
    added = runner.invoke(
        app, ["alert", "add", "iwm-vs-vix", "--when", "vix > 30", "--webhook", "https://1.1.1.1/h"]
    )
    assert added.exit_code == 0, added.output
    assert "alert 1: iwm-vs-vix vix>30 -> webhook https://1.1.1.1/h" in added.output
    listed = runner.invoke(app, ["alert", "list"])
    assert "vix>30" in listed.output and "never" in listed.output
    assert runner.invoke(app, ["alert", "remove", "1"]).exit_code == 0
    assert runner.invoke(app, ["alert", "remove", "1"]).exit_code == 2
