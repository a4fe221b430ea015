"""API tokens: the caller's own API tokens and device credentials (entitle-tool signed in on a
workstation). A new token is shown once; revoking ends it on every server. The same use cases
as ``/api/v1/tokens`` and ``entitle token``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse

from entitle.api.auth import CSRF_FIELD, Caller, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.errors import DomainError
from entitle.service import tokens
from entitle.service.account import account
from entitle.service.context import Services
from entitle.store.auth import DEVICE_CREDENTIAL
from entitle.web.pages import login_redirect
from entitle.web.templating import templates
from entitle.web.wording import Shown

router = APIRouter(include_in_schema=False)
TOKENS_PATH = "/api-tokens"


@router.get(TOKENS_PATH, response_class=HTMLResponse)
def tokens_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    return _page(request, services, actor)


@router.post(TOKENS_PATH, response_class=HTMLResponse)
def create(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    label: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        issued = tokens.create_token(services, actor.email, label, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, create_refusal=refusal, typed=label)
    return _page(request, services, actor, issued=issued)


@router.post(TOKENS_PATH + "/revoke", response_class=HTMLResponse)
def revoke(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    token_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        revoked = tokens.revoke_token(services, token_id, actor.email, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, revoke_refusal=refusal)
    return _page(request, services, actor, revoked=revoked)


def _page(
    request: Request,
    services: Services,
    actor: Caller,
    *,
    create_refusal: DomainError | None = None,
    revoke_refusal: DomainError | None = None,
    typed: str = "",
    **extra: Any,
) -> Response:
    refusal = create_refusal or revoke_refusal
    records = tokens.list_tokens(services, actor.email)
    return templates.TemplateResponse(
        request,
        "tokens.html",
        {
            "account": account(services, actor.email),
            "current_page": "tokens",
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
            "api_tokens": [t for t in records if t.kind != DEVICE_CREDENTIAL],
            "devices": [t for t in records if t.kind == DEVICE_CREDENTIAL],
            "create_error": Shown(create_refusal) if create_refusal else None,
            "revoke_error": Shown(revoke_refusal) if revoke_refusal else None,
            "typed": typed,
            **extra,
        },
        status_code=refusal.status if refusal else status.HTTP_200_OK,
        headers={"Cache-Control": "no-store"},
    )
