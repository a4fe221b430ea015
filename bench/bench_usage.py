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
from entitle.domain.usage import first_whole_interval, interval_after, midnight
from entitle.store import usage as store
from entitle.store.usage import UsageQuery

GOAL_RATIO = 1.5
GOAL_POSTGRES_MS = 1000.0

EPOCH_US = {
    "postgresql": "CAST(EXTRACT(EPOCH FROM {0}) * 1000000 AS BIGINT)",
    "sqlite": "(CAST(strftime('%s', {0}) AS INTEGER) * 1000000"
    " + CAST(substr({0}, 21, 6) AS INTEGER))",
}
LEAST = {"postgresql": "LEAST", "sqlite": "min"}
GREATEST = {"postgresql": "GREATEST", "sqlite": "max"}
RAW = """
WITH calendar(bucket, low, high) AS (VALUES {calendar}),
booked AS (
  SELECT a.application AS application,
         {greatest}(({created} + 599999999) / 600000000, {p}) AS start,
         {least}({expires} / 600000000, {checked_in} / 600000000, {p}) AS stop
  FROM checkouts c JOIN checkout_applications a ON a.checkout_id = c.id
  WHERE c.organisation_id = {p} AND c.created_at < {p} AND c.expires_at > {p}
    AND (c.checked_in_at IS NULL OR c.checked_in_at > {p})
)
SELECT m.bucket, b.application, SUM({least}(b.stop, m.high) - {greatest}(b.start, m.low))
FROM booked b JOIN calendar m ON m.low < b.stop AND m.high > b.start
WHERE b.stop > b.start
GROUP BY m.bucket, b.application
ORDER BY m.bucket, b.application
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
    months: list[tuple[str, int, int]] = []
    month = query.from_.replace(day=1)
    while month < query.to:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        months.append(
            (
                month.isoformat()[:7],
                first_whole_interval(midnight(month)),
                first_whole_interval(midnight(following)),
            )
        )
        month = following
    low = midnight(query.from_)
    high = min(midnight(query.to), now)
    epoch = EPOCH_US[backend]
    statement = RAW.format(
        calendar=", ".join(f"('{b}', {lo}, {hi})" for b, lo, hi in months),
        created=epoch.format("c.created_at"),
        expires=epoch.format("c.expires_at"),
        checked_in=epoch.format("COALESCE(c.checked_in_at, c.expires_at)"),
        least=LEAST[backend],
        greatest=GREATEST[backend],
        p=p,
    )
    stamp: Any = (
        (lambda moment: moment)
        if backend == "postgresql"
        else (lambda moment: moment.replace(tzinfo=None).isoformat(" ", "microseconds"))
    )
    params = [
        first_whole_interval(low),
        interval_after(high),
        query.organisation_id,
        stamp(high),
        stamp(low),
        stamp(low),
    ]
    return statement, params
