"""The Notifications page (Administrators): the reminder days before a checkout's expiry, and
who receives e-mail. The same use cases as ``/api/v1/admin/notifications``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle import settings
from entitle.api.auth import CSRF_FIELD, Caller, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput
from entitle.service import notifications
from entitle.service.account import account
from entitle.service.context import Services
from entitle.web.pages import login_redirect
from entitle.web.templating import templates

router = APIRouter(include_in_schema=False)
NOTIFICATIONS_PATH = "/admin/notifications"


@router.get(NOTIFICATIONS_PATH, response_class=HTMLResponse)
def notifications_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    return _page(request, services, actor)


@router.post(NOTIFICATIONS_PATH, response_class=HTMLResponse)
def save(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    reminder_days: Annotated[str, Form(max_length=200)] = "",
    email_users: Annotated[bool, Form()] = False,
    email_administrators: Annotated[bool, Form()] = False,
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        chosen = notifications.set_notifications(
            services,
            actor.email,
            days=_days(reminder_days),
            email_users=email_users,
            email_administrators=email_administrators,
            address=actor.address,
        )
    except DomainError as refusal:
        return _page(request, services, actor, refusal=refusal, typed=reminder_days)
    return _page(request, services, actor, saved=chosen)


def _days(typed: str) -> list[int]:
    parts = [p.strip() for p in typed.replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise InvalidInput(
            Code.REMINDER_DAYS_INVALID,
            "Write the reminder days as whole numbers separated by commas, such as 7, 1.",
            field="reminder_days",
        )
    return [int(p) for p in parts]


def _page(
    request: Request,
    services: Services,
    actor: Caller,
    *,
    refusal: DomainError | None = None,
    typed: str | None = None,
    **extra: Any,
) -> Response:
    mine = account(services, actor.email)
    if not mine.user.role.manages_webhooks:  # the Administrators' alone
        return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    chosen = notifications.get_notifications(services, actor.email)
    return templates.TemplateResponse(
        request,
        "notifications.html",
        {
            "account": mine,
            "current_page": "notifications",
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
            "chosen": chosen,
            "typed": typed if typed is not None else ", ".join(map(str, chosen.reminder_days)),
            "error": refusal.message if refusal else None,
            "mail_on": settings.current().smtp_url is not None,
            **extra,
        },
        status_code=refusal.status if refusal else status.HTTP_200_OK,
        headers={"Cache-Control": "no-store"},
    )
