"""Prometheus metrics at ``/metrics``: requests, checkouts, refused logins, the database pool.

One :class:`Metrics` per app, with its own registry. ``entitle serve --workers N`` runs N
processes; it points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before they start, each
worker writes its values there, and whichever worker answers ``/metrics`` adds them all up
(prometheus-client's multiprocess mode). Several ``entitle serve`` on one database each count
their own requests: scrape each.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.exposition import choose_encoder
from prometheus_client.gc_collector import GCCollector
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event
from sqlalchemy.pool import Pool
from starlette.concurrency import run_in_threadpool

from entitle.api import request_info
from entitle.domain.codes import Code
from entitle.domain.model import CheckInMethod, Checkout, CreatedVia, LicenseService

PATH = "/metrics"
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's own variable
# Most answers take a few milliseconds; a create signs a file (about 3 ms for RSA).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Who made a checkout or checked it in: the portal (its session cookie), an API token (a
# script, or the licensing tool signed in), or the workstation itself (the licensing tool's
# receipt, or its return of the user's own checkout). An expiry is no event: a checkout whose
# time is up is checked in by the clock, and nothing runs then that could count it.
CREATED_BY = ("portal", "api")
CHECKED_IN_BY = ("portal", "api", "client")
LOGIN_REFUSALS = (
    Code.LOGIN_FAILED,
    Code.TOO_MANY_LOGIN_ATTEMPTS,
    Code.PASSWORDS_NOT_ALLOWED,
    Code.SSO_LOGIN_FAILED,
)
# No *_created series beside each counter: Prometheus' text format has no use for them.
disable_created_metrics()  # type: ignore[no-untyped-call]
# Queue depth: entitle queues no events yet. When it does, their depth is a gauge here, read
# at scrape time like the pool's (entitle_event_queue_depth), and the README lists it.


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR))


class Metrics:
    """The app's series; the use cases report to it (it is their ``Services.observer``)."""

    def __init__(self, engine: Engine) -> None:
        self.multiprocess = multiprocess()
        self.registry = CollectorRegistry()
        registry = self.registry
        by_request = ("method", "route", "status")
        self.requests = Counter(
            "entitle_http_requests",
            "Requests answered, by method, route template and status.",
            by_request,
            registry=registry,
        )
        self.durations = Histogram(
            "entitle_http_request_duration_seconds",
            "Time to answer a request, by method, route template and status.",
            by_request,
            buckets=BUCKETS,
            registry=registry,
        )
        self._created = Counter(
            "entitle_checkouts_created",
            "Checkouts created, by license service, how (admin, request_file, self_service) "
            "and through what (portal, api).",
            ("license_service", "created_via", "method"),
            registry=registry,
        )
        self._checked_in = Counter(
            "entitle_checkouts_checked_in",
            "Checkouts checked in before their expiry, by license service and method "
            "(portal, api, client).",
            ("license_service", "method"),
            registry=registry,
        )
        self._login_refusals = Counter(
            "entitle_login_refusals",
            "Password logins refused, by reason (login_failed, too_many_login_attempts).",
            ("reason",),
            registry=registry,
        )
        for service in LicenseService:
            for via in CreatedVia:
                for method in CREATED_BY:
                    self._created.labels(service.value, via.value, method)
            for method in CHECKED_IN_BY:
                self._checked_in.labels(service.value, method)
        for code in LOGIN_REFUSALS:
            self._login_refusals.labels(code.name.lower())
        self._by_request: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        if self.multiprocess:
            _count_pool_in_files(engine.pool, registry)
        else:
            registry.register(PoolCollector(engine.pool))
            # What the process uses (CPU, memory, open files) and its garbage collector;
            # prometheus-client cannot add these up across worker processes.
            ProcessCollector(registry=registry)
            PlatformCollector(registry=registry)
            GCCollector(registry=registry)

    def request_answered(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method if method in METHODS else "OTHER", route, status)
        children = self._by_request.get(key)
        if children is None:
            labels = (key[0], route, str(status))
            children = (self.requests.labels(*labels), self.durations.labels(*labels))
            self._by_request[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def checkout_created(self, checkout: Checkout) -> None:
        service, via = checkout.license_service.value, checkout.created_via.value
        self._created.labels(service, via, _caller()).inc()

    def checked_in(self, checkout: Checkout, method: CheckInMethod) -> None:
        by = "client" if method is CheckInMethod.CLIENT else _caller()
        self._checked_in.labels(checkout.license_service.value, by).inc()

    def login_refused(self, reason: Code) -> None:
        self._login_refusals.labels(reason.name.lower()).inc()

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The text a scrape reads, in the format its ``Accept`` asks for, and its type."""
        registry = self.registry
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        encode, content_type = choose_encoder(accept)
        return encode(registry), content_type

    def close(self) -> None:
        """This worker stops: its pool no longer counts (its counts are kept)."""
        if self.multiprocess:
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def _caller() -> str:
    info = request_info.current()
    return "portal" if info is not None and info.via == "session" else "api"


class PoolCollector(Collector):
    """The database pool as it is when scraped."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def collect(self) -> Iterator[Metric]:
        in_use = getattr(self.pool, "checkedout", None)
        size = getattr(self.pool, "size", None)
        if in_use is not None:
            yield GaugeMetricFamily(
                "entitle_database_connections_in_use",
                "Database connections this process has checked out of its pool now.",
                value=in_use(),
            )
        if size is not None:
            yield GaugeMetricFamily(
                "entitle_database_pool_size",
                "Database connections this process keeps open in its pool.",
                value=size(),
            )


def _count_pool_in_files(pool: Pool, registry: CollectorRegistry) -> None:
    """Worker processes cannot be asked at scrape time: each counts its connections in and
    out of the pool, and the scrape adds up the workers alive."""
    in_use = Gauge(
        "entitle_database_connections_in_use",
        "Database connections the worker processes have checked out of their pools now.",
        multiprocess_mode="livesum",
        registry=registry,
    )
    size = Gauge(
        "entitle_database_pool_size",
        "Database connections the worker processes keep open in their pools.",
        multiprocess_mode="livesum",
        registry=registry,
    )
    size_of = getattr(pool, "size", None)
    if size_of is not None:
        size.set(size_of())
    event.listen(pool, "checkout", lambda *_: in_use.inc())
    event.listen(pool, "checkin", lambda *_: in_use.dec())


def include_metrics_route(app: FastAPI, metrics: Metrics) -> None:
    """``GET /metrics``: no login (keep it from the internet at the proxy), not in the API's
    document."""
    router = APIRouter(include_in_schema=False)

    @router.get(PATH)
    async def read_metrics(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        if metrics.multiprocess:  # reads every worker's files
            body, content_type = await run_in_threadpool(metrics.exposition, accept)
        else:
            body, content_type = metrics.exposition(accept)
        return Response(body, headers={"Content-Type": content_type})

    app.include_router(router)
