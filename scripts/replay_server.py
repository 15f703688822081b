"""Replay real history from ../shared/data in the providers' wire formats, on loopback.

    python scripts/replay_server.py --data ../shared/data --port 8765 [--until 2025-06-30]
    export PAIRWATCH_CBOE_URL=http://127.0.0.1:8765 PAIRWATCH_YAHOO_URL=http://127.0.0.1:8765 \
           PAIRWATCH_FRED_URL=http://127.0.0.1:8765
    pairwatch fetch iwm vix spy hyg hy-oas

Control (for checking incremental refreshes and failure handling by hand):
    GET /_replay/until?date=YYYY-MM-DD   serve only rows up to that date ('' = everything)
    GET /_replay/garbage?provider=yahoo  answer that provider with an HTML page (''= off)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.replay import Bar, yahoo_chart_json

YAHOO_FILES = {
    "IWM": "IWM.csv",
    "SPY": "SPY.csv",
    "HYG": "HYG.csv",
    "TLT": "TLT.csv",
    "GLD": "GLD.csv",
    "BTC-USD": "BTC-USD.csv",
    "^VIX": "alt/VIX_yahoo.csv",
}
FRED_FILES = {
    "VIXCLS": "VIXCLS.csv",
    "T10Y2Y": "T10Y2Y.csv",
    "DGS10": "DGS10.csv",
    "BAMLH0A0HYM2": "BAMLH0A0HYM2.csv",
}
NOT_FOUND = (
    b'{"chart":{"result":null,"error":{"code":"Not Found",'
    b'"description":"No data found, symbol may be delisted"}}}'
)
HTML = b"<!DOCTYPE html><html><head><title>Oops</title></head><body>Try later</body></html>"


class State:
    """What the server replays now."""

    data: Path = Path("../shared/data")
    until: dt.date | None = None
    garbage: str = ""


def _yahoo_bars(path: Path, until: dt.date | None) -> list[Bar]:
    bars = []
    with path.open() as handle:
        for row in csv.DictReader(handle):
            day = dt.date.fromisoformat(row.get("Date") or row["date"])
            if until and day > until:
                break
            close = float(row.get("Close") or row["close"])
            adj = row.get("Adj Close")
            bars.append(Bar(day, close, float(adj) if adj else None))
    return bars


class Handler(BaseHTTPRequestHandler):
    """Routes the real providers' paths to files under State.data."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if url.path.startswith("/_replay/"):
            return self._control(url.path, query)
        if url.path.startswith("/api/global/us_indices/daily_prices/"):
            return self._cboe(url.path.rsplit("/", 1)[-1])
        if url.path.startswith("/v8/finance/chart/"):
            return self._yahoo(unquote(url.path.rsplit("/", 1)[-1]), query)
        if url.path == "/graph/fredgraph.csv":
            return self._fred(query.get("id", ""), query.get("cosd"))
        self._send(404, b"Not Found", "text/plain")

    def _control(self, path: str, query: dict[str, str]) -> None:
        if path == "/_replay/until":
            State.until = dt.date.fromisoformat(query["date"]) if query.get("date") else None
        elif path == "/_replay/garbage":
            State.garbage = query.get("provider", "")
        self._send(200, f"until={State.until} garbage={State.garbage}\n".encode(), "text/plain")

    def _cboe(self, name: str) -> None:
        if State.garbage == "cboe":
            return self._send(200, HTML, "text/html")
        path = State.data / name
        if not path.exists():
            return self._send(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
        lines = path.read_text().splitlines()
        keep = [lines[0]] + [
            ln
            for ln in lines[1:]
            if not State.until or dt.datetime.strptime(ln[:10], "%m/%d/%Y").date() <= State.until
        ]
        self._send(200, ("\n".join(keep) + "\n").encode(), "text/csv")

    def _yahoo(self, symbol: str, query: dict[str, str]) -> None:
        if State.garbage == "yahoo":
            return self._send(200, HTML, "text/html")
        name = YAHOO_FILES.get(symbol)
        if name is None or not (State.data / name).exists():
            body = NOT_FOUND
            return self._send(404, body, "application/json")
        start = dt.datetime.fromtimestamp(int(query.get("period1", "0")), dt.UTC).date()
        bars = [b for b in _yahoo_bars(State.data / name, State.until) if b.date >= start]
        zone = "UTC" if symbol.endswith("-USD") else "America/New_York"
        self._send(200, yahoo_chart_json(symbol, bars, zone), "application/json")

    def _fred(self, series: str, cosd: str | None) -> None:
        if State.garbage == "fred":
            return self._send(200, HTML, "text/html")
        name = FRED_FILES.get(series)
        if name is None:
            return self._send(
                404, b"<!DOCTYPE html><html><body>Series not found</body></html>", "text/html"
            )
        lines = (State.data / name).read_text().splitlines()
        start = dt.date.fromisoformat(cosd) if cosd else dt.date.min
        keep = [lines[0]] + [
            ln
            for ln in lines[1:]
            if start <= dt.date.fromisoformat(ln[:10]) <= (State.until or dt.date.max)
        ]
        self._send(200, ("\n".join(keep) + "\n").encode(), "text/csv")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt: str, *args: object) -> None:
        sys.stderr.write("replay: " + fmt % args + "\n")


def main() -> None:
    """Parse options and serve until interrupted."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--until", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args()
    State.data, State.until = args.data, args.until
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"replaying {State.data} on http://127.0.0.1:{args.port}", file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()
