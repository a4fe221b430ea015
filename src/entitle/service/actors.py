"""Who is acting: the user behind a login or token, and the organisation they belong to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from entitle.domain.codes import Code
from entitle.domain.errors import Forbidden, NotFound
from entitle.domain.model import Organisation, Role, User
from entitle.service import auth
from entitle.store import organisations


@dataclass(frozen=True)
class OrganisationManager:
    """The operator's command acting in an organisation named by the operator: as ``email``
    (a user of it), or else as its first active Administrator."""

    organisation: str
    email: str | None = None


@dataclass(frozen=True)
class ApiToken:
    """An API token the request came with, looked up in the use case's own transaction;
    ``resolved`` is told its user (the request's log line names the caller)."""

    token: str = field(repr=False)
    resolved: Callable[[User], None] | None = field(default=None, compare=False, repr=False)


# Who acts: an email, the user the API already authenticated for this request, or its token.
ActorRef = str | User | ApiToken
# ... or the operator's command for an organisation, where a use case allows it.
OperatorRef = ActorRef | OrganisationManager


def acting_user(conn: Connection, actor: OperatorRef) -> User:
    """The acting user, looked up when given by email.

    Enough for a use case that needs only the organisation's id: a user row cannot outlive its
    organisation (foreign key), so ``user.organisation_id`` names one that exists.
    """
    if isinstance(actor, OrganisationManager):
        return _manager(conn, actor)
    if isinstance(actor, ApiToken):
        return _token_user(conn, actor)
    user = organisations.user_by_email(conn, actor) if isinstance(actor, str) else actor
    if user is None:
        raise Forbidden(Code.UNKNOWN_USER, f"No user {actor} is registered.")
    return user


def actor_and_organisation(conn: Connection, actor: OperatorRef) -> tuple[User, Organisation]:
    """The acting user (looked up when given by email or token) and their organisation."""
    if isinstance(actor, ApiToken):
        found = auth.organisation_of_api_token(conn, actor.token)
        if found is None:
            raise auth.Unauthenticated(Code.NOT_AUTHENTICATED, auth.NOT_AUTHENTICATED)
        if actor.resolved is not None:
            actor.resolved(found[0])
        return found
    user = acting_user(conn, actor)
    organisation = organisations.get(conn, user.organisation_id)
    if organisation is None:
        raise NotFound(Code.ORGANISATION_NOT_FOUND, "The user's organisation no longer exists.")
    return user, organisation


def _token_user(conn: Connection, actor: ApiToken) -> User:
    user = auth.user_of_api_token(conn, actor.token)
    if user is None:
        raise auth.Unauthenticated(Code.NOT_AUTHENTICATED, auth.NOT_AUTHENTICATED)
    if actor.resolved is not None:
        actor.resolved(user)
    return user


def _manager(conn: Connection, actor: OrganisationManager) -> User:
    organisation = organisations.by_name(conn, actor.organisation.strip())
    if organisation is None:
        raise NotFound(Code.ORGANISATION_NOT_FOUND, f"No organisation named {actor.organisation}.")
    members = [u for u in organisations.users_of(conn, organisation.id) if u.active]
    if actor.email is not None:
        found = next((u for u in members if u.email.lower() == actor.email.lower()), None)
        if found is None:
            raise Forbidden(
                Code.UNKNOWN_USER,
                f"{actor.email} is no active user of {organisation.name}.",
            )
        return found
    found = next((u for u in members if u.role is Role.ADMINISTRATOR), None)
    if found is None:
        raise Forbidden(
            Code.UNKNOWN_USER,
            f"{organisation.name} has no active Administrator to act as; name a user (--as).",
        )
    return found
