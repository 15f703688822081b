"""Load a user's own CSV history for a metric (e.g. the full ICE high-yield spread history)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path

from pairwatch.domain import ChangeKind, Metric, Observation
from pairwatch.errors import DataError
from pairwatch.store import IMPORT_PREFIX, Store, WriteResult

DATE_HEADERS = ("date", "observation_date", "timestamp", "day")
VALUE_HEADERS = ("close", "value", "price", "level")
ADJ_HEADERS = ("adj close", "adj_close", "adjclose", "adjusted close")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%d.%m.%Y")
MISSING = frozenset({"", ".", "NA", "N/A", "null", "NaN", "nan"})


def _column(header: list[str], names: tuple[str, ...], metric: Metric) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in (*names, metric.id, (metric.source.symbol).lower()):
        if name in lowered:
            return lowered.index(name)
    return None


def _date(text: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip()[:10], fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unrecognised date {text!r}")


def _number(text: str) -> float | None:
    text = text.strip()
    if text in MISSING:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"non-finite value {text!r}")
    return value


def parse_import(text: str, metric: Metric, origin: str) -> list[Observation]:
    """Rows of a CSV with a date column and a value column; refuses anything doubtful."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header or len(header) < 2:
        raise DataError("import", metric.id, origin, "needs a header with a date and a value")
    date_col = _column(header, DATE_HEADERS, metric)
    date_col = 0 if date_col is None else date_col
    value_col = _column(header, VALUE_HEADERS, metric)
    value_col = (1 if date_col != 1 else 0) if value_col is None else value_col
    adj_col = _column(header, ADJ_HEADERS, metric)
    rows: dict[dt.date, Observation] = {}
    for line_no, record in enumerate(reader, start=2):
        if not record or not "".join(record).strip():
            continue
        try:
            row = _row(record, date_col, value_col, adj_col)
        except (ValueError, IndexError) as exc:
            raise DataError("import", metric.id, origin, f"line {line_no}: {exc}") from exc
        if row is None:
            continue
        if row.date in rows and rows[row.date] != row:
            raise DataError("import", metric.id, origin, f"conflicting rows for {row.date}")
        if metric.change is ChangeKind.LOG and row.close <= 0:
            raise DataError(
                "import",
                metric.id,
                origin,
                f"line {line_no}: non-positive level {row.close} for a log metric",
            )
        rows[row.date] = row
    if not rows:
        raise DataError("import", metric.id, origin, "no observations in the file")
    return [rows[d] for d in sorted(rows)]


def _row(
    record: list[str], date_col: int, value_col: int, adj_col: int | None
) -> Observation | None:
    value = _number(record[value_col])
    if value is None:
        return None
    adj = _number(record[adj_col]) if adj_col is not None else None
    return Observation(_date(record[date_col]), value, adj)


def import_csv(store: Store, metric: Metric, path: Path) -> WriteResult:
    """Store a CSV's rows for `metric`, recorded with source `import:<file name>`."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise DataError("import", metric.id, str(path), f"cannot read file: {exc}") from exc
    rows = parse_import(text, metric, str(path))
    return store.upsert(metric.id, rows, f"{IMPORT_PREFIX}{path.name}")
