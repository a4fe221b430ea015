"""Each request: its id (``X-Request-ID``), one log line, and its count and time in the metrics.

:class:`RequestObserver` wraps the whole app, the handler of unhandled errors included, so
every answer carries ``X-Request-ID``: pages, the API, static files, refusals, 404s and 500s.
The id is the client's when it sent a sane one (1 to 128 of ``A-Z a-z 0-9 . _ -``), else a
new one. Routes are named by their template (``/api/v1/checkouts/{checkout_id}``), never
by the path asked for, and any path no route serves is ``unmatched``: a scanner's guesses
add no series to the metrics. The log line holds no header, cookie or query string.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import FastAPI, routing
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entitle.api import request_info
from entitle.api.metrics import Metrics
from entitle.api.request_info import RequestInfo

UNMATCHED = "unmatched"
_HEADER = request_info.HEADER.lower().encode()
log = logging.getLogger("entitle.request")


class RequestObserver:
    def __init__(
        self, app: ASGIApp, routes: FastAPI, metrics: Metrics | None, access_log: bool
    ) -> None:
        self.app = app
        self.routes = routes
        self.metrics = metrics
        self.access_log = access_log
        self._templates: dict[int, str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        sent_id = next((v for k, v in scope["headers"] if k == _HEADER), None)
        info = RequestInfo(request_info.request_id_for(sent_id))
        header = (_HEADER, info.request_id.encode())
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        token = request_info.begin(info)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = self._template(scope)
            if self.metrics is not None:
                self.metrics.request_answered(scope["method"], route, status, seconds)
            if self.access_log:
                _log_request(scope["method"], route, status, seconds, info)
            request_info.end(token)

    def _template(self, scope: Scope) -> str:
        if self._templates is None:
            self._templates = route_templates(self.routes)
        for key in ("route", "endpoint"):
            template = self._templates.get(id(scope.get(key)))
            if template is not None:
                return template
        return UNMATCHED


def _log_request(method: str, route: str, status: int, seconds: float, info: RequestInfo) -> None:
    fields: dict[str, Any] = {
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
    }
    if info.organisation_id is not None:
        fields["organisation_id"] = info.organisation_id
        fields["user_id"] = info.user_id
    log.info("request", extra=fields)


def route_templates(app: FastAPI) -> dict[int, str]:
    """The id of each route (and of its endpoint) of ``app`` to its path template as mounted,
    prefix included; a mount's template ends in ``/{path}``."""
    # FastAPI 0.16x mounts included routers as they are and walks them with
    # iter_route_contexts; before, include_router copied each route into app.routes.
    walk = getattr(routing, "iter_route_contexts", None)
    routes: Any = walk(app.routes) if walk else app.routes
    found: dict[int, str] = {}
    for route in routes:
        original = getattr(route, "original_route", route)
        template = getattr(route, "path_format", None)
        if not isinstance(template, str):
            continue
        found[id(original)] = template
        endpoint = getattr(original, "endpoint", None) or getattr(original, "app", None)
        if endpoint is not None:
            found.setdefault(id(endpoint), template)
    return found
