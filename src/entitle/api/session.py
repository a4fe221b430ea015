"""Log in and out (the session cookie), and the caller's own API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from entitle.api.auth import Actor, OptionalActor, log_in, log_out
from entitle.api.deps import Address, ServicesDep
from entitle.api.schemas import (
    Items,
    LoginIn,
    SessionOut,
    TokenCreate,
    TokenCreatedOut,
    TokenOut,
    UserOut,
)
from entitle.domain.model import User
from entitle.service import tokens
from entitle.store.auth import TokenRecord

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
        id=record.id, label=record.label, created_at=record.created_at, revoked_at=record.revoked_at
    )


@router.post("/session", summary="Log in with email and password; sets the session cookie")
def create_session(
    body: LoginIn, request: Request, response: Response, services: ServicesDep
) -> SessionOut:
    user, csrf = log_in(request, response, services, body.email, body.password)
    return SessionOut(user=user_out(user), csrf_token=csrf)


@router.get("/session", summary="Who is calling")
def read_session(actor: Actor) -> SessionOut:
    return SessionOut(user=user_out(actor.user), csrf_token=actor.csrf_token)


@router.delete(
    "/session", status_code=status.HTTP_204_NO_CONTENT, summary="Log out; clears the cookie"
)
def delete_session(actor: OptionalActor, services: ServicesDep) -> Response:
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    log_out(response, services, actor)
    return response


@router.get("/tokens", summary="The caller's API tokens")
def list_tokens(actor: Actor, services: ServicesDep) -> Items[TokenOut]:
    return Items(items=[_token(t) for t in tokens.list_tokens(services, actor.email)])


@router.post("/tokens", status_code=status.HTTP_201_CREATED, summary="A new API token, shown once")
def create_token(
    body: TokenCreate, actor: Actor, services: ServicesDep, address: Address
) -> TokenCreatedOut:
    issued = tokens.create_token(services, actor.email, body.label, address)
    return TokenCreatedOut(
        id=issued.id,
        token=issued.token,
        label=issued.label,
        created_at=issued.created_at,
        revoked_at=None,
    )


@router.delete("/tokens/{token_id}", summary="Revoke one of the caller's tokens")
def revoke_token(
    token_id: TokenId, actor: Actor, services: ServicesDep, address: Address
) -> TokenOut:
    return _token(tokens.revoke_token(services, token_id, actor.email, address))
