"""Device sign-in: the requests entitle-tool makes, and the tokens of device credentials.

Every secret is kept as its SHA-256 alone (device codes, access and refresh tokens); user
codes are kept as entered, without their dash, because a person types them and they live
for minutes. Updates that decide something (an answer, a device code used, a refresh token
replaced) change a row only in the state it was read in, and say whether they did, so two
requests racing on one row never both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row, func, select

from entitle.store.tables import (
    api_tokens,
    device_authorizations,
    device_tokens,
    user_code_attempts,
)

ACCESS = "access"
REFRESH = "refresh"


@dataclass(frozen=True)
class DeviceAuthorization:
    """A sign-in entitle-tool asked for, and how far it got."""

    id: int
    user_code: str
    client_id: str
    scope: str
    machine: str
    tool_version: str
    address: str
    created_at: datetime
    expires_at: datetime
    interval: int
    last_polled_at: datetime | None
    user_id: int | None
    answered_at: datetime | None
    approved: bool | None
    used_at: datetime | None


@dataclass(frozen=True)
class DeviceToken:
    """An access or refresh token, with the device credential it belongs to."""

    id: int
    token_id: int
    kind: str
    token_hash: str
    expires_at: datetime
    replaced_at: datetime | None
    user_id: int
    credential_revoked_at: datetime | None


def add_authorization(
    conn: Connection,
    *,
    device_code_hash: str,
    user_code: str,
    client_id: str,
    scope: str,
    machine: str,
    tool_version: str,
    address: str,
    now: datetime,
    expires_at: datetime,
    interval: int,
) -> int:
    result = conn.execute(
        device_authorizations.insert().values(
            device_code_hash=device_code_hash,
            user_code=user_code,
            client_id=client_id,
            scope=scope,
            machine=machine,
            tool_version=tool_version,
            address=address,
            created_at=now,
            expires_at=expires_at,
            interval=interval,
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def user_code_taken(conn: Connection, user_code: str) -> bool:
    query = select(device_authorizations.c.id).where(device_authorizations.c.user_code == user_code)
    return conn.execute(query).first() is not None


def forget_authorizations_before(conn: Connection, moment: datetime) -> None:
    """Sign-ins that expired before ``moment`` are of no further use."""
    conn.execute(device_authorizations.delete().where(device_authorizations.c.expires_at < moment))


def by_device_code(conn: Connection, device_code_hash: str) -> DeviceAuthorization | None:
    query = select(device_authorizations).where(
        device_authorizations.c.device_code_hash == device_code_hash
    )
    row = conn.execute(query).first()
    return _authorization(row) if row else None


def by_user_code(conn: Connection, user_code: str) -> DeviceAuthorization | None:
    query = select(device_authorizations).where(device_authorizations.c.user_code == user_code)
    row = conn.execute(query).first()
    return _authorization(row) if row else None


def record_poll(conn: Connection, authorization_id: int, now: datetime, interval: int) -> None:
    conn.execute(
        device_authorizations.update()
        .where(device_authorizations.c.id == authorization_id)
        .values(last_polled_at=now, interval=interval)
    )


def answer(
    conn: Connection, authorization_id: int, user_id: int, approved: bool, now: datetime
) -> bool:
    """Approve or deny a sign-in nobody answered yet; False when someone had."""
    result = conn.execute(
        device_authorizations.update()
        .where(
            (device_authorizations.c.id == authorization_id)
            & device_authorizations.c.answered_at.is_(None)
        )
        .values(user_id=user_id, approved=approved, answered_at=now)
    )
    return result.rowcount == 1


def use(conn: Connection, authorization_id: int, now: datetime) -> bool:
    """Take an approved sign-in's device code, once; False when it was taken already."""
    result = conn.execute(
        device_authorizations.update()
        .where(
            (device_authorizations.c.id == authorization_id)
            & device_authorizations.c.approved.is_(True)
            & device_authorizations.c.used_at.is_(None)
        )
        .values(used_at=now)
    )
    return result.rowcount == 1


def link_credential(conn: Connection, authorization_id: int, token_id: int) -> None:
    conn.execute(
        device_authorizations.update()
        .where(device_authorizations.c.id == authorization_id)
        .values(token_id=token_id)
    )


def add_token(
    conn: Connection,
    token_id: int,
    kind: str,
    token_hash: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(
        device_tokens.insert().values(
            token_id=token_id,
            kind=kind,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires_at,
        )
    )


def token(conn: Connection, token_hash: str) -> DeviceToken | None:
    """The access or refresh token with this hash, whatever its state."""
    row = conn.execute(
        select(device_tokens, api_tokens.c.user_id, api_tokens.c.revoked_at)
        .join(api_tokens, api_tokens.c.id == device_tokens.c.token_id)
        .where(device_tokens.c.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    return DeviceToken(
        row.id,
        row.token_id,
        row.kind,
        row.token_hash,
        row.expires_at,
        row.replaced_at,
        row.user_id,
        row.revoked_at,
    )


def replace(conn: Connection, device_token_id: int, now: datetime) -> bool:
    """Mark a refresh token used, once; False when another request used it first."""
    result = conn.execute(
        device_tokens.update()
        .where((device_tokens.c.id == device_token_id) & device_tokens.c.replaced_at.is_(None))
        .values(replaced_at=now)
    )
    return result.rowcount == 1


def forget_tokens_before(conn: Connection, token_id: int, moment: datetime) -> None:
    """A credential's tokens that expired before ``moment`` answer nothing any more."""
    conn.execute(
        device_tokens.delete().where(
            (device_tokens.c.token_id == token_id) & (device_tokens.c.expires_at < moment)
        )
    )


def user_code_failures_since(conn: Connection, user_id: int, since: datetime) -> int:
    query = (
        select(func.count())
        .select_from(user_code_attempts)
        .where((user_code_attempts.c.user_id == user_id) & (user_code_attempts.c.at > since))
    )
    return int(conn.execute(query).scalar_one())


def record_user_code_failure(conn: Connection, user_id: int, at: datetime) -> None:
    conn.execute(user_code_attempts.insert().values(user_id=user_id, at=at))


def forget_user_code_failures_before(conn: Connection, moment: datetime) -> None:
    conn.execute(user_code_attempts.delete().where(user_code_attempts.c.at < moment))


def _authorization(row: Row[tuple[object, ...]]) -> DeviceAuthorization:
    return DeviceAuthorization(
        id=row.id,
        user_code=row.user_code,
        client_id=row.client_id,
        scope=row.scope,
        machine=row.machine,
        tool_version=row.tool_version,
        address=row.address,
        created_at=row.created_at,
        expires_at=row.expires_at,
        interval=row.interval,
        last_polled_at=row.last_polled_at,
        user_id=row.user_id,
        answered_at=row.answered_at,
        approved=row.approved,
        used_at=row.used_at,
    )
