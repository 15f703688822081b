"""Number formatting for pages: levels, signed changes with units, p-values, tones.

These are registered as Jinja2 filters; they mirror the CLI's choices (`render.py`):
levels with 2 decimals (4 below 1), changes in percent for `log` metrics and in the
metric's own unit for `diff` metrics, always signed. A missing figure is an em dash.
"""

from __future__ import annotations

import datetime as dt
import math

from pairwatch.domain import ChangeKind

DASH = "—"

# Short suffix of a `diff` metric's change, by its catalog unit.
_UNIT_SUFFIX = {
    "percent": " pp",
    "percentage points": " pp",
    "standard deviations": " sd",
}


def _missing(value: float | None) -> bool:
    """True for None and non-finite values."""
    return value is None or not math.isfinite(value)


def unit_suffix(unit: str) -> str:
    """The suffix a `diff` change carries, e.g. ' pp' for yields and spreads."""
    return _UNIT_SUFFIX.get(unit, "")


def level(value: float | None) -> str:
    """A level: thousands separators, 2 decimals (4 below 1 in absolute value)."""
    if value is None or _missing(value):
        return DASH
    digits = 2 if abs(value) >= 1 else 4
    return f"{value:,.{digits}f}"


def change(value: float | None, kind: ChangeKind | str, unit: str = "") -> str:
    """A signed change: '+1.23%' for log metrics, '+0.045 pp' for diff metrics."""
    if value is None or _missing(value):
        return DASH
    if ChangeKind(kind) is ChangeKind.LOG:
        return f"{value:+.2%}"
    return f"{value:+.3f}{unit_suffix(unit)}"


def spread(value: float | None, kind: ChangeKind | str, unit: str = "") -> str:
    """A dispersion (volatility) in the metric's change unit, unsigned."""
    if value is None or _missing(value):
        return DASH
    if ChangeKind(kind) is ChangeKind.LOG:
        return f"{value:.1%}"
    return f"{value:.3f}{unit_suffix(unit)}"


def signed(value: float | None, digits: int = 3) -> str:
    """A signed plain figure, e.g. '-0.648'."""
    if value is None or _missing(value):
        return DASH
    return f"{value:+.{digits}f}"


def plain(value: float | None, digits: int = 3) -> str:
    """An unsigned plain figure."""
    if value is None or _missing(value):
        return DASH
    return f"{value:.{digits}f}"


def percent(value: float | None, digits: int = 1) -> str:
    """A fraction as an unsigned percentage, e.g. 0.384 -> '38.4%'."""
    if value is None or _missing(value):
        return DASH
    return f"{value:.{digits}%}"


def pvalue(value: float | None) -> str:
    """A p-value with three decimals, '<0.001' below that."""
    if value is None or _missing(value):
        return DASH
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def tone(value: float | None) -> str:
    """CSS class of a signed figure: 'up', 'down', 'flat', or 'na' when missing."""
    if value is None or _missing(value):
        return "na"
    return "up" if value > 0 else "down" if value < 0 else "flat"


def figure(value: object) -> str:
    """Any JSON value of a report section, readable: numbers rounded, booleans as yes/no."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return _float_figure(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _float_figure(value: float) -> str:
    """A float with precision that shrinks as it grows."""
    if not math.isfinite(value):
        return DASH
    size = abs(value)
    if size >= 100:
        return f"{value:,.1f}"
    return f"{value:.3f}" if size >= 1 else f"{value:.4f}"


def label(key: object) -> str:
    """A JSON key as a column or row label: 'a_leads_b' -> 'a leads b'."""
    return str(key).replace("_", " ")


def price_move(value: float | None) -> float | None:
    """A log change as the price change it implies, exp(x) - 1 (None stays None)."""
    return None if value is None else math.expm1(value)


FILTERS = {
    "price_move": price_move,
    "level": level,
    "change": change,
    "spread": spread,
    "signed": signed,
    "plain": plain,
    "percent": percent,
    "pvalue": pvalue,
    "tone": tone,
    "figure": figure,
    "label": label,
}
