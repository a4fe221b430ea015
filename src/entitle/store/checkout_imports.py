"""Imports of checkouts from a CSV file: the import, found by id or by its Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from entitle.store.tables import checkout_imports


@dataclass(frozen=True)
class StoredImport:
    id: str
    organisation_id: int
    request_digest: str
    file_digest: str
    created_at: datetime
    created_by: str
    rows: list[dict[str, Any]]


def insert(conn: Connection, stored: StoredImport, idempotency_key: str | None) -> None:
    conn.execute(
        checkout_imports.insert().values(
            id=stored.id,
            organisation_id=stored.organisation_id,
            idempotency_key=idempotency_key,
            request_digest=stored.request_digest,
            file_digest=stored.file_digest,
            created_at=stored.created_at,
            created_by=stored.created_by,
            rows=stored.rows,
        )
    )


def by_key(conn: Connection, organisation_id: int, key: str) -> StoredImport | None:
    return _one(
        conn,
        (checkout_imports.c.organisation_id == organisation_id)
        & (checkout_imports.c.idempotency_key == key),
    )


def get(conn: Connection, organisation_id: int, import_id: str) -> StoredImport | None:
    return _one(
        conn,
        (checkout_imports.c.organisation_id == organisation_id)
        & (checkout_imports.c.id == import_id),
    )


def _one(conn: Connection, condition: Any) -> StoredImport | None:
    row = conn.execute(select(checkout_imports).where(condition)).first()
    if row is None:
        return None
    return StoredImport(
        id=row.id,
        organisation_id=row.organisation_id,
        request_digest=row.request_digest,
        file_digest=row.file_digest,
        created_at=row.created_at,
        created_by=row.created_by,
        rows=list(row.rows),
    )
