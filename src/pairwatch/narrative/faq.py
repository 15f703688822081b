"""The FAQ of a pair report: one answer per question whose report section exists.

`build_faq` reads the JSON dict of `report_to_dict` (plus the `stability` and `signal`
sections when a report carries them) and writes deterministic sentences that each quote
their figures; see docs/narrative.md for the thresholds behind the words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pairwatch.domain import Metric, Pair
from pairwatch.errors import InvalidRequestError
from pairwatch.narrative.answer import Answer, Legs, Narrative
from pairwatch.narrative.breakdown import stability_answer
from pairwatch.narrative.by_regime import regimes_answer
from pairwatch.narrative.diverging import divergences_answer
from pairwatch.narrative.hedging import hedge_answer
from pairwatch.narrative.leading import lead_lag_answer
from pairwatch.narrative.relation import relationship
from pairwatch.narrative.today import signal_answer
from pairwatch.narrative.why import why_text

# The regime gauge when the pair is not curated (the report's own default).
DEFAULT_GAUGE = "vix"

Section = Mapping[str, Any]
_Writer = Callable[[Mapping[str, Any], Legs], Answer | None]


def _legs(a: Metric, b: Metric, pair: Pair | None) -> Legs:
    """The legs, with the regime gauge named by its label when it is one of them."""
    gauge = pair.gauge if pair is not None else DEFAULT_GAUGE
    return Legs(a, b, Legs(a, b).label(gauge))


def _check_pair(report: Mapping[str, Any], a: Metric, b: Metric) -> None:
    """Refuse a report of another pair than a/b."""
    ids = report.get("pair", {})
    if (ids.get("a"), ids.get("b")) != (a.id, b.id):
        raise InvalidRequestError(
            f"the report is for {ids.get('a')!r}/{ids.get('b')!r} but the FAQ was asked for "
            f"{a.id!r}/{b.id!r}: pass the report's own metrics, in its order"
        )


def _when(key: str, write: Callable[[Any, Legs], Answer]) -> _Writer:
    """A writer that answers only when the report's section `key` is present (not null)."""

    def run(report: Mapping[str, Any], legs: Legs) -> Answer | None:
        section = report.get(key)
        return None if section is None else write(section, legs)

    return run


def _divergences(report: Mapping[str, Any], legs: Legs) -> Answer | None:
    """The divergence answer, which also names the window's dates from [stats]."""
    days = report.get("divergences")
    return None if days is None else divergences_answer(days, report.get("stats"), legs)


def _hedge(report: Mapping[str, Any], legs: Legs) -> Answer | None:
    """The hedge answer, which also quotes the stress regime and the window correlation."""
    found = report.get("hedge")
    if found is None:
        return None
    return hedge_answer(found, report.get("regimes"), report.get("stats"), legs)


_QUESTIONS: tuple[_Writer, ...] = (
    _when("stats", relationship),
    _when("lead_lag", lead_lag_answer),
    _when("regimes", regimes_answer),
    _divergences,
    _hedge,
    _when("stability", stability_answer),
    _when("signal", signal_answer),
)


def build_faq(report: Mapping[str, Any], a: Metric, b: Metric, pair: Pair | None) -> Narrative:
    """Why the pair matters and the answers its report supports, in a fixed order.

    `report` is `report_to_dict`'s output for a over b; a question whose section is
    missing or null is left out. Raises InvalidRequestError for a report of another pair.
    """
    _check_pair(report, a, b)
    legs = _legs(a, b, pair)
    answers = (write(report, legs) for write in _QUESTIONS)
    return Narrative(why_text(a, b, pair), tuple(x for x in answers if x is not None))
