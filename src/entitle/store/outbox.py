"""The outbox: events written in the caller's transaction, each fanned out at once to a
delivery for every enabled endpoint of its organisation that wants its type."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from entitle.domain.events import DEFAULT_REMINDER_DAYS, NotificationSettings
from entitle.store.bulk import InsertedId, Rows, insert_together
from entitle.store.tables import (
    checkout_time_events,
    checkouts,
    notification_settings,
    outbox_events,
    webhook_deliveries,
    webhook_endpoints,
)

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
# SQLite allows this many bound values in one statement, and more on newer builds.
CHUNK = 500


@dataclass(frozen=True)
class Event:
    id: int
    event_id: str
    organisation_id: int
    type: str
    occurred_at: datetime
    data: dict[str, Any]


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def emit(
    conn: Connection,
    organisation_id: int,
    type_: str,
    data: Mapping[str, Any],
    at: datetime,
    *,
    event_id: str | None = None,
    only_endpoint: int | None = None,
) -> str:
    """Write the event and its deliveries; answers its event id (the webhook-id).

    ``only_endpoint`` delivers it to that endpoint alone, whatever types it wants (a test
    event)."""
    event_id = event_id or new_event_id()
    endpoints = endpoints_for(conn, organisation_id, type_, only_endpoint)
    insert_together(conn, event_rows(event_id, organisation_id, type_, data, at, endpoints))
    return event_id


def endpoints_for(
    conn: Connection, organisation_id: int, type_: str, only_endpoint: int | None = None
) -> list[int]:
    """The enabled endpoints of the organisation that want events of ``type_``."""
    query = select(webhook_endpoints.c.id, webhook_endpoints.c.event_types).where(
        webhook_endpoints.c.organisation_id == organisation_id,
        webhook_endpoints.c.disabled_at.is_(None),
    )
    if only_endpoint is not None:
        query = query.where(webhook_endpoints.c.id == only_endpoint)
    return [
        endpoint_id
        for endpoint_id, types in conn.execute(query)
        if only_endpoint is not None or wants(types, type_)
    ]


def wants(event_types: Sequence[str] | None, type_: str) -> bool:
    """Whether an endpoint that asked for ``event_types`` (none: every type) gets ``type_``."""
    return not event_types or type_ in event_types


def event_rows(
    event_id: str,
    organisation_id: int,
    type_: str,
    data: Mapping[str, Any],
    at: datetime,
    endpoints: Sequence[int],
) -> list[tuple[Table, Rows]]:
    """The rows of one event and of its deliveries to ``endpoints``, for
    :func:`entitle.store.bulk.insert_together` (in the caller's statement, beside its own)."""
    event = {
        "event_id": event_id,
        "organisation_id": organisation_id,
        "type": type_,
        "occurred_at": at,
        "data": dict(data),
    }
    deliveries = [
        {
            "event_id": InsertedId(outbox_events),
            "endpoint_id": endpoint_id,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": at,
        }
        for endpoint_id in endpoints
    ]
    return [(outbox_events, [event]), (webhook_deliveries, deliveries)]


def emit_many(
    conn: Connection,
    organisation_id: int,
    type_: str,
    datas: Sequence[Mapping[str, Any]],
    at: datetime,
) -> list[str]:
    """:func:`emit` for many events of one type, in a fixed number of statements."""
    if not datas:
        return []
    event_ids = [new_event_id() for _ in datas]
    row_ids = list(
        conn.execute(
            outbox_events.insert().returning(outbox_events.c.id, sort_by_parameter_order=True),
            [
                {
                    "event_id": event_id,
                    "organisation_id": organisation_id,
                    "type": type_,
                    "occurred_at": at,
                    "data": dict(data),
                }
                for event_id, data in zip(event_ids, datas, strict=True)
            ],
        ).scalars()
    )
    wanted = [
        endpoint_id
        for endpoint_id, types in conn.execute(
            select(webhook_endpoints.c.id, webhook_endpoints.c.event_types).where(
                webhook_endpoints.c.organisation_id == organisation_id,
                webhook_endpoints.c.disabled_at.is_(None),
            )
        )
        if wants(types, type_)
    ]
    if wanted:
        conn.execute(
            webhook_deliveries.insert(),
            [
                {
                    "event_id": row_id,
                    "endpoint_id": endpoint_id,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": at,
                }
                for row_id in row_ids
                for endpoint_id in wanted
            ],
        )
    return event_ids


def events_of(conn: Connection, organisation_id: int, limit: int = 100) -> list[Event]:
    """The organisation's latest events, newest first."""
    rows = conn.execute(
        select(outbox_events)
        .where(outbox_events.c.organisation_id == organisation_id)
        .order_by(outbox_events.c.id.desc())
        .limit(limit)
    ).all()
    return [Event(r.id, r.event_id, r.organisation_id, r.type, r.occurred_at, r.data) for r in rows]


@dataclass(frozen=True)
class OutstandingCheckout:
    """A checkout still out whose expiry is near or just past."""

    id: str
    organisation_id: int
    created_at: datetime
    expires_at: datetime
    reminder_days: tuple[int, ...]
    recorded: frozenset[int]


def outstanding(
    conn: Connection, now: datetime, lookahead: timedelta, lookback: timedelta
) -> list[OutstandingCheckout]:
    """Checkouts not checked in that expire within ``lookahead`` of now or expired within
    ``lookback`` before it, with their organisation's reminder days and the thresholds whose
    events they have had."""
    rows = conn.execute(
        select(
            checkouts.c.id,
            checkouts.c.organisation_id,
            checkouts.c.created_at,
            checkouts.c.expires_at,
            notification_settings.c.reminder_days,
        )
        .select_from(
            checkouts.outerjoin(
                notification_settings,
                notification_settings.c.organisation_id == checkouts.c.organisation_id,
            )
        )
        .where(
            checkouts.c.checked_in_at.is_(None),
            checkouts.c.expires_at > now - lookback,
            checkouts.c.expires_at <= now + lookahead,
        )
        # One order for every server, so two that record the same rows wait, never deadlock.
        .order_by(checkouts.c.id)
    ).all()
    recorded: dict[str, set[int]] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), CHUNK):
        for checkout_id, threshold in conn.execute(
            select(checkout_time_events.c.checkout_id, checkout_time_events.c.threshold).where(
                checkout_time_events.c.checkout_id.in_(ids[start : start + CHUNK])
            )
        ):
            recorded.setdefault(checkout_id, set()).add(threshold)
    return [
        OutstandingCheckout(
            r.id,
            r.organisation_id,
            r.created_at,
            r.expires_at,
            tuple(DEFAULT_REMINDER_DAYS if r.reminder_days is None else r.reminder_days),
            frozenset(recorded.get(r.id, ())),
        )
        for r in rows
    ]


def claim_time_event(conn: Connection, checkout_id: str, threshold: int, event_id: str) -> bool:
    """Record that the checkout's event for ``threshold`` is produced; False when another
    server recorded it first (the primary key decides, and waits for its transaction)."""
    values = {"checkout_id": checkout_id, "threshold": threshold, "event_id": event_id}
    insert = (
        postgresql.insert(checkout_time_events)
        if conn.dialect.name == "postgresql"
        else sqlite.insert(checkout_time_events)
    )
    statement = (
        insert.values(**values).on_conflict_do_nothing().returning(checkout_time_events.c.threshold)
    )
    return conn.execute(statement).first() is not None


def notifications(conn: Connection, organisation_id: int) -> NotificationSettings:
    found = conn.execute(
        select(notification_settings).where(
            notification_settings.c.organisation_id == organisation_id
        )
    ).first()
    if found is None:
        return NotificationSettings()
    return NotificationSettings(
        tuple(found.reminder_days), found.email_users, found.email_administrators
    )


def set_notifications(conn: Connection, organisation_id: int, chosen: NotificationSettings) -> None:
    values = {
        "reminder_days": list(chosen.reminder_days),
        "email_users": chosen.email_users,
        "email_administrators": chosen.email_administrators,
    }
    exists = conn.execute(
        select(notification_settings.c.organisation_id).where(
            notification_settings.c.organisation_id == organisation_id
        )
    ).first()
    if exists:
        conn.execute(
            notification_settings.update()
            .where(notification_settings.c.organisation_id == organisation_id)
            .values(**values)
        )
    else:
        conn.execute(
            notification_settings.insert().values(organisation_id=organisation_id, **values)
        )


def set_reminder_days(conn: Connection, organisation_id: int, days: Sequence[int]) -> None:
    current = notifications(conn, organisation_id)
    set_notifications(
        conn,
        organisation_id,
        NotificationSettings(tuple(days), current.email_users, current.email_administrators),
    )


def longest_reminder(conn: Connection) -> int:
    """The most days before an expiry any organisation is reminded."""
    longest = max(DEFAULT_REMINDER_DAYS)
    for (days,) in conn.execute(select(notification_settings.c.reminder_days)):
        longest = max([longest, *days])
    return longest
