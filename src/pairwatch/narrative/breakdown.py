"""'When does the relationship break down?': the rolling correlation and its sign flips."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pairwatch.narrative import words
from pairwatch.narrative.answer import Answer, Legs, answer

# How many of the most recent sign-flip episodes the answer describes.
RECENT_EPISODES = 3


def _since(stability: Mapping[str, Any]) -> str:
    """' since 3 Jan 2005' from the first rolling value's date, when the series is given."""
    dates = stability.get("series", {}).get("dates") or []
    return f" since {words.date(dates[0])}" if dates else ""


def current_sentence(stability: Mapping[str, Any]) -> str:
    """Today's rolling correlation, its percentile and range, and the long-run figure."""
    name = f"The {stability['length']}-change rolling correlation"
    current = stability["current"]
    if current is None:
        last = words.count(int(stability["length"]), "change")
        return f"{name} is undefined now: a leg was constant over its last {last}."
    text = f"{name} is now {words.correlation(current)}"
    if stability["percentile"] is not None:
        text += f", at the {words.ordinal(stability['percentile'])} percentile of its history"
        text += _since(stability)
        text += f" ({_spread(stability)})"
    if stability["long_run"] is None:
        return text + "."
    return f"{text}; over the whole history it is {words.correlation(stability['long_run'])}."


def _spread(stability: Mapping[str, Any]) -> str:
    """'mean -0.70, range -0.94 to -0.28' of the rolling correlation's history."""
    low, high = words.correlation(stability["min"]), words.correlation(stability["max"])
    return f"mean {words.correlation(stability['mean'])}, range {low} to {high}"


def _opposite(sign: int) -> str:
    """The sign word a flip goes to, from the long-run sign."""
    return "positive" if sign < 0 else "negative"


def episode_clause(episode: Mapping[str, Any], gauge: str) -> str:
    """'3 Feb 2021 to 15 Mar 2021 (29 changes, peaking at 0.35, VIX averaging 24.1)'."""
    details = [
        words.count(int(episode["length"]), "change"),
        f"peaking at {words.correlation(episode['extreme'])}",
    ]
    if episode["mean_gauge"] is not None:
        details.append(f"{gauge} averaging {episode['mean_gauge']:.1f}")
    span = f"{words.date(episode['start'])} to {words.date(episode['end'])}"
    return f"{span} ({', '.join(details)})"


def recent(episodes: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The most recent episodes, latest first."""
    return sorted(episodes, key=lambda e: e["end"], reverse=True)[:RECENT_EPISODES]


def episodes_sentence(stability: Mapping[str, Any], legs: Legs) -> str:
    """How often the rolling correlation flipped sign for long, and the latest episodes."""
    sign, least = int(stability["long_run_sign"]), stability["min_episode"]
    if sign == 0:
        return "The long-run correlation is zero or undefined, so there is no sign to flip from."
    episodes = stability["episodes"]
    flip = f"to {_opposite(sign)} for {least} changes or more"
    if not episodes:
        return f"It has never flipped {flip}."
    listed = "; ".join(episode_clause(e, legs.gauge) for e in recent(episodes))
    if len(episodes) == 1:
        return f"It has flipped {flip} once: {listed}."
    times = words.count(len(episodes), "time")
    return f"It has flipped {flip} {times}; most recent first: {listed}."


def now_sentence(stability: Mapping[str, Any]) -> str | None:
    """A note when today's rolling correlation sits on the other side of zero."""
    current, sign = stability["current"], int(stability["long_run_sign"])
    if current is None or sign == 0 or current * sign >= 0:
        return None
    return (
        f"Right now it is {_opposite(sign)}, against its long-run sign: "
        "the usual relationship has broken down."
    )


def _figures(stability: Mapping[str, Any]) -> dict[str, Any]:
    """The figures the stability answer quotes."""
    latest = recent(stability["episodes"])
    return {
        "current": stability["current"],
        "percentile": stability["percentile"],
        "long_run": stability["long_run"],
        "episodes": len(stability["episodes"]),
        "latest_episode_start": latest[0]["start"] if latest else None,
        "latest_episode_end": latest[0]["end"] if latest else None,
    }


def stability_answer(stability: Mapping[str, Any], legs: Legs) -> Answer:
    """Answer 'When does the relationship break down?' from the report's [stability]."""
    sentences = (
        current_sentence(stability),
        episodes_sentence(stability, legs),
        now_sentence(stability),
    )
    return answer(
        "When does the relationship break down?",
        (s for s in sentences if s is not None),
        _figures(stability),
    )
