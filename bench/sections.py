"""Where build_report spends its time: every analytics call it makes, timed in place.

`section_times` swaps each analytics function that `pairwatch.services.report` calls (the
names it imports from `pairwatch.analytics.*`) for a wrapper that adds up wall time, runs
the report, and puts the originals back. Nested analytics calls are not wrapped, so the
sections do not overlap; a few named inner functions (`INNER`) are timed as "of which"
rows. New report sections show up without touching this file.
"""

from __future__ import annotations

import functools
import inspect
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pairwatch.analytics.leadlag as leadlag
import pairwatch.services.report as report

# (module, function name, the report section it runs in): inner steps with their own row.
INNER: tuple[tuple[ModuleType, str, str], ...] = ((leadlag, "granger", "window_lead_lag"),)
INNER_PREFIX = "of which: "
PARENTS = {f"{INNER_PREFIX}{name}": parent for _, name, parent in INNER}


def _timed(function: Callable[..., Any], label: str, spent: dict[str, float]) -> Any:
    """`function`, adding its wall time to spent[label] on each call."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start

    return wrapper


def _report_sections() -> dict[str, Callable[..., Any]]:
    """The analytics functions the report module calls, by name."""
    return {
        name: value
        for name, value in vars(report).items()
        if inspect.isfunction(value) and value.__module__.startswith("pairwatch.analytics.")
    }


@contextmanager
def timing(spent: dict[str, float]) -> Iterator[None]:
    """While active, every report section (and INNER step) adds its time to `spent`."""
    targets = [(report, name, fn, name) for name, fn in _report_sections().items()]
    targets += [
        (module, name, getattr(module, name), f"{INNER_PREFIX}{name}") for module, name, _ in INNER
    ]
    for module, name, function, label in targets:
        setattr(module, name, _timed(function, label, spent))
    try:
        yield
    finally:
        for module, name, function, _ in targets:
            setattr(module, name, function)


def section_times(run: Callable[[], object], repeat: int) -> tuple[dict[str, float], float]:
    """Median seconds per section over `repeat` runs, and the median time outside them."""
    runs: list[dict[str, float]] = []
    outside: list[float] = []
    for _ in range(repeat + 1):  # the first run warms up and is dropped
        spent: dict[str, float] = {}
        with timing(spent):
            start = time.perf_counter()
            run()
            total = time.perf_counter() - start
        runs.append(spent)
        outside.append(total - sum(v for k, v in spent.items() if k not in PARENTS))
    names = list(runs[-1])
    medians = {n: statistics.median(r.get(n, 0.0) for r in runs[1:]) for n in names}
    return medians, statistics.median(outside[1:])
