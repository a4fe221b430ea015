"""/set-password: an invited user (or one an Administrator gave a new link) sets a password
with the one-time link, and is signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle.api.auth import start_session
from entitle.api.deps import ServicesDep, address_of
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput
from entitle.domain.model import User
from entitle.service import users
from entitle.service.users import SET_PASSWORD_PATH
from entitle.web.templating import templates

router = APIRouter(include_in_schema=False)
Secret = Annotated[str, Form(max_length=1024)]
NO_STORE = {"Cache-Control": "no-store"}


@router.get(SET_PASSWORD_PATH, response_class=HTMLResponse)
def set_password_page(request: Request, services: ServicesDep, token: str = "") -> Response:
    try:
        user = users.user_of_link(services, token[:200])
    except DomainError as refusal:
        return _page(request, token, None, refusal)
    return _page(request, token, user, None)


@router.post(SET_PASSWORD_PATH, response_class=HTMLResponse)
def set_password(
    request: Request,
    services: ServicesDep,
    token: Annotated[str, Form(max_length=200)] = "",
    password: Secret = "",
    confirm: Secret = "",
) -> Response:
    user: User | None = None
    try:
        user = users.user_of_link(services, token)
        if password != confirm:
            raise InvalidInput(
                Code.PASSWORDS_DIFFER,
                "The two passwords differ: type the same twice.",
                field="confirm",
            )
        signed_in = users.set_password_with_link(services, token, password, address_of(request))
    except DomainError as refusal:
        known = None if refusal.field == "token" else user
        return _page(request, token, known, refusal)
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER, headers=NO_STORE)
    start_session(request, response, services, signed_in.session, signed_in.user)
    return response


def _page(request: Request, token: str, user: User | None, refusal: DomainError | None) -> Response:
    errors = {e.field or "": e for e in refusal.errors} if refusal else {}
    return templates.TemplateResponse(
        request,
        "set_password.html",
        {"token": token, "user": user, "errors": errors},
        status_code=refusal.status if refusal else status.HTTP_200_OK,
        headers=NO_STORE,
    )
