"""E-mails waiting to be sent, written with the events that ask for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from entitle.store.organisations import users_by_email
from entitle.store.outbox import DELIVERED, FAILED, PENDING
from entitle.store.tables import email_messages, notification_settings, users


@dataclass(frozen=True)
class Mail:
    recipient: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Queued:
    id: int
    attempts: int
    mail: Mail


def queue(
    conn: Connection, organisation_id: int, event_id: str, mails: list[Mail], at: datetime
) -> None:
    if mails:
        conn.execute(
            email_messages.insert(),
            [
                {
                    "event_id": event_id,
                    "organisation_id": organisation_id,
                    "recipient": m.recipient,
                    "subject": m.subject,
                    "text_body": m.text,
                    "html_body": m.html,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": at,
                }
                for m in mails
            ],
        )


def recipients(conn: Connection, organisation_id: int) -> tuple[bool, list[str]]:
    """Whether the organisation's users receive e-mail, and its Administrators who do."""
    found = conn.execute(
        select(
            notification_settings.c.email_users, notification_settings.c.email_administrators
        ).where(notification_settings.c.organisation_id == organisation_id)
    ).first()
    to_users, to_administrators = (True, True) if found is None else (found[0], found[1])
    administrators = (
        list(
            conn.execute(
                select(users.c.email)
                .where(
                    users.c.organisation_id == organisation_id,
                    users.c.role == "Administrator",
                    users.c.deactivated_at.is_(None),
                )
                .order_by(users.c.email)
            ).scalars()
        )
        if to_administrators
        else []
    )
    return bool(to_users), administrators


def languages_of(conn: Connection, emails: list[str]) -> dict[str, str | None]:
    """Each recipient's own language (None: they chose none), by their email in lower case."""
    return {key: user.language for key, user in users_by_email(conn, emails).items()}


def any_due(conn: Connection, now: datetime) -> bool:
    """Whether an e-mail is due: asked first, in a read, so an idle worker takes no lock."""
    return (
        conn.execute(
            select(email_messages.c.id).where(email_messages.c.next_attempt_at <= now).limit(1)
        ).first()
        is not None
    )


def claim_due(conn: Connection, now: datetime, limit: int, lease: timedelta) -> list[Queued]:
    query = (
        select(email_messages)
        .where(email_messages.c.next_attempt_at <= now)
        .order_by(email_messages.c.next_attempt_at, email_messages.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = conn.execute(query).all()
    if rows:
        conn.execute(
            email_messages.update()
            .where(email_messages.c.id.in_([r.id for r in rows]))
            .values(next_attempt_at=now + lease)
        )
    return [
        Queued(r.id, r.attempts, Mail(r.recipient, r.subject, r.text_body, r.html_body))
        for r in rows
    ]


def record(
    conn: Connection, message_id: int, at: datetime, error: str | None, retry_at: datetime | None
) -> None:
    conn.execute(
        email_messages.update()
        .where(email_messages.c.id == message_id)
        .values(
            attempts=email_messages.c.attempts + 1,
            status=DELIVERED if error is None else (PENDING if retry_at else FAILED),
            next_attempt_at=None if error is None else retry_at,
            last_error=error,
            sent_at=at if error is None else None,
        )
    )
