"""Sign-up through the router: double opt-in over real SMTP, CSRF, rate limit, privacy."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from pairwatch.catalog import Catalog
from pairwatch.notify.delivery import send_digests
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.subscriptions import CONFIRMED, PENDING, UNSUBSCRIBED, now_utc
from pairwatch.store import Store
from tests.notify.conftest import (
    BASE_URL,
    SmtpServer,
    TestClient,
    app_with,
    confirmed_reader,
    html_of,
    link_in,
    make_settings,
    path_of,
    subscribe,
    text_of,
)


def test_confirmation_mail_link_confirms(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    answer = subscribe(client, notifier, "reader@example.com", ("iwm-vs-vix",))
    assert answer.status_code == 200
    assert "Check your inbox" in answer.text
    assert "outbox" not in answer.text  # a real SMTP server is configured
    [mail] = smtp.recorder.to("reader@example.com")
    assert mail["Subject"] == "Confirm your pairwatch digest subscription"
    assert mail["From"] == "pairwatch <digest@pairwatch.example>"
    link = link_in(text_of(mail), "/confirm?token=")
    assert link in html_of(mail)
    assert notifier.subscribers.by_email("reader@example.com").status == PENDING  # type: ignore[union-attr]
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert "You are subscribed" in page.text and "iwm-vs-vix" in page.text
    reader = notifier.subscribers.by_email("reader@example.com")
    assert reader is not None and reader.status == CONFIRMED and reader.pairs == ("iwm-vs-vix",)
    assert client.get(path_of(link)).status_code == 200  # opening it twice is harmless


def test_nothing_but_the_confirmation_reaches_an_unconfirmed_address(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    subscribe(client, notifier, "maybe@example.com")
    run = send_digests(notifier)
    assert run.sent == [] and run.already == []
    assert len(smtp.recorder.to("maybe@example.com")) == 1  # the confirmation only


def test_same_address_twice_is_one_subscription_and_answers_alike(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    first = subscribe(client, notifier, "Twice@Example.com")
    second = subscribe(client, notifier, "twice@EXAMPLE.com")
    assert first.status_code == second.status_code == 200
    assert first.text == second.text  # nothing tells a stranger the address was known
    assert notifier.subscribers.by_email("twice@example.com") is not None
    assert len(smtp.recorder.to("twice@example.com")) == 1  # one mail per few minutes


def test_confirmed_address_signing_up_again_gets_a_note_not_a_new_link(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    confirmed_reader(client, notifier, smtp, "known@example.com")
    reader = notifier.subscribers.by_email("known@example.com")
    assert reader is not None
    later(notifier)
    answer = subscribe(client, notifier, "known@example.com")
    assert "Check your inbox" in answer.text
    note = smtp.recorder.to("known@example.com")[-1]
    assert note["Subject"] == "You are already subscribed to the pairwatch digest"
    assert "/confirm?token=" not in text_of(note)


def later(notifier: Notifier, minutes: int = 10) -> None:
    """Move the notifier's clock on, past the sign-up mail throttle."""
    moved = now_utc() + dt.timedelta(minutes=minutes)
    notifier.clock = lambda: moved


def test_csrf_is_required(client: TestClient, notifier: Notifier, smtp: SmtpServer) -> None:
    base = {"email": "csrf@example.com"}
    assert client.post("/subscribe", data=base).status_code == 403
    forged = {**base, "csrf_token": "forged.token.value"}
    assert client.post("/subscribe", data=forged).status_code == 403
    other_key = Notifier(
        make_settings(notifier.settings.home, None, secret_key="another-secret-" * 3),
        notifier.store,
        notifier.catalog,
    )
    assert (
        client.post("/subscribe", data={**base, "csrf_token": other_key.tokens.csrf()}).status_code
        == 403
    )
    valid = {**base, "csrf_token": notifier.tokens.csrf()}
    cross = client.post("/subscribe", data=valid, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert smtp.recorder.received == []
    same = client.post("/subscribe", data=valid, headers={"Origin": BASE_URL})
    assert same.status_code == 200


def test_signups_are_rate_limited_per_client(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    limit = notifier.settings.signup_rate
    answers = [subscribe(client, notifier, f"r{i}@example.com").status_code for i in range(limit)]
    assert answers == [200] * limit
    flood = subscribe(client, notifier, "flood@example.com")
    assert flood.status_code == 429
    assert int(flood.headers["Retry-After"]) >= 1
    assert notifier.subscribers.by_email("flood@example.com") is None


def test_invalid_address_and_unknown_pair_are_refused(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    bad = subscribe(client, notifier, "not-an-address")
    assert bad.status_code == 422 and "not a valid email address" in bad.text
    unknown = subscribe(client, notifier, "ok@example.com", ("iwm-vs-nothing",))
    assert unknown.status_code == 422
    assert smtp.recorder.received == []


def test_tampered_and_expired_confirmation_links(
    client: TestClient, notifier: Notifier, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(client, notifier, "late@example.com")
    reader = notifier.subscribers.by_email("late@example.com")
    assert reader is not None
    link = link_in(text_of(smtp.recorder.to("late@example.com")[0]), "/confirm?token=")
    assert client.get(path_of(link)[:-3] + "abc").status_code == 400
    wrong_purpose = notifier.tokens.subscriber("unsubscribe", reader.id)
    assert client.get(f"/confirm?token={wrong_purpose}").status_code == 400
    old = time.time() - (notifier.settings.confirm_hours + 1) * 3600
    with monkeypatch.context() as patch:
        patch.setattr("itsdangerous.timed.time.time", lambda: old)
        stale = notifier.tokens.confirm(reader.id, reader.email)
    expired = client.get(f"/confirm?token={stale}")
    assert expired.status_code == 410 and "expired" in expired.text
    assert notifier.subscribers.by_email("late@example.com").status == PENDING  # type: ignore[union-attr]


def test_one_click_unsubscribe_needs_no_csrf(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    confirmed_reader(client, notifier, smtp, "leaver@example.com")
    reader = notifier.subscribers.by_email("leaver@example.com")
    assert reader is not None
    url = path_of(notifier.links(reader.id).unsubscribe)
    page = client.get(url)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert notifier.subscribers.get(reader.id).status == CONFIRMED  # type: ignore[union-attr]
    done = client.post(
        url,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and "unsubscribed" in done.text
    assert notifier.subscribers.get(reader.id).status == UNSUBSCRIBED  # type: ignore[union-attr]
    assert client.post(url).status_code == 200  # again: still fine
    assert client.post("/unsubscribe?token=forged").status_code == 400
    assert send_digests(notifier).sent == []


def test_resubscribing_after_leaving_asks_for_confirmation_again(
    client: TestClient, notifier: Notifier, smtp: SmtpServer
) -> None:
    confirmed_reader(client, notifier, smtp, "back@example.com")
    reader = notifier.subscribers.by_email("back@example.com")
    assert reader is not None
    client.post(path_of(notifier.links(reader.id).unsubscribe))
    old_link = link_in(text_of(smtp.recorder.to("back@example.com")[0]), "/confirm?token=")
    assert client.get(path_of(old_link)).status_code == 400  # a cancelled sign-up stays cancelled
    assert notifier.subscribers.get(reader.id).status == UNSUBSCRIBED  # type: ignore[union-attr]
    later(notifier)
    subscribe(client, notifier, "back@example.com")
    assert notifier.subscribers.get(reader.id).status == PENDING  # type: ignore[union-attr]
    new_link = link_in(text_of(smtp.recorder.to("back@example.com")[-1]), "/confirm?token=")
    assert client.get(path_of(new_link)).status_code == 200
    assert notifier.subscribers.get(reader.id).status == CONFIRMED  # type: ignore[union-attr]


def test_preferences_change_pairs(client: TestClient, notifier: Notifier, smtp: SmtpServer) -> None:
    confirmed_reader(client, notifier, smtp, "prefs@example.com")
    reader = notifier.subscribers.by_email("prefs@example.com")
    assert reader is not None
    url = path_of(notifier.links(reader.id).preferences)
    page = client.get(url)
    assert page.status_code == 200 and "prefs@example.com" in page.text
    saved = client.post(url, data={"action": "pairs", "pairs": ["spy-vs-vix", "hyg-vs-vix"]})
    assert saved.status_code == 200 and "Saved." in saved.text
    assert notifier.subscribers.get(reader.id).pairs == ("spy-vs-vix", "hyg-vs-vix")  # type: ignore[union-attr]
    added = client.post(url, data={"action": "add-alert", "pair": "spy-vs-vix", "when": "vix>30"})
    assert added.status_code == 200 and "vix&gt;30" in added.text
    bad = client.post(url, data={"action": "add-alert", "pair": "spy-vs-vix", "when": "gold>1"})
    assert bad.status_code == 422
    assert client.get("/preferences?token=forged").status_code == 400


def test_without_smtp_host_mail_goes_to_the_outbox_and_the_page_says_so(
    tmp_path: Path, demo_store: Store, catalog: Catalog
) -> None:
    settings = make_settings(tmp_path / "home", None)
    notifier = Notifier(settings, demo_store, catalog)
    with TestClient(app_with(notifier), base_url=BASE_URL) as client:
        answer = subscribe(client, notifier, "outbox@example.com")
    assert answer.status_code == 200 and "outbox" in answer.text
    [eml] = sorted((tmp_path / "home" / "outbox").glob("*.eml"))
    assert b"/confirm?token=" in eml.read_bytes()
    assert "outbox@example.com" in eml.name
