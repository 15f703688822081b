"""Shared fixtures of the narrative tests: a seeded generator."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so every generated data set is the same on every run."""
    return np.random.default_rng(20250715)
