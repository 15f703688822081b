"""The issue's acceptance run: providers replayed on loopback in their real wire formats,
`pairwatch fetch` fills the store, a second fetch adds only new rows, garbage fails loudly
and loses nothing, and `pairwatch compare --json` matches an independent computation."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from pairwatch.cli import app
from tests.replay import Bar, cboe_csv, fredgraph_csv, yahoo_chart_json

SYMBOLS = {"iwm": "IWM", "spy": "SPY", "hyg": "HYG"}


def business_days(n: int, end: dt.date = dt.date(2025, 9, 26)) -> list[dt.date]:
    return [d.date() for d in pd.bdate_range(end=end, periods=n)]


def make_history(n: int = 260) -> dict[str, list[Bar]]:
    """Correlated synthetic history: VIX falls when the ETFs rise; spreads move in points."""
    rng = np.random.default_rng(7)
    days = business_days(n)
    market = rng.normal(0.0004, 0.011, n)
    vix = 16.0 * np.exp(np.cumsum(-3.5 * market + rng.normal(0, 0.03, n)))
    out = {"vix": [Bar(d, round(float(v), 2)) for d, v in zip(days, vix, strict=True)]}
    for metric, (beta, level) in {
        "iwm": (1.2, 200.0),
        "spy": (1.0, 500.0),
        "hyg": (0.3, 78.0),
    }.items():
        close = level * np.exp(np.cumsum(beta * market + rng.normal(0, 0.004, n)))
        out[metric] = [Bar(d, float(c), float(c) * 0.97) for d, c in zip(days, close, strict=True)]
    oas = 3.2 + np.cumsum(-5 * market + rng.normal(0, 0.01, n))
    out["hy-oas"] = [Bar(d, round(float(v), 2)) for d, v in zip(days, oas, strict=True)]
    return out


class Replay:
    """Serves the history up to `until` in each provider's format; `garbage` breaks Yahoo."""

    def __init__(self, history: dict[str, list[Bar]]) -> None:
        self.history = history
        self.until = dt.date.max
        self.garbage = False
        self.paths: list[str] = []

    def upto(self, metric: str, start: dt.date = dt.date.min) -> list[Bar]:
        return [b for b in self.history[metric] if start <= b.date <= self.until]

    def handle(self, request: Request) -> Response:
        self.paths.append(request.full_path)
        path = request.path
        if path.endswith("/VIX_History.csv"):
            return Response(cboe_csv("VIX", self.upto("vix")), content_type="text/csv")
        if path == "/graph/fredgraph.csv":
            start = dt.date.fromisoformat(request.args.get("cosd", "0001-01-01"))
            body = fredgraph_csv("BAMLH0A0HYM2", self.upto("hy-oas", start))
            return Response(body, content_type="text/csv")
        symbol = path.rsplit("/", 1)[-1]
        if self.garbage:
            return Response(
                "<!DOCTYPE html><html><body>Will be right back</body></html>",
                content_type="text/html",
            )
        metric = {v: k for k, v in SYMBOLS.items()}[symbol]
        start = dt.datetime.fromtimestamp(int(request.args["period1"]), dt.UTC).date()
        body = yahoo_chart_json(symbol, self.upto(metric, start))
        return Response(body, content_type="application/json")


@pytest.fixture
def replay(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Replay]:
    server = Replay(make_history())
    httpserver.expect_request("").respond_with_handler(server.handle)
    base = httpserver.url_for("").rstrip("/")
    for name in ("CBOE", "YAHOO", "FRED"):
        monkeypatch.setenv(f"PAIRWATCH_{name}_URL", base)
    monkeypatch.setenv("PAIRWATCH_HTTP_RETRIES", "0")
    monkeypatch.setenv("PAIRWATCH_RATE_LIMIT_SCALE", "0")
    yield server


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


LEGS = ["iwm", "vix", "spy", "hyg", "hy-oas"]


def test_fetch_then_incremental_then_garbage(replay: Replay) -> None:
    replay.until = dt.date(2025, 9, 19)
    code, out, _ = run("fetch", *LEGS)
    assert code == 0, out
    assert "iwm" in out and "255" in out  # 260 business days less the last five

    replay.until = dt.date.max
    before = len(replay.paths)
    code, out, _ = run("fetch", *LEGS)
    assert code == 0, out
    tail_requests = replay.paths[before:]
    assert any("cosd=" in p for p in tail_requests)  # FRED asked only for the tail
    code, data, _ = run("compare", "iwm", "vix", "--json")
    assert code == 0
    assert json.loads(data)["changes"]["a"]["date"] == "2025-09-26"

    replay.garbage = True
    code, snapshot, _ = run("compare", "iwm", "spy", "--json")
    code, out, err = run("fetch", *LEGS)
    assert code == 1
    assert "HTML" in out + err
    _, after, _ = run("compare", "iwm", "spy", "--json")
    assert after == snapshot  # nothing was lost or changed


def test_second_fetch_adds_only_new_rows(replay: Replay) -> None:
    replay.until = dt.date(2025, 9, 19)
    run("fetch", *LEGS)
    replay.until = dt.date.max
    code, out, _ = run("fetch", "iwm")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("│ iwm"))
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells[1:3] == ["5", "0"]  # five new days, nothing rewritten


def test_compare_json_matches_an_independent_computation(replay: Replay) -> None:
    run("fetch", *LEGS)
    code, out, _ = run("compare", "iwm", "vix", "--window", "90", "--json")
    assert code == 0
    report = json.loads(out)
    hist = replay.history
    iwm = pd.Series({pd.Timestamp(b.date): b.adj for b in hist["iwm"]}, dtype=float)
    vix = pd.Series({pd.Timestamp(b.date): b.close for b in hist["vix"]}, dtype=float)
    end = iwm.index[-1]
    inside = iwm.index > end - pd.Timedelta(days=90)
    ra, rb = np.log(iwm[inside]).diff().dropna(), np.log(vix[inside]).diff().dropna()
    stats = report["stats"]
    assert stats["observations"] == int(inside.sum())
    assert stats["correlation"] == pytest.approx(ra.corr(rb), rel=1e-12)
    assert stats["beta"] == pytest.approx(ra.cov(rb) / rb.var(), rel=1e-12)
    assert stats["a"]["volatility"] == pytest.approx(ra.std() * np.sqrt(252), rel=1e-12)
    assert list(report)[:4] == ["pair", "notes", "changes", "stats"]


def test_compare_errors_are_clear(replay: Replay) -> None:
    code, _, err = run("compare", "iwm", "vix")
    assert code == 2 and "pairwatch fetch iwm" in err
    code, _, err = run("compare", "iwm", "nope")
    assert code == 2 and "unknown metric 'nope'" in err
    run("fetch", "iwm", "vix")
    for window in ("abc", "0", "99999"):
        code, _, err = run("compare", "iwm", "vix", "--window", window)
        assert code == 2 and "window must be" in err
    code, _, err = run("compare", "iwm", "iwm")
    assert code == 2 and "itself" in err
