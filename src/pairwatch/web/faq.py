"""Frequently asked questions of a pair page, answered from the report's own figures.

When the report carries a `narrative` section (the narrative package's answers) the page
shows those. Until then, `fallback_faq` writes five answers from the core figures:
correlation, lead-lag, regimes, divergences and the hedge, every sentence with its number.

Strength words for |correlation|: below 0.1 negligible, below 0.3 weak, below 0.5
moderate, below 0.7 strong, otherwise very strong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pairwatch.domain import ChangeKind, Frequency, Metric
from pairwatch.web.formatting import change, pvalue

STRENGTH = ((0.7, "very strong"), (0.5, "strong"), (0.3, "moderate"), (0.1, "weak"))
SIGNIFICANCE = 0.05
REGIME_RANGES = {
    "calm": "below 15",
    "normal": "15 to 20",
    "elevated": "20 to 30",
    "stress": "30 or above",
}


@dataclass(frozen=True, slots=True)
class FaqItem:
    """One question and its answer."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class PairText:
    """What the answers need besides the report: both metrics and the regime gauge."""

    a: Metric
    b: Metric
    gauge: str

    @property
    def period(self) -> str:
        """'day' for a daily panel, 'week' or 'month' for coarser ones."""
        frequencies = {self.a.frequency, self.b.frequency}
        if Frequency.MONTHLY in frequencies:
            return "month"
        return "week" if Frequency.WEEKLY in frequencies else "day"

    @property
    def periodic(self) -> str:
        """'daily', 'weekly' or 'monthly'."""
        return {"day": "daily", "week": "weekly", "month": "monthly"}[self.period]


def strength(r: float) -> str:
    """The strength word of a correlation's absolute value."""
    for edge, word in STRENGTH:
        if abs(r) >= edge:
            return word
    return "negligible"


def _window_phrase(stats: Mapping[str, Any]) -> str:
    """'Over the last 90 days (2025-10-02 to 2025-12-31, 62 changes)'."""
    span = f"{stats['start']} to {stats['end']}, {stats['observations'] - 1} changes"
    if stats["window"] == "max":
        return f"Over the whole shared history ({span})"
    return f"Over the last {stats['window']} days ({span})"


def _missing(notes: Mapping[str, str], key: str, what: str) -> str:
    """The answer for a section the report could not compute."""
    why = notes.get(key, "not computed for this window")
    return f"There is not enough data for {what} yet: {why}."


def _beta_sentence(stats: Mapping[str, Any], text: PairText) -> str:
    """How far A moves, on average, per typical unit move of B."""
    a, b = text.a, text.b
    size = 0.01 if b.change is ChangeKind.LOG else 0.1
    b_move = change(size, b.change, b.unit)
    a_move = change(stats["beta"] * size, a.change, a.unit)
    return (
        f"On average a {b_move} move in {b.label} came with a {a_move} move in {a.label} "
        f"(beta {stats['beta']:+.3f} ± {stats['beta_se']:.3f}), and {b.label}'s moves account "
        f"for {stats['r_squared']:.0%} of the variance of {a.label}'s (r² "
        f"{stats['r_squared']:.2f})."
    )


def relation_answer(data: Mapping[str, Any], text: PairText) -> str:
    """Correlation, its interval, Spearman and beta in words."""
    stats = data.get("stats")
    if not stats or stats.get("correlation") is None:
        return _missing(data["notes"], "stats", "a correlation")
    r = stats["correlation"]
    lo, hi = stats["correlation_ci"]
    way = "opposite directions" if r < 0 else "the same direction"
    first = (
        f"{_window_phrase(stats)}, {text.a.label} and {text.b.label} moved in {way} with a "
        f"{strength(r)} correlation of {r:+.2f} (95% CI {lo:+.2f} to {hi:+.2f}; Spearman "
        f"{stats['spearman']:+.2f})."
    )
    if stats.get("beta") is None or stats.get("beta_se") is None:
        return first
    return f"{first} {_beta_sentence(stats, text)}"


def _lag_words(k: int, text: PairText) -> str:
    """'on the same day', 'IWM leads VIX by 2 days', ..."""
    if k == 0:
        return f"on the same {text.period}"
    leader, follower = (text.a, text.b) if k > 0 else (text.b, text.a)
    unit = text.period if abs(k) == 1 else f"{text.period}s"
    return f"{leader.label} leads {follower.label} by {abs(k)} {unit}"


def _granger_verdict(a_leads_b: float, b_leads_a: float, text: PairText) -> str:
    """Which Granger direction, if any, is significant at 5%."""
    ab, ba = a_leads_b < SIGNIFICANCE, b_leads_a < SIGNIFICANCE
    if ab and ba:
        return f"Both are below {SIGNIFICANCE}: each one's past helps predict the other."
    if ab or ba:
        leader, follower = (text.a, text.b) if ab else (text.b, text.a)
        return (
            f"Only {leader.label}'s past helps predict {follower.label} "
            f"at the {SIGNIFICANCE} level."
        )
    return f"Neither is below {SIGNIFICANCE}: no reliable lead in either direction."


def lead_answer(data: Mapping[str, Any], text: PairText) -> str:
    """Best lag, its significance, and the Granger p-values."""
    lead = data.get("lead_lag")
    if not lead:
        return _missing(data["notes"], "lead_lag", "a lead-lag test")
    k = lead["best_lag"]
    r = lead["ccf"][lead["lags"].index(k)]
    verdict = "significant" if lead["significant"] else "not significant"
    granger = lead["granger"]
    return (
        f"The strongest cross-correlation of {text.periodic} changes is at lag {k:+d} "
        f"({_lag_words(k, text)}): r = {r:+.2f} against a threshold of ±{lead['threshold']:.2f} "
        f"(5%, Bonferroni over 21 lags), so it is {verdict}. Granger tests at 5 lags give "
        f"p = {pvalue(granger['a_leads_b'])} that {text.a.label}'s past helps predict "
        f"{text.b.label}, and p = {pvalue(granger['b_leads_a'])} for the reverse. "
        f"{_granger_verdict(granger['a_leads_b'], granger['b_leads_a'], text)}"
    )


def _regime_part(name: str, row: Mapping[str, Any], gauge: str) -> str:
    """'in calm markets (VIX below 15) r = -0.70 over 512 days'."""
    return (
        f"in {name} markets ({gauge} {REGIME_RANGES[name]}) r = {row['correlation']:+.2f} "
        f"over {row['days']:,} days"
    )


def regime_answer(data: Mapping[str, Any], text: PairText) -> str:
    """Correlation by regime, and whether it tightens in stress."""
    regimes = data.get("regimes")
    if not regimes:
        return _missing(data["notes"], "regimes", "the regime table")
    known = [(n, r) for n, r in regimes.items() if r.get("correlation") is not None]
    if not known:
        days = sum(r["days"] for r in regimes.values())
        return f"No regime has the 20 days a correlation needs yet ({days} classified days in all)."
    parts = "; ".join(_regime_part(name, row, text.gauge) for name, row in known)
    first = f"Over the whole shared history, {parts}."
    if len(known) < 2:
        return first
    (lo_name, lo), (hi_name, hi) = known[0], known[-1]
    tighter = "tighter" if abs(hi["correlation"]) > abs(lo["correlation"]) else "looser"
    return (
        f"{first} The relationship is {tighter} in {hi_name} than in {lo_name} markets "
        f"({hi['correlation']:+.2f} against {lo['correlation']:+.2f})."
    )


def _divergence_sentence(day: Mapping[str, Any], text: PairText, lead: str) -> str:
    """One divergence day: both moves, the expected move, z."""
    a, b = text.a, text.b
    a_move = change(day["a_change"], a.change, a.unit)
    b_move = change(day["b_change"], b.change, b.unit)
    expected = change(day["expected_a_change"], a.change, a.unit)
    return (
        f"{lead}, on {day['date']}, {a.label} moved {a_move} when {b.label}'s {b_move} "
        f"implied {expected} (z = {day['z']:+.1f})."
    )


def divergence_answer(data: Mapping[str, Any], text: PairText) -> str:
    """How many divergence days the window had, and the largest and latest."""
    days: Sequence[Mapping[str, Any]] | None = data.get("divergences")
    stats = data.get("stats")
    if days is None or not stats:
        return _missing(data["notes"], "divergences", "divergence days")
    window = _window_phrase(stats)
    fit = f"a rolling 60-change regression of {text.a.label} on {text.b.label}"
    if not days:
        return f"{window}, no day diverged by |z| ≥ 2.5 from {fit}."
    biggest = max(days, key=lambda d: abs(d["z"]))
    answer = (
        f"{window} there were {len(days)} divergence days (|z| ≥ 2.5 against {fit}). "
        f"{_divergence_sentence(biggest, text, 'The largest')}"
    )
    if days[-1] is not biggest:
        answer += " " + _divergence_sentence(days[-1], text, "The most recent")
    return answer


def hedge_answer(data: Mapping[str, Any], text: PairText) -> str:
    """Hedge ratio, out-of-sample effectiveness and downside capture."""
    hedge = data.get("hedge")
    if not hedge:
        return _missing(data["notes"], "hedge", "an out-of-sample hedge test")
    a, b = text.a.label, text.b.label
    eff = hedge["effectiveness"]
    if eff is None:
        answer = (
            f"The window's hedge ratio is {hedge['ratio']:+.3f}; its effectiveness is undefined."
        )
    elif eff > 0:
        answer = (
            f"Hedging {a} with {b} at rolling 60-change betas (the window's own is "
            f"{hedge['ratio']:+.3f}) removed {eff:.0%} of {a}'s variance out of sample "
            f"(effectiveness {eff:.2f})."
        )
    else:
        answer = (
            f"Hedging {a} with {b} at rolling 60-change betas (the window's own is "
            f"{hedge['ratio']:+.3f}) did not reduce {a}'s variance out of sample "
            f"(effectiveness {eff:.2f})."
        )
    capture = hedge["downside_capture"]
    if capture is not None:
        answer += (
            f" On {a}'s worst days (a fall of more than one standard deviation) {b} rose "
            f"{capture:.0%} of the time (downside capture {capture:.2f})."
        )
    return answer


def fallback_faq(data: Mapping[str, Any], text: PairText) -> list[FaqItem]:
    """Five answers from the report's core figures."""
    a, b = text.a.label, text.b.label
    return [
        FaqItem(f"How are {a} and {b} related?", relation_answer(data, text)),
        FaqItem(f"Does {a} lead {b}, or the other way round?", lead_answer(data, text)),
        FaqItem(
            f"Does the {a}/{b} relationship change when markets are stressed?",
            regime_answer(data, text),
        ),
        FaqItem(
            f"When did {a} and {b} last diverge, and by how much?", divergence_answer(data, text)
        ),
        FaqItem(f"Does {b} hedge {a}?", hedge_answer(data, text)),
    ]


def _narrative_items(narrative: object) -> list[FaqItem]:
    """Question/answer pairs of a `narrative` section: a list, or a dict with 'faq'."""
    entries = narrative.get("faq") if isinstance(narrative, Mapping) else narrative
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return []
    return [
        FaqItem(str(e["question"]), str(e["answer"]))
        for e in entries
        if isinstance(e, Mapping) and "question" in e and "answer" in e
    ]


def faq(data: Mapping[str, Any], text: PairText) -> list[FaqItem]:
    """The narrative section's answers when the report has them, else `fallback_faq`."""
    return _narrative_items(data.get("narrative")) or fallback_faq(data, text)
