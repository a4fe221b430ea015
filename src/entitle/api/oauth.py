"""The OAuth 2.0 endpoints entitle-tool signs in with: device authorization, token, revocation.

They read forms (``application/x-www-form-urlencoded``) and answer as OAuth clients expect:
the RFC's JSON, errors included (RFC 6749 §5.2: ``{"error": "...", "error_description":
"..."}`` with 400), not problem+json. Only what the app refuses before an endpoint runs (a
cross-site request, a body over the limit, the database) is a problem. The protocol itself is
Authlib's (:mod:`entitle.service.oauth_server`); here requests become its calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from entitle.api.deps import Address, ServicesDep
from entitle.api.schemas import (
    AccessTokenOut,
    DeviceAuthorizationForm,
    DeviceAuthorizationOut,
    RevocationForm,
    RevocationOut,
    TokenForm,
)
from entitle.service import oauth_server
from entitle.service.context import Services
from entitle.service.oauth_server import Answer, Call

router = APIRouter(prefix="/oauth", tags=["oauth"])
OAUTH_ERRORS = "x-entitle-oauth-errors"
FORM = "application/x-www-form-urlencoded"


def form_operation(form: type[BaseModel], *errors: str) -> dict[str, Any]:
    """A route's ``openapi_extra``: its form body, and the RFC 6749 errors it answers."""
    schema = form.model_json_schema()
    example = schema.pop("examples")[0]
    return {
        "requestBody": {
            "required": True,
            "content": {FORM: {"schema": schema, "example": example}},
        },
        OAUTH_ERRORS: list(errors),
    }


@router.post(
    "/device_authorization",
    summary="Start signing entitle-tool in (RFC 8628 device authorization)",
    operation_id="authorizeDevice",
    response_model=DeviceAuthorizationOut,
    openapi_extra=form_operation(
        DeviceAuthorizationForm, "invalid_request", "invalid_client", "invalid_scope"
    ),
)
async def device_authorization(
    request: Request, services: ServicesDep, address: Address
) -> Response:
    """RFC 8628 §3.1: entitle-tool names itself (`client_id=entitle-tool`), its machine and
    its version, and gets a device code to poll with, and a user code such as `BCDF-GHJK`
    for the user to enter at `verification_uri` (the portal's `/device` page) while signed
    in. The codes expire after `expires_in` seconds. Errors are RFC 6749 JSON, not
    problem+json."""
    return await _answer(request, services, address, oauth_server.device_authorization)


@router.post(
    "/token",
    summary="Poll for the sign-in, or refresh (RFC 6749 token endpoint)",
    operation_id="requestToken",
    response_model=AccessTokenOut,
    openapi_extra=form_operation(
        TokenForm,
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "authorization_pending",
        "slow_down",
        "access_denied",
        "expired_token",
    ),
)
async def token(request: Request, services: ServicesDep, address: Address) -> Response:
    """With `grant_type=urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4), every
    `interval` seconds until the user answers: `authorization_pending` while they have not,
    `slow_down` when polled sooner (the interval grows by 5 seconds for good),
    `access_denied`, `expired_token`; then an access token (one hour) and a refresh token.
    A device code is good once: again, or unknown, it is `invalid_grant`. With
    `grant_type=refresh_token` (RFC 6749 §6) a new access token and a new refresh token; the
    old refresh token is refused from then on, and presented again it revokes the
    credential. Errors are RFC 6749 JSON, not problem+json."""
    return await _answer(request, services, address, oauth_server.token)


@router.post(
    "/revoke",
    summary="Sign entitle-tool out (RFC 7009 revocation)",
    operation_id="revokeDeviceToken",
    response_model=RevocationOut,
    openapi_extra=form_operation(
        RevocationForm, "invalid_request", "invalid_client", "unsupported_token_type"
    ),
)
async def revoke(request: Request, services: ServicesDep, address: Address) -> Response:
    """RFC 7009: an access or refresh token of a device credential revokes the whole
    credential: its tokens stop working at once on every server. The answer is 200 whether
    or not the token was known. Errors are RFC 6749 JSON, not problem+json."""
    return await _answer(request, services, address, oauth_server.revoke)


async def _answer(
    request: Request,
    services: Services,
    address: str,
    endpoint: Callable[[Services, Call], Answer],
) -> Response:
    call = await _call(request, address)
    answer = call if isinstance(call, Answer) else await run_in_threadpool(endpoint, services, call)
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-type"}
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


async def _call(request: Request, address: str) -> Call | Answer:
    try:
        form = await request.form()
    except HTTPException as error:
        if error.status_code == 413:
            raise  # the body limit's problem, as everywhere
        return oauth_server.refusal("invalid_request", "The body is not a readable form.")
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str):
            return oauth_server.refusal("invalid_request", "Send form fields, not files.")
        if name in fields:
            return oauth_server.refusal("invalid_request", "A parameter is sent twice.")
        fields[name] = value
    return Call(
        url=str(request.url),
        base_url=str(request.base_url),
        form=fields,
        headers=dict(request.headers),
        address=address,
    )
