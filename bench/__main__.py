"""``python -m bench [--quick] [--tiny] [--only NAME]``: run every ``bench/bench_*.py``;
``python -m bench --scale``: only the cost growth of ``bench/scale.py``.

Each module has ``run(ctx: Context) -> None`` and adds figures to ``ctx``; the table printed at
the end shows each figure beside the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time

from rich.console import Console
from rich.table import Table

from bench.harness import Context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true", help="100,000 rows instead of 1,000,000")
    parser.add_argument("--tiny", action="store_true", help="smallest sizes: checks they run")
    parser.add_argument("--only", action="append", default=[], help="run only these modules")
    parser.add_argument(
        "--backend",
        action="append",
        choices=("sqlite", "postgresql"),
        help="database backends to load (default: sqlite, and postgresql when reachable)",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="only the cost growth: 100,000, 1,000,000 and 10,000,000 checkouts on PostgreSQL",
    )
    parser.add_argument(
        "--scale-sizes",
        type=lambda text: [int(n.replace("_", "")) for n in text.split(",")],
        help="with --scale: these sizes instead, e.g. 100000,1000000",
    )
    args = parser.parse_args(argv)
    ctx = Context(
        quick=args.quick,
        tiny=args.tiny,
        database_url=os.environ.get("ENTITLE_BENCH_DATABASE_URL"),
        backends=tuple(args.backend) if args.backend else None,
    )
    # Piped output (make bench | tee) gets a table wide enough to read.
    console = Console(width=None if sys.stdout.isatty() else 160)
    import bench

    started = time.perf_counter()
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    if args.scale:
        names = ["scale"]
    for name in names:
        if args.only and name.removeprefix("bench_") not in args.only and name not in args.only:
            continue
        start = time.perf_counter()
        console.rule(f"[bold]{name}")
        module = importlib.import_module(f"bench.{name}")
        if args.scale:
            module.run(ctx, args.scale_sizes)
        else:
            module.run(ctx)
        console.print(f"{name}: {time.perf_counter() - start:.1f} s")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    table = Table(
        title="entitle benchmarks (ratio = figure / baseline, same run)",
        caption=f"{time.perf_counter() - started:.0f} s in all; load average at the end {load}",
    )
    for column in ("figure", "value", "baseline", "baseline value", "ratio", "goal", "met"):
        table.add_column(column)
    for f in ctx.figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        table.add_row(
            f.name,
            f"{f.value:,.3f} {f.unit}",
            f.baseline_name,
            f"{f.baseline:,.3f} {f.unit}",
            f"{f.ratio:.2f}",
            f.goal,
            met,
        )
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
