"""My checkouts: a user's own checkouts, their license files, and how to check out from the
workstation with the licensing tool. Every role has it; plain users land here."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from entitle.api.auth import CSRF_FIELD, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.listing import effective_check_in, status_of
from entitle.service import self_service
from entitle.service.account import account
from entitle.service.publication import issuer_fingerprint
from entitle.service.translations import N_
from entitle.store.checkouts import CheckoutQuery
from entitle.web.pages import MY_CHECKOUTS_PATH, login_redirect
from entitle.web.templating import templates
from entitle.web.wording import Shown

router = APIRouter(include_in_schema=False)
# Message ids: the page translates them.
CREATED_VIA = {
    "admin": N_("Administrator"),
    "request_file": N_("Request file"),
    "self_service": N_("Self-service"),
}
CHECK_IN = {
    "portal": N_("by an administrator"),
    "client": N_("from the workstation"),
    "expiry": N_("at expiry"),
}


@router.get(MY_CHECKOUTS_PATH, response_class=HTMLResponse)
def my_checkouts_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    mine = account(services, actor.email)
    now = services.now()
    page = self_service.own_checkouts(
        services, actor.user, CheckoutQuery(0, status="listed", page_size=200)
    )
    rows = []
    for checkout in page.items:
        checked_in_at, _, method = effective_check_in(checkout, now)
        rows.append(
            {
                "checkout": checkout,
                "status": status_of(checkout, now).value,
                "created_via": CREATED_VIA.get(checkout.created_via.value, ""),
                "checked_in_at": checked_in_at,
                "expires_on": (checkout.expires_at - timedelta(microseconds=1)).date(),
                "check_in": CHECK_IN.get(method.value, "") if method else "",
            }
        )
    countries = [
        {
            "country": c.policy.country,
            "open": c.refusal is None,
            "days": c.policy.longest_self_service,
            "latest": c.latest_expires_on,
            "refusal": Shown(c.refusal) if c.refusal else "",
        }
        for c in self_service.own_countries(services, actor.user)
    ]
    return templates.TemplateResponse(
        request,
        "my_checkouts.html",
        {
            "account": mine,
            "current_page": "mine",
            "rows": rows,
            "total": page.total,
            "countries": countries,
            "server_url": str(request.base_url).rstrip("/"),
            "issuer_fingerprint": issuer_fingerprint(services),
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
        },
    )
