"""'How are A and B related?': correlation, its interval, strength, beta in words, r²."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pairwatch.domain import ChangeKind, Metric
from pairwatch.narrative import words
from pairwatch.narrative.answer import Answer, Legs, answer


def window_phrase(stats: Mapping[str, Any], legs: Legs) -> str:
    """'Over the 90 days from 30 Jun 2025 to 26 Sep 2025 (63 observations, 62 daily changes)'."""
    span = f"from {words.date(stats['start'])} to {words.date(stats['end'])}"
    n = int(stats["observations"])
    counts = f"({words.count(n, 'observation')}, {words.changes(n - 1, legs.period)})"
    if stats["window"] == "max":
        return f"Over their whole shared history, {span} {counts}"
    return f"Over the {words.count(int(stats['window']), 'day')} {span} {counts}"


def _direction(r: float) -> str:
    """What the sign of a correlation means for the two legs' moves."""
    if r > 0:
        return "they tend to move in the same direction"
    return "they tend to move in opposite directions" if r < 0 else "they move independently"


def correlation_sentence(stats: Mapping[str, Any], legs: Legs) -> str:
    """The window, the correlation with its 95% interval, and its strength and sign words."""
    where = window_phrase(stats, legs)
    pair = f"{legs.a.label}'s and {legs.b.label}'s changes"
    r = stats["correlation"]
    if r is None:
        return f"{where}, the correlation of {pair} is undefined: one of them never changed."
    kind = f"a {words.strength_word(r)} {words.sign_word(r)}" if r != 0 else "no linear"
    return (
        f"{where}, the correlation of {pair} was {words.correlation(r)}"
        f"{_interval(stats['correlation_ci'])}: {kind} relationship, so {_direction(r)}."
    )


def _interval(ci: list[float] | None) -> str:
    """' (95% CI -0.77 to -0.48)', or nothing without an interval."""
    if ci is None:
        return ""
    return f" (95% CI {words.correlation(ci[0])} to {words.correlation(ci[1])})"


def interval_sentence(stats: Mapping[str, Any]) -> str | None:
    """A warning when the 95% interval of the correlation includes zero."""
    ci = stats["correlation_ci"]
    if ci is None or not ci[0] < 0 < ci[1]:
        return None
    return "The interval includes zero, so even the sign of the relationship is uncertain."


def _step_phrase(metric: Metric) -> tuple[float, str]:
    """The change of a leg the beta sentence starts from, as a change and in words."""
    step = words.unit_step(metric)
    if metric.change is ChangeKind.LOG:
        return math.log1p(step), words.step_percent(step)
    return step, f"{words.amount(step)} {words.unit_adjective(metric)}"


def beta_words(beta: float, a: Metric, b: Metric) -> str:
    """'a 1% rise in VIX has come with a 0.13% fall in IWM' (units for `diff` legs).

    B rises by its step (1% for log, 0.10 percentage point or 1 unit for diff) and A's
    change is beta times B's change, shown as a price change for a log A.
    """
    b_change, b_text = _step_phrase(b)
    a_change = beta * b_change
    start = f"a {b_text} rise in {b.label} has come with"
    size = words.size_of_move(a_change, a)
    if not words.shows_nonzero(size):
        return f"{start} no measurable change in {a.label}"
    direction = "rise" if a_change > 0 else "fall"
    return f"{start} a {size} {direction} in {a.label}"


def beta_sentence(stats: Mapping[str, Any], legs: Legs) -> str | None:
    """Beta with its standard error, in plain words."""
    beta = stats["beta"]
    if beta is None:
        return None
    se = stats["beta_se"]
    spread = "" if se is None else f", standard error {words.amount(se)}"
    text = beta_words(beta, legs.a, legs.b)
    return f"With a beta of {words.number(beta)}{spread}, {text}."


def r_squared_sentence(stats: Mapping[str, Any], legs: Legs) -> str | None:
    """The share of A's variance that B's moves account for."""
    r2 = stats["r_squared"]
    if r2 is None:
        return None
    return (
        f"{legs.b.label}'s moves account for {words.share(r2)} of the variance "
        f"of {legs.a.label}'s (r² = {r2:.2f})."
    )


def _figures(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The figures the relationship answer quotes."""
    ci = stats["correlation_ci"] or [None, None]
    r = stats["correlation"]
    return {
        "correlation": r,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "strength": None if r is None else words.strength_word(r),
        "beta": stats["beta"],
        "beta_se": stats["beta_se"],
        "r_squared": stats["r_squared"],
        "window": stats["window"],
        "observations": stats["observations"],
        "start": stats["start"],
        "end": stats["end"],
    }


def relationship(stats: Mapping[str, Any], legs: Legs) -> Answer:
    """Answer 'How are A and B related?' from the report's [stats]."""
    sentences = (
        correlation_sentence(stats, legs),
        interval_sentence(stats),
        beta_sentence(stats, legs),
        r_squared_sentence(stats, legs),
    )
    return answer(
        f"How are {legs.a.label} and {legs.b.label} related?",
        (s for s in sentences if s is not None),
        _figures(stats),
    )
