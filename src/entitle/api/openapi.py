"""The OpenAPI document as a client generator reads it.

Every operation has a readable ``operationId`` (given on its route), a description (the route's
docstring) and lists only the problems it can answer: the codes its route declares with
:func:`refuses`, and those every route of its shape meets, which are added here from the route
itself: bad input where it takes parameters or a body, an unreadable body and the body limit
where it takes one, the cross-site check on unsafe methods, authentication, the CSRF check and
the database where it looks the caller up. Each status lists its codes in the schema, with an
example of each. An error status a route declares a body of its own for (readiness' 503: a
report, not a problem) keeps that body.

The OAuth endpoints (:mod:`entitle.api.oauth`) answer their errors as RFC 6749 §5.2 JSON, not
problem+json: their 400 lists the OAuth ``error`` codes the route declares, and their problems
are only those the app answers before an endpoint runs (cross-site, body limit, database).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

from entitle.api.auth import SAFE_METHODS, caller_or_token, current_caller, optional_caller
from entitle.api.oauth import OAUTH_ERRORS
from entitle.api.problems import PROBLEM_TYPE, Problem, problem
from entitle.api.schemas import OAuthError
from entitle.domain.codes import DATABASE, Code

REFUSALS = "x-entitle-refusals"
PROBLEM_SCHEMA = "#/components/schemas/Problem"
OAUTH_ERROR_SCHEMA = "#/components/schemas/OAuthError"
_HEADERS = {
    401: {"WWW-Authenticate": "Bearer: send an API token, or log in"},
    429: {"Retry-After": "Seconds to wait before trying again"},
    503: {"Retry-After": "Seconds to wait before trying again, when the server can tell"},
}


def refuses(*codes: Code) -> dict[str, Any]:
    """A route's ``openapi_extra``: the codes its use case refuses with, beyond its shape's."""
    return {REFUSALS: [code.name for code in codes]}


def document(app: FastAPI) -> dict[str, Any]:
    schema = FastAPI.openapi(app)
    for route, method in _operations(app):
        operation = schema["paths"][route.path_format][method.lower()]
        declared = [Code[name] for name in operation.pop(REFUSALS, [])]
        oauth_errors = operation.pop(OAUTH_ERRORS, None)
        if oauth_errors is None:
            codes = [*_codes_of_its_shape(route, method, operation), *declared]
        else:
            codes = [Code.CROSS_SITE_REQUEST, Code.BODY_TOO_LARGE, *DATABASE]
        own = {str(status) for status in route.responses}
        responses = {k: v for k, v in operation["responses"].items() if int(k) < 400 or k in own}
        problems = _problem_responses(codes)
        operation["responses"] = responses | {k: problems[k] for k in problems if k not in own}
        if oauth_errors is not None:
            operation["responses"]["400"] = _oauth_response(oauth_errors)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["OAuthError"] = OAuthError.model_json_schema()
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}), Problem=problem_schema)
    return schema


def codes_of(schema: dict[str, Any], path: str, method: str) -> dict[int, list[str]]:
    """The problem codes the document lists for an operation, by status."""
    found: dict[int, list[str]] = {}
    for status, response in schema["paths"][path][method.lower()]["responses"].items():
        problem_schema = response.get("content", {}).get(PROBLEM_TYPE, {}).get("schema")
        if problem_schema is not None:
            found[int(status)] = problem_schema["allOf"][1]["properties"]["code"]["enum"]
    return found


def oauth_errors_of(schema: dict[str, Any], path: str, method: str) -> list[str]:
    """The RFC 6749 error codes the document lists for an OAuth operation (none for others)."""
    response = schema["paths"][path][method.lower()]["responses"].get("400", {})
    oauth_schema = response.get("content", {}).get("application/json", {}).get("schema")
    if oauth_schema is None:
        return []
    errors: list[str] = oauth_schema["allOf"][1]["properties"]["error"]["enum"]
    return errors


def _oauth_response(errors: list[str]) -> dict[str, Any]:
    return {
        "description": "An OAuth 2.0 error (RFC 6749 §5.2), not problem+json: "
        + ", ".join(f"`{error}`" for error in errors),
        "content": {
            "application/json": {
                "schema": {
                    "allOf": [
                        {"$ref": OAUTH_ERROR_SCHEMA},
                        {
                            "type": "object",
                            "properties": {"error": {"type": "string", "enum": errors}},
                        },
                    ]
                },
                "examples": {
                    error: {"value": {"error": error, "error_description": "…"}} for error in errors
                },
            }
        },
    }


def _operations(app: FastAPI) -> Iterator[tuple[Any, str]]:
    """Each documented route (as mounted: prefix and dependencies included) and method."""
    # FastAPI 0.16x mounts included routers as they are and walks them with
    # iter_route_contexts; before, include_router copied each route into app.routes.
    walk = getattr(routing, "iter_route_contexts", None)
    routes: Iterable[Any] = walk(app.routes) if walk else app.routes
    for route in routes:
        original = getattr(route, "original_route", route)
        if isinstance(original, routing.APIRoute) and original.include_in_schema:
            for method in sorted(route.methods or ()):
                yield route, method


def _codes_of_its_shape(route: Any, method: str, operation: dict[str, Any]) -> list[Code]:
    calls = set(_calls(route.dependant))
    codes: list[Code] = []
    if operation.get("parameters") or operation.get("requestBody"):
        codes.append(Code.INVALID_INPUT)
    if operation.get("requestBody"):
        codes.extend((Code.BAD_REQUEST, Code.BODY_TOO_LARGE))
    if method not in SAFE_METHODS:
        codes.append(Code.CROSS_SITE_REQUEST)
    # caller_or_token answers as current_caller does (it calls it for anything but a token).
    if current_caller in calls or caller_or_token in calls:
        codes.append(Code.NOT_AUTHENTICATED)
    if optional_caller in calls or caller_or_token in calls:
        if method not in SAFE_METHODS:
            codes.append(Code.CSRF_TOKEN_MISSING)
        codes.extend(DATABASE)
    return codes


def _calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _problem_responses(codes: list[Code]) -> dict[str, Any]:
    by_status: dict[int, list[Code]] = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(code.status, []).append(code)
    return {str(status): _response(status, by_status[status]) for status in sorted(by_status)}


def _response(status: int, codes: list[Code]) -> dict[str, Any]:
    names = [code.name for code in codes]
    content = {
        "schema": {
            "allOf": [
                {"$ref": PROBLEM_SCHEMA},
                {"type": "object", "properties": {"code": {"type": "string", "enum": names}}},
            ]
        },
        "examples": {
            code.name: {
                "summary": code.sentence,
                "value": problem(code, code.sentence).model_dump(),
            }
            for code in codes
        },
    }
    response: dict[str, Any] = {
        "description": "; ".join(f"`{code.name}`: {code.sentence}" for code in codes),
        "content": {PROBLEM_TYPE: content},
    }
    if status in _HEADERS:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in _HEADERS[status].items()
        }
    return response
