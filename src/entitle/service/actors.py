"""Who is acting: the user behind a login or token, and the organisation they belong to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from entitle.domain.codes import Code
from entitle.domain.errors import Forbidden, NotFound
from entitle.domain.model import Organisation, Role, User
from entitle.store import organisations


@dataclass(frozen=True)
class OrganisationManager:
    """The operator's command acting in an organisation named by the operator: as ``email``
    (a user of it), or else as its first active Administrator."""

    organisation: str
    email: str | None = None


# Who acts: an email, or the user the API already authenticated for this request.
ActorRef = str | User
# ... or the operator's command for an organisation, where a use case allows it.
OperatorRef = ActorRef | OrganisationManager


def acting_user(conn: Connection, actor: OperatorRef) -> User:
    """The acting user, looked up when given by email.

    Enough for a use case that needs only the organisation's id: a user row cannot outlive its
    organisation (foreign key), so ``user.organisation_id`` names one that exists.
    """
    if isinstance(actor, OrganisationManager):
        return _manager(conn, actor)
    user = organisations.user_by_email(conn, actor) if isinstance(actor, str) else actor
    if user is None:
        raise Forbidden(Code.UNKNOWN_USER, f"No user {actor} is registered.")
    return user


def actor_and_organisation(conn: Connection, actor: OperatorRef) -> tuple[User, Organisation]:
    """The acting user (looked up when given by email) and their organisation."""
    user = acting_user(conn, actor)
    organisation = organisations.get(conn, user.organisation_id)
    if organisation is None:
        raise NotFound(Code.ORGANISATION_NOT_FOUND, "The user's organisation no longer exists.")
    return user, organisation


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
