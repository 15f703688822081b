"""`pairwatch import`: a user's CSV, validated, recorded with its source, never deleted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pairwatch.catalog import load_catalog
from pairwatch.cli import app
from pairwatch.errors import DataError
from pairwatch.services.imports import import_csv, parse_import
from pairwatch.store import Store

CATALOG = load_catalog()
HY = CATALOG.metric("hy-oas")
IWM = CATALOG.metric("iwm")


def test_parses_fred_style_with_missing_values() -> None:
    text = (
        "observation_date,BAMLH0A0HYM2\n"
        "1996-12-31,3.13\n1997-01-01,\n1997-01-02,.\n1997-01-03,3.10\n"
    )
    rows = parse_import(text, HY, "ice.csv")
    assert [(r.date, r.close) for r in rows] == [
        (dt.date(1996, 12, 31), 3.13),
        (dt.date(1997, 1, 3), 3.10),
    ]


def test_parses_yahoo_style_with_adjusted_close() -> None:
    text = (
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2000-05-26,45.5,45.7,45.3,45.71875,32.83599090576172,74800\n"
    )
    (row,) = parse_import(text, IWM, "iwm.csv")
    assert (row.close, row.adj_close) == (45.71875, 32.83599090576172)


def test_parses_us_dates() -> None:
    (row,) = parse_import("DATE,CLOSE\n07/07/2026,16.13\n", CATALOG.metric("vix"), "v.csv")
    assert row.date == dt.date(2026, 7, 7)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("date,value\n2024-01-02,abc\n", "line 2"),
        ("date,value\n2024-13-02,1.0\n", "unrecognised date"),
        ("date,value\n2024-01-02,1.0\n2024-01-02,2.0\n", "conflicting"),
        ("date,value\n", "no observations"),
        ("justonecolumn\n", "header"),
    ],
)
def test_bad_files_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(DataError, match=reason):
        parse_import(text, HY, "bad.csv")


def test_log_metric_refuses_non_positive_levels() -> None:
    with pytest.raises(DataError, match="non-positive"):
        parse_import("date,close\n2024-01-02,0\n", IWM, "x.csv")


def test_import_records_its_source(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    path = tmp_path / "ice_hy.csv"
    path.write_text("date,value\n2008-12-15,21.82\n2020-03-23,10.87\n")
    result = import_csv(store, HY, path)
    assert result.added == 2
    assert {r.source for r in store.rows("hy-oas").values()} == {"import:ice_hy.csv"}
    assert store.provider_source("hy-oas") is None  # the next fetch takes full history


def test_cli_import(tmp_path: Path) -> None:
    path = tmp_path / "hy.csv"
    path.write_text("observation_date,BAMLH0A0HYM2\n2008-12-15,21.82\n")
    result = CliRunner().invoke(app, ["import", "hy-oas", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 rows added" in result.stdout
