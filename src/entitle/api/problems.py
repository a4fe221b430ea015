"""Every error as problem+json (RFC 9457), naming the field and what to fix."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from entitle.domain.errors import DomainError

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("entitle.api")


class FieldError(BaseModel):
    field: str | None
    code: str
    message: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError]


def problem_response(
    status: int,
    code: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=f"urn:entitle:problem:{code.lower().replace('_', '-')}",
        title=_title(status),
        status=status,
        detail=detail,
        code=code,
        errors=list(errors),
    )
    return JSONResponse(
        body.model_dump(), status_code=status, media_type=PROBLEM_TYPE, headers=headers
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
        refusal.status,
        refusal.code,
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
    return problem_response(422, "INVALID_INPUT", f"{first.field}: {first.message}", errors)


def install(app: FastAPI) -> None:
    async def on_domain(_request: Request, refusal: Exception) -> JSONResponse:
        assert isinstance(refusal, DomainError)
        return domain_problem(refusal)

    async def on_validation(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return validation_problem(error)

    async def on_http(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        code = _title(error.status_code).upper().replace(" ", "_").replace("-", "_")
        detail = error.detail if isinstance(error.detail, str) else _title(error.status_code)
        headers = dict(error.headers) if error.headers else None
        return problem_response(error.status_code, code, detail, headers=headers)

    async def on_crash(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "INTERNAL_ERROR", "Something went wrong on our side.")

    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429)


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are problem+json in the OpenAPI document, as they are on the wire."""
    reference = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM_TYPE: reference}
                    response["description"] = _title(int(status))
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema
