"""Who is calling: password logins (rate-limited), sessions' shared secret, API tokens."""

from __future__ import annotations

import hmac
import os
import secrets
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from entitle.domain.errors import DomainError
from entitle.domain.model import User
from entitle.service.context import Services
from entitle.service.passwords import password_matches
from entitle.service.tokens import token_digest
from entitle.store import audit, organisations
from entitle.store import auth as store

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=1)
SECRET_SETTING = "session_secret"  # noqa: S105 - the setting's name


class Unauthenticated(DomainError):
    status = 401


class TooManyAttempts(DomainError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "TOO_MANY_LOGIN_ATTEMPTS",
            f"Too many failed logins; wait {retry_after} seconds and try again.",
        )
        self.retry_after = retry_after


def login(services: Services, email: str, password: str, address: str = "") -> User:
    """The user whose password this is; five failures a minute per account or address lock."""
    email = email.strip().lower()
    now = services.now()
    with services.uow() as uow:
        by_account, by_address = store.failures_since(
            uow.conn, email, address, now - FAILURE_WINDOW
        )
        if max(by_account, by_address) >= MAX_FAILURES:
            raise TooManyAttempts(int(FAILURE_WINDOW.total_seconds()))
        user = organisations.user_by_email(uow.conn, email)
        stored = organisations.password_hash(uow.conn, user.id) if user else None
        if user is None or not password_matches(stored, password):
            store.forget_failures_before(uow.conn, now - timedelta(hours=1))
            store.record_failure(uow.conn, email, address, now)
            organisation_id = user.organisation_id if user else None
            audit.record(uow.conn, organisation_id, now, email, "login.failed", "", address)
            uow.commit()
            raise Unauthenticated(
                "LOGIN_FAILED", "The email or password is not right.", field="password"
            )
        audit.record(uow.conn, user.organisation_id, now, user.email, "login", "", address)
        uow.commit()
    return user


def record_logout(services: Services, user: User, address: str = "") -> None:
    with services.uow() as uow:
        audit.record(
            uow.conn, user.organisation_id, services.now(), user.email, "logout", "", address
        )
        uow.commit()


def user_by_id(services: Services, user_id: int) -> User | None:
    with services.uow(read_only=True) as uow:
        return organisations.user_by_id(uow.conn, user_id)


def user_for_token(services: Services, token: str) -> User | None:
    """The user behind an API token that is not revoked; tokens are stored as SHA-256."""
    digest = token_digest(token)
    with services.uow(read_only=True) as uow:
        found = organisations.user_of_token(uow.conn, digest)
    if found is None or not hmac.compare_digest(found[1], digest):
        return None
    return found[0]


def session_secret(services: Services) -> str:
    """``ENTITLE_SECRET_KEY``, else a secret generated once and kept in the database."""
    configured = os.environ.get("ENTITLE_SECRET_KEY")
    if configured:
        return configured
    with services.uow() as uow:
        existing = store.setting(uow.conn, SECRET_SETTING)
        if existing is not None:
            return existing
    try:
        with services.uow() as uow:
            store.add_setting(uow.conn, SECRET_SETTING, secrets.token_urlsafe(48), services.now())
            uow.commit()
    except IntegrityError:
        pass  # another process made it first
    with services.uow() as uow:
        made = store.setting(uow.conn, SECRET_SETTING)
    assert made is not None
    return made
