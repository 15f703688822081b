"""Words and number formats for the narrative: strength words, percents, units, dates.

Every threshold the answers use to pick a word lives here as a named constant, and
docs/narrative.md lists them. Formatting is locale-free (month names are spelled out
here, not taken from `strftime`), so the same report always gives the same text.
"""

from __future__ import annotations

import datetime as dt
import math

from pairwatch.analytics.panel import panel_frequency
from pairwatch.domain import ChangeKind, Frequency, Metric

# Strength of a correlation by |r|: the first upper bound that |r| stays below names it.
STRENGTH_BOUNDS: tuple[tuple[float, str], ...] = (
    (0.2, "very weak"),
    (0.4, "weak"),
    (0.6, "moderate"),
    (0.8, "strong"),
)
STRONGEST = "very strong"

# Significance level of the Granger tests' p-values.
SIGNIFICANCE = 0.05

# Hedge verdict by out-of-sample effectiveness (share of A's variance removed).
HEDGE_GOOD = 0.5
HEDGE_PARTIAL = 0.2

# Two correlations whose |r| differ by less than this are "about the same".
SAME_STRENGTH = 0.05

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# How a `diff` metric's change is named, by catalog unit; the step the beta sentence uses.
_DIFF_UNITS: dict[str, tuple[str, float]] = {
    "percent": ("percentage-point", 0.10),
    "percentage points": ("percentage-point", 0.10),
    "standard deviations": ("standard-deviation", 0.10),
    "index points": ("point", 1.0),
    "points": ("point", 1.0),
}
_LOG_STEP = 0.01
_MIN_DECIMALS = 2
_MAX_DECIMALS = 4

_PERIODS = {Frequency.DAILY: "day", Frequency.WEEKLY: "week", Frequency.MONTHLY: "month"}
_PERIOD_ADJECTIVES = {"day": "daily", "week": "weekly", "month": "monthly"}


def strength_word(r: float) -> str:
    """'very weak', 'weak', 'moderate', 'strong' or 'very strong' for |r| (STRENGTH_BOUNDS)."""
    size = abs(r)
    return next((word for bound, word in STRENGTH_BOUNDS if size < bound), STRONGEST)


def sign_word(r: float) -> str:
    """'positive', 'negative (inverse)' or 'zero' for the sign of a correlation."""
    if r > 0:
        return "positive"
    return "negative (inverse)" if r < 0 else "zero"


def hedge_verdict(effectiveness: float) -> str:
    """'good', 'partial' or 'poor' by the HEDGE_GOOD and HEDGE_PARTIAL bounds."""
    if effectiveness >= HEDGE_GOOD:
        return "good"
    return "partial" if effectiveness >= HEDGE_PARTIAL else "poor"


def correlation(r: float) -> str:
    """A correlation to 2 decimals, e.g. '-0.65' (never '-0.00')."""
    return _no_negative_zero(f"{r:.2f}")


def _no_negative_zero(text: str) -> str:
    """'-0.00' (and the like) without its minus sign."""
    return text[1:] if text.startswith("-") and not shows_nonzero(text) else text


def shows_nonzero(text: str) -> bool:
    """Whether a formatted figure shows any nonzero digit."""
    return any(c in "123456789" for c in text)


def _signed(value: float, magnitude: str) -> str:
    """A formatted magnitude with '+' or '-' in front, unless it shows as zero."""
    if not shows_nonzero(magnitude):
        return magnitude
    return ("+" if value > 0 else "-") + magnitude


def _decimals(size: float) -> int:
    """2 decimals, more (up to 4) so that a small nonzero figure keeps 2 significant digits."""
    if size == 0 or not math.isfinite(size):
        return _MIN_DECIMALS
    for digits in range(_MIN_DECIMALS, _MAX_DECIMALS):
        if len(f"{size:.{digits}f}".replace(".", "").lstrip("0")) >= 2:
            return digits
    return _MAX_DECIMALS


def amount(value: float) -> str:
    """An unsigned magnitude, e.g. 0.1294 -> '0.13', 0.0042 -> '0.0042'."""
    size = abs(value)
    return f"{size:.{_decimals(size)}f}"


def number(value: float) -> str:
    """A plain figure with its minus sign, e.g. -0.1294 -> '-0.13', 0.0042 -> '0.0042'."""
    return _no_negative_zero(("-" if value < 0 else "") + amount(value))


def percent(fraction: float) -> str:
    """An unsigned percentage of a fraction, e.g. -0.001294 -> '0.13%'."""
    size = abs(fraction) * 100.0
    return f"{size:.{_decimals(size)}f}%"


def step_percent(fraction: float) -> str:
    """A round percentage as short as it goes, e.g. 0.01 -> '1%', 0.25 -> '25%'."""
    return f"{fraction * 100.0:g}%"


def signed_percent(fraction: float) -> str:
    """A signed percentage, e.g. 0.0123 -> '+1.23%', -0.0005 -> '-0.05%'."""
    return _signed(fraction, percent(fraction))


def share(fraction: float) -> str:
    """A share as a percentage with one decimal, e.g. 0.384 -> '38.4%' (sign kept if < 0)."""
    return _no_negative_zero(f"{fraction * 100.0:.1f}") + "%"


def unit_adjective(metric: Metric) -> str:
    """How one unit of a `diff` metric's change is named before a noun: 'percentage-point'."""
    return _DIFF_UNITS.get(metric.unit, (metric.unit, 1.0))[0]


def unit_step(metric: Metric) -> float:
    """The change of `metric` the beta sentence starts from: 1% for log, else 0.10 or 1 unit."""
    if metric.change is ChangeKind.LOG:
        return _LOG_STEP
    return _DIFF_UNITS.get(metric.unit, (metric.unit, 1.0))[1]


def size_of_move(change: float, metric: Metric) -> str:
    """An unsigned move before a noun: '0.13%' for log, '0.10 percentage-point' for diff.

    `change` is the report's change (a log change for a log metric), shown for a log metric
    as the price change it implies, exp(change) - 1.
    """
    if metric.change is ChangeKind.LOG:
        return percent(math.expm1(change))
    return f"{amount(change)} {unit_adjective(metric)}"


def move(change: float, metric: Metric) -> str:
    """A signed move: '+1.23%' (log: the price change exp(change) - 1) or '-0.05 pp units'."""
    if metric.change is ChangeKind.LOG:
        return signed_percent(math.expm1(change))
    return f"{_signed(change, amount(change))} {diff_unit(metric)}"


def diff_unit(metric: Metric) -> str:
    """The unit a `diff` metric's change is in: a yield in percent moves in percentage points."""
    return "percentage points" if metric.unit == "percent" else metric.unit


def date(value: str | dt.date) -> str:
    """'15 Jul 2025' from an ISO date or a date."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def pvalue(p: float) -> str:
    """'p = 0.012', or 'p < 0.001' below that."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def count(n: int, noun: str) -> str:
    """'1 day', '1,234 days': a count with thousands separators and the noun agreed."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def changes(n: int, period_noun: str) -> str:
    """'62 daily changes' (or weekly, monthly) for n changes of a panel of that period."""
    return f"{count(n, _PERIOD_ADJECTIVES[period_noun] + ' change')}"


def ordinal(value: float) -> str:
    """A percentile rounded to a whole ordinal: 33.7 -> '34th', 1 -> '1st', 12 -> '12th'."""
    n = round(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def period(a: Metric, b: Metric) -> str:
    """The panel's period noun: that of the coarser leg ('day', 'week' or 'month')."""
    return _PERIODS[panel_frequency(a.frequency, b.frequency)]
