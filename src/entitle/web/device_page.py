"""The /device page: a signed-in user approves or denies a sign-in of entitle-tool.

``entitle-tool login`` prints this page's address and a user code (or the address with the
code, ``/device?user_code=BCDF-GHJK``). Someone not signed in goes through the login page and
comes back here with the code kept. The page names the machine and the tool's version asking,
and when; approving or denying is a form post with the session's CSRF token. The same page
lists the workstations signed in as the user, each revocable.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse

from entitle.api.auth import CSRF_FIELD, Caller, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.errors import DomainError
from entitle.service import device_approval, tokens
from entitle.service.account import account
from entitle.service.context import Services
from entitle.store.auth import DEVICE_CREDENTIAL
from entitle.web.pages import login_redirect
from entitle.web.templating import templates
from entitle.web.wording import Shown

router = APIRouter(include_in_schema=False)
DEVICE_PATH = "/device"
UserCode = Annotated[str, Form(max_length=64)]


@router.get(DEVICE_PATH, response_class=HTMLResponse)
def device_page(
    request: Request, actor: OptionalActor, services: ServicesDep, user_code: str | None = None
) -> Response:
    if actor is None:
        return login_redirect(request)
    if not user_code:
        return _page(request, services, actor)
    try:
        found = device_approval.find_sign_in(services, actor.email, user_code[:64])
    except DomainError as refusal:
        return _page(request, services, actor, typed=user_code[:64], refusal=refusal)
    return _page(request, services, actor, sign_in=found)


@router.post(DEVICE_PATH, response_class=HTMLResponse)
def answer(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    user_code: UserCode = "",
    decision: Annotated[Literal["approve", "deny"], Form()] = "deny",
) -> Response:
    if actor is None:  # the session ended while the page was open: sign in, then back here
        return login_redirect(request, f"{DEVICE_PATH}?{urlencode({'user_code': user_code})}")
    try:
        answered = device_approval.answer_sign_in(
            services, actor.email, user_code, decision == "approve", actor.address
        )
    except DomainError as refusal:
        return _page(request, services, actor, typed=user_code, refusal=refusal)
    return _page(request, services, actor, answered=answered)


@router.post(DEVICE_PATH + "/revoke", response_class=HTMLResponse)
def revoke(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    token_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
) -> Response:
    if actor is None:
        return login_redirect(request, DEVICE_PATH)
    try:
        revoked = tokens.revoke_token(services, token_id, actor.email, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, revoke_refusal=refusal, status_code=refusal.status)
    return _page(request, services, actor, revoked=revoked)


def _page(
    request: Request,
    services: Services,
    actor: Caller,
    *,
    sign_in: device_approval.SignInRequest | None = None,
    answered: device_approval.SignInRequest | None = None,
    typed: str = "",
    refusal: DomainError | None = None,
    status_code: int | None = None,
    **extra: Any,
) -> Response:
    workstations = [
        t
        for t in tokens.list_tokens(services, actor.email)
        if t.kind == DEVICE_CREDENTIAL and t.revoked_at is None
    ]
    return templates.TemplateResponse(
        request,
        "device.html",
        {
            "account": account(services, actor.email),
            "current_page": "device",
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
            "sign_in": sign_in,
            "answered": answered,
            "typed": typed,
            "error": Shown(refusal) if refusal else None,
            "workstations": workstations,
            **extra,
        },
        status_code=status_code or (refusal.status if refusal else status.HTTP_200_OK),
    )
