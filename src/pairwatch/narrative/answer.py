"""The narrative's data objects: one answer, the whole FAQ, and the legs the sentences name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pairwatch.domain import Metric
from pairwatch.narrative import words

Figure = float | int | str | None


@dataclass(frozen=True)
class Answer:
    """One question, its answer in sentences, and the report figures the sentences quote."""

    question: str
    answer: str
    figures: Mapping[str, Figure]


@dataclass(frozen=True)
class Narrative:
    """Why the pair matters, and the answers to the questions its figures can settle."""

    why: str
    faq: tuple[Answer, ...]


@dataclass(frozen=True)
class Legs:
    """The two metrics the sentences name, and the label of the regime gauge."""

    a: Metric
    b: Metric
    gauge: str = "VIX"

    @property
    def period(self) -> str:
        """The panel's period noun, 'day', 'week' or 'month'."""
        return words.period(self.a, self.b)

    def label(self, metric_id: str) -> str:
        """The short label of leg `metric_id`, or the id in capitals for another metric."""
        for metric in (self.a, self.b):
            if metric.id == metric_id:
                return metric.label
        return metric_id.upper()

    def metric(self, metric_id: str) -> Metric | None:
        """Leg `metric_id`, or None when it is neither leg."""
        return next((m for m in (self.a, self.b) if m.id == metric_id), None)


def answer(question: str, sentences: Iterable[str], figures: Mapping[str, Figure]) -> Answer:
    """An Answer whose text is the sentences joined by single spaces."""
    return Answer(question, " ".join(sentences), dict(figures))


def narrative_to_dict(narrative: Narrative) -> dict[str, Any]:
    """The narrative as JSON: {"why": ..., "faq": [{"question", "answer", "figures"}]}."""
    return {
        "why": narrative.why,
        "faq": [
            {"question": a.question, "answer": a.answer, "figures": dict(a.figures)}
            for a in narrative.faq
        ],
    }
