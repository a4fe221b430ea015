"""The audit trail: creates, check-ins, downloads, logins, user and policy changes."""

from __future__ import annotations

from datetime import date
from itertools import chain
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import AuditEventOut, AuditPageOut, ShortText, Text
from entitle.service.audit_log import AUDIT_REFUSALS, AuditQuery, audit_csv, audit_trail

router = APIRouter(tags=["audit"])


def audit_query(
    actor: Annotated[Text, Query(alias="actor", description="Text in the actor's email")] = "",
    action: Annotated[ShortText, Query(description="One action, such as user.change")] = "",
    subject: Annotated[Text, Query(description="Text in the target: a checkout, a user")] = "",
    first_day: Annotated[date | None, Query(alias="from", description="First day (UTC)")] = None,
    last_day: Annotated[date | None, Query(alias="to", description="Last day, included")] = None,
) -> AuditQuery:
    return AuditQuery(actor, action, subject, first_day, last_day)


Filters = Annotated[AuditQuery, Depends(audit_query)]


@router.get(
    "/audit",
    summary="Newest events first (Administrators only)",
    operation_id="listAuditEvents",
    openapi_extra=refuses(*AUDIT_REFUSALS),
)
def audit(
    actor: Actor,
    services: ServicesDep,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPageOut:
    """The organisation's audit trail: who created, checked in or downloaded which checkout,
    logins and logouts, API token, user, policy and key changes, with the address each came
    from; filtered by actor, action, subject and a range of days, paged in SQL."""
    found = audit_trail(services, actor.user, page, page_size, filters)
    return AuditPageOut(
        items=[
            AuditEventOut(
                at=e.at,
                actor=e.actor,
                action=e.action,
                subject=e.subject,
                address=e.address,
                detail=e.detail,
            )
            for e in found.items
        ],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


@router.get(
    "/audit.csv",
    summary="The filtered audit trail as CSV (Administrators only)",
    operation_id="exportAuditEvents",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "at,actor,action,..."}},
    openapi_extra=refuses(*AUDIT_REFUSALS),
)
def audit_export(actor: Actor, services: ServicesDep, filters: Filters) -> StreamingResponse:
    """Every event the same filters select, newest first, streamed from one read of the
    database; cells that a spreadsheet would read as a formula start with `'`."""
    lines = audit_csv(services, actor.user, filters)
    first = next(lines)  # the refusals come before the header
    return StreamingResponse(
        chain([first], lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
