"""'Is one a hedge for the other?': ratio, out-of-sample effectiveness, downside, stress."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pairwatch.analytics.regimes import REGIME_MIN_DAYS, REGIME_NAMES
from pairwatch.domain import ChangeKind
from pairwatch.narrative import words
from pairwatch.narrative.answer import Answer, Legs, answer
from pairwatch.narrative.by_regime import regime_range
from pairwatch.narrative.relation import beta_words

STRESS = REGIME_NAMES[-1]


def _both_log(legs: Legs) -> bool:
    """Whether both legs take log changes, so the ratio is a value-for-value hedge."""
    return legs.a.change is ChangeKind.LOG and legs.b.change is ChangeKind.LOG


def ratio_sentence(ratio: float | None, legs: Legs) -> str:
    """The hedge ratio and what holding it means."""
    a, b = legs.a.label, legs.b.label
    if ratio is None:
        return f"The hedge ratio is undefined: {b} never changed in the window."
    head = f"The hedge ratio (the window's beta) is {words.number(ratio)}"
    if not _both_log(legs):
        return f"{head}: {beta_words(ratio, legs.a, legs.b)}."
    side = "sell" if ratio > 0 else "buy"
    return f"{head}: to hedge each 1 of {a} held, {side} {words.amount(ratio)} of {b} in value."


def effectiveness_sentence(effectiveness: float | None, legs: Legs) -> str:
    """The share of A's variance the rolling hedge removed out of sample."""
    a = legs.a.label
    if effectiveness is None:
        return f"Its effectiveness is undefined: {a} never moved on the days tested."
    figure = f"(effectiveness {words.number(effectiveness)})"
    where = "Out of sample, with each day's hedge fitted on the 60 changes before it,"
    if effectiveness < 0:
        return f"{where} the hedge added to {a}'s variance {figure}."
    return f"{where} the hedge removed {words.share(effectiveness)} of {a}'s variance {figure}."


def downside_sentence(capture: float | None, legs: Legs) -> str:
    """The share of A's worst days on which B rose."""
    a, b = legs.a.label, legs.b.label
    if capture is None:
        return (
            f"{a} had no fall of more than one standard deviation in the window, "
            "so downside capture is undefined."
        )
    return (
        f"On {a}'s sharpest falls in the window (more than one standard deviation) "
        f"{b} rose on {words.share(capture)} of them (downside capture {words.amount(capture)})."
    )


def stress_sentence(
    regimes: Mapping[str, Any] | None, stats: Mapping[str, Any] | None, legs: Legs
) -> str | None:
    """The correlation in the stress regime, against the window's."""
    if regimes is None:
        return None
    stress = regimes[STRESS]
    where = f"{STRESS} ({regime_range(STRESS, legs.gauge)})"
    if stress["days"] < REGIME_MIN_DAYS or stress["correlation"] is None:
        days = int(stress["days"])
        if days == 0:
            return f"The history has no days of {where}, so the hedge is untested there."
        counted = words.count(days, "day")
        return f"The history has only {counted} of {where}, too few to judge the hedge there."
    text = f"In {where}, over {words.count(int(stress['days']), 'day')}, the correlation was "
    text += words.correlation(stress["correlation"])
    if stats is None or stats["correlation"] is None:
        return text + "."
    return f"{text}, against {words.correlation(stats['correlation'])} in the window."


def verdict_sentence(effectiveness: float | None, legs: Legs) -> str:
    """The honest verdict, with the thresholds it applies."""
    rule = (
        f"(effectiveness {words.HEDGE_GOOD:g} or more is good, {words.HEDGE_PARTIAL:g} "
        f"to {words.HEDGE_GOOD:g} partial, below {words.HEDGE_PARTIAL:g} poor)"
    )
    if effectiveness is None:
        return f"Verdict: none without an effectiveness {rule}."
    quality = words.hedge_verdict(effectiveness)
    return f"Verdict: {legs.b.label} is a {quality} hedge for {legs.a.label} {rule}."


def _figures(hedge: Mapping[str, Any], regimes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The figures the hedge answer quotes."""
    stress = None if regimes is None else regimes[STRESS]
    effectiveness = hedge["effectiveness"]
    return {
        "ratio": hedge["ratio"],
        "effectiveness": effectiveness,
        "downside_capture": hedge["downside_capture"],
        "stress_days": None if stress is None else stress["days"],
        "stress_correlation": None if stress is None else stress["correlation"],
        "verdict": None if effectiveness is None else words.hedge_verdict(effectiveness),
    }


def hedge_answer(
    hedge: Mapping[str, Any],
    regimes: Mapping[str, Any] | None,
    stats: Mapping[str, Any] | None,
    legs: Legs,
) -> Answer:
    """Answer 'Is one a hedge for the other?' from [hedge], [regimes] and [stats]."""
    sentences = (
        ratio_sentence(hedge["ratio"], legs),
        effectiveness_sentence(hedge["effectiveness"], legs),
        downside_sentence(hedge["downside_capture"], legs),
        stress_sentence(regimes, stats, legs),
        verdict_sentence(hedge["effectiveness"], legs),
    )
    return answer(
        f"Is {legs.b.label} a hedge for {legs.a.label}?",
        (s for s in sentences if s is not None),
        _figures(hedge, regimes),
    )
