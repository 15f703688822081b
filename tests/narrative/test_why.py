"""The generated 'why' text of an uncurated pair, by the legs' risk roles."""

from __future__ import annotations

from dataclasses import replace

from pairwatch.domain import RiskRole
from pairwatch.narrative.why import roles_sentence, why_text
from tests.analytics.factories import metric

ON = replace(metric("iwm"), risk_role=RiskRole.RISK_ON, description="Small caps.")
OFF = replace(metric("tlt"), risk_role=RiskRole.RISK_OFF, description="Long Treasuries.")
OTHER_ON = replace(metric("hyg"), risk_role=RiskRole.RISK_ON, description="Junk bonds.")
NEUTRAL = replace(metric("dxy"), description="The dollar.")


def test_opposite_roles_expect_opposite_moves_whatever_the_order() -> None:
    assert roles_sentence(OFF, ON).startswith("IWM tends to rise when investors take risk and TLT")
    assert "opposite directions" in roles_sentence(ON, OFF)


def test_same_roles_expect_moving_together() -> None:
    assert roles_sentence(ON, OTHER_ON).startswith("Both tend to rise when investors take risk")
    off = replace(OFF, id="gld")
    assert "investors shed risk" in roles_sentence(OFF, off)


def test_a_neutral_leg_makes_it_an_empirical_question() -> None:
    assert roles_sentence(ON, NEUTRAL).startswith("DXY has no fixed risk role")


def test_why_text_starts_with_both_descriptions() -> None:
    assert why_text(ON, OFF, None).startswith("IWM (IWM): Small caps. TLT (TLT): Long Treasuries.")
