"""The audit trail: creates, check-ins, downloads, logins and token changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import AuditEventOut, AuditPageOut
from entitle.domain.codes import Code
from entitle.service.audit_log import audit_trail

router = APIRouter(tags=["audit"])


@router.get(
    "/audit",
    summary="Newest events first (Administrators only)",
    operation_id="listAuditEvents",
    openapi_extra=refuses(Code.ROLE_CANNOT_READ_AUDIT),
)
def audit(
    actor: Actor,
    services: ServicesDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPageOut:
    """The organisation's audit trail: who created, checked in or downloaded which checkout,
    logins and logouts, and API token changes, with the address each came from."""
    found = audit_trail(services, actor.email, page, page_size)
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
