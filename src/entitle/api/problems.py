"""Every error as problem+json (RFC 9457), naming the field and what to fix."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from entitle.api.request_info import current_request_id
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("entitle.api")


class FieldError(BaseModel):
    field: str | None = Field(description="The field, as `applications[0].version`")
    code: str = Field(description="What is wrong with it: a stable code")
    message: str = Field(description="What to fix, for people")


class Problem(BaseModel):
    """An error answer (RFC 9457). Each operation lists the `code`s it can answer."""

    type: str = Field(description="`urn:entitle:problem:` and the code")
    title: str = Field(description="The HTTP status phrase")
    status: int
    detail: str = Field(description="What went wrong this time, for people")
    code: str = Field(description="A stable code to switch on")
    errors: list[FieldError] = Field(description="Each field that was refused, when any was")
    request_id: str | None = Field(
        None, description="The answer's X-Request-ID: quote it when reporting a problem"
    )


def problem(code: Code, detail: str, errors: Sequence[FieldError] = ()) -> Problem:
    return Problem(
        type=f"urn:entitle:problem:{code.name.lower().replace('_', '-')}",
        title=_title(code.status),
        status=code.status,
        detail=detail,
        code=code.name,
        errors=list(errors),
    )


def problem_response(
    code: Code,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem(code, detail, errors)
    body.request_id = current_request_id()
    return JSONResponse(
        body.model_dump(),
        status_code=code.status,
        media_type=PROBLEM_TYPE,
        headers=headers,
    )


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def domain_problem(refusal: DomainError) -> JSONResponse:
    headers: dict[str, str] = {}
    if refusal.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    retry_after = getattr(refusal, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return problem_response(
        refusal.problem,
        refusal.message,
        [FieldError(field=e.field, code=e.code, message=e.message) for e in refusal.errors],
        headers,
    )


def field_name(location: Sequence[Any]) -> str:
    """``("body", "applications", 0, "version")`` to ``applications[0].version``."""
    parts = list(
        location[1:] if location and location[0] in {"body", "query", "path"} else location
    )
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def validation_problem(error: RequestValidationError) -> JSONResponse:
    errors = [
        FieldError(
            field=field_name(item.get("loc", ())),
            code=str(item.get("type", "invalid")).upper(),
            message=str(item.get("msg", "is not valid")),
        )
        for item in error.errors()
    ]
    first = errors[0] if errors else FieldError(field=None, code="INVALID", message="invalid")
    return problem_response(Code.INVALID_INPUT, f"{first.field}: {first.message}", errors)


def http_problem(error: HTTPException) -> JSONResponse:
    """An HTTP error raised by the framework (no such route, method not allowed) as a problem."""
    code = HTTP_CODES.get(error.status_code, Code.BAD_REQUEST)
    detail = error.detail if isinstance(error.detail, str) else _title(code.status)
    headers = dict(error.headers) if error.headers else None
    return problem_response(code, detail, headers=headers)


def install(app: FastAPI) -> None:
    async def on_domain(_request: Request, refusal: Exception) -> JSONResponse:
        assert isinstance(refusal, DomainError)
        return domain_problem(refusal)

    async def on_validation(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return validation_problem(error)

    async def on_http(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        return http_problem(error)

    async def on_crash(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(Code.INTERNAL_ERROR, "Something went wrong on our side.")

    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


# What Starlette's own refusals (no route, wrong method, an unreadable form, a streamed body
# over the limit) answer with; any other status it might raise is a malformed request.
HTTP_CODES = {
    code.status: code
    for code in (Code.BAD_REQUEST, Code.NOT_FOUND, Code.METHOD_NOT_ALLOWED, Code.BODY_TOO_LARGE)
}
