"""Webhook endpoints, their deliveries and each delivery's attempts (the delivery log)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from entitle.store.outbox import DELIVERED, FAILED, PENDING
from entitle.store.tables import (
    outbox_events,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)


@dataclass(frozen=True)
class Endpoint:
    id: int
    organisation_id: int
    url: str
    description: str
    event_types: tuple[str, ...]
    secret: str
    created_at: datetime
    created_by: str
    disabled_at: datetime | None
    disabled_reason: str | None

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True)
class Delivery:
    id: int
    endpoint_id: int
    event_id: str
    event_type: str
    occurred_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_response_ms: int | None
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class Attempt:
    at: datetime
    status_code: int | None
    response_ms: int | None
    error: str | None


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker took, with all it needs to send it."""

    delivery_id: int
    attempts: int
    endpoint_id: int
    organisation_id: int
    url: str
    secret: str
    event_id: str
    event_type: str
    occurred_at: datetime
    data: dict[str, Any]


def _endpoint(row: Any) -> Endpoint:
    return Endpoint(
        row.id,
        row.organisation_id,
        row.url,
        row.description,
        tuple(row.event_types),
        row.secret,
        row.created_at,
        row.created_by,
        row.disabled_at,
        row.disabled_reason,
    )


def add_endpoint(
    conn: Connection,
    organisation_id: int,
    url: str,
    description: str,
    event_types: Sequence[str],
    secret: str,
    at: datetime,
    by: str,
) -> int:
    return int(
        conn.execute(
            webhook_endpoints.insert()
            .values(
                organisation_id=organisation_id,
                url=url,
                description=description,
                event_types=list(event_types),
                secret=secret,
                created_at=at,
                created_by=by,
            )
            .returning(webhook_endpoints.c.id)
        ).scalar_one()
    )


def endpoint(conn: Connection, organisation_id: int, endpoint_id: int) -> Endpoint | None:
    row = conn.execute(
        select(webhook_endpoints).where(
            webhook_endpoints.c.id == endpoint_id,
            webhook_endpoints.c.organisation_id == organisation_id,
        )
    ).first()
    return None if row is None else _endpoint(row)


def endpoints(conn: Connection, organisation_id: int) -> list[Endpoint]:
    rows = conn.execute(
        select(webhook_endpoints)
        .where(webhook_endpoints.c.organisation_id == organisation_id)
        .order_by(webhook_endpoints.c.id)
    ).all()
    return [_endpoint(r) for r in rows]


def update_endpoint(conn: Connection, endpoint_id: int, **values: Any) -> None:
    conn.execute(
        webhook_endpoints.update().where(webhook_endpoints.c.id == endpoint_id).values(**values)
    )


def delete_endpoint(conn: Connection, endpoint_id: int) -> None:
    deliveries = select(webhook_deliveries.c.id).where(
        webhook_deliveries.c.endpoint_id == endpoint_id
    )
    conn.execute(webhook_attempts.delete().where(webhook_attempts.c.delivery_id.in_(deliveries)))
    conn.execute(webhook_deliveries.delete().where(webhook_deliveries.c.endpoint_id == endpoint_id))
    conn.execute(webhook_endpoints.delete().where(webhook_endpoints.c.id == endpoint_id))


def any_due(conn: Connection, now: datetime) -> bool:
    """Whether a delivery is due: asked first, in a read, so an idle worker takes no lock."""
    return (
        conn.execute(
            select(webhook_deliveries.c.id)
            .select_from(
                webhook_deliveries.join(
                    webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id
                )
            )
            .where(
                webhook_deliveries.c.next_attempt_at <= now,
                webhook_endpoints.c.disabled_at.is_(None),
            )
            .limit(1)
        ).first()
        is not None
    )


def claim_due(conn: Connection, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Take up to ``limit`` due deliveries of enabled endpoints, oldest first, and move each
    ahead by ``lease``: until then no other worker takes it. PostgreSQL skips the rows other
    workers are taking (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time anyway."""
    query = (
        select(
            webhook_deliveries.c.id.label("delivery_id"),
            webhook_deliveries.c.attempts,
            webhook_endpoints.c.id.label("endpoint_id"),
            webhook_endpoints.c.organisation_id,
            webhook_endpoints.c.url,
            webhook_endpoints.c.secret,
            outbox_events.c.event_id,
            outbox_events.c.type.label("event_type"),
            outbox_events.c.occurred_at,
            outbox_events.c.data,
        )
        .select_from(
            webhook_deliveries.join(
                webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id
            ).join(outbox_events, outbox_events.c.id == webhook_deliveries.c.event_id)
        )
        .where(
            webhook_deliveries.c.next_attempt_at <= now,
            webhook_endpoints.c.disabled_at.is_(None),
        )
        .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=webhook_deliveries)
    rows = conn.execute(query).all()
    if rows:
        conn.execute(
            webhook_deliveries.update()
            .where(webhook_deliveries.c.id.in_([r.delivery_id for r in rows]))
            .values(next_attempt_at=now + lease)
        )
    return [
        Claimed(
            r.delivery_id,
            r.attempts,
            r.endpoint_id,
            r.organisation_id,
            r.url,
            r.secret,
            r.event_id,
            r.event_type,
            r.occurred_at,
            r.data,
        )
        for r in rows
    ]


def record_attempt(
    conn: Connection,
    delivery_id: int,
    at: datetime,
    *,
    status_code: int | None,
    response_ms: int | None,
    error: str | None,
    delivered: bool,
    retry_at: datetime | None,
) -> None:
    """Log the attempt; the delivery is done when delivered, failed when there is no retry."""
    conn.execute(
        webhook_attempts.insert().values(
            delivery_id=delivery_id,
            at=at,
            status_code=status_code,
            response_ms=response_ms,
            error=error,
        )
    )
    conn.execute(
        webhook_deliveries.update()
        .where(webhook_deliveries.c.id == delivery_id)
        .values(
            attempts=webhook_deliveries.c.attempts + 1,
            status=DELIVERED if delivered else (PENDING if retry_at else FAILED),
            next_attempt_at=None if delivered else retry_at,
            last_attempt_at=at,
            last_status_code=status_code,
            last_response_ms=response_ms,
            last_error=error,
            delivered_at=at if delivered else None,
        )
    )


def redeliver(conn: Connection, delivery_id: int, at: datetime) -> None:
    """Send the delivery again, now, with its event's own webhook-id, and retry it on the
    whole schedule again if it fails (its attempts stay in the log)."""
    conn.execute(
        webhook_deliveries.update()
        .where(webhook_deliveries.c.id == delivery_id)
        .values(status=PENDING, next_attempt_at=at, attempts=0)
    )


def _delivery(row: Any) -> Delivery:
    return Delivery(
        row.id,
        row.endpoint_id,
        row.webhook_id,
        row.type,
        row.occurred_at,
        row.status,
        row.attempts,
        row.next_attempt_at,
        row.last_attempt_at,
        row.last_status_code,
        row.last_response_ms,
        row.last_error,
        row.delivered_at,
    )


def _deliveries_query() -> Any:
    return select(
        webhook_deliveries,
        outbox_events.c.event_id.label("webhook_id"),
        outbox_events.c.type,
        outbox_events.c.occurred_at,
    ).select_from(
        webhook_deliveries.join(outbox_events, outbox_events.c.id == webhook_deliveries.c.event_id)
    )


def deliveries(conn: Connection, endpoint_id: int, limit: int = 100) -> list[Delivery]:
    """The endpoint's latest deliveries, newest first."""
    rows = conn.execute(
        _deliveries_query()
        .where(webhook_deliveries.c.endpoint_id == endpoint_id)
        .order_by(webhook_deliveries.c.id.desc())
        .limit(limit)
    ).all()
    return [_delivery(r) for r in rows]


def delivery(conn: Connection, endpoint_id: int, delivery_id: int) -> Delivery | None:
    row = conn.execute(
        _deliveries_query().where(
            webhook_deliveries.c.id == delivery_id,
            webhook_deliveries.c.endpoint_id == endpoint_id,
        )
    ).first()
    return None if row is None else _delivery(row)


def attempts(conn: Connection, delivery_id: int) -> list[Attempt]:
    rows = conn.execute(
        select(webhook_attempts)
        .where(webhook_attempts.c.delivery_id == delivery_id)
        .order_by(webhook_attempts.c.id)
    ).all()
    return [Attempt(r.at, r.status_code, r.response_ms, r.error) for r in rows]


def pending_count(conn: Connection) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(webhook_deliveries)
            .where(webhook_deliveries.c.next_attempt_at.is_not(None))
        ).scalar_one()
    )
