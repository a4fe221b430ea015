"""Who is acting: the user behind a login or token, and the organisation they belong to."""

from __future__ import annotations

from sqlalchemy import Connection

from entitle.domain.codes import Code
from entitle.domain.errors import Forbidden, NotFound
from entitle.domain.model import Organisation, User
from entitle.store import organisations

# Who acts: an email, or the user the API already authenticated for this request.
ActorRef = str | User


def acting_user(conn: Connection, actor: ActorRef) -> User:
    """The acting user, looked up when given by email.

    Enough for a use case that needs only the organisation's id: a user row cannot outlive its
    organisation (foreign key), so ``user.organisation_id`` names one that exists.
    """
    user = organisations.user_by_email(conn, actor) if isinstance(actor, str) else actor
    if user is None:
        raise Forbidden(Code.UNKNOWN_USER, f"No user {actor} is registered.")
    return user


def actor_and_organisation(conn: Connection, actor: ActorRef) -> tuple[User, Organisation]:
    """The acting user (looked up when given by email) and their organisation."""
    user = acting_user(conn, actor)
    organisation = organisations.get(conn, user.organisation_id)
    if organisation is None:
        raise NotFound(Code.ORGANISATION_NOT_FOUND, "The user's organisation no longer exists.")
    return user, organisation
