"""A yearly usage report grouped by month and application, against the same aggregate in raw SQL.

The store's query (``entitle.store.usage.totals``, built with SQLAlchemy Core) and a hand-written
statement with the very same arithmetic, run on the driver's own cursor, on the organisation
holding most checkouts of the loaded database. Both must return the same rows.
Goals: at most 1.5 times the raw SQL, and under one second on PostgreSQL.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from rich.console import Console

from bench.databases import BenchDatabase, backends, shared
from bench.harness import Context, Figure
from entitle.domain.calendar import add_years
from entitle.domain.usage import (
    first_whole_interval,
    interval_after,
    midnight,
    month_of_interval,
)
from entitle.store import usage as store
from entitle.store.usage import UsageQuery

GOAL_RATIO = 1.5
GOAL_POSTGRES_MS = 1000.0

LEAST = {"postgresql": "LEAST", "sqlite": "min"}
GREATEST = {"postgresql": "GREATEST", "sqlite": "max"}
# Each application row keeps its booking as interval indexes and months (0004). Bookings are
# summed per (first month, last month, application), then spread over the months: full months
# in between, the first from the booking's start, the last up to its stop.
RAW = """
WITH calendar(bucket, label, low, high) AS (VALUES {calendar}),
spans AS (
  SELECT {greatest}(a.first_month, {p}) AS first, {least}(a.last_month, {p}) AS last,
         a.application AS application, COUNT(*) AS n,
         SUM({greatest}(a.start_interval, {p})) AS starts,
         SUM({least}(a.stop_interval, {p})) AS stops
  FROM checkout_applications a
  WHERE a.organisation_id = {p} AND a.stop_interval > {p} AND a.start_interval < {p}
    AND a.stop_interval > a.start_interval
  GROUP BY 1, 2, 3
)
SELECT m.label, s.application,
       SUM(s.n * (m.high - m.low)
           - CASE WHEN m.bucket = s.first THEN s.starts - s.n * m.low ELSE 0 END
           - CASE WHEN m.bucket = s.last THEN s.n * m.high - s.stops ELSE 0 END)
FROM spans s JOIN calendar m ON m.bucket BETWEEN s.first AND s.last
GROUP BY m.label, s.application
ORDER BY m.label, s.application
"""


def run(ctx: Context) -> None:
    repeats = 3 if ctx.tiny else 5
    for backend in backends(ctx):
        _yearly_by_month_and_application(ctx, shared(ctx, backend), repeats)


def _yearly_by_month_and_application(ctx: Context, db: BenchDatabase, repeats: int) -> None:
    now = db.world.now
    to = now.date()
    from_ = add_years(to, -1)
    query = UsageQuery(db.world.dominant.id, from_, to, ("month", "application"))
    statement, params = _raw(db.backend, query, now)
    with db.engine.connect() as conn:

        def through_store() -> list[tuple[Any, ...]]:
            return [(*r.keys, r.intervals) for r in store.totals(conn, query, now)]

        def raw() -> list[tuple[Any, ...]]:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(statement, params)
            found = [(bucket, app, int(n)) for bucket, app, n in cursor.fetchall() if n]
            cursor.close()
            return found

        ours, theirs = through_store(), raw()
        assert ours == theirs, "the store and the raw SQL disagree"
        ours_ms = _median_ms(through_store, repeats)
        raw_ms = _median_ms(raw, repeats)
    checkouts = f"{db.world.total:,} checkouts"
    Console().print(
        f"{db.backend}: {len(ours)} rows; store {ours_ms:.0f} ms, raw SQL {raw_ms:.0f} ms"
    )
    met = ours_ms <= GOAL_RATIO * raw_ms
    goal = f"<= {GOAL_RATIO}x"
    if db.backend == "postgresql":
        met = met and ours_ms < GOAL_POSTGRES_MS
        goal += f", < {GOAL_POSTGRES_MS:.0f} ms"
    ctx.add(
        Figure(
            name=f"usage year by month x application, {db.backend} ({checkouts})",
            value=ours_ms,
            baseline_name="same aggregate, raw SQL",
            baseline=raw_ms,
            unit="ms",
            goal=goal,
            met=met,
        )
    )


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _raw(backend: str, query: UsageQuery, now: datetime) -> tuple[str, list[Any]]:
    p = "%s" if backend == "postgresql" else "?"
    months: list[tuple[int, str, int, int]] = []
    month = query.from_.replace(day=1)
    while month < query.to:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        months.append(
            (
                month.year * 12 + month.month - 1,
                month.isoformat()[:7],
                first_whole_interval(midnight(month)),
                first_whole_interval(midnight(following)),
            )
        )
        month = following
    low = first_whole_interval(midnight(query.from_))
    high = interval_after(min(midnight(query.to), now))
    statement = RAW.format(
        calendar=", ".join(f"({n}, '{label}', {lo}, {hi})" for n, label, lo, hi in months),
        least=LEAST[backend],
        greatest=GREATEST[backend],
        p=p,
    )
    first_month = months[0][0]
    last_month = month_of_interval(high - 1)
    params = [first_month, last_month, low, high, query.organisation_id, low, high]
    return statement, params
