"""The checkout history on a loaded database: list latency, bulk zip and bulk check-in.

List: ``GET /api/v1/checkouts`` with two filters (country, license service), a two-column sort
(``user,-expires_at``), a page of 50 and the total count, against the very statements the store
sends for it, replayed on the driver's own cursor (no API, no SQLAlchemy). The two are timed in
alternation, one request then one replay, from a client that costs next to nothing: a request
is timed to the last byte of its answer, and the client reads the JSON after the clock stops,
as the replay's rows are the driver's fetch.

Bulk: ``POST /api/v1/checkouts/license-files`` with 1,000 ids against one ``SELECT`` of those
files; ``POST /api/v1/checkouts/check-in`` with 1,000 active ids against one ``UPDATE`` of 1,000
other active checkouts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, event, func, select

from bench.databases import BenchDatabase, backends, shared
from bench.harness import Context, Figure, percentiles
from bench.loadgen import KeepAliveClient
from bench.server import RunningServer, serve
from entitle.store import checkouts as store
from entitle.store import driver
from entitle.store.database import read_only_options
from entitle.store.tables import checkouts, outbox_events

PAGE_SIZE = 50
SORT = "user,-expires_at"
BULK = 1000
LIST_GOAL_MS = 50.0
# p95 against its SQL: 1.5 x from 1,000,000 checkouts, 2 x below (a smaller page's SQL is
# quicker, so the same overhead weighs more).
LIST_GOAL_RATIO = 1.5
LIST_GOAL_RATIO_SMALL = 2.0
LARGE = 1_000_000


def list_goal_ratio(total: int) -> float:
    return LIST_GOAL_RATIO if total >= LARGE else LIST_GOAL_RATIO_SMALL


def run(ctx: Context) -> None:
    samples = 10 if ctx.tiny else 100 if ctx.quick else 200
    for backend in backends(ctx):
        db = shared(ctx, backend)
        with serve(db, workers=1) as server:
            _list_latency(ctx, db, server, samples)
            _bulk_zip(ctx, db, server)
            _bulk_check_in(ctx, db, server)


def _variants(samples: int) -> list[dict[str, Any]]:
    countries, services = ("US", "GB", "DE"), ("SES", "SELECTserver")
    return [
        {
            "country": countries[n % 3],
            "license_service": services[n // 3 % 2],
            "sort": SORT,
            "page": 1 + n // 6 % 5,
            "page_size": PAGE_SIZE,
        }
        for n in range(samples)
    ]


def _list_latency(ctx: Context, db: BenchDatabase, server: RunningServer, samples: int) -> None:
    """Each sample times the API request and the raw statements back to back, alternating.

    Interleaving keeps a change of load on the shared machine from landing on one side only.
    """
    variants = _variants(samples)
    captured = _captured_statements(db.engine, db.world.dominant.id, variants)
    api_times: list[float] = []
    raw_times: list[float] = []
    with (
        db.engine.connect() as conn,
        KeepAliveClient(server.base_url, server.headers) as client,
    ):
        raw = conn.connection.driver_connection
        assert raw is not None
        _settle(db)
        for params, statements in list(zip(variants, captured, strict=True))[:5]:  # warm up
            _api_get(client, params)
            _replay(raw, statements)
        for n, (params, statements) in enumerate(zip(variants, captured, strict=True)):
            for side in (0, 1) if n % 2 else (1, 0):
                start = time.perf_counter()
                if side:
                    # Timed to the answer's last byte; reading its JSON is the client's work.
                    body = _api_answer(client, params)
                    api_times.append(time.perf_counter() - start)
                    _check_page(body)
                else:
                    _replay(raw, statements)
                    raw_times.append(time.perf_counter() - start)
        conn.rollback()
    api50, api95 = (1000 * t for t in percentiles(api_times))
    raw50, raw95 = (1000 * t for t in percentiles(raw_times))
    rows = f"{db.world.total:,} checkouts"
    goal_ratio = list_goal_ratio(db.world.total)
    ctx.add(
        Figure(
            f"list p50, API ({db.backend}, {rows})",
            api50,
            "same SQL, driver cursor, p50",
            raw50,
            "ms",
        )
    )
    ctx.add(
        Figure(
            f"list p95, API ({db.backend}, {rows})",
            api95,
            "same SQL, driver cursor, p95",
            raw95,
            "ms",
            goal=f"< {LIST_GOAL_MS:.0f} ms, <= {goal_ratio}x",
            met=api95 < LIST_GOAL_MS and api95 <= goal_ratio * raw95,
        )
    )


def _settle(db: BenchDatabase, most: float = 60.0) -> None:
    """Wait for the server's first pass over a freshly loaded database to end: its events
    worker's first look for checkouts expiring or expired writes hundreds of events at once
    (a server that runs on writes them a few at a time as they fall due). Ended when the
    events written stay the same for two seconds."""
    deadline = time.monotonic() + most
    last = -1
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(outbox_events)).scalar_one()
        if count == last:
            return
        last = count
        time.sleep(2.0)


def _api_get(client: KeepAliveClient, params: dict[str, Any]) -> None:
    _check_page(_api_answer(client, params))


def _api_answer(client: KeepAliveClient, params: dict[str, Any]) -> bytes:
    status, body = client.get("/api/v1/checkouts", params)
    if status != 200:
        raise RuntimeError(f"GET /api/v1/checkouts answered {status}: {body[:500]!r}")
    return body


def _check_page(body: bytes) -> None:
    if len(json.loads(body)["items"]) > PAGE_SIZE:
        raise RuntimeError("the page holds more checkouts than page_size")


def _captured_statements(
    engine: Engine, organisation: int, variants: Sequence[dict[str, Any]]
) -> list[list[tuple[str, Any]]]:
    """The statements ``store.search`` sends for each variant, with their parameters."""
    now = datetime.now(UTC)
    captured: list[list[tuple[str, Any]]] = []
    with engine.connect() as conn:
        # As the list reads: beside a writer (on SQLite the server's events worker may hold
        # the write lock for a while on a large database), not behind it.
        conn.execution_options(**read_only_options(engine))
        for params in variants:
            statements: list[tuple[str, Any]] = []
            query = store.CheckoutQuery(
                organisation_id=organisation,
                country=params["country"],
                license_service=params["license_service"],
                sort=(("user", False), ("expires_at", True)),
                page=params["page"],
                page_size=PAGE_SIZE,
            )
            with _capturing(conn, statements):
                store.search(conn, query, now)
            if len(statements) not in (2, 3):  # the count, the page, its lines (if any)
                raise RuntimeError(f"the list sent {len(statements)} statements, not 3")
            captured.append(statements)
        conn.rollback()
    return captured


class _capturing:
    """Records every statement sent: through SQLAlchemy, and on the driver's cursor
    (``entitle.store.driver``, where the list's statements go)."""

    def __init__(self, conn: Connection, into: list[tuple[str, Any]]) -> None:
        self.conn, self.into = conn, into
        self._sent = driver.run

    def _record(self, *args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, _many = args
        if not statement.lstrip().upper().startswith("BEGIN"):
            self.into.append((statement, parameters))

    def _run(self, conn: Connection, sql: str, params: Any, **options: Any) -> Any:
        self.into.append((sql, params))
        return self._sent(conn, sql, params, **options)

    def __enter__(self) -> None:
        event.listen(self.conn, "before_cursor_execute", self._record)
        driver.run = self._run  # type: ignore[assignment]

    def __exit__(self, *_: object) -> None:
        event.remove(self.conn, "before_cursor_execute", self._record)
        driver.run = self._sent  # type: ignore[assignment]


def _replay(raw: Any, statements: Sequence[tuple[str, Any]]) -> None:
    cursor = raw.cursor()
    try:
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
    finally:
        cursor.close()


def _active_ids(db: BenchDatabase, count: int, *, skip: int = 0, others: bool = False) -> list[str]:
    """Active checkouts of the dominant organisation, or of every other one."""
    now = datetime.now(UTC)
    organisation = checkouts.c.organisation_id == db.world.dominant.id
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(checkouts.c.id)
            .where(
                (~organisation if others else organisation)
                & checkouts.c.checked_in_at.is_(None)
                & (checkouts.c.expires_at > now)
            )
            .order_by(checkouts.c.id)
            .offset(skip)
            .limit(count)
        ).all()
    return [row.id for row in rows]


def _any_ids(db: BenchDatabase, count: int) -> list[str]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(checkouts.c.id)
            .where(checkouts.c.organisation_id == db.world.dominant.id)
            .order_by(checkouts.c.created_at.desc())
            .limit(count)
        ).all()
    return [row.id for row in rows]


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _bulk_zip(ctx: Context, db: BenchDatabase, server: RunningServer) -> None:
    ids = _any_ids(db, BULK)

    def raw() -> None:
        with db.engine.connect() as conn:
            rows = conn.execute(
                select(checkouts.c.id, checkouts.c.license_file).where(
                    (checkouts.c.organisation_id == db.world.dominant.id) & checkouts.c.id.in_(ids)
                )
            ).all()
            assert len(rows) == len(ids)

    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=120) as client:

        def api() -> None:
            response = client.post("/api/v1/checkouts/license-files", json={"ids": ids})
            response.raise_for_status()
            assert response.content[:2] == b"PK"

        api()  # warm
        raw()
        value = min(_timed(api) for _ in range(3))
    baseline = min(_timed(raw) for _ in range(3))
    ctx.add(
        Figure(
            f"zip of {len(ids):,} license files, API ({db.backend})",
            value,
            "SELECT of those files",
            baseline,
            "s",
            goal="< 1 s",
            met=value < 1.0,
        )
    )


def _bulk_check_in(ctx: Context, db: BenchDatabase, server: RunningServer) -> None:
    """Up to 1,000 of the dominant organisation's active checkouts; the baseline's as many
    are its next ones, or other organisations' when it has too few."""
    ids = _active_ids(db, BULK)
    others = _active_ids(db, len(ids), skip=len(ids))
    if len(others) < len(ids):
        others = _active_ids(db, len(ids), others=True)
    if len(others) < len(ids):  # a small database: half each
        ids = ids[: len(ids) // 2]
        others = _active_ids(db, len(ids), skip=len(ids))
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=120) as client:
        start = time.perf_counter()
        response = client.post("/api/v1/checkouts/check-in", json={"ids": ids})
        value = time.perf_counter() - start
        response.raise_for_status()
        results = response.json()["items"]
        refused = [r for r in results if r.get("error")]
        assert not refused, refused[:3]
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        start = time.perf_counter()
        conn.execute(
            checkouts.update()
            .where(checkouts.c.id.in_(others) & checkouts.c.checked_in_at.is_(None))
            .values(
                checked_in_at=now,
                checked_in_by=db.world.dominant.admin_email,
                check_in_method="portal",
            )
        )
        baseline = time.perf_counter() - start
    ctx.add(
        Figure(
            f"check-in of {len(ids):,} checkouts, API ({db.backend})",
            value,
            "one UPDATE of as many",
            baseline,
            "s",
            goal="< 1 s",
            met=value < 1.0,
        )
    )
