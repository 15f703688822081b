"""'Which one leads, and by how many days?': the cross-correlation peak and Granger tests.

Sign convention of the report: a peak at lag k > 0 pairs A today with B k periods later,
so A leads B by k periods; k < 0 means B leads A by |k|.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pairwatch.analytics.leadlag import GRANGER_ORDER
from pairwatch.narrative import words
from pairwatch.narrative.answer import Answer, Legs, answer


def leader(best_lag: int, legs: Legs) -> tuple[str, str]:
    """(leader, follower) labels for a nonzero best lag."""
    a, b = legs.a.label, legs.b.label
    return (a, b) if best_lag > 0 else (b, a)


def _threshold_phrase(lead_lag: Mapping[str, Any]) -> str:
    """'the multiple-testing threshold of ±0.38, Bonferroni over 21 lags'."""
    lags = len(lead_lag["lags"])
    threshold = words.correlation(lead_lag["threshold"])
    return f"the multiple-testing threshold of ±{threshold}, Bonferroni over {lags} lags"


def _peak(lead_lag: Mapping[str, Any]) -> float:
    """The cross-correlation at the best lag."""
    value: float = lead_lag["ccf"][list(lead_lag["lags"]).index(lead_lag["best_lag"])]
    return value


def _same_day_sentence(lead_lag: Mapping[str, Any], legs: Legs) -> str:
    """The peak at lag 0: neither leads."""
    where = (
        f"The cross-correlation is strongest on the same {legs.period}, at lag 0 "
        f"({words.correlation(_peak(lead_lag))})"
    )
    if lead_lag["significant"]:
        return f"{where}, above {_threshold_phrase(lead_lag)}: they move together, neither leads."
    return f"{where}, and not above {_threshold_phrase(lead_lag)}: no lag stands out."


def _lead_sentence(lead_lag: Mapping[str, Any], legs: Legs) -> str:
    """A nonzero peak: who leads by how many periods, and whether it is significant."""
    k = int(lead_lag["best_lag"])
    first, second = leader(k, legs)
    lead = f"{first} leads {second} by {words.count(abs(k), legs.period)}"
    peak = words.correlation(_peak(lead_lag))
    where = f"the cross-correlation peaks at lag {k:+d} ({peak})"
    if lead_lag["significant"]:
        return f"{lead}: {where}, above {_threshold_phrase(lead_lag)}."
    return (
        f"At most, {lead}: {where}, but that is not above {_threshold_phrase(lead_lag)}, "
        "so it is no evidence of a lead."
    )


def peak_sentence(lead_lag: Mapping[str, Any], legs: Legs) -> str:
    """The cross-correlation's best lag in words."""
    if lead_lag["best_lag"] is None:
        return "No cross-correlation could be computed: a leg never changed in the window."
    if lead_lag["best_lag"] == 0:
        return _same_day_sentence(lead_lag, legs)
    return _lead_sentence(lead_lag, legs)


def _test_phrase(p: float | None, source: str, target: str) -> str:
    """ "IWM's past helps predict VIX with p = 0.012, significant at 5%"."""
    if p is None:
        return f"whether {source}'s past helps predict {target} could not be tested"
    verdict = "significant" if p < words.SIGNIFICANCE else "not significant"
    level = f"{words.SIGNIFICANCE:.0%}"
    return f"{source}'s past helps predict {target} with {words.pvalue(p)}, {verdict} at {level}"


def granger_conclusion(a_leads_b: float | None, b_leads_a: float | None, legs: Legs) -> str:
    """What the two Granger p-values say together."""
    a_sig = a_leads_b is not None and a_leads_b < words.SIGNIFICANCE
    b_sig = b_leads_a is not None and b_leads_a < words.SIGNIFICANCE
    a, b = legs.a.label, legs.b.label
    if a_sig and b_sig:
        return "Both directions are significant: each one's past helps predict the other."
    if a_sig:
        return f"So the Granger tests point to {a} leading {b}."
    if b_sig:
        return f"So the Granger tests point to {b} leading {a}."
    return "So there is no evidence either leads."


def granger_sentences(lead_lag: Mapping[str, Any], legs: Legs) -> tuple[str, str]:
    """Both Granger p-values and their conclusion."""
    granger = lead_lag["granger"]
    a, b = legs.a.label, legs.b.label
    tests = (
        f"Granger tests ({GRANGER_ORDER} lags): "
        f"{_test_phrase(granger['a_leads_b'], a, b)}; {_test_phrase(granger['b_leads_a'], b, a)}."
    )
    return tests, granger_conclusion(granger["a_leads_b"], granger["b_leads_a"], legs)


def _figures(lead_lag: Mapping[str, Any]) -> dict[str, Any]:
    """The figures the lead-lag answer quotes."""
    best = lead_lag["best_lag"]
    return {
        "best_lag": best,
        "ccf": None if best is None else _peak(lead_lag),
        "threshold": lead_lag["threshold"],
        "significant": "yes" if lead_lag["significant"] else "no",
        "granger_a_leads_b": lead_lag["granger"]["a_leads_b"],
        "granger_b_leads_a": lead_lag["granger"]["b_leads_a"],
    }


def lead_lag_answer(lead_lag: Mapping[str, Any], legs: Legs) -> Answer:
    """Answer 'Which one leads, and by how many days?' from the report's [lead_lag]."""
    return answer(
        f"Which one leads, and by how many {legs.period}s?",
        (peak_sentence(lead_lag, legs), *granger_sentences(lead_lag, legs)),
        _figures(lead_lag),
    )
