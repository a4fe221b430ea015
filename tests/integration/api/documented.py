"""Every problem the app answers in a test is one its OpenAPI document lists for the operation.

:func:`documented` hooks a test client: each problem+json answer is looked up in
``/openapi.json`` by the operation that answered it (its method and path template), and a
status or code the document does not list for that operation fails the test that made the
request. The tests of the API, the security tests and the conformance runs all pass through it,
so a route that can answer a code it does not declare is found where it first does.

The OAuth endpoints answer their own errors as RFC 6749 JSON (``{"error": ...}`` with 400):
each ``error`` must be one the document lists for the operation, the same way.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from entitle.api.openapi import codes_of, oauth_errors_of
from entitle.api.problems import PROBLEM_TYPE
from entitle.domain.codes import Code

# What a path no operation serves answers (a wrong path or method, the middleware's refusals,
# the portal's forms): the app's own, not any operation's.
OUTSIDE_OPERATIONS = {
    Code.CSRF_TOKEN_MISSING,
    Code.NOT_FOUND,
    Code.METHOD_NOT_ALLOWED,
    Code.BODY_TOO_LARGE,
    Code.CROSS_SITE_REQUEST,
}


def documented(client: TestClient) -> TestClient:
    """``client``, failing any request answered with a problem its operation does not list."""
    app = client.app
    assert isinstance(app, FastAPI)
    client.event_hooks["response"] = [*client.event_hooks["response"], _checker(app.openapi())]
    return client


def documented_server(client: httpx.Client) -> httpx.Client:
    """The same for a client of a running server (``base_url``), by its ``/openapi.json``."""
    schema = httpx.get(str(client.base_url.join("/openapi.json"))).raise_for_status().json()
    client.event_hooks["response"] = [*client.event_hooks["response"], _checker(schema)]
    return client


def _checker(schema: dict[str, Any]) -> Any:
    templates = _templates(tuple(schema["paths"]))

    def check(response: httpx.Response) -> None:
        if response.headers.get("content-type", "").startswith("application/json"):
            check_oauth_error(response)
        if not response.headers.get("content-type", "").startswith(PROBLEM_TYPE):
            return
        response.read()
        code = response.json()["code"]
        method = response.request.method
        operation = _operation(schema, templates, method, response.request.url.path)
        if operation is None:
            assert Code[code] in OUTSIDE_OPERATIONS, (method, response.request.url.path, code)
            return
        listed = codes_of(schema, operation, method)
        assert code in listed.get(response.status_code, []), (
            f"{method} {operation} answered {response.status_code} {code}, "
            f"which its OpenAPI operation does not list: {listed}"
        )

    def check_oauth_error(response: httpx.Response) -> None:
        if response.status_code != 400:
            return
        method = response.request.method
        operation = _operation(schema, templates, method, response.request.url.path)
        listed = oauth_errors_of(schema, operation, method) if operation else []
        if not listed:
            return
        response.read()
        error = response.json()["error"]
        assert error in listed, (
            f"{method} {operation} answered the OAuth error {error}, "
            f"which its OpenAPI operation does not list: {listed}"
        )

    return check


@cache
def _templates(paths: tuple[str, ...]) -> list[tuple[re.Pattern[str], str]]:
    # Fixed segments before parameters, as the router matches them.
    ordered = sorted(paths, key=lambda p: p.count("{"))
    return [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p) for p in ordered]


def _operation(
    schema: dict[str, Any], templates: list[tuple[re.Pattern[str], str]], method: str, path: str
) -> str | None:
    for pattern, template in templates:
        if pattern.match(path) and method.lower() in schema["paths"][template]:
            return template
    return None
