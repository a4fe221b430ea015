"""``python -m bench --scale``: how the costs grow with the history, 100,000 to 10,000,000
checkouts on PostgreSQL.

Each size is loaded in turn into a database of its own (the bench database's name with
``_scale`` after it, dropped and created again for each size, dropped at the end), 1,000
organisations with the largest holding 20% (``loader.many_organisations``). On each: the
checkouts list's p95 beside its SQL (``bench_checkouts``), the yearly usage report beside its
raw SQL (``bench_usage``), the history CSV of the largest organisation's newest 20,000
checkouts beside its SELECT (``bench_export``) and a bulk check-in of 1,000 beside one UPDATE
(``bench_checkouts``). The table (markdown) and a log-log chart (SVG) are written to
``bench/results/`` after every size, so a run stopped early keeps what it measured.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from sqlalchemy.engine import make_url

from bench import bench_checkouts, bench_export, bench_usage
from bench.chart import Series, loglog
from bench.databases import drop, load_new, postgres_url
from bench.harness import Context, Figure
from bench.loader import OrganisationMix, many_organisations
from bench.server import serve

SIZES = (100_000, 1_000_000, 10_000_000)
TINY_SIZES = (500, 2_000, 5_000)
ORGANISATIONS = 1_000
TINY_ORGANISATIONS = 20
LARGEST = 0.20
EXPORT_ROWS = 20_000
LIST_SAMPLES = 100
RESULTS = Path(__file__).resolve().parent / "results"

# What is measured at each size: a key, the label in the table, and how to find its figure.
MEASURES = (
    ("list", "list p95", "list p95"),
    ("usage", "usage report, a year by month x application", "usage year"),
    ("export", "history CSV export", "history CSV"),
    ("check_in", "bulk check-in", "check-in of"),
)
COLOURS = {"list": "#1f77b4", "usage": "#2ca02c", "export": "#d62728", "check_in": "#9467bd"}
LEGEND = {
    "list": "list p95",
    "usage": "usage report",
    "export": "CSV export",
    "check_in": "check-in",
}


@dataclass
class Measured:
    total: int
    load_seconds: float
    figures: dict[str, Figure] = field(default_factory=dict)


def run(ctx: Context, sizes: Sequence[int] | None = None) -> None:
    wanted = tuple(sizes or (TINY_SIZES if ctx.tiny else SIZES))
    organisations = TINY_ORGANISATIONS if ctx.tiny else ORGANISATIONS
    mix = many_organisations(organisations, LARGEST)
    for backend in ctx.backends or ("postgresql",):
        url = _scale_url(ctx) if backend == "postgresql" else None
        measured: list[Measured] = []
        for total in wanted:
            measured.append(_one_size(ctx, backend, total, url, mix))
            table, chart = _write(backend, measured, organisations)
            Console().print(f"scale: {total:,} done; table {table}, chart {chart}")
        print(f"scale results ({backend}): {table} and {chart}")


def _scale_url(ctx: Context) -> str:
    url = postgres_url(ctx)
    if url is None:
        raise SystemExit("--scale loads PostgreSQL, and no server answers at the bench URL")
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_scale").render_as_string(hide_password=False)


def _one_size(
    ctx: Context, backend: str, total: int, url: str | None, mix: OrganisationMix
) -> Measured:
    db = load_new(ctx, backend, total, url, mix)
    here = Context(quick=True, tiny=ctx.tiny, database_url=ctx.database_url)
    try:
        with serve(db, workers=1) as server:
            bench_checkouts._list_latency(here, db, server, 10 if ctx.tiny else LIST_SAMPLES)
            bench_usage._yearly_by_month_and_application(here, db, 3 if ctx.tiny else 5)
            bench_export.measure(here, db, server, EXPORT_ROWS)
            bench_checkouts._bulk_check_in(here, db, server)
    finally:
        drop(db)
    found = Measured(total, db.world.seconds)
    for key, _, prefix in MEASURES:
        figure = next(f for f in here.figures if f.name.startswith(prefix))
        found.figures[key] = figure
        ctx.add(
            Figure(
                f"{figure.name} [{total:,} checkouts, {len(mix)} organisations]",
                figure.value,
                figure.baseline_name,
                figure.baseline,
                figure.unit,
            )
        )
    return found


def _write(backend: str, measured: Sequence[Measured], organisations: int) -> tuple[Path, Path]:
    RESULTS.mkdir(exist_ok=True)
    table, chart = RESULTS / f"scale-{backend}.md", RESULTS / f"scale-{backend}.svg"
    table.write_text(markdown(backend, measured, organisations))
    series = []
    for key, _, _ in MEASURES:
        ours = [(m.total, _ms(m.figures[key], m.figures[key].value)) for m in measured]
        theirs = [(m.total, _ms(m.figures[key], m.figures[key].baseline)) for m in measured]
        series.append(Series(LEGEND[key], COLOURS[key], ours))
        series.append(Series(f"{LEGEND[key]}: baseline", COLOURS[key], theirs, dashed=True))
    chart.write_text(
        loglog(
            series,
            "checkouts in the database (log)",
            "milliseconds (log)",
            f"entitle cost growth on {backend}, {organisations:,} organisations, largest 20%",
        )
    )
    return table, chart


def markdown(backend: str, measured: Sequence[Measured], organisations: int) -> str:
    """One row a size (each figure, its baseline, their ratio), then the growth per size."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Cost growth on {backend}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{organisations:,} organisations (the largest holds {LARGEST:.0%}); "
        f"load average when written {load}.",
        "",
        "| checkouts | load | "
        + " | ".join(f"{label} | baseline | ratio" for _, label, _ in MEASURES)
        + " |",
        "|---:|---:|" + "---:|---|---:|" * len(MEASURES),
    ]
    for m in measured:
        cells = [f"{m.total:,}", f"{m.load_seconds:,.0f} s"]
        for key, _, _ in MEASURES:
            f = m.figures[key]
            cells += [
                f"{_value(f, f.value)}{_detail(f)}",
                f"{_value(f, f.baseline)} ({f.baseline_name})",
                f"{f.ratio:.2f}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    if len(measured) > 1:
        lines += [
            "",
            "Growth from one size to the next: the figure's factor (its baseline's), and the "
            "exponent k of cost ~ rows^k.",
            "",
            "| rows | load | " + " | ".join(label for _, label, _ in MEASURES) + " |",
            "|---|---:|" + "---:|" * len(MEASURES),
        ]
        for before, after in itertools.pairwise(measured):
            rows = after.total / before.total
            cells = [
                f"{before.total:,} to {after.total:,}",
                _growth(after.load_seconds / before.load_seconds, rows),
            ]
            for key, _, _ in MEASURES:
                a, b = after.figures[key], before.figures[key]
                cells.append(f"{_growth(a.value / b.value, rows)} ({a.baseline / b.baseline:.2f}x)")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _growth(factor: float, rows: float) -> str:
    return f"{factor:.2f}x, k={math.log(factor) / math.log(rows):.2f}"


def _ms(figure: Figure, value: float) -> float:
    return value * 1000 if figure.unit == "s" else value


def _value(figure: Figure, value: float) -> str:
    return f"{_ms(figure, value):,.1f} ms"


def _detail(figure: Figure) -> str:
    """What was done, when the size of it matters: "check-in of 1,000 checkouts"."""
    name = figure.name.split(" (")[0].removesuffix(", API")
    return f" ({name})" if " of " in name else ""
