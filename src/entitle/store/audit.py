"""The audit trail: who did what, when, from where."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, select

from entitle.store.bulk import insert_rows
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
            event_row(organisation_id, at, actor, action, subject, address, detail)
        )
    )


def event_row(
    organisation_id: int | None,
    at: datetime,
    actor: str,
    action: str,
    subject: str = "",
    address: str = "",
    detail: str = "",
) -> dict[str, object]:
    """What :func:`record` writes, as a row (for :func:`entitle.store.bulk.insert_together`)."""
    return {
        "organisation_id": organisation_id,
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "address": address,
        "detail": detail,
    }


def record_many(conn: Connection, events: list[dict[str, object]]) -> None:
    if events:
        names = list(events[0])
        insert_rows(conn, audit_events, [[e[n] for n in names] for e in events], names)


@dataclass(frozen=True)
class AuditFilter:
    """Events whose actor or subject contain the text (any case), of one action, at or after
    ``since`` and before ``until``; an empty field does not filter."""

    actor: str = ""
    action: str = ""
    subject: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _where(organisation_id: int, wanted: AuditFilter) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = audit_events.c.organisation_id == organisation_id
    if wanted.actor:
        condition &= func.lower(audit_events.c.actor).like(_contains(wanted.actor), escape="\\")
    if wanted.action:
        condition &= audit_events.c.action == wanted.action
    if wanted.subject:
        condition &= func.lower(audit_events.c.subject).like(_contains(wanted.subject), escape="\\")
    if wanted.since is not None:
        condition &= audit_events.c.at >= wanted.since
    if wanted.until is not None:
        condition &= audit_events.c.at < wanted.until
    return condition


def _contains(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def recent(
    conn: Connection,
    organisation_id: int,
    limit: int = 100,
    offset: int = 0,
    wanted: AuditFilter | None = None,
) -> list[AuditEvent]:
    rows = conn.execute(
        select(audit_events)
        .where(_where(organisation_id, wanted or AuditFilter()))
        .order_by(audit_events.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [AuditEvent(r.at, r.actor, r.action, r.subject, r.address, r.detail) for r in rows]


def stream(
    conn: Connection, organisation_id: int, wanted: AuditFilter, batch: int = 1000
) -> Iterator[AuditEvent]:
    """Every matching event, newest first, read a batch at a time by id (keyset paging: no
    cursor to hold open, and events written meanwhile, newer, are not mixed in)."""
    condition = _where(organisation_id, wanted)
    first = conn.execute(select(func.max(audit_events.c.id)).where(condition)).scalar()
    below = None if first is None else int(first) + 1
    while below is not None:
        rows = conn.execute(
            select(audit_events)
            .where(condition & (audit_events.c.id < below))
            .order_by(audit_events.c.id.desc())
            .limit(batch)
        ).all()
        for r in rows:
            yield AuditEvent(r.at, r.actor, r.action, r.subject, r.address, r.detail)
        below = int(rows[-1].id) if len(rows) == batch else None


def actions(conn: Connection, organisation_id: int) -> list[str]:
    """The actions the organisation's trail holds, for a filter's choices."""
    query = (
        select(audit_events.c.action)
        .where(audit_events.c.organisation_id == organisation_id)
        .distinct()
        .order_by(audit_events.c.action)
    )
    return list(conn.execute(query).scalars())


def count(conn: Connection, organisation_id: int, wanted: AuditFilter | None = None) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(audit_events)
            .where(_where(organisation_id, wanted or AuditFilter()))
        ).scalar_one()
    )
