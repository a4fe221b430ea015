"""Every benchmark module runs once at its smallest size, so ``make bench`` keeps working, and
so does ``--scale`` (the cost growth) at its smallest sizes.

SQLite only: the PostgreSQL path is exercised by ``make bench`` itself.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import bench

ROOT = Path(__file__).resolve().parents[2]
# A guard against a bench that hangs, not a speed test: on two cores shared with other work
# every module runs several times slower than on a quiet machine.
SECONDS = 600


def test_every_benchmark_runs_at_tiny_size() -> None:
    modules = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--backend", "sqlite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SECONDS,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for name in modules:
        assert f"{name}: " in done.stdout, f"{name} did not run:\n{done.stdout[-2000:]}"
    assert "entitle benchmarks" in done.stdout


def test_the_cost_growth_runs_at_tiny_sizes_and_writes_its_table_and_chart() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--scale", "--backend", "sqlite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SECONDS,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "scale: " in done.stdout
    [line] = [row for row in done.stdout.splitlines() if row.startswith("scale results")]
    table, chart = (Path(part.strip()) for part in line.split(": ", 1)[1].split(" and "))
    assert "| 5,000 |" in table.read_text()
    assert chart.read_text().startswith("<svg")
