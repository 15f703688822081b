"""scripts/check_golden.py on tiny files in the providers' wire formats (no shared data)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from pairwatch.catalog import load_catalog

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_golden.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_golden", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_loaders_read_yahoo_and_cboe_formats(script: ModuleType, tmp_path: Path) -> None:
    yahoo = tmp_path / "IWM.csv"
    yahoo.write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2025-09-25,238.97,239.99,237.55,239.2899932861328,238.1,37209500\n"
        "2025-09-26,239.61,241.67,239.33,241.33999633789062,240.2,28932100\n"
    )
    cboe = tmp_path / "VIX_History.csv"
    cboe.write_text("DATE,OPEN,HIGH,LOW,CLOSE\n07/06/2026,16.4,16.5,15.56,15.570000\n")
    catalog = load_catalog()
    iwm = script.load_yahoo(yahoo, catalog.metric("iwm"))
    vix = script.load_cboe(cboe, catalog.metric("vix"))
    assert iwm.close.iloc[-1] == 241.33999633789062 and iwm.adj.iloc[-1] == 240.2
    assert str(iwm.last_date) == "2025-09-26"
    assert str(vix.last_date) == "2026-07-06" and vix.close.iloc[0] == vix.adj.iloc[0] == 15.57


def test_compare_counts_figures_and_reports_mismatches(script: ModuleType) -> None:
    want = {"x": 1.0, "y": [0.0, 2], "z": {"ok": True, "d": "2025-01-02"}, "n": None}
    problems: list[str] = []
    got = {"x": 1.0 + 1e-12, "y": [1e-13, 2], "z": {"ok": True, "d": "2025-01-02"}, "n": None}
    assert script.compare(got, want, "$", problems) == 6 and problems == []
    bad = {"x": 1.001, "y": [0.0, 2.0], "z": {"d": "2025-01-02", "ok": True}, "n": 0.0}
    assert script.compare(bad, want, "$", problems) == 4
    assert [p.split(":")[0] for p in problems] == ["$.x", "$.y[1]", "$.z", "$.n"]
