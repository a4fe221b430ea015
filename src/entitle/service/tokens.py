"""API bearer tokens: shown once when created, stored as SHA-256, listed and revoked.

A user's tokens include the device credentials entitle-tool got by signing in
(:mod:`entitle.service.oauth_server`): listed and revoked here like API tokens, their access
and refresh tokens (``entd_…``, ``entr_…``) end with them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput, NotFound
from entitle.domain.model import User
from entitle.service.context import Services
from entitle.store import audit, organisations
from entitle.store import auth as store
from entitle.store.auth import TokenRecord

PREFIX = "ent_"
ACCESS_PREFIX = "entd_"
"""A device credential's access token, sent as a bearer token like an API token."""
REFRESH_PREFIX = "entr_"
"""A device credential's refresh token, good at the token endpoint only."""
MAX_LABEL = 200


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str
    label: str
    created_at: datetime


def token_digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def create_token(
    services: Services, email: str, label: str = "", address: str = "", by: str | None = None
) -> IssuedToken:
    label = label.strip()
    if len(label) > MAX_LABEL:
        raise InvalidInput(
            Code.LABEL_TOO_LONG, f"A label has at most {MAX_LABEL} characters.", field="label"
        )
    token = PREFIX + secrets.token_urlsafe(32)
    now = services.now()
    with services.uow() as uow:
        user = _user(uow.conn, email)
        token_id = store.add_token(uow.conn, user.id, token_digest(token), label, now)
        audit.record(
            uow.conn,
            user.organisation_id,
            now,
            by or user.email,
            "token.create",
            f"token {token_id}",
            address,
            f"for {user.email}: {label}".rstrip(": "),
        )
        uow.commit()
    return IssuedToken(token_id, token, label, now)


def list_tokens(services: Services, email: str) -> list[TokenRecord]:
    with services.uow(read_only=True) as uow:
        return store.tokens_of(uow.conn, _user(uow.conn, email).id)


def revoke_token(
    services: Services, token_id: int, owner_email: str | None = None, address: str = ""
) -> TokenRecord:
    """Revoke a token; with ``owner_email``, only one of that user's own tokens."""
    now = services.now()
    with services.uow() as uow:
        found = store.token(uow.conn, token_id)
        owner = organisations.user_by_id(uow.conn, found.user_id) if found else None
        if (
            found is None
            or owner is None
            or (owner_email is not None and owner.email.lower() != owner_email.lower())
        ):
            raise NotFound(Code.TOKEN_NOT_FOUND, f"No token {token_id} of yours.", field="token_id")
        if store.revoke(uow.conn, token_id, now):
            audit.record(
                uow.conn,
                owner.organisation_id,
                now,
                owner_email or "operator",
                "token.revoke",
                f"token {token_id}",
                address,
                f"of {owner.email}",
            )
        uow.commit()
        revoked = store.token(uow.conn, token_id)
    assert revoked is not None
    return revoked


def _user(conn: Connection, email: str) -> User:
    user = organisations.user_by_email(conn, email.strip())
    if user is None:
        raise NotFound(Code.USER_NOT_FOUND, f"No user {email}.", field="email")
    return user
