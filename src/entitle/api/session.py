"""Log in and out (the session cookie), and the caller's own API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from entitle.api.auth import Actor, OptionalActor, log_in, log_out
from entitle.api.deps import Address, ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import (
    Items,
    LoginIn,
    SessionOut,
    TokenCreate,
    TokenCreatedOut,
    TokenOut,
    UserOut,
)
from entitle.domain.codes import DATABASE, Code
from entitle.domain.model import User
from entitle.service import tokens
from entitle.store.auth import DEVICE_CREDENTIAL, TokenRecord

router = APIRouter(tags=["session"])
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def user_out(user: User) -> UserOut:
    return UserOut(
        email=user.email,
        display_name=user.display_name,
        usage_country=user.usage_country,
        role=user.role,
    )


def _token(record: TokenRecord) -> TokenOut:
    return TokenOut(
        id=record.id,
        kind="device" if record.kind == DEVICE_CREDENTIAL else "api",
        label=record.label,
        created_at=record.created_at,
        revoked_at=record.revoked_at,
        machine=record.machine,
        tool_version=record.tool_version,
        last_used_at=record.last_used_at,
    )


@router.post(
    "/session",
    summary="Log in with email and password; sets the session cookie",
    operation_id="logIn",
    openapi_extra=refuses(
        Code.LOGIN_FAILED, Code.TOO_MANY_LOGIN_ATTEMPTS, Code.PASSWORDS_NOT_ALLOWED, *DATABASE
    ),
)
def create_session(
    body: LoginIn, request: Request, response: Response, services: ServicesDep
) -> SessionOut:
    """Start a portal session: the answer sets the HttpOnly `entitle_session` cookie and the
    readable `entitle_csrf` cookie, whose value (also `csrf_token` here) goes back as
    `X-CSRF-Token` on requests that change anything. Five failed logins a minute per account
    or address answer 429 with Retry-After."""
    user, csrf = log_in(request, response, services, body.email, body.password)
    return SessionOut(user=user_out(user), csrf_token=csrf)


@router.get("/session", summary="Who is calling", operation_id="getSession")
def read_session(actor: Actor) -> SessionOut:
    """The user behind the session cookie or API token, and the session's CSRF token."""
    return SessionOut(user=user_out(actor.user), csrf_token=actor.csrf_token)


@router.delete(
    "/session",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out; clears the cookie",
    operation_id="logOut",
)
def delete_session(actor: OptionalActor, services: ServicesDep) -> Response:
    """End this session on every server and clear the browser's cookies; the user's other
    sessions go on. Without a session there is nothing to end, and the answer is the same."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    log_out(response, services, actor)
    return response


@router.get("/tokens", summary="The caller's API tokens", operation_id="listTokens")
def list_tokens(actor: Actor, services: ServicesDep) -> Items[TokenOut]:
    """The caller's own API tokens and device credentials (`kind: device`, entitle-tool
    signed in on a workstation, with its machine, tool version and last use), revoked ones
    included; never the secret itself."""
    return Items(items=[_token(t) for t in tokens.list_tokens(services, actor.email)])


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    summary="A new API token, shown once",
    operation_id="createToken",
)
def create_token(
    body: TokenCreate, actor: Actor, services: ServicesDep, address: Address
) -> TokenCreatedOut:
    """A new API token for the caller, to send as `Authorization: Bearer <token>`. The answer
    is the only time the token is shown: the server keeps its SHA-256 alone."""
    issued = tokens.create_token(services, actor.email, body.label, address)
    return TokenCreatedOut(
        id=issued.id,
        token=issued.token,
        label=issued.label,
        created_at=issued.created_at,
        revoked_at=None,
    )


@router.delete(
    "/tokens/{token_id}",
    summary="Revoke one of the caller's tokens",
    operation_id="revokeToken",
    openapi_extra=refuses(Code.TOKEN_NOT_FOUND),
)
def revoke_token(
    token_id: TokenId, actor: Actor, services: ServicesDep, address: Address
) -> TokenOut:
    """Revoke one of the caller's API tokens or device credentials: every server refuses it
    from now on (a device credential's access and refresh tokens with it)."""
    return _token(tokens.revoke_token(services, token_id, actor.email, address))
