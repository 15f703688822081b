"""Words from numbers: the FAQ of a pair report, every sentence quoting its figures."""

from pairwatch.narrative.answer import Answer, Figure, Narrative, narrative_to_dict
from pairwatch.narrative.faq import build_faq

__all__ = ["Answer", "Figure", "Narrative", "build_faq", "narrative_to_dict"]
