"""CLI commands that need no provider: catalog, demo, compare on the demo store."""

from __future__ import annotations

import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pairwatch import cli
from pairwatch.cli import app


def test_catalog_lists_metrics_and_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "out", Console(width=250))
    result = CliRunner().invoke(app, ["catalog"])
    assert result.exit_code == 0
    for needle in ("hy-oas", "BAMLH0A0HYM2", "iwm/vix", "vix/vix3m", "brent/dollar"):
        assert needle in result.stdout


def test_demo_is_labelled_synthetic_and_kept_apart() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.stdout
    real = runner.invoke(app, ["compare", "iwm", "vix", "--json"])
    assert real.exit_code == 2  # the real store is still empty: demo data never mixes in
    demo = runner.invoke(app, ["--demo", "compare", "spy", "hyg", "--window", "365", "--json"])
    assert demo.exit_code == 0
    report = json.loads(demo.stdout)
    assert report["pair"] == {"a": "spy", "b": "hyg"}
    assert report["stats"]["window"] == 365


def test_demo_is_deterministic() -> None:
    runner = CliRunner()
    runner.invoke(app, ["demo"])
    first = runner.invoke(app, ["--demo", "compare", "iwm", "vix", "--json"]).stdout
    runner.invoke(app, ["demo"])
    second = runner.invoke(app, ["--demo", "compare", "iwm", "vix", "--json"]).stdout
    assert first == second


def test_compare_window_max_and_asof() -> None:
    runner = CliRunner()
    runner.invoke(app, ["demo"])
    full = json.loads(
        runner.invoke(app, ["--demo", "compare", "iwm", "vix", "--window", "max", "--json"]).stdout
    )
    assert full["stats"]["window"] == "max"
    past = json.loads(
        runner.invoke(
            app, ["--demo", "compare", "iwm", "vix", "--asof", "2020-03-31", "--json"]
        ).stdout
    )
    assert past["stats"]["end"] == "2020-03-31"
    assert past["changes"]["a"]["date"] == "2020-03-31"


def test_readable_compare_output() -> None:
    runner = CliRunner()
    runner.invoke(app, ["demo"])
    result = runner.invoke(app, ["--demo", "compare", "iwm", "vix"])
    assert result.exit_code == 0
    assert "correlation" in result.stdout and "SYNTHETIC" in result.stdout


def test_asof_before_the_data_says_so() -> None:
    runner = CliRunner()
    runner.invoke(app, ["demo"])
    result = runner.invoke(app, ["--demo", "compare", "iwm", "vix", "--asof", "1990-01-01"])
    assert result.exit_code == 2
    assert "asof 1990-01-01 is before the data: iwm starts 2015-01-02" in result.stderr
