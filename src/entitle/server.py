"""The application: the API under /api/v1, the public keys, health, and the portal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from anyio import to_thread
from fastapi import FastAPI
from starlette.types import ASGIApp

from entitle import __version__, settings
from entitle.api import (
    activation_keys,
    audit,
    catalog,
    catalog_admin,
    check_in,
    checkout_import,
    checkouts,
    docs,
    files,
    identity_provider,
    me,
    notifications,
    oauth,
    policy,
    session,
    usage,
    users,
    webhooks,
    well_known,
)
from entitle.api.bench import include_bench_routes
from entitle.api.logs import configure as configure_logs
from entitle.api.metrics import Metrics, include_metrics_route
from entitle.api.middleware import BodyLimit, SecurityHeaders
from entitle.api.observe import RequestObserver
from entitle.api.openapi import document
from entitle.api.origin import SameOrigin
from entitle.api.outages import OutagePage, outage_log
from entitle.api.outages import install as install_outages
from entitle.api.problems import install
from entitle.domain.checkout_import import MAX_BYTES, TOO_LARGE
from entitle.service.context import Services
from entitle.service.worker import from_settings

API_PREFIX = "/api/v1"
# Sync routes and the authentication lookups run on this many threads per process: as many
# as the engine keeps pooled connections (store.database), so a request in flight never
# opens a connection of its own, and fewer threads contend for the GIL.
THREADS = 20


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    to_thread.current_default_thread_limiter().total_tokens = THREADS
    worker = app.state.worker
    if worker is not None:
        worker.start()
    yield
    if worker is not None:
        await to_thread.run_sync(worker.stop)
    outage_log(app).close()
    if app.state.metrics is not None:
        app.state.metrics.close()


class Application(FastAPI):
    """FastAPI, with ``outermost`` wrapped around Starlette's own error middleware too, so
    that the 500 answer to an unhandled error carries its request id like any other."""

    outermost: Callable[[ASGIApp], ASGIApp] | None = None

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return self.outermost(stack) if self.outermost is not None else stack


def create_app(services: Services | None = None, *, worker: bool = False) -> FastAPI:
    """One app per process; ``services`` (keys loaded, engine pooled) is shared by requests.
    ``worker``: the process also runs the events worker (entitle.service.worker) while it
    serves."""
    if services is None:
        from entitle.service.bootstrap import open_services

        services = open_services()
    configured = settings.current()
    app = Application(
        title="entitle",
        version=__version__,
        description="Offline license checkouts: signed license files for disconnected "
        "workstations. Errors are application/problem+json (RFC 9457) with a stable `code`; "
        "each operation lists the codes it can answer. The OAuth endpoints of `entitle-tool "
        "login` (/oauth) answer RFC 6749 error JSON instead, as OAuth clients expect.",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.services = services
    app.state.worker = from_settings(services) if worker else None
    app.state.session_signer = None
    app.state.metrics = Metrics(services.engine) if configured.metrics else None
    if app.state.metrics is not None:
        services.observer = app.state.metrics
    install(app)
    for router in (
        checkout_import.router,
        checkouts.router,
        files.router,
        check_in.router,
        catalog.router,
        catalog_admin.router,
        policy.router,
        me.router,
        audit.router,
        session.router,
        usage.router,
        users.router,
        activation_keys.router,
        identity_provider.router,
        webhooks.router,
        notifications.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(oauth.router)
    app.include_router(well_known.router)
    app.include_router(docs.router)
    include_bench_routes(app)
    if app.state.metrics is not None:
        include_metrics_route(app, app.state.metrics)
    install_outages(app, page=_include_portal(app))
    app.add_middleware(SameOrigin)
    app.add_middleware(
        BodyLimit, larger={f"{API_PREFIX}{checkout_import.IMPORT_PATH}": (MAX_BYTES, TOO_LARGE)}
    )
    app.add_middleware(SecurityHeaders)
    app.outermost = partial(
        RequestObserver, routes=app, metrics=app.state.metrics, access_log=configured.access_log
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _include_portal(app: FastAPI) -> OutagePage | None:
    """The portal's pages and /static, when the portal is installed; its outage page."""
    try:
        from entitle.web import not_found
        from entitle.web.pages import unavailable_page
        from entitle.web.routes import router as web_router
    except ImportError:
        return None
    app.include_router(web_router)
    not_found.install(app)
    return unavailable_page


def app_from_environment() -> FastAPI:
    """The factory ``entitle serve`` gives uvicorn, so every worker builds its own app (and
    sets up its own log)."""
    configure_logs(settings.current())
    return create_app(worker=settings.current().worker)
