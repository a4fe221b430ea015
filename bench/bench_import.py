"""Checkout import: a CSV file of 10,000 rows validated and created by
``POST /api/v1/checkouts/import`` (one request, one transaction), beside the same 10,000
checkouts made one by one by ``POST /api/v1/checkouts`` from 32 concurrent clients, and beside a
plain bulk INSERT of as many checkout rows on the driver (one ``executemany`` in one
transaction: no rule, no signing, no audit; the floor).

All on the same ``entitle serve`` and database, in the same minutes; each figure is seconds for
the whole batch. The goal is on PostgreSQL: under 10 s, and at least 5 times faster than the
single creates.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.databases import BenchDatabase, backends, shared
from bench.harness import Context, Figure
from bench.loadgen import post_all
from bench.server import serve
from entitle.domain.names import machine_key
from entitle.store.tables import checkouts

CLIENTS = 32
GOAL_S = 10.0
GOAL_SPEEDUP = 5.0
APPLICATIONS = ("Atlas Designer 10.17.2.61", "Bridgeworks 24.0.1.5", "Civil Suite 2024.1.0.3")


def rows(ctx: Context) -> int:
    return 60 if ctx.tiny else 2_000 if ctx.quick else 10_000


def run(ctx: Context) -> None:
    count = rows(ctx)
    workers = os.cpu_count() or 1
    for backend in backends(ctx):
        db = shared(ctx, backend)
        with serve(db, workers=workers) as server:
            file = _file(db, count, "IMP")
            with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=600) as c:
                start = time.perf_counter()
                answer = c.post(
                    "/api/v1/checkouts/import",
                    content=file,
                    headers={"Content-Type": "text/csv", "Idempotency-Key": str(uuid.uuid4())},
                )
                imported = time.perf_counter() - start
            assert answer.status_code == 201, answer.text[:500]
            assert answer.json()["created"] == count
            bodies = _bodies(db, count, "ONE")
            rate = asyncio.run(
                post_all(
                    server.base_url, "/api/v1/checkouts", server.headers, bodies, clients=CLIENTS
                )
            )
        singles = count / rate
        inserted = _bulk_insert(db, count)
        goal = backend == "postgresql" and not ctx.tiny
        ctx.add(
            Figure(
                f"import of {count:,} rows, validated and created ({backend}, one request)",
                imported,
                f"{count:,} single creates, {CLIENTS} clients",
                singles,
                "s",
                goal=f"< {GOAL_S:.0f} s and <= {1 / GOAL_SPEEDUP:.1f}x" if goal else "",
                met=(imported < GOAL_S and imported * GOAL_SPEEDUP <= singles) if goal else None,
            )
        )
        ctx.add(
            Figure(
                f"import of {count:,} rows ({backend}) beside a plain bulk INSERT",
                imported,
                f"bulk INSERT of {count:,} checkout rows",
                inserted,
                "s",
                notes="the floor: no rules, no signing, no bookings, no audit",
            )
        )


def _people(db: BenchDatabase) -> tuple[str, ...]:
    return db.world.dominant.user_emails


def _file(db: BenchDatabase, count: int, prefix: str) -> bytes:
    organisation = db.world.dominant
    people = _people(db)
    lines = ["user,machine,country,license_service,applications,expires_on,activation_key,notes"]
    for n in range(count):
        country = organisation.countries[n % len(organisation.countries)]
        lines.append(
            f"{people[n % len(people)]},{country}-{prefix}-{n:05d},{country},SES,"
            f"{APPLICATIONS[n % len(APPLICATIONS)]},,,Bench site {n // 100}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def _bodies(db: BenchDatabase, count: int, prefix: str) -> list[dict[str, Any]]:
    organisation = db.world.dominant
    people = _people(db)
    bodies = []
    for n in range(count):
        country = organisation.countries[n % len(organisation.countries)]
        name, version = APPLICATIONS[n % len(APPLICATIONS)].rsplit(" ", 1)
        bodies.append(
            {
                "country": country,
                "license_service": "SES",
                "user": people[n % len(people)],
                "machine": f"{country}-{prefix}-{n:05d}",
                "applications": [{"name": name, "version": version}],
            }
        )
    return bodies


def _bulk_insert(db: BenchDatabase, count: int) -> float:
    """Seconds for one executemany INSERT of ``count`` checkout rows in one transaction."""
    organisation = db.world.dominant
    now = datetime.now(UTC).replace(microsecond=0)
    people = _people(db)
    values = [
        {
            "id": str(uuid.uuid4()),
            "organisation_id": organisation.id,
            "country": organisation.countries[0],
            "license_service": "SES",
            "user_email": people[n % len(people)],
            "machine": f"BULK-{n:05d}",
            "machine_key": machine_key(f"BULK-{n:05d}"),
            "applications_summary": APPLICATIONS[n % len(APPLICATIONS)],
            "created_at": now,
            "created_by": organisation.admin_email,
            "expires_at": now + timedelta(days=30),
            "license_file": b"x" * 1200,
            "license_digest": "0" * 64,
            "created_via": "admin",
        }
        for n in range(count)
    ]
    start = time.perf_counter()
    with db.engine.begin() as conn:
        conn.execute(checkouts.insert(), values)
    return time.perf_counter() - start
