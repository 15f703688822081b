"""The README stays true: two set-up commands, every setting and catalog entry listed,
and CI runs the very test command the README gives."""

from __future__ import annotations

import re
from pathlib import Path

from pairwatch.catalog import load_catalog
from pairwatch.config import NotifySettings, Settings

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    commands = setup_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert commands[1] in ci


def test_every_setting_is_documented() -> None:
    fields = {**Settings.model_fields, **NotifySettings.model_fields}
    for name, field in fields.items():
        env = field.validation_alias or f"PAIRWATCH_{name.upper()}"
        assert f"`{env}`" in README, env


def test_every_metric_and_pair_is_listed() -> None:
    catalog = load_catalog()
    for metric in catalog:
        assert f"`{metric.id}`" in README, metric.id
    for pair in catalog.pairs:
        assert f"`{pair.a}/{pair.b}`" in README, pair.slug
