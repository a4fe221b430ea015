"""The Webhooks page (Administrators): the organisation's endpoints with their event types,
a new endpoint's secret shown once, a test event, the latest deliveries of each with their
answers, redeliver, disable and enable, remove. The same use cases as
``/api/v1/admin/webhooks``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle.api.auth import CSRF_FIELD, Caller, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.errors import DomainError
from entitle.service import webhooks
from entitle.service.account import account
from entitle.service.context import Services
from entitle.service.translations import N_
from entitle.web.pages import login_redirect
from entitle.web.templating import templates
from entitle.web.wording import DELIVERY_STATUSES, Notice, Shown

router = APIRouter(include_in_schema=False)
WEBHOOKS_PATH = "/admin/webhooks"
SHOWN_DELIVERIES = 10
Id = Annotated[int, Form(ge=1, le=2**31 - 1)]
EndpointId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get(WEBHOOKS_PATH, response_class=HTMLResponse)
def webhooks_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    return _page(request, services, actor)


@router.post(WEBHOOKS_PATH, response_class=HTMLResponse)
def add(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    url: Annotated[str, Form(max_length=4000)] = "",
    description: Annotated[str, Form(max_length=1000)] = "",
    event_types: Annotated[list[str] | None, Form(max_length=50)] = None,
) -> Response:
    if actor is None:
        return login_redirect(request)
    typed = {"url": url, "description": description, "event_types": event_types or []}
    try:
        added = webhooks.add_endpoint(
            services, actor.email, url, event_types or [], description, actor.address
        )
    except DomainError as refusal:
        return _page(request, services, actor, refusal=refusal, typed=typed)
    return _page(request, services, actor, added=added)


@router.post(WEBHOOKS_PATH + "/{endpoint_id}/test", response_class=HTMLResponse)
def test(
    request: Request, endpoint_id: EndpointId, actor: OptionalActor, services: ServicesDep
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        webhooks.send_test_event(services, actor.email, endpoint_id, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, action_refusal=refusal)
    return _page(request, services, actor, done=Notice(N_("A test event is on its way.")))


@router.post(WEBHOOKS_PATH + "/{endpoint_id}/access", response_class=HTMLResponse)
def access(
    request: Request,
    endpoint_id: EndpointId,
    actor: OptionalActor,
    services: ServicesDep,
    enabled: Annotated[bool, Form()],
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        changed = webhooks.change_endpoint(
            services, actor.email, endpoint_id, enabled=enabled, address=actor.address
        )
    except DomainError as refusal:
        return _page(request, services, actor, action_refusal=refusal)
    if changed.enabled:
        said = Notice(
            N_("%(url)s is enabled: its pending deliveries resume."), {"url": changed.url}
        )
    else:
        said = Notice(N_("%(url)s is disabled."), {"url": changed.url})
    return _page(request, services, actor, done=said)


@router.post(WEBHOOKS_PATH + "/{endpoint_id}/redeliver", response_class=HTMLResponse)
def redeliver(
    request: Request,
    endpoint_id: EndpointId,
    actor: OptionalActor,
    services: ServicesDep,
    delivery_id: Id,
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        again = webhooks.redeliver(services, actor.email, endpoint_id, delivery_id, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, action_refusal=refusal)
    return _page(
        request,
        services,
        actor,
        done=Notice(N_("%(event)s is sent again."), {"event": again.event_id}),
    )


@router.post(WEBHOOKS_PATH + "/{endpoint_id}/remove", response_class=HTMLResponse)
def remove(
    request: Request, endpoint_id: EndpointId, actor: OptionalActor, services: ServicesDep
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        webhooks.remove_endpoint(services, actor.email, endpoint_id, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, action_refusal=refusal)
    return _page(
        request, services, actor, done=Notice(N_("The endpoint and its delivery log are removed."))
    )


def _page(
    request: Request,
    services: Services,
    actor: Caller,
    *,
    refusal: DomainError | None = None,
    action_refusal: DomainError | None = None,
    typed: dict[str, Any] | None = None,
    **extra: Any,
) -> Response:
    mine = account(services, actor.email)
    if not mine.user.role.manages_webhooks:  # the Administrators' alone
        return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    endpoints = webhooks.list_endpoints(services, actor.email)
    shown = [
        (e, webhooks.deliveries(services, actor.email, e.id, SHOWN_DELIVERIES)) for e in endpoints
    ]
    failed = refusal or action_refusal
    return templates.TemplateResponse(
        request,
        "webhooks.html",
        {
            "account": mine,
            "current_page": "webhooks",
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
            "endpoints": shown,
            "event_types": webhooks.SUBSCRIBABLE,
            "delivery_statuses": DELIVERY_STATUSES,
            "errors": {e.field or "url": Shown(e) for e in refusal.errors} if refusal else {},
            "action_error": Shown(action_refusal) if action_refusal else None,
            "typed": typed or {"url": "", "description": "", "event_types": []},
            **extra,
        },
        status_code=failed.status if failed else status.HTTP_200_OK,
        headers={"Cache-Control": "no-store"},
    )
