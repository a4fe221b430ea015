"""Baseline routes for the benchmarks, mounted only when ``ENTITLE_BENCH_ROUTES=1``.

``POST /bench/insert`` does one plain INSERT in its own transaction and nothing else: what a
create costs at the least on this server, database and connection pool.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, status

from entitle import settings
from entitle.api.deps import ServicesDep
from entitle.store import audit

router = APIRouter(tags=["benchmarks"], include_in_schema=False)


@router.post("/bench/insert", status_code=status.HTTP_201_CREATED)
def insert(services: ServicesDep) -> dict[str, bool]:
    with services.uow() as uow:
        audit.record(uow.conn, None, services.now(), "bench", "bench.insert")
        uow.commit()
    return {"inserted": True}


def include_bench_routes(app: FastAPI) -> None:
    if settings.current().bench_routes:
        app.include_router(router)
