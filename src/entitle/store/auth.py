"""Logins, API tokens and shared settings: the rows behind authentication."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Row, func, select

from entitle.store.tables import api_tokens, login_attempts, settings


@dataclass(frozen=True)
class TokenRecord:
    id: int
    user_id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None


def failures_since(conn: Connection, email: str, address: str, since: datetime) -> tuple[int, int]:
    """Failed logins after ``since``: (for this account, from this address)."""

    def count(condition: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(login_attempts).where(login_attempts.c.at > since)
        return int(conn.execute(query.where(condition)).scalar_one())

    return count(login_attempts.c.email == email), count(login_attempts.c.address == address)


def record_failure(conn: Connection, email: str, address: str, at: datetime) -> None:
    conn.execute(login_attempts.insert().values(email=email, address=address, at=at))


def forget_failures_before(conn: Connection, moment: datetime) -> None:
    conn.execute(login_attempts.delete().where(login_attempts.c.at < moment))


def add_token(conn: Connection, user_id: int, token_hash: str, label: str, now: datetime) -> int:
    result = conn.execute(
        api_tokens.insert().values(
            user_id=user_id, token_hash=token_hash, label=label, created_at=now
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def tokens_of(conn: Connection, user_id: int) -> list[TokenRecord]:
    rows = conn.execute(
        select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)
    ).all()
    return [_token(row) for row in rows]


def token(conn: Connection, token_id: int) -> TokenRecord | None:
    row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    return _token(row) if row else None


def revoke(conn: Connection, token_id: int, now: datetime) -> bool:
    result = conn.execute(
        api_tokens.update()
        .where((api_tokens.c.id == token_id) & api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def _token(row: Row[tuple[object, ...]]) -> TokenRecord:
    return TokenRecord(row.id, row.user_id, row.label, row.created_at, row.revoked_at)


def setting(conn: Connection, name: str) -> str | None:
    value = conn.execute(select(settings.c.value).where(settings.c.name == name)).scalar()
    return None if value is None else str(value)


def add_setting(conn: Connection, name: str, value: str, now: datetime) -> None:
    conn.execute(settings.insert().values(name=name, value=value, created_at=now))
