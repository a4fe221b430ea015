"""The portal's half of signing entitle-tool in: the signed-in user finds the sign-in by its
user code, sees which machine and tool ask, and approves or denies it.

A user code is short, so guessing is limited: five codes a minute per user that match no
sign-in, whichever session or server they come from; then the user waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from entitle.domain.model import User
from entitle.domain.user_codes import MAX_TYPED, shown, user_code_key
from entitle.service.context import Services
from entitle.service.unit_of_work import UnitOfWork
from entitle.store import audit, devices, organisations
from entitle.store import auth as auth_store

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=1)


class TooManyUserCodes(DomainError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            Code.TOO_MANY_USER_CODES,
            f"Too many wrong codes; wait {retry_after} seconds and try again.",
            field="user_code",
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignInRequest:
    """A sign-in waiting for the user: the code, who asks and since when."""

    user_code: str
    machine: str
    tool_version: str
    address: str
    created_at: datetime
    expires_at: datetime
    approved: bool | None = None


def find_sign_in(services: Services, email: str, typed_code: str) -> SignInRequest:
    """The sign-in waiting with this user code; a code that matches none counts against the
    user's few a minute."""
    now = services.now()
    with services.uow() as uow:
        user = _user(uow.conn, email)
        found = _waiting(uow, user, typed_code, now)
        uow.commit()
    return _request(found)


def answer_sign_in(
    services: Services, email: str, typed_code: str, approve: bool, address: str = ""
) -> SignInRequest:
    """Approve (the tool's next poll gets a credential of this user) or deny the sign-in."""
    now = services.now()
    with services.uow() as uow:
        user = _user(uow.conn, email)
        found = _waiting(uow, user, typed_code, now)
        if not devices.answer(uow.conn, found.id, user.id, approve, now):
            raise _answered()
        audit.record(
            uow.conn,
            user.organisation_id,
            now,
            user.email,
            "device.approve" if approve else "device.deny",
            f"sign-in {shown(found.user_code)}",
            address,
            f"entitle-tool {found.tool_version} on {found.machine} from {found.address}",
        )
        uow.commit()
    return _request(found, approve)


def _waiting(
    uow: UnitOfWork, user: User, typed_code: str, now: datetime
) -> devices.DeviceAuthorization:
    conn = uow.conn
    auth_store.lock_login_counts(conn, [f"user-code:{user.id}"])
    if devices.user_code_failures_since(conn, user.id, now - FAILURE_WINDOW) >= MAX_FAILURES:
        raise TooManyUserCodes(int(FAILURE_WINDOW.total_seconds()))
    key = user_code_key(typed_code) if len(typed_code) <= MAX_TYPED else ""
    found = devices.by_user_code(conn, key) if key else None
    if found is None:
        devices.forget_user_code_failures_before(conn, now - timedelta(hours=1))
        devices.record_user_code_failure(conn, user.id, now)
        uow.commit()  # the failure counts, though the request is refused
        raise InvalidInput(
            Code.USER_CODE_UNKNOWN,
            "No sign-in waits with this code; check it against the one entitle-tool shows.",
            field="user_code",
        )
    if found.expires_at <= now:
        raise InvalidInput(
            Code.USER_CODE_EXPIRED,
            "This code has expired; run 'entitle-tool login' again for a new one.",
            field="user_code",
        )
    if found.answered_at is not None:
        raise _answered()
    return found


def _answered() -> Conflict:
    return Conflict(
        Code.USER_CODE_ANSWERED,
        "This sign-in was approved or denied already; run 'entitle-tool login' again if needed.",
        field="user_code",
    )


def _user(conn: Connection, email: str) -> User:
    user = organisations.user_by_email(conn, email)
    if user is None:
        raise NotFound(Code.USER_NOT_FOUND, f"No user {email}.", field="email")
    return user


def _request(found: devices.DeviceAuthorization, approved: bool | None = None) -> SignInRequest:
    return SignInRequest(
        shown(found.user_code),
        found.machine,
        found.tool_version,
        found.address,
        found.created_at,
        found.expires_at,
        approved,
    )
