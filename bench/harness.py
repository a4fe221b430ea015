"""A figure, its baseline and their ratio, measured in one run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One measured figure beside its baseline: ``ratio`` is figure / baseline of ``unit``."""

    name: str
    value: float
    baseline_name: str
    baseline: float
    unit: str
    goal: str = ""
    met: bool | None = None
    notes: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")


@dataclass
class Context:
    quick: bool = False
    tiny: bool = False
    database_url: str | None = None
    # None: SQLite and, when reachable, PostgreSQL (see bench.databases.backends).
    backends: tuple[str, ...] | None = None
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)


def rate(fn: Callable[[], object], seconds: float = 1.0, min_calls: int = 5) -> float:
    """Calls per second of ``fn``, measured for about ``seconds``."""
    calls = 0
    start = time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and calls >= min_calls:
            return calls / elapsed


def paired_rates(
    ours: Callable[[], object], baseline: Callable[[], object], seconds: float, rounds: int = 7
) -> tuple[float, float]:
    """Calls per second of ``ours`` and ``baseline``, measured in alternating short rounds.

    Alternating keeps a change in machine load from landing on one side only; the median
    round of each is reported.
    """
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        mine.append(rate(ours, seconds / rounds))
        theirs.append(rate(baseline, seconds / rounds))
    return statistics.median(mine), statistics.median(theirs)


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of ``samples``."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50, p95
