"""'How does the correlation change by volatility regime?': the regime table in sentences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pairwatch.analytics.regimes import REGIME_EDGES, REGIME_MIN_DAYS, REGIME_NAMES
from pairwatch.narrative import words
from pairwatch.narrative.answer import Answer, Legs, answer


def regime_range(name: str, gauge: str) -> str:
    """The gauge levels of a regime, e.g. 'VIX below 15', 'VIX 20 to 30'."""
    i = REGIME_NAMES.index(name)
    edges = [f"{edge:g}" for edge in REGIME_EDGES]
    if i == 0:
        return f"{gauge} below {edges[0]}"
    if i == len(edges):
        return f"{gauge} {edges[-1]} and above"
    return f"{gauge} {edges[i - 1]} to {edges[i]}"


def regime_clause(name: str, regime: Mapping[str, Any], gauge: str) -> str:
    """One regime's correlation and days, or why it has none."""
    days = int(regime["days"])
    where = f"{name} ({regime_range(name, gauge)}"
    if days == 0:
        return f"no {name} days ({regime_range(name, gauge)})"
    if days < REGIME_MIN_DAYS:
        return f"{where}) had too few days for a correlation ({days}, under {REGIME_MIN_DAYS})"
    if regime["correlation"] is None:
        return f"{where}, {words.count(days, 'day')}) had an undefined correlation"
    r = words.correlation(regime["correlation"])
    return f"{r} in {where}, {words.count(days, 'day')})"


def table_sentence(regimes: Mapping[str, Any], legs: Legs) -> str:
    """All four regimes in one sentence."""
    clauses = [regime_clause(name, regimes[name], legs.gauge) for name in REGIME_NAMES]
    listed = "; ".join(clauses)
    where = f"Over the whole shared history, by the level of {legs.gauge}"
    return f"{where}, the correlation was: {listed}."


def _with_correlation(regimes: Mapping[str, Any]) -> list[tuple[str, float]]:
    """(name, correlation) of the regimes with enough days and a defined correlation."""
    return [
        (name, float(regimes[name]["correlation"]))
        for name in REGIME_NAMES
        if regimes[name]["days"] >= REGIME_MIN_DAYS and regimes[name]["correlation"] is not None
    ]


def _tightening(change: float) -> str:
    """'tightens', 'loosens' or 'holds about steady' for a change in |r|."""
    if change >= words.SAME_STRENGTH:
        return "tightens"
    return "loosens" if change <= -words.SAME_STRENGTH else "holds about steady"


def tightening_sentence(regimes: Mapping[str, Any], legs: Legs) -> str:
    """Whether |r| is larger in the most stressed regime with data than in the calmest."""
    found = _with_correlation(regimes)
    if len(found) < 2:
        only = found[0][0] if found else "no regime"
        return f"Only {only} has {REGIME_MIN_DAYS} days or more, so there is nothing to compare."
    (low_name, low), (high_name, high) = found[0], found[-1]
    verb = _tightening(abs(high) - abs(low))
    flip = " and its sign changes" if low * high < 0 else ""
    return (
        f"The relationship {verb} as {legs.gauge} rises{flip}: |r| goes from "
        f"{words.correlation(abs(low))} in {low_name} to {words.correlation(abs(high))} "
        f"in {high_name}."
    )


def _figures(regimes: Mapping[str, Any]) -> dict[str, Any]:
    """Days and correlation of each regime."""
    figures: dict[str, Any] = {}
    for name in REGIME_NAMES:
        figures[f"{name}_days"] = regimes[name]["days"]
        figures[f"{name}_correlation"] = regimes[name]["correlation"]
    return figures


def regimes_answer(regimes: Mapping[str, Any], legs: Legs) -> Answer:
    """Answer 'How does the correlation change by volatility regime?' from [regimes]."""
    return answer(
        "How does the correlation change by volatility regime?",
        (table_sentence(regimes, legs), tightening_sentence(regimes, legs)),
        _figures(regimes),
    )
