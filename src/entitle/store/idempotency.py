"""Idempotency keys: a retried create finds the checkout its first attempt made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from entitle.store.tables import idempotency_keys


def find(conn: Connection, organisation_id: int, key: str) -> tuple[str, str] | None:
    """(request digest, checkout id) stored under ``key``, if any."""
    row = conn.execute(
        select(idempotency_keys.c.request_digest, idempotency_keys.c.checkout_id).where(
            (idempotency_keys.c.organisation_id == organisation_id)
            & (idempotency_keys.c.key == key)
        )
    ).first()
    return (row.request_digest, row.checkout_id) if row else None


def remember(
    conn: Connection, organisation_id: int, key: str, digest: str, checkout_id: str, now: datetime
) -> None:
    conn.execute(
        idempotency_keys.insert().values(key_row(organisation_id, key, digest, checkout_id, now))
    )


def key_row(
    organisation_id: int, key: str, digest: str, checkout_id: str, now: datetime
) -> dict[str, object]:
    """What :func:`remember` writes, as a row (for :func:`entitle.store.bulk.insert_together`)."""
    return {
        "organisation_id": organisation_id,
        "key": key,
        "request_digest": digest,
        "checkout_id": checkout_id,
        "created_at": now,
    }
