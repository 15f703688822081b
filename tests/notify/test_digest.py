"""The digest's content: figures equal the pair report's, parts, headers, images, movers."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from pairwatch.analytics.divergence import Divergence
from pairwatch.catalog import Catalog
from pairwatch.notify.delivery import send_digests
from pairwatch.notify.digest import (
    build_digest,
    default_pairs,
    last_trading_day,
    new_divergences,
    regime_of,
)
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.render import Links, change, digest_text, level, signed
from pairwatch.services.compare import compare_pair
from pairwatch.store import Store
from tests.notify.conftest import (
    BASE_URL,
    SmtpServer,
    TestClient,
    confirmed_reader,
    html_of,
    path_of,
    text_of,
)

DEMO_END = dt.date(2025, 12, 31)


def test_last_trading_day_and_default_pairs(demo_store: Store, catalog: Catalog) -> None:
    assert last_trading_day(demo_store, catalog) == DEMO_END
    assert default_pairs(catalog)[0] == "iwm-vs-vix"
    assert len(default_pairs(catalog)) == 3


def test_digest_figures_are_the_reports(demo_store: Store, catalog: Catalog) -> None:
    digest = build_digest(demo_store, catalog, pairs=["iwm-vs-vix"])
    report = compare_pair(demo_store, catalog, "iwm", "vix", 90, DEMO_END, forecasts=False)
    assert report.stats is not None and report.stats.ratio is not None
    [pair] = digest.pairs
    assert digest.as_of == DEMO_END
    assert (pair.a.id, pair.b.id) == ("iwm", "vix")
    assert pair.a.one_day == report.changes.a.one_day
    assert pair.b.one_day == report.changes.b.one_day
    assert (pair.a.last, pair.b.last) == (report.changes.a.last, report.changes.b.last)
    assert pair.correlation == report.stats.correlation
    assert pair.beta == report.stats.beta
    assert pair.zscore == report.stats.ratio.zscore
    assert pair.signal == (report.signal.label if report.signal else None)
    vix = demo_store.load_series(catalog.metric("vix"), DEMO_END)
    assert pair.gauge_level == float(vix.close.iloc[-1])
    assert pair.regime == regime_of(pair.gauge_level)
    assert digest.synthetic


def test_regime_edges() -> None:
    assert [regime_of(v) for v in (14.99, 15.0, 19.99, 20.0, 29.99, 30.0)] == [
        "calm",
        "normal",
        "normal",
        "elevated",
        "elevated",
        "stress",
    ]
    assert regime_of(None) is None and regime_of(math.nan) is None


def _divergence(day: dt.date) -> Divergence:
    return Divergence(day, -0.03, 0.01, 0.002, -3.1)


def test_new_divergences_since_last_digest() -> None:
    days = [_divergence(dt.date(2025, 12, d)) for d in (22, 29, 30, 31)]
    assert [d.date.day for d in new_divergences(days, DEMO_END, None)] == [31]
    since = dt.date(2025, 12, 29)
    assert [d.date.day for d in new_divergences(days, DEMO_END, since)] == [30, 31]


def test_biggest_movers_are_ranked_by_z_of_the_days_move(
    demo_store: Store, catalog: Catalog
) -> None:
    digest = build_digest(demo_store, catalog, pairs=["iwm-vs-vix"])
    assert 0 < len(digest.up) <= 5 and 0 < len(digest.down) <= 5
    assert [m.z for m in digest.up] == sorted((m.z for m in digest.up), reverse=True)
    assert [m.z for m in digest.down] == sorted(m.z for m in digest.down)
    first = digest.down[0]
    series = demo_store.load_series(catalog.metric(first.id))
    logs = np.log(series.adj).diff().dropna()
    past = logs[(logs.index > pd.Timestamp(DEMO_END - dt.timedelta(days=365)))].iloc[:-1]
    assert math.isclose(first.z, logs.iloc[-1] / past.std(ddof=1), rel_tol=1e-9)
    assert math.isclose(first.change, series.close.iloc[-1] / series.close.iloc[-2] - 1)


def test_digest_mail_over_smtp(
    client: TestClient, notifier: Notifier, smtp: SmtpServer, catalog: Catalog
) -> None:
    confirmed_reader(client, notifier, smtp, "iwm@example.com", ("iwm-vs-vix", "spy-vs-vix"))
    run = send_digests(notifier)
    assert run.sent == ["iwm@example.com"]
    mail = smtp.recorder.to("iwm@example.com")[-1]
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "multipart/related"]
    unsubscribe = mail["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{BASE_URL}/unsubscribe?token=") and unsubscribe.endswith(">")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Message-ID"].endswith("@pairwatch.example>")
    text, html = text_of(mail), html_of(mail)
    report = compare_pair(notifier.store, catalog, "iwm", "vix", 90, DEMO_END, forecasts=False)
    assert report.stats is not None and report.stats.ratio is not None
    figures = [
        level(report.changes.a.last),
        level(report.changes.b.last),
        change(report.changes.a.one_day, "log"),
        change(report.changes.b.one_day, "log"),
        signed(report.stats.correlation),
        signed(report.stats.beta),
        signed(report.stats.ratio.zscore),
    ]
    for figure in figures:
        assert figure in text, figure
        assert figure in html, figure
    for needle in ("IWM", "VIX", "Biggest movers", "Not financial advice", "Why it matters"):
        assert needle in text
    assert f"{BASE_URL}/compare/iwm-vs-vix" in text and f"{BASE_URL}/compare/iwm-vs-vix" in html
    assert "Not financial advice" in html and "Sources" in html
    images = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2
    for image in images:
        assert image.get_content().startswith(b"\x89PNG")
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html
    one_click = client.post(
        path_of(unsubscribe.strip("<>")), data={"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    reader = notifier.subscribers.by_email("iwm@example.com")
    assert reader is not None and reader.status == "unsubscribed"


def test_a_pair_without_data_is_left_out_not_fatal(demo_store: Store, catalog: Catalog) -> None:
    demo_store.delete_metric("kre")  # a pair no other test caches
    digest = build_digest(demo_store, catalog, pairs=["kre-vs-spy", "iwm-vs-vix"])
    assert [p.slug for p in digest.pairs] == ["iwm-vs-vix"]
    assert digest.skipped == ("kre-vs-spy",)
    assert "Not available today (no data yet): kre-vs-spy" in digest_text(digest, Links(BASE_URL))
