"""An organisation's users, as its Administrators run them from the portal or the API.

Administrators invite users (a one-time set-password link, shown once), change a user's role
and usage country, and deactivate or reactivate them; Co-Administrators see the list. A
deactivated user cannot log in, and their portal sessions, API tokens and device credentials
end in the same transaction. The organisation always keeps one active Administrator. Each use
case is one transaction, audited in it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection

from entitle.domain import names
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from entitle.domain.events import EventType
from entitle.domain.model import Organisation, Role, User
from entitle.service import events
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.admin import hash_password
from entitle.service.auth import SESSION_LIFETIME, SignedIn, session_digest
from entitle.service.context import Services
from entitle.store import audit, organisations
from entitle.store import auth as store

_T = TypeVar("_T")
LINK_LIFETIME = timedelta(days=7)
SET_PASSWORD_PATH = "/set-password"  # noqa: S105 - a path, not a secret

INVITE_REFUSALS = (
    Code.ROLE_CANNOT_MANAGE_USERS,
    Code.EMAIL_INVALID,
    Code.USER_EXISTS,
    Code.ROLE_UNKNOWN,
    Code.COUNTRY_INVALID,
    Code.COUNTRY_NOT_ENTITLED,
)
CHANGE_REFUSALS = (
    Code.ROLE_CANNOT_MANAGE_USERS,
    Code.USER_ID_NOT_FOUND,
    Code.ROLE_UNKNOWN,
    Code.COUNTRY_INVALID,
    Code.COUNTRY_NOT_ENTITLED,
    Code.LAST_ADMINISTRATOR,
)
LINK_REFUSALS = (Code.ROLE_CANNOT_MANAGE_USERS, Code.USER_ID_NOT_FOUND, Code.USER_DEACTIVATED)


@dataclass(frozen=True)
class SetPasswordLink:
    """A link's secret, shown once to the Administrator who asked for it; kept as SHA-256."""

    user: User
    token: str
    expires_at: datetime

    @property
    def path(self) -> str:
        return f"{SET_PASSWORD_PATH}?token={self.token}"


def link_digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def list_users(services: Services, actor_ref: ActorRef) -> list[User]:
    """Every user of the actor's organisation (Administrators and Co-Administrators)."""
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_sees_users(actor)
        return organisations.users_of(uow.conn, organisation.id)


def invite_user(
    services: Services,
    actor_ref: ActorRef,
    email: str,
    display_name: str,
    usage_country: str,
    role: str,
    address: str = "",
) -> SetPasswordLink:
    """Add a user without a password and give the Administrator their set-password link."""
    now = services.now()
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_manages_users(actor)
        errors: list[DomainError] = []
        wanted = _guard(errors, lambda: names.email(email, field="email"))
        chosen = _guard(errors, lambda: _role(role))
        country = _guard(errors, lambda: _country(organisation, usage_country))
        if wanted and organisations.user_by_email(uow.conn, wanted):
            errors.append(
                Conflict(Code.USER_EXISTS, f"A user {wanted} exists already.", field="email")
            )
        if errors:
            raise DomainError.of_all(errors)
        assert wanted is not None
        assert chosen is not None
        assert country is not None
        name = display_name.strip()[:200] or wanted
        user_id = organisations.add_user(
            uow.conn, organisation.id, wanted, name, country, chosen, None, now
        )
        user = organisations.user_by_id(uow.conn, user_id)
        assert user is not None
        link = _new_link(uow.conn, user, actor.email, now)
        audit.record(
            uow.conn,
            organisation.id,
            now,
            actor.email,
            "user.invite",
            user.email,
            address,
            f"{chosen.value}, usage country {country}",
        )
        events.user_event(uow.conn, EventType.USER_ADDED, user, now, actor.email)
        uow.commit()
    return link


def change_user(
    services: Services,
    actor_ref: ActorRef,
    user_id: int,
    *,
    role: str | None = None,
    usage_country: str | None = None,
    active: bool | None = None,
    address: str = "",
) -> User:
    """Change a user's role, usage country or access; a field left ``None`` keeps its value.
    Deactivating ends the user's sessions, API tokens and device credentials at once."""
    now = services.now()
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_manages_users(actor)
        user = _user_of(uow.conn, organisation, user_id)
        errors: list[DomainError] = []
        chosen = _guard(errors, lambda: _role(role)) if role is not None else user.role
        country = (
            _guard(errors, lambda: _country(organisation, usage_country))
            if usage_country is not None
            else user.usage_country
        )
        stays_active = user.active if active is None else active
        if errors:
            raise DomainError.of_all(errors)
        assert chosen is not None
        assert country is not None
        was_administrator = user.role is Role.ADMINISTRATOR and user.active
        stops = chosen is not Role.ADMINISTRATOR or not stays_active
        if (
            was_administrator
            and stops
            and organisations.active_administrators(uow.conn, organisation.id) <= 1
        ):
            raise Conflict(
                Code.LAST_ADMINISTRATOR,
                f"{user.email} is the last active Administrator of {organisation.name}: "
                "make another user Administrator first.",
                field="role" if chosen is not Role.ADMINISTRATOR else "active",
            )
        changes: list[str] = []
        values: dict[str, object] = {}
        if chosen is not user.role:
            values["role"] = chosen.value
            changes.append(f"role {user.role.value} → {chosen.value}")
        if country != user.usage_country:
            values["usage_country"] = country
            changes.append(f"usage country {user.usage_country} → {country}")
        if stays_active != user.active:
            values["deactivated_at"] = None if stays_active else now
            changes.append("reactivated" if stays_active else "deactivated")
        if values:
            organisations.update_user(uow.conn, user.id, **values)
            if not stays_active:
                ended_sessions = store.revoke_sessions_of(uow.conn, user.id, now)
                ended_tokens = store.revoke_tokens_of(uow.conn, user.id, now)
                changes.append(f"{ended_sessions} sessions and {ended_tokens} tokens ended")
            audit.record(
                uow.conn,
                organisation.id,
                now,
                actor.email,
                "user.change",
                user.email,
                address,
                "; ".join(changes),
            )
        changed = organisations.user_by_id(uow.conn, user.id)
        assert changed is not None
        if user.active and not changed.active:
            events.user_event(uow.conn, EventType.USER_DEACTIVATED, changed, now, actor.email)
        uow.commit()
    assert changed is not None
    return changed


def issue_set_password_link(
    services: Services, actor_ref: ActorRef, user_id: int, address: str = ""
) -> SetPasswordLink:
    """A new one-time link for a user (a lost invitation, a forgotten password); the user's
    earlier unused links end."""
    now = services.now()
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_manages_users(actor)
        user = _user_of(uow.conn, organisation, user_id)
        if not user.active:
            raise Conflict(
                Code.USER_DEACTIVATED,
                f"{user.email} is deactivated: reactivate them first.",
                field="active",
            )
        link = _new_link(uow.conn, user, actor.email, now)
        audit.record(uow.conn, organisation.id, now, actor.email, "user.link", user.email, address)
        uow.commit()
    return link


def user_of_link(services: Services, token: str) -> User:
    """Whose link this is, while it can still be used (the set-password page asks first)."""
    with services.uow(read_only=True) as uow:
        _, user = _usable_link(uow.conn, token, services.now())
    return user


def set_password_with_link(
    services: Services, token: str, password: str, address: str = ""
) -> SignedIn:
    """The user sets their password with the link, once, and is signed in: the link is used
    up, the user's other sessions end, a new session starts."""
    hashed = hash_password(password)
    now = services.now()
    with services.uow() as uow:
        link, user = _usable_link(uow.conn, token, now)
        if not store.use_set_password_link(uow.conn, link.id, now):
            raise _invalid_link("was used already")
        organisations.update_user(uow.conn, user.id, password_hash=hashed, last_login_at=now)
        store.revoke_sessions_of(uow.conn, user.id, now)
        session = secrets.token_urlsafe(32)
        store.add_session(uow.conn, session_digest(session), user.id, now, now + SESSION_LIFETIME)
        audit.record(uow.conn, user.organisation_id, now, user.email, "password.set", "", address)
        audit.record(uow.conn, user.organisation_id, now, user.email, "login", "", address)
        uow.commit()
    return SignedIn(user, session)


def _new_link(conn: Connection, user: User, by: str, now: datetime) -> SetPasswordLink:
    token = secrets.token_urlsafe(32)
    expires_at = now + LINK_LIFETIME
    store.add_set_password_link(conn, user.id, link_digest(token), by, now, expires_at)
    return SetPasswordLink(user, token, expires_at)


def _usable_link(conn: Connection, token: str, now: datetime) -> tuple[store.SetPasswordLink, User]:
    link = store.set_password_link(conn, link_digest(token)) if token.strip() else None
    if link is None:
        raise _invalid_link("is not one this server gave")
    if link.used_at is not None:
        raise _invalid_link("was used already")
    if link.expires_at <= now:
        raise _invalid_link("has expired")
    user = organisations.user_by_id(conn, link.user_id)
    if user is None or not user.active:
        raise _invalid_link("belongs to a deactivated account")
    return link, user


def _invalid_link(why: str) -> InvalidInput:
    return InvalidInput(
        Code.SET_PASSWORD_LINK_INVALID,
        f"This set-password link {why}: ask an administrator of your organisation for a new one.",
        field="token",
    )


def _require_manages_users(actor: User) -> None:
    if not actor.role.manages_users:
        raise Forbidden(
            Code.ROLE_CANNOT_MANAGE_USERS,
            "Only an Administrator can invite users or change their role, usage country or access.",
        )


def _require_sees_users(actor: User) -> None:
    if not actor.role.sees_users:
        raise Forbidden(
            Code.ROLE_CANNOT_MANAGE_CHECKOUTS,
            "Only an Administrator or Co-Administrator can see the organisation's users.",
        )


def _user_of(conn: Connection, organisation: Organisation, user_id: int) -> User:
    user = organisations.user_by_id(conn, user_id)
    if user is None or user.organisation_id != organisation.id:
        raise NotFound(
            Code.USER_ID_NOT_FOUND, f"{organisation.name} has no user {user_id}.", field="user_id"
        )
    return user


def _role(text: str | None) -> Role:
    try:
        return Role((text or "").strip())
    except ValueError:
        raise InvalidInput(
            Code.ROLE_UNKNOWN, f"role is one of {', '.join(r.value for r in Role)}.", field="role"
        ) from None


def _country(organisation: Organisation, text: str | None) -> str:
    code = names.country(text or "", field="usage_country")
    if organisation.policy_for(code) is None:
        known = ", ".join(c.country for c in organisation.countries) or "none"
        raise InvalidInput(
            Code.COUNTRY_NOT_ENTITLED,
            f"{code} is not one of {organisation.name}'s entitlement countries ({known}).",
            field="usage_country",
        )
    return code


def _guard(errors: list[DomainError], check: Callable[[], _T]) -> _T | None:
    try:
        return check()
    except InvalidInput as refusal:
        errors.append(refusal)
        return None
