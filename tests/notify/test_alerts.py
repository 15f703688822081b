"""Alerts: conditions, firing once per key, webhook (signed) and email delivery."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from pairwatch.analytics.divergence import Divergence
from pairwatch.errors import InvalidRequestError
from pairwatch.notify.alerts import AlertBook, add_alert, check_alerts
from pairwatch.notify.conditions import Condition, Kind, Reading, evaluate, parse_condition
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.settings import NotifySettings
from pairwatch.notify.subscriptions import now_utc
from pairwatch.notify.webhooks import SIGNATURE_HEADER, WebhookRefusedError, verify
from tests.notify.conftest import SECRET, SmtpServer, make_settings, text_of

DEMO_END = dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zscore>2", Condition(Kind.ZSCORE, None, ">", 2.0)),
        ("ZSCORE < -1.5", Condition(Kind.ZSCORE, None, "<", -1.5)),
        ("|zscore|>=2", Condition(Kind.ZSCORE, None, ">=", 2.0, absolute=True)),
        ("vix>30", Condition(Kind.LEVEL, "vix", ">", 30.0)),
        ("corr-flip", Condition(Kind.CORRELATION_FLIP)),
        ("divergence", Condition(Kind.DIVERGENCE)),
        ("regime-change", Condition(Kind.REGIME_CHANGE)),
    ],
)
def test_conditions_parse(text: str, expected: Condition) -> None:
    found = parse_condition(text, "iwm", "vix")
    assert found == expected
    assert parse_condition(found.text, "iwm", "vix") == found


@pytest.mark.parametrize("text", ["gold>3", "zscore", "|zscore>2", "zscore>>2", "vix above 30"])
def test_bad_conditions_name_the_forms(text: str) -> None:
    with pytest.raises(InvalidRequestError, match="zscore"):
        parse_condition(text, "iwm", "vix")


def _reading(**changes: Any) -> Reading:
    base: dict[str, Any] = {
        "slug": "iwm-vs-vix",
        "as_of": DEMO_END,
        "zscore": -2.1,
        "ratio": 7.5,
        "correlation": -0.6,
        "gauge": "vix",
        "gauge_level": 23.6,
        "regime": "elevated",
        "levels": {"iwm": 177.5, "vix": 23.6},
    }
    return Reading(**{**base, **changes})


def test_thresholds_fire_when_entering_the_zone() -> None:
    condition = parse_condition("vix>20", "iwm", "vix")
    first = evaluate(condition, _reading(), {})
    assert first.fired and first.key == "vix>20@2025-12-31" and first.figures["value"] == 23.6
    stays = evaluate(condition, _reading(as_of=dt.date(2026, 1, 2)), first.state)
    assert not stays.fired
    below = evaluate(condition, _reading(levels={"iwm": 1.0, "vix": 18.0}), stays.state)
    assert not below.fired and below.state == {"beyond": False}
    back = evaluate(condition, _reading(as_of=dt.date(2026, 1, 6)), below.state)
    assert back.fired and back.key == "vix>20@2026-01-06"
    assert evaluate(parse_condition("|zscore|>2", "iwm", "vix"), _reading(), {}).fired
    assert not evaluate(parse_condition("zscore>2", "iwm", "vix"), _reading(), {}).fired


def test_change_conditions_compare_with_the_last_check() -> None:
    flip = parse_condition("corr-flip", "iwm", "vix")
    first = evaluate(flip, _reading(), {})
    assert not first.fired and first.state["sign"] == -1
    flipped = evaluate(flip, _reading(correlation=0.2), first.state)
    assert flipped.fired and flipped.figures == {"previous": -0.6, "value": 0.2}
    regime = parse_condition("regime-change", "iwm", "vix")
    start = evaluate(regime, _reading(), {})
    assert not start.fired
    moved = evaluate(regime, _reading(regime="stress", gauge_level=31.0), start.state)
    assert moved.fired and "from elevated to stress" in moved.summary


def test_divergence_fires_for_new_days_only() -> None:
    condition = parse_condition("divergence", "iwm", "vix")
    days = (Divergence(DEMO_END, -0.03, 0.0, 0.001, -3.0),)
    first = evaluate(condition, _reading(divergences=days), {})
    assert first.fired and first.key == "divergence@2025-12-31"
    again = evaluate(condition, _reading(divergences=days), first.state)
    assert not again.fired


def _settings(tmp_path: Any, smtp: SmtpServer | None = None) -> NotifySettings:
    return make_settings(tmp_path, smtp, allow_private_webhooks=True)


def test_webhook_alert_fires_once_with_a_verified_signature(
    notifier: Notifier, httpserver: HTTPServer, tmp_path: Any
) -> None:
    notifier.settings = _settings(tmp_path)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    alert = add_alert(notifier, "iwm/vix", "zscore<-2", webhook=httpserver.url_for("/hook"))
    first = check_alerts(notifier.store, notifier.catalog, notifier=notifier)
    assert [(r.alert_id, r.status) for r in first] == [(alert.id, "sent")]
    assert check_alerts(notifier.store, notifier.catalog, notifier=notifier) == []
    assert check_alerts(notifier.store, notifier.catalog, DEMO_END, notifier=notifier) == []
    [(request, _)] = httpserver.log
    body = request.get_data()
    assert verify(body, SECRET, request.headers[SIGNATURE_HEADER])
    payload = json.loads(body)
    assert payload["alert"] == {"id": alert.id, "pair": "iwm-vs-vix", "condition": "zscore<-2"}
    assert payload["key"] == "zscore<-2@2025-12-31"
    assert payload["figures"]["zscore"] == pytest.approx(payload["trigger"]["value"])
    assert payload["figures"]["zscore"] < -2
    [firing] = AlertBook(notifier.store.engine).firings(alert.id)
    assert firing["status"] == "sent" and firing["fired_key"] == "zscore<-2@2025-12-31"


def test_private_webhooks_are_refused_when_the_setting_is_off(notifier: Notifier) -> None:
    assert not notifier.settings.allow_private_webhooks
    for url in (
        "http://127.0.0.1:9/h",
        "http://10.0.0.8/h",
        "http://169.254.169.254/",
        "http://[::1]/",
    ):
        with pytest.raises(WebhookRefusedError):
            add_alert(notifier, "iwm-vs-vix", "zscore>2", webhook=url)
    assert AlertBook(notifier.store.engine).all() == []


def test_email_alert_fires_once_to_a_confirmed_reader(notifier: Notifier, smtp: SmtpServer) -> None:
    reader = notifier.subscribers.add("alert@example.com", ("iwm-vs-vix",), now_utc())
    notifier.subscribers.confirm(reader.id, now_utc())
    alert = add_alert(notifier, "iwm-vs-vix", "vix>20", email="Alert@Example.com")
    assert alert.subscriber_id == reader.id and alert.target == "alert@example.com"
    assert [
        r.status for r in check_alerts(notifier.store, notifier.catalog, notifier=notifier)
    ] == ["sent"]
    assert check_alerts(notifier.store, notifier.catalog, notifier=notifier) == []
    [mail] = smtp.recorder.to("alert@example.com")
    assert mail["Subject"].startswith("pairwatch alert: VIX is 23.6")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = text_of(mail)
    assert "vix>20" in text and "Not financial advice" in text


def test_email_alert_waits_for_confirmation(notifier: Notifier, smtp: SmtpServer) -> None:
    add_alert(notifier, "iwm-vs-vix", "vix>20", email="new@example.com")
    [confirmation] = smtp.recorder.to("new@example.com")
    assert "Confirm" in confirmation["Subject"]
    assert check_alerts(notifier.store, notifier.catalog, notifier=notifier) == []
    assert len(smtp.recorder.to("new@example.com")) == 1


def test_a_level_crossing_fires_on_the_day_it_happens(notifier: Notifier) -> None:
    notifier.settings = _settings(notifier.settings.home)
    vix = notifier.store.load_series(notifier.catalog.metric("vix"), DEMO_END).close
    dates = [d.date() for d in vix.index]
    cross = next(i for i in range(len(vix) - 1, 0, -1) if vix.iloc[i - 1] <= 20 < vix.iloc[i])
    hits: list[dict[str, Any]] = []
    alert = add_alert(notifier, "spy-vs-vix", "vix>20", webhook="http://127.0.0.1:9/none")
    for day in dates[cross - 1 : cross + 2]:
        hits += [
            r.__dict__
            for r in check_alerts(notifier.store, notifier.catalog, day, notifier=notifier)
        ]
    assert [h["key"] for h in hits] == [f"vix>20@{dates[cross]}"]
    assert hits[0]["status"] == "failed"  # nothing listens on port 9: recorded, not retried
    assert AlertBook(notifier.store.engine).get(alert.id).checked_on == dates[cross + 1]  # type: ignore[union-attr]
