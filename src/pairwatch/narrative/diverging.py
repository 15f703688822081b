"""'When did they diverge?': the window's largest divergence days, with dates and moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pairwatch.analytics.divergence import Z_CUTOFF
from pairwatch.narrative import words
from pairwatch.narrative.answer import Answer, Legs, answer

# How many of the largest divergence days (by |z|) the answer describes.
LARGEST_DAYS = 3


def largest(days: Sequence[Mapping[str, Any]], k: int = LARGEST_DAYS) -> list[Mapping[str, Any]]:
    """The k days with the largest |z|; ties go to the earlier date."""
    return sorted(days, key=lambda d: (-abs(d["z"]), d["date"]))[:k]


def _span(stats: Mapping[str, Any] | None) -> str:
    """' from 30 Jun 2025 to 26 Sep 2025' when the window's dates are known, else ''."""
    if stats is None:
        return ""
    return f" from {words.date(stats['start'])} to {words.date(stats['end'])}"


def day_sentence(day: Mapping[str, Any], legs: Legs) -> str:
    """One divergence day: both moves, A's move expected from B's, and z."""
    a, b = legs.a, legs.b
    side = "above" if day["z"] > 0 else "below"
    return (
        f"On {words.date(day['date'])} {a.label} moved {words.move(day['a_change'], a)} "
        f"and {b.label} {words.move(day['b_change'], b)}; {b.label}'s move implied "
        f"{words.move(day['expected_a_change'], a)} for {a.label}, so {a.label} ended "
        f"{side} it (z = {words.number(day['z'])})."
    )


def summary_sentence(
    days: Sequence[Mapping[str, Any]], stats: Mapping[str, Any] | None, legs: Legs
) -> str:
    """How many divergence days the window had, or that it had none."""
    where = f"in the window{_span(stats)}"
    rule = f"|z| >= {Z_CUTOFF:g}"
    if not days:
        return (
            f"No divergence day ({rule}) {where}: {legs.a.label} moved as "
            f"{legs.b.label}'s moves implied, within {Z_CUTOFF:g} standard errors."
        )
    counted = words.count(len(days), "divergence day")
    if len(days) > LARGEST_DAYS:
        return f"{counted} ({rule}) {where}; the {LARGEST_DAYS} largest by |z|:"
    order = "" if len(days) == 1 else ", largest |z| first"
    return f"{counted} ({rule}) {where}{order}:"


def _figures(days: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The count and, for each day described, its date and z."""
    figures: dict[str, Any] = {"divergence_days": len(days)}
    for i, day in enumerate(largest(days), start=1):
        figures[f"day_{i}_date"] = day["date"]
        figures[f"day_{i}_z"] = day["z"]
    return figures


def divergences_answer(
    days: Sequence[Mapping[str, Any]], stats: Mapping[str, Any] | None, legs: Legs
) -> Answer:
    """Answer 'When did they diverge?' from the report's [divergences]."""
    sentences = [summary_sentence(days, stats, legs)]
    sentences += [day_sentence(day, legs) for day in largest(days)]
    return answer("When did they diverge?", sentences, _figures(days))
