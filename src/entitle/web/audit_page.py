"""The Audit log page (Administrators): the organisation's trail filtered by actor, action,
target and days, paged in SQL, and the CSV of exactly the filtered events
(``/api/v1/audit.csv`` with the same query). The filters live in the URL."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle.api.auth import CSRF_FIELD, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput
from entitle.service.account import account
from entitle.service.audit_log import AuditQuery, audit_actions, audit_trail
from entitle.web.pages import login_redirect
from entitle.web.templating import templates
from entitle.web.wording import Shown

router = APIRouter(include_in_schema=False)
AUDIT_PATH = "/admin/audit"
PAGE_SIZE = 50


@router.get(AUDIT_PATH, response_class=HTMLResponse)
def audit_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    mine = account(services, actor.email)
    if not mine.user.role.manages_users:  # the trail is the Administrators'
        return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    params = request.query_params
    typed = {
        name: params.get(name, "")[:254] for name in ("actor", "action", "subject", "from", "to")
    }
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    page = max(1, min(page, 1_000_000))
    errors: dict[str, Shown] = {}
    found = None
    try:
        query = AuditQuery(
            typed["actor"],
            typed["action"],
            typed["subject"],
            _day(typed["from"], "from"),
            _day(typed["to"], "to"),
        )
        found = audit_trail(services, actor.user, page, PAGE_SIZE, query)
    except DomainError as refusal:
        errors = {e.field or "": Shown(e) for e in refusal.errors}
    kept = {k: v for k, v in typed.items() if v}
    pages = max(1, -(-found.total // PAGE_SIZE)) if found else 1
    return templates.TemplateResponse(
        request,
        "audit.html",
        {
            "account": mine,
            "current_page": "audit",
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
            "typed": typed,
            "errors": errors,
            "found": found,
            "page": page,
            "pages": pages,
            "actions": audit_actions(services, actor.user),
            "csv_url": "/api/v1/audit.csv" + (f"?{urlencode(kept)}" if kept else ""),
            "previous_url": f"{AUDIT_PATH}?{urlencode({**kept, 'page': page - 1})}",
            "next_url": f"{AUDIT_PATH}?{urlencode({**kept, 'page': page + 1})}",
        },
        status_code=status.HTTP_422_UNPROCESSABLE_ENTITY if errors else status.HTTP_200_OK,
    )


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            Code.DATE_INVALID, f"'{text[:40]}' is not a date: write YYYY-MM-DD.", field=field
        ) from None
