"""The audit trail as administrators read it."""

from __future__ import annotations

from dataclasses import dataclass

from entitle.domain.codes import Code
from entitle.domain.errors import Forbidden
from entitle.domain.model import Role
from entitle.service.actors import actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit
from entitle.store.audit import AuditEvent


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEvent]
    total: int
    page: int
    page_size: int


def audit_trail(services: Services, actor_email: str, page: int, page_size: int) -> AuditPage:
    """Newest first; only an organisation's Administrators read its trail."""
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_email)
        if actor.role is not Role.ADMINISTRATOR:
            raise Forbidden(
                Code.ROLE_CANNOT_READ_AUDIT, "Only an Administrator can read the audit trail."
            )
        events = audit.recent(uow.conn, organisation.id, page_size, (page - 1) * page_size)
        total = audit.count(uow.conn, organisation.id)
    return AuditPage(events, total, page, page_size)
