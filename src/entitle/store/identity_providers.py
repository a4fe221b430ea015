"""Organisations' identity providers, and the users who sign in through them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Row, delete, select

from entitle.domain.identity_provider import IdentityProvider
from entitle.domain.model import Role, User
from entitle.store import organisations
from entitle.store.tables import identity_providers, users


def of_organisation(conn: Connection, organisation_id: int) -> IdentityProvider | None:
    row = conn.execute(
        select(identity_providers).where(identity_providers.c.organisation_id == organisation_id)
    ).first()
    return _provider(row) if row else None


def all_providers(conn: Connection) -> list[IdentityProvider]:
    rows = conn.execute(select(identity_providers).order_by(identity_providers.c.organisation_id))
    return [_provider(row) for row in rows]


def for_domain(conn: Connection, domain: str) -> IdentityProvider | None:
    """The provider that signs in this email domain (domains are few: read them all)."""
    wanted = domain.strip().lower()
    return next((p for p in all_providers(conn) if wanted in p.email_domains), None)


def save(conn: Connection, provider: IdentityProvider, now: datetime) -> None:
    values = {
        "name": provider.name,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "email_domains": list(provider.email_domains),
        "passwords_allowed": provider.passwords_allowed,
        "jit": provider.jit,
        "default_role": provider.default_role.value,
        "name_claim": provider.name_claim,
        "email_claim": provider.email_claim,
        "country_claim": provider.country_claim,
        "groups_claim": provider.groups_claim,
        "group_roles": {g: r.value for g, r in provider.group_roles.items()},
        "updated_at": now,
    }
    updated = conn.execute(
        identity_providers.update()
        .where(identity_providers.c.organisation_id == provider.organisation_id)
        .values(**values)
    )
    if updated.rowcount == 0:
        conn.execute(
            identity_providers.insert().values(organisation_id=provider.organisation_id, **values)
        )


def remove(conn: Connection, organisation_id: int) -> bool:
    done = conn.execute(
        delete(identity_providers).where(identity_providers.c.organisation_id == organisation_id)
    )
    return done.rowcount > 0


def user_by_subject(conn: Connection, organisation_id: int, subject: str) -> User | None:
    row = conn.execute(
        select(users).where(
            users.c.organisation_id == organisation_id, users.c.identity_subject == subject
        )
    ).first()
    return organisations.user_by_id(conn, int(row.id)) if row else None


def subject_of(conn: Connection, user_id: int) -> str | None:
    found = conn.execute(select(users.c.identity_subject).where(users.c.id == user_id)).scalar()
    return str(found) if found is not None else None


def refresh_token_of(conn: Connection, user_id: int) -> str | None:
    found = conn.execute(select(users.c.identity_refresh_token).where(users.c.id == user_id))
    value = found.scalar()
    return str(value) if value is not None else None


def set_refresh_token(conn: Connection, user_id: int, token: str | None) -> None:
    conn.execute(users.update().where(users.c.id == user_id).values(identity_refresh_token=token))


def _provider(row: Row[tuple[object, ...]]) -> IdentityProvider:
    return IdentityProvider(
        organisation_id=row.organisation_id,
        name=row.name,
        issuer=row.issuer,
        client_id=row.client_id,
        client_secret=row.client_secret,
        email_domains=tuple(row.email_domains),
        passwords_allowed=row.passwords_allowed,
        jit=row.jit,
        default_role=Role(row.default_role),
        name_claim=row.name_claim,
        email_claim=row.email_claim,
        country_claim=row.country_claim,
        groups_claim=row.groups_claim,
        group_roles={g: Role(r) for g, r in dict(row.group_roles).items()},
    )
