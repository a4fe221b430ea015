"""The Users page: Administrators invite users (the one-time set-password link is shown once),
change their role and usage country, deactivate and reactivate them; Co-Administrators see
the list. Every action is the admin API's use case (entitle.service.users)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle.api.auth import CSRF_FIELD, Caller, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.errors import DomainError
from entitle.domain.model import Role
from entitle.service import users
from entitle.service.account import account
from entitle.service.context import Services
from entitle.service.translations import N_
from entitle.web.pages import MY_CHECKOUTS_PATH, login_redirect
from entitle.web.templating import templates
from entitle.web.wording import ROLE_NAMES, Notice, Shown

router = APIRouter(include_in_schema=False)
USERS_PATH = "/admin/users"
Field = Annotated[str, Form(max_length=254)]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get(USERS_PATH, response_class=HTMLResponse)
def users_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    return _page(request, services, actor)


@router.post(USERS_PATH, response_class=HTMLResponse)
def invite(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    email: Field = "",
    display_name: Field = "",
    usage_country: Field = "",
    role: Field = Role.USER.value,
) -> Response:
    if actor is None:
        return login_redirect(request)
    typed = {
        "email": email,
        "display_name": display_name,
        "usage_country": usage_country,
        "role": role,
    }
    try:
        link = users.invite_user(
            services, actor.user, email, display_name, usage_country, role, actor.address
        )
    except DomainError as refusal:
        return _page(request, services, actor, invite_refusal=refusal, typed=typed)
    return _page(request, services, actor, link=link, link_url=_url(request, link))


@router.post(USERS_PATH + "/{user_id}", response_class=HTMLResponse)
def change(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    user_id: UserId,
    role: Field = "",
    usage_country: Field = "",
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        changed = users.change_user(
            services,
            actor.user,
            user_id,
            role=role or None,
            usage_country=usage_country or None,
            address=actor.address,
        )
    except DomainError as refusal:
        return _page(request, services, actor, row_refusal=(user_id, refusal))
    return _page(
        request, services, actor, done=Notice(N_("Saved %(email)s."), {"email": changed.email})
    )


@router.post(USERS_PATH + "/{user_id}/access", response_class=HTMLResponse)
def access(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    user_id: UserId,
    active: Annotated[bool, Form()] = False,
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        changed = users.change_user(
            services, actor.user, user_id, active=active, address=actor.address
        )
    except DomainError as refusal:
        return _page(request, services, actor, row_refusal=(user_id, refusal))
    if changed.active:
        done = Notice(N_("Reactivated %(email)s: they can log in again."), {"email": changed.email})
    else:
        done = Notice(
            N_(
                "Deactivated %(email)s: their sessions, API tokens and workstation sign-ins "
                "have ended."
            ),
            {"email": changed.email},
        )
    return _page(request, services, actor, done=done)


@router.post(USERS_PATH + "/{user_id}/link", response_class=HTMLResponse)
def new_link(
    request: Request, actor: OptionalActor, services: ServicesDep, user_id: UserId
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        link = users.issue_set_password_link(services, actor.user, user_id, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, row_refusal=(user_id, refusal))
    return _page(request, services, actor, link=link, link_url=_url(request, link))


def _url(request: Request, link: users.SetPasswordLink) -> str:
    return str(request.base_url).rstrip("/") + link.path


def _page(
    request: Request,
    services: Services,
    actor: Caller,
    *,
    invite_refusal: DomainError | None = None,
    row_refusal: tuple[int, DomainError] | None = None,
    typed: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    mine = account(services, actor.email)
    if not mine.user.role.sees_users:
        return RedirectResponse(MY_CHECKOUTS_PATH, status_code=status.HTTP_303_SEE_OTHER)
    refusal = invite_refusal or (row_refusal[1] if row_refusal else None)
    return templates.TemplateResponse(
        request,
        "users.html",
        {
            "account": mine,
            "current_page": "users",
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
            "users": users.list_users(services, actor.user),
            "roles": [r.value for r in Role],
            "role_names": ROLE_NAMES,
            "countries": [c.country for c in mine.organisation.countries],
            "manages": mine.user.role.manages_users,
            "invite_errors": _by_field(invite_refusal),
            "typed": typed or {},
            "row_id": row_refusal[0] if row_refusal else None,
            "row_errors": _by_field(row_refusal[1] if row_refusal else None),
            **extra,
        },
        status_code=refusal.status if refusal else status.HTTP_200_OK,
        headers={"Cache-Control": "no-store"},
    )


def _by_field(refusal: DomainError | None) -> dict[str, Shown]:
    if refusal is None:
        return {}
    found: dict[str, Shown] = {}
    for error in refusal.errors:
        found.setdefault(error.field or "", Shown(error))
    return found
