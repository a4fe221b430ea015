"""Who is calling: password logins (rate-limited), portal sessions, API tokens and the access
tokens of device credentials (entitle-tool signed in from a workstation)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from entitle import settings
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError
from entitle.domain.model import Organisation, User
from entitle.service.context import Services
from entitle.service.passwords import password_matches
from entitle.service.tokens import ACCESS_PREFIX, token_digest
from entitle.store import audit, identity_providers, organisations
from entitle.store import auth as store

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=1)
SESSION_LIFETIME = timedelta(hours=12)
LAST_USE_PRECISION = timedelta(minutes=1)
"""A device credential's last use is written at most this often, not on every request."""
SECRET_SETTING = "session_secret"  # noqa: S105 - the setting's name


class Unauthenticated(DomainError):
    pass


NOT_AUTHENTICATED = "Log in, or send an API token as 'Authorization: Bearer <token>'."


class TooManyAttempts(DomainError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            Code.TOO_MANY_LOGIN_ATTEMPTS,
            f"Too many failed logins; wait {retry_after} seconds and try again.",
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignedIn:
    """A password login: the user, and the random id of the new session (the cookie's)."""

    user: User
    session: str


def session_digest(session: str) -> str:
    return hashlib.sha256(session.encode()).hexdigest()


def login(services: Services, email: str, password: str, address: str = "") -> SignedIn:
    """Check the password and start a session; five failures a minute per account or address
    lock both, on every server sharing the database."""
    email = email.strip().lower()
    now = services.now()
    # Two transactions on purpose: the attempt takes its place in the count, committed, before
    # the password is checked, so logins racing on other servers count it too. The count is
    # read and written under a lock per account and address (store.auth.lock_login_counts).
    with services.uow() as uow:
        store.lock_login_counts(uow.conn, [f"account:{email}", f"address:{address}"])
        by_account, by_address = store.attempts_since(
            uow.conn, email, address, now - FAILURE_WINDOW
        )
        if max(by_account, by_address) >= MAX_FAILURES:
            services.observer.login_refused(Code.TOO_MANY_LOGIN_ATTEMPTS)
            raise TooManyAttempts(int(FAILURE_WINDOW.total_seconds()))
        store.forget_attempts_before(uow.conn, now - timedelta(hours=1))
        attempt = store.record_attempt(uow.conn, email, address, now)
        user = organisations.user_by_email(uow.conn, email)
        stored = organisations.password_hash(uow.conn, user.id) if user else None
        uow.commit()
    matched = password_matches(stored, password)
    with services.uow() as uow:
        # A deactivated user is refused like a wrong password: the answer tells nobody more.
        if user is None or not matched or not user.active:
            organisation_id = user.organisation_id if user else None
            audit.record(uow.conn, organisation_id, now, email, "login.failed", "", address)
            uow.commit()
            services.observer.login_refused(Code.LOGIN_FAILED)
            raise Unauthenticated(
                Code.LOGIN_FAILED, "The email or password is not right.", field="password"
            )
        provider = identity_providers.of_organisation(uow.conn, user.organisation_id)
        if provider is not None and not provider.passwords_allowed:
            audit.record(
                uow.conn,
                user.organisation_id,
                now,
                email,
                "login.failed",
                "",
                address,
                f"passwords are not allowed: {provider.name} signs in",
            )
            uow.commit()
            services.observer.login_refused(Code.PASSWORDS_NOT_ALLOWED)
            raise Unauthenticated(
                Code.PASSWORDS_NOT_ALLOWED,
                f"Your organisation signs in through {provider.name} only: "
                f"use Sign in with {provider.name}.",
                field="password",
            )
        store.forget_attempt(uow.conn, attempt)  # a login that succeeds is no failure
        store.forget_sessions_before(uow.conn, now)
        session = secrets.token_urlsafe(32)
        store.add_session(uow.conn, session_digest(session), user.id, now, now + SESSION_LIFETIME)
        organisations.update_user(uow.conn, user.id, last_login_at=now)
        audit.record(uow.conn, user.organisation_id, now, user.email, "login", "", address)
        uow.commit()
    return SignedIn(user, session)


def log_out(services: Services, user: User, session: str | None, address: str = "") -> None:
    """End this session (the user's other sessions go on) and record the logout."""
    now = services.now()
    with services.uow() as uow:
        if session is not None:
            store.revoke_session(uow.conn, session_digest(session), now)
        audit.record(uow.conn, user.organisation_id, now, user.email, "logout", "", address)
        uow.commit()


def user_for_session(services: Services, session: str) -> User | None:
    """The user of a session that was neither ended nor has expired."""
    digest = session_digest(session)
    with services.uow(read_only=True) as uow:
        found = organisations.user_of_session(uow.conn, digest, services.now())
    if found is None or not hmac.compare_digest(found[1], digest):
        return None
    return found[0]


@dataclass(frozen=True)
class Device:
    """The device credential a request came with: its id in the user's tokens, the machine
    and the version of entitle-tool that signed in."""

    token_id: int
    machine: str
    tool_version: str


@dataclass(frozen=True)
class Bearer:
    """Who a bearer token acts for; ``device`` when it is a device credential's access token."""

    user: User
    device: Device | None = None


def user_for_token(services: Services, token: str) -> User | None:
    """The user behind an API token, or a device credential's access token, that is neither
    revoked nor expired."""
    found = bearer_for_token(services, token)
    return found.user if found else None


def recent_bearer(services: Services, token: str) -> Bearer | None:
    """The user behind an API token this server looked up a moment ago, without I/O
    (:mod:`entitle.service.recent_tokens`); None: look it up with :func:`bearer_for_token`."""
    if token.strip().startswith(ACCESS_PREFIX):
        return None
    user = services.tokens.user(token_digest(token))
    return None if user is None else Bearer(user)


def bearer_for_token(services: Services, token: str) -> Bearer | None:
    """The user behind a bearer token (tokens are stored as SHA-256), and its device."""
    digest = token_digest(token)
    if token.strip().startswith(ACCESS_PREFIX):
        return _device_bearer(services, digest)
    started = services.tokens.start()
    with services.uow(read_only=True) as uow:
        user = user_of_api_token(uow.conn, token)
    if user is None:
        return None
    services.tokens.keep(digest, user, started)
    return Bearer(user)


def organisation_of_api_token(conn: Connection, token: str) -> tuple[User, Organisation] | None:
    """:func:`user_of_api_token` and the user's organisation, in one statement."""
    digest = token_digest(token)
    found = organisations.token_user_and_organisation(conn, digest)
    if found is None or not hmac.compare_digest(found[1], digest):
        return None
    return found[0], found[2]


def user_of_api_token(conn: Connection, token: str) -> User | None:
    """The user of an API token (not a device's access token) neither revoked nor expired,
    looked up on ``conn``: a use case may resolve its caller's token in its own transaction."""
    digest = token_digest(token)
    found = organisations.user_of_token(conn, digest)
    if found is None or not hmac.compare_digest(found[1], digest):
        return None
    return found[0]


def _device_bearer(services: Services, digest: str) -> Bearer | None:
    now = services.now()
    with services.uow(read_only=True) as uow:
        found = organisations.user_of_access_token(uow.conn, digest, now)
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    stale = now - LAST_USE_PRECISION
    if found.last_used_at is None or found.last_used_at < stale:
        with services.uow() as uow:
            store.mark_used(uow.conn, found.token_id, now, stale)
            uow.commit()
    return Bearer(found.user, Device(found.token_id, found.machine, found.tool_version))


def session_secret(services: Services) -> str:
    """``ENTITLE_SECRET_KEY``, else a secret generated once and kept in the database."""
    configured = settings.current().secret_key
    if configured:
        return configured.get_secret_value()
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
