"""The Notifications page (Administrators): the reminder days before a checkout's expiry, who
receives e-mail, and the usage alerts. The same use cases as ``/api/v1/admin/notifications``
and ``/api/v1/admin/usage-alerts``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle import settings
from entitle.api.auth import CSRF_FIELD, Caller, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput
from entitle.domain.usage_alerts import AlertKind
from entitle.service import notifications, usage_alerts
from entitle.service.account import account
from entitle.service.context import Services
from entitle.service.translations import N_
from entitle.web.pages import login_redirect
from entitle.web.templating import templates
from entitle.web.wording import Shown, month

router = APIRouter(include_in_schema=False)
NOTIFICATIONS_PATH = "/admin/notifications"
ALERTS_PATH = NOTIFICATIONS_PATH + "/usage-alerts"
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
KINDS = {
    AlertKind.ACTIVE_CHECKOUTS: N_("Active checkouts"),
    AlertKind.MONTHLY_HOURS: N_("Booked hours in a calendar month"),
}


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


@router.post(ALERTS_PATH, response_class=HTMLResponse)
def add_alert(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    kind: Annotated[AlertKind, Form()] = AlertKind.ACTIVE_CHECKOUTS,
    threshold: Annotated[str, Form(max_length=20)] = "",
    application: Annotated[str, Form(max_length=254)] = "",
    country: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if actor is None:
        return login_redirect(request)
    typed = {"kind": kind, "threshold": threshold, "application": application, "country": country}
    # Anything but a whole number is 0 here, so the use case refuses it with its own rule.
    limit = int(threshold.strip()) if threshold.strip().isdigit() else 0
    try:
        added = usage_alerts.add_alert(
            services, actor.email, kind, limit, application, country, actor.address
        )
    except DomainError as refusal:
        return _page(request, services, actor, alert_refusal=refusal, alert_typed=typed)
    return _page(request, services, actor, alert_added=added)


@router.post(ALERTS_PATH + "/{alert_id}/remove", response_class=HTMLResponse)
def remove_alert(
    request: Request, alert_id: AlertId, actor: OptionalActor, services: ServicesDep
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        usage_alerts.remove_alert(services, actor.email, alert_id, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, alert_action_refusal=refusal)
    return _page(request, services, actor, alert_removed=True)


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
    alert_refusal: DomainError | None = None,
    alert_action_refusal: DomainError | None = None,
    alert_typed: dict[str, Any] | None = None,
    **extra: Any,
) -> Response:
    mine = account(services, actor.email)
    if not mine.user.role.manages_webhooks:  # the Administrators' alone
        return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    chosen = notifications.get_notifications(services, actor.email)
    failed = refusal or alert_refusal or alert_action_refusal
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
            "error": Shown(refusal) if refusal else None,
            "mail_on": settings.current().smtp_url is not None,
            "alerts": usage_alerts.list_alerts(services, actor.email),
            "kinds": KINDS,
            "month": month,
            "countries": [c.country for c in mine.organisation.countries],
            "alert_errors": (
                {e.field or "threshold": Shown(e) for e in alert_refusal.errors}
                if alert_refusal
                else {}
            ),
            "alert_action_error": Shown(alert_action_refusal) if alert_action_refusal else None,
            "alert_typed": alert_typed
            or {
                "kind": AlertKind.ACTIVE_CHECKOUTS,
                "threshold": "",
                "application": "",
                "country": "",
            },
            **extra,
        },
        status_code=failed.status if failed else status.HTTP_200_OK,
        headers={"Cache-Control": "no-store"},
    )
