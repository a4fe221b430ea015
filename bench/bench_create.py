"""Create throughput: checkouts created over HTTP by 32 concurrent clients on ``entitle serve``.

Each create checks every rule, signs the license file and stores both in one transaction. The
baseline is ``POST /bench/insert`` on the same server (one plain INSERT in a transaction,
mounted by ``ENTITLE_BENCH_ROUTES=1``), sent the same number of times by the same clients.
PostgreSQL runs as many workers as the machine has cores; SQLite, with its single writer, too.
"""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

from bench.databases import BenchDatabase, backends, shared
from bench.harness import Context, Figure
from bench.loadgen import post_all
from bench.server import RunningServer, serve
from entitle.domain.model import LicenseService
from entitle.service.demo import CATALOG

CLIENTS = 32
# Half the plain INSERT's rate, on both stores. (A rate of 1,000/s is no goal: on a two-core
# machine the plain INSERT itself peaks near that.)
GOAL_RATIO = 0.5


def run(ctx: Context) -> None:
    count = 96 if ctx.tiny else 2000 if ctx.quick else 4000
    workers = os.cpu_count() or 1
    for backend in backends(ctx):
        db = shared(ctx, backend)
        with serve(db, workers=workers) as server:
            bodies = _bodies(db, count, select_share=0.0)
            mixed = _bodies(db, count, select_share=0.3, seed=2)
            asyncio.run(_send(server, "/bench/insert", [{}] * (count // 4)))  # warm workers
            baseline = asyncio.run(_send(server, "/bench/insert", [{}] * count))
            ses = asyncio.run(_send(server, "/api/v1/checkouts", bodies))
            mix = asyncio.run(_send(server, "/api/v1/checkouts", mixed))
        where = f"{backend}, {workers} workers, {CLIENTS} clients"
        ctx.add(
            Figure(
                f"creates/s, .belic ({where})",
                ses,
                "one plain INSERT/s",
                baseline,
                "req/s",
                goal=f">= {GOAL_RATIO}x",
                met=ses >= GOAL_RATIO * baseline,
            )
        )
        ctx.add(
            Figure(
                f"creates/s, 70% .belic 30% .xml ({where})",
                mix,
                "one plain INSERT/s",
                baseline,
                "req/s",
                notes="RSA-3072 signing of .xml costs about 2.5 ms a file",
            )
        )


def _bodies(
    db: BenchDatabase, count: int, *, select_share: float, seed: int = 1
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    organisation = db.world.dominant
    bodies = []
    for n in range(count):
        service = LicenseService.SELECTSERVER if rng.random() < select_share else LicenseService.SES
        country = rng.choice(organisation.countries)
        names = [a for a, rows in CATALOG.items() if any(s is service for _, s in rows)]
        applications = [
            {"name": name, "version": next(v for v, s in CATALOG[name] if s is service)}
            for name in rng.sample(names, rng.choice((1, 1, 2, 3)))
        ]
        keys = db.world.activation_keys.get((organisation.id, country), ())
        bodies.append(
            {
                "country": country,
                "license_service": service.value,
                "user": rng.choice(organisation.user_emails),
                "machine": f"{country}-BENCH-{n:05d}",
                "activation_key": keys[0] if service is LicenseService.SELECTSERVER else None,
                "applications": applications,
            }
        )
    return bodies


async def _send(server: RunningServer, path: str, bodies: list[dict[str, Any]]) -> float:
    """Requests per second for ``bodies`` posted by ``CLIENTS`` concurrent keep-alive clients."""
    return await post_all(server.base_url, path, server.headers, bodies, clients=CLIENTS)
