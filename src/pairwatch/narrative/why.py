"""Why a pair matters: the curated text of the pair, or a sentence built from the metrics."""

from __future__ import annotations

from pairwatch.domain import Metric, Pair, RiskRole

_APPETITE = {RiskRole.RISK_ON: "take", RiskRole.RISK_OFF: "shed"}


def describe(metric: Metric) -> str:
    """'IWM (iShares Russell 2000 ETF): US small-cap stocks. ...'."""
    return f"{metric.label} ({metric.name}): {metric.description}"


def roles_sentence(a: Metric, b: Metric) -> str:
    """What the two risk roles lead one to expect of the pair."""
    roles = {a.risk_role, b.risk_role}
    if RiskRole.NEUTRAL in roles:
        neutral = a if a.risk_role is RiskRole.NEUTRAL else b
        return (
            f"{neutral.label} has no fixed risk role, so how the two move together is an "
            "empirical question, answered by the figures below."
        )
    if len(roles) == 2:
        on, off = (a, b) if a.risk_role is RiskRole.RISK_ON else (b, a)
        return (
            f"{on.label} tends to rise when investors take risk and {off.label} when they "
            "shed it, so the two usually move in opposite directions; the figures below show "
            "how closely, and when that broke down."
        )
    return (
        f"Both tend to rise when investors {_APPETITE[a.risk_role]} risk, so they usually "
        "move together; the gap between them shows which one the market favours."
    )


def why_text(a: Metric, b: Metric, pair: Pair | None) -> str:
    """The curated pair's why and reading, or a text from the metrics' descriptions and roles."""
    if pair is not None:
        return f"{pair.why} {pair.reading}"
    return f"{describe(a)} {describe(b)} {roles_sentence(a, b)}"
