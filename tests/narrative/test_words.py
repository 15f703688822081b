"""Strength words at their thresholds, verdicts, and the number and date formats."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from pairwatch.domain import ChangeKind, Frequency
from pairwatch.narrative import words
from tests.analytics.factories import metric


@pytest.mark.parametrize(
    ("r", "word"),
    [
        (0.0, "very weak"),
        (0.1999, "very weak"),
        (0.2, "weak"),
        (-0.2, "weak"),
        (0.3999, "weak"),
        (0.4, "moderate"),
        (0.5999, "moderate"),
        (-0.6, "strong"),
        (0.7999, "strong"),
        (0.8, "very strong"),
        (-1.0, "very strong"),
    ],
)
def test_strength_word_at_the_documented_bounds(r: float, word: str) -> None:
    assert words.strength_word(r) == word


@pytest.mark.parametrize(
    ("r", "word"), [(0.3, "positive"), (-0.3, "negative (inverse)"), (0.0, "zero")]
)
def test_sign_word(r: float, word: str) -> None:
    assert words.sign_word(r) == word


@pytest.mark.parametrize(
    ("effectiveness", "verdict"),
    [
        (0.9, "good"),
        (0.5, "good"),
        (0.4999, "partial"),
        (0.2, "partial"),
        (0.1999, "poor"),
        (-0.4, "poor"),
    ],
)
def test_hedge_verdict_at_the_documented_bounds(effectiveness: float, verdict: str) -> None:
    assert words.hedge_verdict(effectiveness) == verdict


def test_correlations_have_two_decimals_and_no_negative_zero() -> None:
    assert words.correlation(-0.6485132564310842) == "-0.65"
    assert words.correlation(0.455) == f"{0.455:.2f}"
    assert words.correlation(-0.004) == "0.00"


def test_percents_are_signed_and_keep_small_figures_visible() -> None:
    assert words.signed_percent(0.0123) == "+1.23%"
    assert words.signed_percent(-0.0005) == "-0.050%"
    assert words.signed_percent(0.0) == "0.00%"
    assert words.percent(-0.000042) == "0.0042%"
    assert words.share(0.384) == "38.4%"
    assert words.step_percent(0.01) == "1%"


def test_numbers_keep_two_significant_digits_below_a_tenth() -> None:
    assert words.number(-0.12946) == "-0.13"
    assert words.number(0.0042) == "0.0042"
    assert words.number(-0.0000001) == "0.0000"
    assert words.amount(-2.5) == "2.50"
    assert words.amount(0.0099999999) == "0.010"
    assert words.amount(0.099999) == "0.10"
    assert words.amount(0.0) == "0.00"
    assert words.amount(1234.5) == "1234.50"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2025-07-15", "15 Jul 2025"),
        (dt.date(2024, 1, 5), "5 Jan 2024"),
        ("2008-12-31", "31 Dec 2008"),
    ],
)
def test_dates_read_day_month_year(value: str | dt.date, text: str) -> None:
    assert words.date(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (33.7, "34th"),
        (100, "100th"),
    ],
)
def test_ordinals(value: float, text: str) -> None:
    assert words.ordinal(value) == text


def test_p_values_and_counts() -> None:
    assert words.pvalue(0.01234) == "p = 0.012"
    assert words.pvalue(0.0004) == "p < 0.001"
    assert words.count(1, "day") == "1 day"
    assert words.count(1234, "day") == "1,234 days"
    assert words.changes(61, "day") == "61 daily changes"


def test_diff_moves_are_in_units_and_log_moves_are_price_changes() -> None:
    spread = replace(metric("hy-oas", ChangeKind.DIFF), unit="percentage points")
    yield_ = replace(metric("dgs10", ChangeKind.DIFF), unit="percent")
    assert words.move(0.27, spread) == "+0.27 percentage points"
    assert words.move(-0.05, yield_) == "-0.050 percentage points"
    assert words.size_of_move(0.1, spread) == "0.10 percentage-point"
    assert words.move(0.1, metric("vix")) == "+10.52%"  # exp(0.1) - 1


def test_the_period_is_that_of_the_coarser_leg() -> None:
    daily, weekly = metric("a"), metric("b", frequency=Frequency.WEEKLY)
    assert words.period(daily, weekly) == "week"
    assert words.period(daily, metric("c")) == "day"
