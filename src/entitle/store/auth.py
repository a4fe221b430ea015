"""Login attempts, sessions, API tokens and device credentials, shared settings: the rows
behind authentication."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Row, func, select

from entitle.store.tables import (
    api_tokens,
    login_attempts,
    sessions,
    set_password_links,
    settings,
)

API_TOKEN = "api"  # noqa: S105 - a kind, not a secret
"""A token's kind: an API token, made with ``entitle token create`` or the API."""
DEVICE_CREDENTIAL = "device"
"""A token's kind: the credential entitle-tool got by signing in from a workstation."""


@dataclass(frozen=True)
class TokenRecord:
    """An API token or a device credential; the machine, the tool's version and the last use
    are a device credential's."""

    id: int
    user_id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None
    kind: str = API_TOKEN
    machine: str | None = None
    tool_version: str | None = None
    last_used_at: datetime | None = None


def lock_login_counts(conn: Connection, keys: Sequence[str]) -> None:
    """Hold the counts of these keys (an account, an address) until the transaction ends.

    PostgreSQL takes a transaction-level advisory lock per key, in one order so two logins
    never wait on each other in a circle; SQLite's write transaction already holds the whole
    database (``BEGIN IMMEDIATE``).
    """
    if conn.dialect.name != "postgresql":
        return
    for lock in sorted({_lock_id(key) for key in keys}):
        conn.execute(select(func.pg_advisory_xact_lock(lock)))


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"entitle.login:{key}".encode()).digest()[:8], signed=True)


def attempts_since(conn: Connection, email: str, address: str, since: datetime) -> tuple[int, int]:
    """Login attempts after ``since`` that were not successful logins: (for this account, from
    this address). An attempt whose password is being checked counts already."""

    def count(condition: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(login_attempts).where(login_attempts.c.at > since)
        return int(conn.execute(query.where(condition)).scalar_one())

    return count(login_attempts.c.email == email), count(login_attempts.c.address == address)


def record_attempt(conn: Connection, email: str, address: str, at: datetime) -> int:
    result = conn.execute(login_attempts.insert().values(email=email, address=address, at=at))
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def forget_attempt(conn: Connection, attempt_id: int) -> None:
    conn.execute(login_attempts.delete().where(login_attempts.c.id == attempt_id))


def forget_attempts_before(conn: Connection, moment: datetime) -> None:
    conn.execute(login_attempts.delete().where(login_attempts.c.at < moment))


def add_session(
    conn: Connection, id_digest: str, user_id: int, now: datetime, expires_at: datetime
) -> None:
    conn.execute(
        sessions.insert().values(
            id_digest=id_digest, user_id=user_id, created_at=now, expires_at=expires_at
        )
    )


def revoke_session(conn: Connection, id_digest: str, now: datetime) -> None:
    conn.execute(
        sessions.update()
        .where((sessions.c.id_digest == id_digest) & sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_sessions_of(conn: Connection, user_id: int, now: datetime) -> int:
    result = conn.execute(
        sessions.update()
        .where((sessions.c.user_id == user_id) & sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)


def revoke_tokens_of(conn: Connection, user_id: int, now: datetime) -> int:
    """End every API token and device credential of the user (their access and refresh
    tokens with them)."""
    result = conn.execute(
        api_tokens.update()
        .where((api_tokens.c.user_id == user_id) & api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)


@dataclass(frozen=True)
class SetPasswordLink:
    id: int
    user_id: int
    expires_at: datetime
    used_at: datetime | None


def add_set_password_link(
    conn: Connection,
    user_id: int,
    token_hash: str,
    created_by: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    """A new link for the user; the user's earlier links that were not used end now."""
    conn.execute(
        set_password_links.update()
        .where(
            (set_password_links.c.user_id == user_id)
            & set_password_links.c.used_at.is_(None)
            & (set_password_links.c.expires_at > now)
        )
        .values(expires_at=now)
    )
    conn.execute(
        set_password_links.insert().values(
            user_id=user_id,
            token_hash=token_hash,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
    )


def set_password_link(conn: Connection, token_hash: str) -> SetPasswordLink | None:
    row = conn.execute(
        select(set_password_links).where(set_password_links.c.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    return SetPasswordLink(row.id, row.user_id, row.expires_at, row.used_at)


def use_set_password_link(conn: Connection, link_id: int, now: datetime) -> bool:
    """Mark the link used; false when another request used it first."""
    result = conn.execute(
        set_password_links.update()
        .where((set_password_links.c.id == link_id) & set_password_links.c.used_at.is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1


def forget_sessions_before(conn: Connection, moment: datetime) -> None:
    """Sessions that ended (expired) before ``moment`` are of no further use."""
    conn.execute(sessions.delete().where(sessions.c.expires_at < moment))


def add_token(conn: Connection, user_id: int, token_hash: str, label: str, now: datetime) -> int:
    result = conn.execute(
        api_tokens.insert().values(
            user_id=user_id, token_hash=token_hash, label=label, created_at=now, kind=API_TOKEN
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def add_device_credential(
    conn: Connection, user_id: int, label: str, machine: str, tool_version: str, now: datetime
) -> int:
    """A device credential: no token of its own, its access and refresh tokens come after."""
    result = conn.execute(
        api_tokens.insert().values(
            user_id=user_id,
            token_hash=None,
            label=label,
            created_at=now,
            kind=DEVICE_CREDENTIAL,
            machine=machine,
            tool_version=tool_version,
            last_used_at=now,
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def mark_used(conn: Connection, token_id: int, now: datetime, unless_since: datetime) -> None:
    """Note that a credential was used now, unless that was noted after ``unless_since``."""
    conn.execute(
        api_tokens.update()
        .where(
            (api_tokens.c.id == token_id)
            & (api_tokens.c.last_used_at.is_(None) | (api_tokens.c.last_used_at < unless_since))
        )
        .values(last_used_at=now)
    )


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
    return TokenRecord(
        row.id,
        row.user_id,
        row.label,
        row.created_at,
        row.revoked_at,
        row.kind,
        row.machine,
        row.tool_version,
        row.last_used_at,
    )


def setting(conn: Connection, name: str) -> str | None:
    value = conn.execute(select(settings.c.value).where(settings.c.name == name)).scalar()
    return None if value is None else str(value)


def add_setting(conn: Connection, name: str, value: str, now: datetime) -> None:
    conn.execute(settings.insert().values(name=name, value=value, created_at=now))
