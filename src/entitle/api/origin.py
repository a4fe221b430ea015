"""Refuse unsafe requests that a browser sent from another site.

Browsers send ``Origin`` with every cross-site POST. A form on another site can post to
``/login`` (no session exists yet, so there is no CSRF token to check) and log the victim
into the attacker's account; the CSRF token guards requests made with a session. This check
covers both: an unsafe request whose ``Origin`` names another host than the request's own
``Host`` is a 403 problem. Requests without ``Origin`` (scripts, the licensing tool, API
clients with tokens) are not affected. Behind a reverse proxy, pass the original ``Host``
(nginx: ``proxy_set_header Host $http_host``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from entitle.api.problems import problem_response
from entitle.domain.codes import Code

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SameOrigin:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            headers = dict(scope["headers"])
            origin = headers.get(b"origin")
            if origin is not None and not _same_host(origin, headers.get(b"host", b"")):
                response = problem_response(
                    Code.CROSS_SITE_REQUEST,
                    "This request came from another site; use the portal's own pages.",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _same_host(origin: bytes, host: bytes) -> bool:
    netloc = urlsplit(origin.decode("latin-1")).netloc.lower()
    return bool(netloc) and netloc == host.decode("latin-1").lower()
