"""Sending digests over real SMTP: once per reader per day, retries, failures, AUTH."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pairwatch.catalog import Catalog
from pairwatch.errors import InvalidRequestError
from pairwatch.notify.delivery import send_digests
from pairwatch.notify.mailer import MailConfigError, MailError, SmtpMailer, classify
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.subscriptions import DEFERRED, DIGEST, FAILED, SENDING, SENT, now_utc
from pairwatch.store import Store
from tests.notify.conftest import SmtpServer, TestClient, confirmed_reader, make_settings

DEMO_END = dt.date(2025, 12, 31)


def _digests(smtp: SmtpServer, address: str) -> int:
    return sum(
        1
        for m in smtp.recorder.to(address)
        if "digest" in m["Subject"].lower() and "Confirm" not in m["Subject"]
    )


def test_each_reader_gets_one_digest_per_day_and_late_confirmers_still_get_it(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    confirmed_reader(client, notifier, smtp, "one@example.com")
    confirmed_reader(client, notifier, smtp, "two@example.com")
    first = send_digests(notifier)
    assert first.as_of == DEMO_END
    assert sorted(first.sent) == ["one@example.com", "two@example.com"]
    again = send_digests(notifier)
    assert again.sent == [] and sorted(again.already) == ["one@example.com", "two@example.com"]
    confirmed_reader(client, notifier, smtp, "late@example.com")
    third = send_digests(notifier)
    assert third.sent == ["late@example.com"]
    for address in ("one@example.com", "two@example.com", "late@example.com"):
        assert _digests(smtp, address) == 1
    one = notifier.subscribers.by_email("one@example.com")
    assert one is not None
    row = notifier.subscribers.delivery(one.id, DIGEST, DEMO_END)
    assert row is not None and row.status == SENT and row.sent_at is not None
    delivered = smtp.recorder.to("one@example.com")[-1]
    assert delivered["Message-ID"] == row.message_id


def test_temporary_failures_are_retried(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    confirmed_reader(client, notifier, smtp, "patient@example.com")
    smtp.recorder.temporary_failures = 2
    attempts_before = smtp.recorder.rcpt_attempts
    run = send_digests(notifier)
    assert run.sent == ["patient@example.com"]
    assert smtp.recorder.rcpt_attempts - attempts_before == 3
    assert _digests(smtp, "patient@example.com") == 1


def test_a_permanent_failure_does_not_stop_the_others(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    for address in ("a@example.com", "gone@example.com", "c@example.com"):
        confirmed_reader(client, notifier, smtp, address)
    smtp.recorder.refused.add("gone@example.com")
    run = send_digests(notifier)
    assert sorted(run.sent) == ["a@example.com", "c@example.com"]
    [(address, reason)] = run.failed
    assert address == "gone@example.com" and "550" in reason
    gone = notifier.subscribers.by_email("gone@example.com")
    assert gone is not None
    row = notifier.subscribers.delivery(gone.id, DIGEST, DEMO_END)
    assert row is not None and row.status == FAILED
    smtp.recorder.refused.clear()
    assert send_digests(notifier).sent == []  # a refused address is not retried that day


def test_a_server_down_for_the_whole_run_defers_to_the_next_run(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    confirmed_reader(client, notifier, smtp, "wait@example.com")
    smtp.recorder.temporary_failures = notifier.settings.smtp_attempts
    run = send_digests(notifier)
    assert run.sent == [] and [a for a, _ in run.deferred] == ["wait@example.com"]
    reader = notifier.subscribers.by_email("wait@example.com")
    assert reader is not None
    assert notifier.subscribers.delivery(reader.id, DIGEST, DEMO_END).status == DEFERRED  # type: ignore[union-attr]
    assert send_digests(notifier).sent == ["wait@example.com"]
    assert _digests(smtp, "wait@example.com") == 1


def test_a_claim_left_sending_by_a_crash_is_never_resent(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    confirmed_reader(client, notifier, smtp, "crash@example.com")
    reader = notifier.subscribers.by_email("crash@example.com")
    assert reader is not None
    claimed = notifier.subscribers.claim(reader.id, DIGEST, DEMO_END, "<x@y>", now_utc())
    assert claimed is not None
    assert notifier.subscribers.claim(reader.id, DIGEST, DEMO_END, "<z@y>", now_utc()) is None
    run = send_digests(notifier)
    assert run.sent == [] and run.already == ["crash@example.com"]
    assert len(run.stuck) == 1 and notifier.subscribers.stuck()[0].status == SENDING
    assert _digests(smtp, "crash@example.com") == 0


def test_send_to_one_address_only_if_confirmed(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    confirmed_reader(client, notifier, smtp, "me@example.com")
    confirmed_reader(client, notifier, smtp, "you@example.com")
    assert send_digests(notifier, only="ME@example.com").sent == ["me@example.com"]
    with pytest.raises(InvalidRequestError, match="not a confirmed subscriber"):
        send_digests(notifier, only="stranger@example.com")
    assert _digests(smtp, "you@example.com") == 0


def test_smtp_auth_login(
    smtp_auth: SmtpServer, tmp_path: Path, demo_store: Store, catalog: Catalog
) -> None:
    settings = make_settings(tmp_path, smtp_auth, smtp_user="mailer", smtp_password="s3cret")
    notifier = Notifier(settings, demo_store, catalog)
    reader = notifier.subscribers.add("auth@example.com", ("iwm-vs-vix",), now_utc())
    notifier.subscribers.confirm(reader.id, now_utc())
    assert send_digests(notifier).sent == ["auth@example.com"]
    assert len(smtp_auth.recorder.to("auth@example.com")) == 1
    assert smtp_auth.recorder.logins == [b"mailer"]
    wrong = make_settings(tmp_path, smtp_auth, smtp_user="mailer", smtp_password="nope")
    with pytest.raises(MailConfigError, match="refused the login"):
        send_digests(Notifier(wrong, demo_store, catalog), as_of=dt.date(2025, 12, 30))
    row = notifier.subscribers.delivery(reader.id, DIGEST, dt.date(2025, 12, 30))
    assert row is not None and row.status == DEFERRED  # released for the next run


def test_unreachable_server_is_temporary(tmp_path: Path) -> None:
    from tests.notify.conftest import free_port

    settings = make_settings(
        tmp_path, None, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_attempts=2
    )
    waits: list[float] = []
    mailer = SmtpMailer(settings, sleep=waits.append)
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@b.example", "c@d.example", "x"
    message.set_content("x")
    with pytest.raises(MailError) as caught:
        mailer.send(message)
    assert not caught.value.permanent and waits == [0.0]


def test_tls_defaults_follow_the_port(tmp_path: Path) -> None:
    assert make_settings(tmp_path, None, smtp_port=465).tls_mode == "tls"
    assert make_settings(tmp_path, None, smtp_port=587).tls_mode == "starttls"
    assert make_settings(tmp_path, None, smtp_port=25).tls_mode == "none"
    assert make_settings(tmp_path, None, smtp_tls="starttls").port == 587
    assert make_settings(tmp_path, None, smtp_tls="tls").port == 465
    assert make_settings(tmp_path, None, smtp_port=2525, smtp_tls="tls").tls_mode == "tls"


def test_reply_codes_are_classified() -> None:
    import smtplib

    assert not classify(smtplib.SMTPDataError(451, b"later")).permanent
    assert classify(smtplib.SMTPDataError(554, b"no")).permanent
    refused = smtplib.SMTPRecipientsRefused({"x@y": (550, b"unknown")})
    assert classify(refused).permanent and classify(refused).code == 550
    assert not classify(smtplib.SMTPServerDisconnected("gone")).permanent
    assert not classify(ConnectionRefusedError()).permanent
