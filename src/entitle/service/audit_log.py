"""The audit trail as administrators read it: filtered by actor, action, subject and days,
paged in SQL, or exported whole as CSV in one streamed read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from entitle.domain.codes import Code
from entitle.domain.errors import Forbidden, InvalidInput
from entitle.domain.model import Role, User
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.service.spreadsheet import safe_cell
from entitle.store import audit
from entitle.store.audit import AuditEvent, AuditFilter

CSV_COLUMNS = ("at", "actor", "action", "subject", "address", "detail")
AUDIT_REFUSALS = (Code.ROLE_CANNOT_READ_AUDIT, Code.DATE_RANGE_REVERSED)


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEvent]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class AuditQuery:
    """What people filter by: text in the actor or subject, one action, a range of days
    (both included, UTC)."""

    actor: str = ""
    action: str = ""
    subject: str = ""
    first_day: date | None = None
    last_day: date | None = None

    def to_filter(self) -> AuditFilter:
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise InvalidInput(
                Code.DATE_RANGE_REVERSED,
                f"The first day ({self.first_day}) is after the last ({self.last_day}).",
                field="from",
            )
        return AuditFilter(
            actor=self.actor.strip(),
            action=self.action.strip(),
            subject=self.subject.strip(),
            since=_midnight(self.first_day) if self.first_day else None,
            until=_midnight(self.last_day + timedelta(days=1)) if self.last_day else None,
        )


def audit_trail(
    services: Services,
    actor_ref: ActorRef,
    page: int,
    page_size: int,
    query: AuditQuery | None = None,
) -> AuditPage:
    """Newest first; only an organisation's Administrators read its trail."""
    wanted = (query or AuditQuery()).to_filter()
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_administrator(actor)
        offset = (page - 1) * page_size
        events = audit.recent(uow.conn, organisation.id, page_size, offset, wanted)
        total = audit.count(uow.conn, organisation.id, wanted)
    return AuditPage(events, total, page, page_size)


def audit_actions(services: Services, actor_ref: ActorRef) -> list[str]:
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_administrator(actor)
        return audit.actions(uow.conn, organisation.id)


def audit_csv(services: Services, actor_ref: ActorRef, query: AuditQuery) -> Iterator[str]:
    """The filtered trail as CSV, header first, in one read-only transaction held while the
    lines are sent. The refusals come before the first line: ask for it before answering."""
    wanted = query.to_filter()
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_administrator(actor)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        yield _drain(buffer)
        for count, event in enumerate(audit.stream(uow.conn, organisation.id, wanted), 1):
            writer.writerow(
                (
                    event.at.isoformat(),
                    safe_cell(event.actor),
                    event.action,
                    safe_cell(event.subject),
                    event.address,
                    safe_cell(event.detail),
                )
            )
            if count % 500 == 0:
                yield _drain(buffer)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _require_administrator(actor: User) -> None:
    if actor.role is not Role.ADMINISTRATOR:
        raise Forbidden(
            Code.ROLE_CANNOT_READ_AUDIT, "Only an Administrator can read the audit trail."
        )
