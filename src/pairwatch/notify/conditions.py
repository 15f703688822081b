"""Alert conditions on a pair: parsing `--when` texts and deciding whether one fires.

Forms (case-insensitive):

- `zscore>2`, `zscore<-2`, `|zscore|>2`: the 90-day ratio z-score beyond a level;
- `vix>30`, `iwm<180`, `|t10y2y|<0.1`: one leg's last close beyond a level;
- `corr-flip`: the 90-day correlation of daily changes changed sign since the last check;
- `divergence`: a new divergence day (STATISTICS.md) since the last check;
- `regime-change`: the gauge's regime (calm, normal, elevated, stress) changed since
  the last check.

Threshold conditions fire when the figure *enters* the zone (it was not beyond the level
at the previous check, or this is the first check), so a VIX that stays above 30 for a
week alerts once. Change conditions compare with the state stored at the previous check
and never fire on the first one.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pairwatch.analytics.divergence import Divergence
from pairwatch.errors import InvalidRequestError

_THRESHOLD = re.compile(
    r"^(\|?)\s*([a-z0-9][a-z0-9_-]*?)\s*(\|?)\s*(>=|<=|>|<)\s*([-+]?\d+(?:\.\d+)?)$"
)
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
FORMS = "zscore>2, |zscore|>2, vix>30 (a leg's level), corr-flip, divergence, regime-change"


class Kind(StrEnum):
    """What an alert watches."""

    ZSCORE = "zscore"
    LEVEL = "level"
    CORRELATION_FLIP = "corr-flip"
    DIVERGENCE = "divergence"
    REGIME_CHANGE = "regime-change"


_KEYWORDS = {
    "corr-flip": Kind.CORRELATION_FLIP,
    "correlation-flip": Kind.CORRELATION_FLIP,
    "divergence": Kind.DIVERGENCE,
    "regime-change": Kind.REGIME_CHANGE,
}


@dataclass(frozen=True)
class Condition:
    """One parsed condition; `metric`, `op`, `level` and `absolute` for thresholds only."""

    kind: Kind
    metric: str | None = None
    op: str | None = None
    level: float | None = None
    absolute: bool = False

    @property
    def text(self) -> str:
        """The canonical form, e.g. 'zscore>2', '|vix|>=30', 'corr-flip'."""
        if self.op is None:
            return self.kind.value
        name = "zscore" if self.kind is Kind.ZSCORE else str(self.metric)
        name = f"|{name}|" if self.absolute else name
        return f"{name}{self.op}{self.level:g}"

    def params(self) -> dict[str, Any]:
        """What the alerts table stores next to the kind."""
        return {"metric": self.metric, "op": self.op, "level": self.level, "abs": self.absolute}

    @classmethod
    def from_params(cls, kind: str, params: Mapping[str, Any]) -> Condition:
        """The condition stored as (kind, params)."""
        return cls(
            Kind(kind),
            params.get("metric"),
            params.get("op"),
            params.get("level"),
            bool(params.get("abs", False)),
        )

    def beyond(self, value: float) -> bool:
        """True when `value` (or its size, for |x|) is beyond the level."""
        if self.op is None or self.level is None:
            raise ValueError(f"{self.text} has no level")
        return _OPERATORS[self.op](abs(value) if self.absolute else value, self.level)


def parse_condition(text: str, a: str, b: str) -> Condition:
    """Parse a `--when` text for the pair a/b; InvalidRequestError naming the forms."""
    lower = re.sub(r"\s+", " ", text.strip().lower())
    if lower in _KEYWORDS:
        return Condition(_KEYWORDS[lower])
    match = _THRESHOLD.match(lower.replace(" ", ""))
    if match is None or match.group(1) != match.group(3):
        raise InvalidRequestError(f"cannot read condition {text!r}; use one of: {FORMS}")
    bar, name, _, op, number = match.groups()
    if name in ("zscore", "z"):
        return Condition(Kind.ZSCORE, None, op, float(number), bool(bar))
    if name in (a, b):
        return Condition(Kind.LEVEL, name, op, float(number), bool(bar))
    raise InvalidRequestError(
        f"condition {text!r} names {name!r}: use zscore or a leg of the pair ({a} or {b})"
    )


@dataclass(frozen=True)
class Reading:
    """A pair's figures as of one day: what the conditions are checked against."""

    slug: str
    as_of: dt.date
    zscore: float | None
    ratio: float | None
    correlation: float | None
    gauge: str
    gauge_level: float | None
    regime: str | None
    levels: Mapping[str, float]
    divergences: tuple[Divergence, ...] = ()

    def figures(self) -> dict[str, Any]:
        """The reading as JSON-able figures."""
        return {
            "pair": self.slug,
            "as_of": self.as_of.isoformat(),
            "zscore": self.zscore,
            "ratio": self.ratio,
            "correlation": self.correlation,
            "gauge": self.gauge,
            "gauge_level": self.gauge_level,
            "regime": self.regime,
            "levels": dict(self.levels),
        }


@dataclass(frozen=True)
class Outcome:
    """The verdict of one check: whether it fired, its unique key, and the new state."""

    fired: bool
    state: dict[str, Any]
    key: str = ""
    summary: str = ""
    figures: dict[str, Any] = field(default_factory=dict)


def _threshold(
    condition: Condition, reading: Reading, value: float | None, what: str, state: Mapping[str, Any]
) -> Outcome:
    """Fire when `value` is beyond the level and was not at the previous check."""
    if value is None:
        return Outcome(False, dict(state))
    now = condition.beyond(value)
    fired = now and not state.get("beyond", False)
    summary = f"{what} is {value:.4g}: {condition.text} on {reading.as_of}"
    figures = {"value": value, "level": condition.level, "op": condition.op}
    key = f"{condition.text}@{reading.as_of}"
    return Outcome(fired, {"beyond": now}, key, summary, figures)


def _sign(value: float) -> int:
    """-1, 0 or 1."""
    return (value > 0) - (value < 0)


def _correlation_flip(reading: Reading, state: Mapping[str, Any]) -> Outcome:
    """Fire when the correlation's sign differs from the last check's (zero never counts)."""
    if reading.correlation is None or _sign(reading.correlation) == 0:
        return Outcome(False, dict(state))
    sign, before = _sign(reading.correlation), state.get("sign")
    fired = before is not None and before != sign
    summary = (
        f"the {reading.slug} correlation turned {'positive' if sign > 0 else 'negative'}: "
        f"{reading.correlation:+.2f} on {reading.as_of} (previous check {state.get('value')})"
    )
    figures = {"previous": state.get("value"), "value": reading.correlation}
    new_state = {"sign": sign, "value": round(reading.correlation, 4)}
    return Outcome(fired, new_state, f"corr-flip@{reading.as_of}", summary, figures)


def _regime_change(reading: Reading, state: Mapping[str, Any]) -> Outcome:
    """Fire when the gauge's regime differs from the last check's."""
    if reading.regime is None:
        return Outcome(False, dict(state))
    before = state.get("regime")
    fired = before is not None and before != reading.regime
    summary = (
        f"{reading.gauge.upper()} regime changed from {before} to {reading.regime} "
        f"({reading.gauge} {reading.gauge_level:.4g}) on {reading.as_of}"
    )
    figures = {"previous": before, "value": reading.regime}
    return Outcome(fired, {"regime": reading.regime}, f"regime@{reading.as_of}", summary, figures)


def _divergence(reading: Reading, state: Mapping[str, Any]) -> Outcome:
    """Fire for divergence days after the last check (or dated on the as-of day)."""
    through = state.get("through")
    if through is None:
        new = [d for d in reading.divergences if d.date == reading.as_of]
    else:
        new = [d for d in reading.divergences if d.date > dt.date.fromisoformat(through)]
    new_state = {"through": reading.as_of.isoformat()}
    if not new:
        return Outcome(False, new_state)
    days = [
        {
            "date": d.date.isoformat(),
            "a_change": d.a_change,
            "b_change": d.b_change,
            "expected_a_change": d.expected_a_change,
            "z": d.z,
        }
        for d in new
    ]
    summary = f"{len(new)} new divergence day(s) for {reading.slug}, latest {new[-1].date}"
    return Outcome(True, new_state, f"divergence@{new[-1].date}", summary, {"days": days})


def evaluate(condition: Condition, reading: Reading, state: Mapping[str, Any]) -> Outcome:
    """Check one condition against a reading and the state of the previous check."""
    if condition.kind is Kind.ZSCORE:
        what = f"the {reading.slug} ratio z-score"
        return _threshold(condition, reading, reading.zscore, what, state)
    if condition.kind is Kind.LEVEL:
        value = reading.levels.get(str(condition.metric))
        return _threshold(condition, reading, value, str(condition.metric).upper(), state)
    if condition.kind is Kind.CORRELATION_FLIP:
        return _correlation_flip(reading, state)
    if condition.kind is Kind.REGIME_CHANGE:
        return _regime_change(reading, state)
    return _divergence(reading, state)
