"""The audit trail: who did what, when, from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from entitle.store.tables import audit_events


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str
    action: str
    subject: str
    address: str
    detail: str


def record(
    conn: Connection,
    organisation_id: int | None,
    at: datetime,
    actor: str,
    action: str,
    subject: str = "",
    address: str = "",
    detail: str = "",
) -> None:
    conn.execute(
        audit_events.insert().values(
            organisation_id=organisation_id,
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            address=address,
            detail=detail,
        )
    )


def record_many(conn: Connection, events: list[dict[str, object]]) -> None:
    if events:
        conn.execute(audit_events.insert(), events)


def recent(
    conn: Connection, organisation_id: int, limit: int = 100, offset: int = 0
) -> list[AuditEvent]:
    rows = conn.execute(
        select(audit_events)
        .where(audit_events.c.organisation_id == organisation_id)
        .order_by(audit_events.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [AuditEvent(r.at, r.actor, r.action, r.subject, r.address, r.detail) for r in rows]


def count(conn: Connection, organisation_id: int) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(audit_events)
            .where(audit_events.c.organisation_id == organisation_id)
        ).scalar_one()
    )
