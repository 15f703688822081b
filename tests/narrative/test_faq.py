"""build_faq on report dicts of the real build_report: figures quoted, words, leads, sections."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pairwatch.analytics.panel import build_panel
from pairwatch.analytics.signal import signal_reading, signal_to_dict
from pairwatch.analytics.stability import correlation_stability, stability_to_dict
from pairwatch.catalog import load_catalog
from pairwatch.domain import Frequency, MetricSeries
from pairwatch.errors import InvalidRequestError
from pairwatch.narrative import Answer, Narrative, build_faq, narrative_to_dict, words
from tests.analytics.factories import business_days
from tests.narrative.builders import (
    gauge,
    hy_oas,
    iwm,
    lagged_pair,
    metrics,
    report_dict,
    vix,
    with_metric,
)

# The block of each regime in the constructed history: gauge level, changes, correlation.
BLOCKS = ((12.0, 100, -0.3), (17.0, 100, -0.5), (25.0, 100, -0.7), (35.0, 100, -0.9))

RELATED = "How are IWM and VIX related?"
LEADS = "Which one leads, and by how many days?"
REGIMES = "How does the correlation change by volatility regime?"
DIVERGED = "When did they diverge?"
HEDGE = "Is VIX a hedge for IWM?"
BREAKS = "When does the relationship break down?"
SIGNAL = "What is the signal today?"


def _regime_legs(
    rng: np.random.Generator, blocks: tuple[tuple[float, int, float], ...] = BLOCKS
) -> tuple[MetricSeries, MetricSeries, MetricSeries]:
    """IWM, VIX and a gauge whose level steps through the blocks, with per-block correlation.

    Change t is classed by the gauge at row t - 1, so change t takes row t - 1's block.
    """
    rho = np.concatenate([np.full(days, r) for _, days, r in blocks])
    level = np.concatenate([np.full(days, g) for g, days, _ in blocks] + [[blocks[-1][0]]])
    z, e = rng.normal(0.0, 1.0, len(rho)), rng.uniform(-1.0, 1.0, len(rho)) * math.sqrt(3)
    ra = 0.01 * (rho * z + np.sqrt(1.0 - rho**2) * e)
    dates = business_days(len(rho) + 1, "2023-01-02")
    return iwm(dates, ra), vix(dates, 0.05 * z), gauge(dates, level)


@pytest.fixture
def legs(rng: np.random.Generator) -> tuple[MetricSeries, MetricSeries, MetricSeries]:
    return _regime_legs(rng)


@pytest.fixture
def report(legs: tuple[MetricSeries, MetricSeries, MetricSeries]) -> dict[str, Any]:
    a, b, g = legs
    return report_dict(a, b, window=90, gauge=g)


def _faq(report: dict[str, Any], a: MetricSeries, b: MetricSeries) -> dict[str, Answer]:
    """The answers by question."""
    return {x.question: x for x in build_faq(report, *metrics(a, b), None).faq}


def _answer(report: dict[str, Any], a: MetricSeries, b: MetricSeries, question: str) -> str:
    return _faq(report, a, b)[question].answer


def _pct(fraction: float) -> str:
    """An unsigned percent with 2 decimals, computed here for |fraction| >= 0.001."""
    assert abs(fraction) >= 0.001
    return f"{abs(fraction) * 100:.2f}%"


def _date(iso: str) -> str:
    """'15 Jul 2025' by strftime (the tests run in the C locale)."""
    day = pd.Timestamp(iso)
    return f"{day.day} {day:%b %Y}"


# --- How are they related? ---------------------------------------------------------------


def test_relationship_quotes_correlation_interval_beta_and_window(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    stats = report["stats"]
    text = _answer(report, legs[0], legs[1], RELATED)
    r, (lo, hi), beta = stats["correlation"], stats["correlation_ci"], stats["beta"]
    assert f"was {r:.2f} (95% CI {lo:.2f} to {hi:.2f})" in text
    assert f"r² = {stats['r_squared']:.2f}" in text
    assert f"{stats['r_squared'] * 100:.1f}% of the variance" in text
    assert (
        f"{stats['observations']} observations, {stats['observations'] - 1} daily changes" in text
    )
    assert f"Over the 90 days from {_date(stats['start'])} to {_date(stats['end'])}" in text
    # A 1% rise in VIX: IWM's log change is beta x ln(1.01), a price change of expm1 of that.
    move = math.expm1(beta * math.log(1.01))
    side = "fall" if move < 0 else "rise"
    assert f"a 1% rise in VIX has come with a {_pct(move)} {side} in IWM" in text


@pytest.mark.parametrize(
    ("r", "word"),
    [
        (0.1999, "very weak positive"),
        (0.2, "weak positive"),
        (-0.3999, "weak negative (inverse)"),
        (-0.4, "moderate negative (inverse)"),
        (0.6, "strong positive"),
        (-0.7999, "strong negative (inverse)"),
        (-0.8, "very strong negative (inverse)"),
    ],
)
def test_strength_word_follows_the_thresholds_at_their_bounds(
    report: dict[str, Any], legs: tuple[MetricSeries, ...], r: float, word: str
) -> None:
    report["stats"]["correlation"] = r
    answer = _faq(report, legs[0], legs[1])[RELATED]
    assert f"a {word} relationship" in answer.answer
    assert answer.figures["strength"] == word.split(" positive")[0].split(" negative")[0]


def test_an_interval_across_zero_is_called_uncertain(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    report["stats"]["correlation_ci"] = [-0.1, 0.3]
    assert "even the sign of the relationship is uncertain" in _answer(
        report, legs[0], legs[1], RELATED
    )


# --- Which one leads? --------------------------------------------------------------------


def test_b_following_a_by_two_days_reads_iwm_leads_vix(rng: np.random.Generator) -> None:
    a, b = lagged_pair(rng, 300, lag=2)
    report = report_dict(a, b, window=None)
    answer = _faq(report, a, b)[LEADS]
    assert report["lead_lag"]["best_lag"] == 2
    assert answer.figures["best_lag"] == 2
    assert answer.answer.startswith(
        "IWM leads VIX by 2 days: the cross-correlation peaks at lag +2"
    )
    peak = report["lead_lag"]["ccf"][report["lead_lag"]["lags"].index(2)]
    assert f"({peak:.2f}), above the multiple-testing threshold of ±" in answer.answer
    p = report["lead_lag"]["granger"]["a_leads_b"]
    assert p < 0.001 and "IWM's past helps predict VIX with p < 0.001, significant" in answer.answer
    assert "point to IWM leading VIX" in answer.answer


def test_a_following_b_by_three_days_reads_vix_leads_iwm(rng: np.random.Generator) -> None:
    a, b = lagged_pair(rng, 300, lag=-3)
    report = report_dict(a, b, window=None)
    assert report["lead_lag"]["best_lag"] == -3
    assert "VIX leads IWM by 3 days" in _answer(report, a, b, LEADS)


def test_a_weak_peak_and_no_granger_evidence_say_so(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    lead_lag = report["lead_lag"]
    lead_lag.update(best_lag=4, significant=False, granger={"a_leads_b": 0.3, "b_leads_a": 0.06})
    text = _answer(report, legs[0], legs[1], LEADS)
    assert "At most, IWM leads VIX by 4 days" in text
    assert "so it is no evidence of a lead" in text
    assert "with p = 0.300, not significant at 5%" in text
    assert "with p = 0.060, not significant at 5%" in text
    assert text.endswith("So there is no evidence either leads.")


def test_same_day_peak_means_neither_leads(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    assert report["lead_lag"]["best_lag"] == 0
    peak = report["lead_lag"]["ccf"][10]
    text = _answer(report, legs[0], legs[1], LEADS)
    assert f"strongest on the same day, at lag 0 ({peak:.2f})" in text


# --- Regimes -----------------------------------------------------------------------------


def test_regime_sentence_quotes_each_regime_and_sees_the_tightening(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    text = _answer(report, legs[0], legs[1], REGIMES)
    regimes = report["regimes"]
    for name, bounds in (
        ("calm", "VIX below 15"),
        ("normal", "VIX 15 to 20"),
        ("elevated", "VIX 20 to 30"),
        ("stress", "VIX 30 and above"),
    ):
        row = regimes[name]
        assert f"{row['correlation']:.2f} in {name} ({bounds}, {row['days']} days)" in text
    calm, stress = abs(regimes["calm"]["correlation"]), abs(regimes["stress"]["correlation"])
    assert stress > calm + 0.05
    assert (
        f"tightens as VIX rises: |r| goes from {calm:.2f} in calm to {stress:.2f} in stress" in text
    )


def test_a_regime_with_too_few_days_is_named_as_such(rng: np.random.Generator) -> None:
    blocks = ((12.0, 150, -0.3), (17.0, 150, -0.5), (25.0, 90, -0.7), (35.0, 10, -0.9))
    a, b, g = _regime_legs(rng, blocks)
    report = report_dict(a, b, window=90, gauge=g)
    days = report["regimes"]["stress"]["days"]
    assert 0 < days < 20
    text = _answer(report, a, b, REGIMES)
    assert (
        f"stress (VIX 30 and above) had too few days for a correlation ({days}, under 20)" in text
    )
    assert "in calm to" in text and "in elevated." in text


# --- Divergences -------------------------------------------------------------------------


def test_no_divergence_day_is_said_with_the_window(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    assert report["divergences"] == []
    stats = report["stats"]
    text = _answer(report, legs[0], legs[1], DIVERGED)
    window = f"{_date(stats['start'])} to {_date(stats['end'])}"
    assert text.startswith(f"No divergence day (|z| >= 2.5) in the window from {window}")


def test_divergence_days_carry_dates_moves_and_z(rng: np.random.Generator) -> None:
    a, b, g = _regime_legs(rng)
    ra = np.diff(np.log(a.adj.to_numpy()))
    ra[-10] += 0.06  # one day far from what VIX implied
    shocked = iwm(pd.DatetimeIndex(a.levels.index), ra)
    report = report_dict(shocked, b, window=90, gauge=g)
    days = report["divergences"]
    day = max(days, key=lambda d: abs(d["z"]))
    assert day["date"] == a.levels.index[-10].date().isoformat()
    text = _answer(report, shocked, b, DIVERGED)
    a_move, b_move = math.expm1(day["a_change"]), math.expm1(day["b_change"])
    expected = math.expm1(day["expected_a_change"])
    assert (
        f"On {_date(day['date'])} IWM moved +{_pct(a_move)} and VIX {b_move * 100:+.2f}%; "
        f"VIX's move implied {expected * 100:+.2f}% for IWM, so IWM ended above it "
        f"(z = {day['z']:.2f})."
    ) in text
    assert text.startswith(f"{len(days)} divergence day")


# --- Hedge -------------------------------------------------------------------------------


def test_hedge_answer_quotes_ratio_effectiveness_capture_and_stress(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    hedge, stress = report["hedge"], report["regimes"]["stress"]
    text = _answer(report, legs[0], legs[1], HEDGE)
    side = "buy" if hedge["ratio"] < 0 else "sell"
    assert f"is {hedge['ratio']:.2f}: to hedge each 1 of IWM held, {side} " in text
    assert f"removed {hedge['effectiveness'] * 100:.1f}% of IWM's variance" in text
    assert f"VIX rose on {hedge['downside_capture'] * 100:.1f}% of them" in text
    assert f"over {stress['days']} days, the correlation was {stress['correlation']:.2f}" in text
    assert f"against {report['stats']['correlation']:.2f} in the window" in text


@pytest.mark.parametrize(
    ("effectiveness", "verdict"),
    [(0.5, "good"), (0.4999, "partial"), (0.2, "partial"), (0.1999, "poor"), (-0.2, "poor")],
)
def test_hedge_verdict_follows_the_thresholds(
    report: dict[str, Any], legs: tuple[MetricSeries, ...], effectiveness: float, verdict: str
) -> None:
    report["hedge"]["effectiveness"] = effectiveness
    answer = _faq(report, legs[0], legs[1])[HEDGE]
    assert f"Verdict: VIX is a {verdict} hedge for IWM" in answer.answer
    assert answer.figures["verdict"] == verdict


# --- Missing sections --------------------------------------------------------------------


def _questions(report: dict[str, Any], a: MetricSeries, b: MetricSeries) -> list[str]:
    return [x.question for x in build_faq(report, *metrics(a, b), None).faq]


def test_a_missing_section_leaves_its_question_out(rng: np.random.Generator) -> None:
    a, b, _ = _regime_legs(rng)
    a, b = (MetricSeries(leg.metric, leg.levels.iloc[:50]) for leg in (a, b))
    full = report_dict(a, b, window=None)
    assert full["hedge"] is None and full["regimes"] is None
    assert _questions(full, a, b) == [RELATED, LEADS]
    short = report_dict(a, b, window=20)
    assert short["lead_lag"] is None
    assert _questions(short, a, b) == [RELATED]
    tiny = report_dict(a, b, window=5)
    assert tiny["stats"] is None
    assert _questions(tiny, a, b) == []


def test_all_seven_questions_when_every_section_is_there(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    assert report["stability"] is not None and report["signal"] is not None
    assert _questions(report, legs[0], legs[1]) == [
        RELATED,
        LEADS,
        REGIMES,
        DIVERGED,
        HEDGE,
        BREAKS,
        SIGNAL,
    ]


# --- Stability and signal ----------------------------------------------------------------


def _flipping_legs(rng: np.random.Generator) -> tuple[MetricSeries, MetricSeries]:
    """IWM and VIX with a negative relationship except for 80 changes of a positive one."""
    n = 400
    rho = np.full(n, -0.7)
    rho[200:280] = 0.9
    z, e = rng.normal(0.0, 1.0, n), rng.normal(0.0, 1.0, n)
    dates = business_days(n + 1, "2022-01-03")
    return iwm(dates, 0.01 * (rho * z + np.sqrt(1 - rho**2) * e)), vix(dates, 0.05 * z)


def test_breakdown_quotes_the_rolling_correlation_and_its_flips(rng: np.random.Generator) -> None:
    a, b = _flipping_legs(rng)
    report = report_dict(a, b, window=90)
    stability = report["stability"]
    assert stability == stability_to_dict(correlation_stability(build_panel(a, b)))
    assert len(stability["episodes"]) == 1
    episode = stability["episodes"][0]
    text = _answer(report, a, b, BREAKS)
    current, percentile = stability["current"], stability["percentile"]
    assert f"The 60-change rolling correlation is now {current:.2f}" in text
    assert f"at the {round(percentile)}" in text
    assert f"over the whole history it is {stability['long_run']:.2f}" in text
    assert (
        f"It has flipped to positive for 20 changes or more once: "
        f"{_date(episode['start'])} to {_date(episode['end'])} ({episode['length']} changes, "
        f"peaking at {episode['extreme']:.2f})."
    ) in text


def test_signal_answer_quotes_the_deciding_numbers(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    a, b, g = legs
    signal = report["signal"]
    assert signal == signal_to_dict(signal_reading(a.adj, g.close, risk_id="iwm"))
    text = _answer(report, a, b, SIGNAL)
    assert text.startswith(f"As of {_date(signal['date'])} the reading is “{signal['label']}”.")
    move = math.expm1(signal["risk_move"])
    assert f"IWM moved {move * 100:+.2f}% over its last 20 changes" in text
    vix_change = words.signed_percent(signal["vix_change"])
    assert f"VIX is at {signal['vix_level']:.2f}, {vix_change} over 20 closes" in text
    assert signal["rule"] in text


# --- Diff legs use units -----------------------------------------------------------------


def _credit_legs(rng: np.random.Generator) -> tuple[MetricSeries, MetricSeries]:
    """IWM and HY OAS: the spread widens (in percentage points) when small caps fall."""
    n = 300
    ra = 0.012 * rng.normal(0.0, 1.0, n)
    rb = -12.0 * ra + 0.03 * rng.normal(0.0, 1.0, n)
    dates = business_days(n + 1, "2023-01-02")
    return iwm(dates, ra), hy_oas(dates, rb)


def test_a_diff_hedge_leg_is_worded_in_percentage_points(rng: np.random.Generator) -> None:
    a, b = _credit_legs(rng)
    report = report_dict(a, b, window=90)
    text = _answer(report, a, b, "How are IWM and HY OAS related?")
    move = math.expm1(report["stats"]["beta"] * 0.10)
    assert (
        f"a 0.10 percentage-point rise in HY OAS has come with a {_pct(move)} fall in IWM" in text
    )


def test_a_diff_first_leg_moves_in_units_not_percents(rng: np.random.Generator) -> None:
    b, a = _credit_legs(rng)
    report = report_dict(a, b, window=90)
    faq = _faq(report, a, b)
    text = faq["How are HY OAS and IWM related?"].answer
    size = abs(report["stats"]["beta"] * math.log(1.01))
    assert size >= 0.1
    assert f"a 1% rise in IWM has come with a {size:.2f} percentage-point fall in HY OAS" in text
    assert not re.search(r"%\S* (rise|fall) in HY OAS", text)
    for answer in faq.values():
        assert not re.search(r"HY OAS (moved )?[+-]?[\d.]+%", answer.answer)


# --- Why, layout, determinism ------------------------------------------------------------


def test_why_is_the_curated_text_of_the_pair(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    pair = load_catalog().pair("iwm", "vix")
    assert pair is not None
    narrative = build_faq(report, *metrics(legs[0], legs[1]), pair)
    assert narrative.why == f"{pair.why} {pair.reading}"


def test_why_without_a_curated_pair_uses_descriptions_and_roles(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    why = build_faq(report, *metrics(legs[0], legs[1]), None).why
    assert "IWM (IWM): US small-cap stocks." in why
    assert "VIX (VIX): Equity fear gauge." in why
    assert "IWM tends to rise when investors take risk and VIX when they shed it" in why


def test_same_input_same_text_and_plain_json(
    legs: tuple[MetricSeries, MetricSeries, MetricSeries],
) -> None:
    a, b, g = legs
    first = build_faq(report_dict(a, b, window=90, gauge=g), *metrics(a, b), None)
    second = build_faq(report_dict(a, b, window=90, gauge=g), *metrics(a, b), None)
    assert isinstance(first, Narrative)
    assert narrative_to_dict(first) == narrative_to_dict(second)
    out = json.loads(json.dumps(narrative_to_dict(first), allow_nan=False))
    assert list(out) == ["why", "faq"]
    assert [list(x) for x in out["faq"]] == [["question", "answer", "figures"]] * len(first.faq)


def test_a_report_of_another_pair_is_refused(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    with pytest.raises(InvalidRequestError, match="the report is for 'iwm'/'vix'"):
        build_faq(report, legs[1].metric, legs[0].metric, None)


def test_episodes_list_the_three_latest_first_with_the_gauge(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    report["stability"]["long_run_sign"] = -1
    report["stability"]["episodes"] = [
        {"start": f"20{y}-02-03", "end": f"20{y}-03-16", "length": 29, "extreme": 0.35}
        | {"mean_gauge": 24.06 if y == "21" else None}
        for y in ("18", "21", "19", "20")
    ]
    text = _answer(report, legs[0], legs[1], BREAKS)
    assert (
        "It has flipped to positive for 20 changes or more 4 times; most recent first: "
        "3 Feb 2021 to 16 Mar 2021 (29 changes, peaking at 0.35, VIX averaging 24.1); "
        "3 Feb 2020 to 16 Mar 2020 (29 changes, peaking at 0.35); "
        "3 Feb 2019 to 16 Mar 2019 (29 changes, peaking at 0.35)."
    ) in text
    assert "2018" not in text


def test_weekly_legs_count_their_lead_in_weeks(rng: np.random.Generator) -> None:
    a, b = lagged_pair(rng, 300, lag=2)
    weekly = pd.date_range("2015-01-02", periods=300, freq="W-FRI")
    a, b = (
        with_metric(
            MetricSeries(leg.metric, leg.levels.set_axis(weekly)), frequency=Frequency.WEEKLY
        )
        for leg in (a, b)
    )
    report = report_dict(a, b, window=None)
    faq = _faq(report, a, b)
    assert "Which one leads, and by how many weeks?" in faq
    assert "IWM leads VIX by 2 weeks" in faq["Which one leads, and by how many weeks?"].answer
    assert "299 weekly changes" in faq[RELATED].answer


def test_a_history_without_stress_days_leaves_the_hedge_untested_there(
    report: dict[str, Any], legs: tuple[MetricSeries, ...]
) -> None:
    report["regimes"]["stress"] = {"days": 0, "correlation": None, "beta": None}
    text = _answer(report, legs[0], legs[1], HEDGE)
    assert "The history has no days of stress (VIX 30 and above), so the hedge is untested" in text
    assert "no stress days (VIX 30 and above)" in _answer(report, legs[0], legs[1], REGIMES)
