"""'What is the signal today?': the reading of the risk leg against VIX, with its numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pairwatch.narrative import words
from pairwatch.narrative.answer import Answer, Legs, answer


def _risk_move(signal: Mapping[str, Any], legs: Legs) -> tuple[str, str]:
    """The risk leg's move and its one-standard-deviation band, formatted.

    A log leg (risk_return given) shows price changes, exp(x) - 1, of the move and of both
    band edges, so the text compares exactly as the rule did on log changes.
    """
    move, threshold = signal["risk_move"], signal["thresholds"]["risk_move"]
    if signal["risk_return"] is not None:
        low, high = math.expm1(-threshold), math.expm1(threshold)
        return words.signed_percent(math.expm1(move)), (
            f"{words.signed_percent(low)} to {words.signed_percent(high)}"
        )
    metric = legs.metric(signal["risk_id"])
    unit = "" if metric is None else f" {words.diff_unit(metric)}"
    return f"{words.number(move)}{unit}", f"±{words.amount(threshold)}{unit}"


def _band_word(signal: Mapping[str, Any]) -> str:
    """'within', 'above' or 'below' the move's one-standard-deviation band."""
    move, threshold = signal["risk_move"], signal["thresholds"]["risk_move"]
    if abs(move) <= threshold:
        return "within"
    return "above" if move > 0 else "below"


def moves_sentence(signal: Mapping[str, Any], legs: Legs) -> str:
    """The numbers that decided the reading."""
    risk, vix = legs.label(signal["risk_id"]), legs.label(signal["vix_id"])
    move, band = _risk_move(signal, legs)
    lookback = signal["lookback"]
    return (
        f"{risk} moved {move} over its last {lookback} changes, {_band_word(signal)} its "
        f"one-standard-deviation band of {band}; {vix} is at {signal['vix_level']:.2f}, "
        f"{words.signed_percent(signal['vix_change'])} over {lookback} closes."
    )


def rule_sentence(signal: Mapping[str, Any], legs: Legs) -> str:
    """The rule that fired, and the fixed thresholds it uses."""
    limits, vix = signal["thresholds"], legs.label(signal["vix_id"])
    return (
        f"The rule that decided it: {signal['rule']} ({vix} is elevated from "
        f"{limits['vix_elevated']:g}, stressed from {limits['vix_stress']:g}, and spiking "
        f"above +{words.step_percent(limits['vix_spike'])} in {signal['lookback']} closes)."
    )


def signal_answer(signal: Mapping[str, Any], legs: Legs) -> Answer:
    """Answer 'What is the signal today?' from the report's [signal]."""
    head = f"As of {words.date(signal['date'])} the reading is “{signal['label']}”."
    figures = {
        "reading": signal["reading"],
        "date": signal["date"],
        "risk_move": signal["risk_move"],
        "threshold": signal["thresholds"]["risk_move"],
        "vix_level": signal["vix_level"],
        "vix_change": signal["vix_change"],
    }
    return answer(
        "What is the signal today?",
        (head, moves_sentence(signal, legs), rule_sentence(signal, legs)),
        figures,
    )
