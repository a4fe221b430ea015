"""The history's CSV export: ``GET /api/v1/checkouts/export.csv`` of 100,000 checkouts with a
filter (created from a day on, chosen so that 100,000 match) and a two-column sort
(``user,-expires_at``), streamed to the client and counted, against the very statement the
store sends for it, run on the driver's own cursor and written to a file with the csv module.
Best of three for each, alternating.
"""

from __future__ import annotations

import csv
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bench.bench_checkouts import _capturing
from bench.databases import BenchDatabase, backends, shared
from bench.harness import Context, Figure
from bench.server import RunningServer, serve
from entitle.store import checkouts as store
from entitle.store.tables import checkouts

ROWS = 100_000
SORT = "user,-expires_at"
GOAL_S = 5.0


def run(ctx: Context) -> None:
    for backend in backends(ctx):
        db = shared(ctx, backend)
        with serve(db, workers=1) as server:
            measure(ctx, db, server, ROWS)


def measure(ctx: Context, db: BenchDatabase, server: RunningServer, rows: int) -> None:
    """The export of ``rows`` of the dominant organisation's checkouts (all, when fewer)."""
    created_from, matching = _window(db, rows)
    params = {"status": "all", "created_from": created_from.isoformat(), "sort": SORT}
    statement = _statement(db, created_from)
    with (
        httpx.Client(base_url=server.base_url, headers=server.headers, timeout=300) as client,
        tempfile.TemporaryDirectory() as temp,
    ):
        target = Path(temp) / "raw.csv"
        api_times, raw_times = [], []
        for _ in range(3):
            api_times.append(_timed_api(client, params, matching))
            raw_times.append(_timed_raw(db, statement, target, matching))
    value, baseline = min(api_times), min(raw_times)
    ctx.add(
        Figure(
            f"history CSV of {matching:,} checkouts, API ({db.backend})",
            value,
            "same SELECT to a file",
            baseline,
            "s",
            goal=f"< {GOAL_S:.0f} s",
            met=value < GOAL_S,
        )
    )


def _window(db: BenchDatabase, rows: int) -> tuple[datetime, int]:
    """The creation moment from which ``rows`` of the dominant organisation's checkouts on."""
    organisation = db.world.dominant.id
    with db.engine.connect() as conn:
        total = conn.execute(
            select(func.count()).where(checkouts.c.organisation_id == organisation)
        ).scalar_one()
        skip = max(0, min(rows, total) - 1)
        moment = conn.execute(
            select(checkouts.c.created_at)
            .where(checkouts.c.organisation_id == organisation)
            .order_by(checkouts.c.created_at.desc())
            .offset(skip)
            .limit(1)
        ).scalar_one()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        matching = conn.execute(
            select(func.count()).where(
                (checkouts.c.organisation_id == organisation) & (checkouts.c.created_at >= moment)
            )
        ).scalar_one()
    return moment, int(matching)


def _statement(db: BenchDatabase, created_from: datetime) -> tuple[str, Any]:
    """The SELECT ``store.export_rows`` sends for the same query, with its parameters."""
    query = store.CheckoutQuery(
        organisation_id=db.world.dominant.id,
        created_from=created_from,
        sort=(("user", False), ("expires_at", True)),
    )
    captured: list[tuple[str, Any]] = []
    with db.engine.connect() as conn:
        with _capturing(conn, captured):
            for _ in store.export_rows(conn, query, datetime.now(UTC)):
                break
        conn.rollback()
    # The SELECT itself; on PostgreSQL a SET of the planner's cursor setting comes first.
    [statement] = [c for c in captured if c[0].lstrip().upper().startswith("SELECT")]
    return statement


def _timed_api(client: httpx.Client, params: dict[str, str], matching: int) -> float:
    start = time.perf_counter()
    lines = 0
    with client.stream("GET", "/api/v1/checkouts/export.csv", params=params) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - start
    assert lines == matching + 1, (lines, matching)
    return elapsed


def _timed_raw(db: BenchDatabase, statement: tuple[str, Any], target: Path, matching: int) -> float:
    sql, parameters = statement
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        start = time.perf_counter()
        cursor = raw.cursor()
        try:
            cursor.execute(sql, parameters)
            with target.open("w", newline="") as out:
                writer = csv.writer(out)
                written = 0
                while batch := cursor.fetchmany(2000):
                    writer.writerows(batch)
                    written += len(batch)
        finally:
            cursor.close()
        elapsed = time.perf_counter() - start
        conn.rollback()
    assert written == matching, (written, matching)
    return elapsed
