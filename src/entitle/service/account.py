"""The caller's own account: who they are and the organisation they act for."""

from __future__ import annotations

from dataclasses import dataclass, replace

from entitle.domain import languages
from entitle.domain.model import Organisation, User
from entitle.service.actors import actor_and_organisation
from entitle.service.context import Services
from entitle.store import organisations


@dataclass(frozen=True)
class Account:
    user: User
    organisation: Organisation

    @property
    def manages_checkouts(self) -> bool:
        return self.user.role.manages_checkouts


def account(services: Services, email: str) -> Account:
    """The user and their organisation; any role may ask, the page decides what to show."""
    with services.uow(read_only=True) as uow:
        user, organisation = actor_and_organisation(uow.conn, email)
    return Account(user, organisation)


def set_language(services: Services, user: User, language: str | None) -> User:
    """Keep the user's own language for the portal and their e-mails (None: the browser's)."""
    chosen = languages.choice(language)
    with services.uow() as uow:
        organisations.update_user(uow.conn, user.id, language=chosen)
        uow.commit()
    return replace(user, language=chosen)
