"""Encode series into each provider's real wire format, and serve them from a local server.

Used by the end-to-end tests (with pytest-httpserver) and by `scripts/replay_server.py`
(which replays real history from ../shared/data while developing).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class Bar:
    """One day of a replayed series: display close and (for funds) adjusted close."""

    date: dt.date
    close: float
    adj: float | None = None


def cboe_csv(symbol: str, bars: Sequence[Bar]) -> bytes:
    """CBOE index history: `DATE,OPEN,HIGH,LOW,CLOSE` (VIX) with MM/DD/YYYY and 6 decimals."""
    lines = ["DATE,OPEN,HIGH,LOW,CLOSE"] if symbol == "VIX" else [f"DATE,{symbol}"]
    for b in bars:
        day = b.date.strftime("%m/%d/%Y")
        if symbol == "VIX":
            lines.append(
                f"{day},{b.close:.6f},{b.close * 1.02:.6f},{b.close * 0.98:.6f},{b.close:.6f}"
            )
        else:
            lines.append(f"{day},{b.close:.6f}")
    return ("\n".join(lines) + "\n").encode()


def fredgraph_csv(series_id: str, bars: Sequence[Bar], missing: Sequence[dt.date] = ()) -> bytes:
    """FRED's keyless CSV: `observation_date,ID`, empty value for a missing day."""
    rows = [(b.date, repr(b.close)) for b in bars] + [(d, "") for d in missing]
    lines = [f"observation_date,{series_id}"] + [f"{d.isoformat()},{v}" for d, v in sorted(rows)]
    return ("\n".join(lines) + "\n").encode()


def _open_stamp(day: dt.date, zone: ZoneInfo) -> int:
    """Yahoo stamps a daily bar at the session open (09:30 New York), in unix seconds."""
    if zone.key == "UTC":
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())
    return int(dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=zone).timestamp())


def yahoo_chart_json(symbol: str, bars: Sequence[Bar], zone: str = "America/New_York") -> bytes:
    """Yahoo chart API v8 for daily bars, with meta, quote and adjclose blocks."""
    tz = ZoneInfo(zone)
    closes = [b.close for b in bars]
    last = bars[-1]
    result = {
        "meta": {
            "currency": "USD",
            "symbol": symbol,
            "exchangeName": "PCX",
            "instrumentType": "ETF",
            "firstTradeDate": _open_stamp(bars[0].date, tz),
            "regularMarketTime": _open_stamp(last.date, tz) + 23400,
            "gmtoffset": int(dt.datetime.now(tz).utcoffset().total_seconds()),  # type: ignore[union-attr]
            "timezone": "EST" if zone != "UTC" else "UTC",
            "exchangeTimezoneName": zone,
            "regularMarketPrice": last.close,
            "chartPreviousClose": bars[0].close,
            "priceHint": 2,
            "dataGranularity": "1d",
            "range": "",
        },
        "timestamp": [_open_stamp(b.date, tz) for b in bars],
        "indicators": {
            "quote": [
                {
                    "volume": [1_000_000 for _ in bars],
                    "low": [c * 0.99 for c in closes],
                    "close": closes,
                    "open": closes,
                    "high": [c * 1.01 for c in closes],
                }
            ],
            "adjclose": [{"adjclose": [b.adj if b.adj is not None else b.close for b in bars]}],
        },
    }
    return json.dumps({"chart": {"result": [result], "error": None}}).encode()
