"""A mistyped portal address: a page for people, problem+json for programs and the API."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response, status
from starlette.exceptions import HTTPException

from entitle.api.problems import http_problem
from entitle.web.templating import templates

# Addresses that programs call: they keep problem+json whatever they accept.
MACHINE_PREFIXES = ("/api/", "/oauth/", "/.well-known/", "/static/")


def wants_page(request: Request) -> bool:
    path = request.url.path
    if path == "/api" or path.startswith(MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


async def not_found(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if not wants_page(request):
        return http_problem(error)
    return templates.TemplateResponse(
        request,
        "not_found.html",
        {"path": request.url.path},
        status_code=status.HTTP_404_NOT_FOUND,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(status.HTTP_404_NOT_FOUND, not_found)
