"""Organisations, their entitlement countries, users and activation keys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, func, or_, select

from entitle.domain.model import ActivationKey, Organisation, Role, User
from entitle.domain.policy import ApplicationRule, CheckoutPolicy
from entitle.store import driver
from entitle.store.devices import ACCESS
from entitle.store.like import escape_like
from entitle.store.tables import (
    activation_keys,
    api_tokens,
    device_tokens,
    organisation_countries,
    organisations,
    sessions,
    users,
)


def get(conn: Connection, organisation_id: int) -> Organisation | None:
    """The organisation and its countries in one statement (every request of a user asks)."""
    rows = conn.execute(
        select(organisations, *_POLICY_COLUMNS)
        .outerjoin(
            organisation_countries, organisation_countries.c.organisation_id == organisations.c.id
        )
        .where(organisations.c.id == organisation_id)
        .order_by(organisation_countries.c.country)
    ).all()
    if not rows:
        return None
    first = rows[0]
    return Organisation(
        id=first.id,
        name=first.name,
        has_select=first.has_select,
        contract_end=first.contract_end,
        countries=tuple(_policy(r) for r in rows if r.country is not None),
        maintains_catalog=first.maintains_catalog,
    )


_POLICY_COLUMNS = [c for c in organisation_countries.c if c.name != "organisation_id"]


def _policy(row: Row[tuple[object, ...]]) -> CheckoutPolicy:
    users = row.self_service_users
    return CheckoutPolicy(
        country=row.country,
        checkouts_enabled=row.checkouts_enabled,
        max_days=row.max_days,
        self_service=row.self_service,
        self_service_max_days=row.self_service_max_days,
        application_rule=ApplicationRule(row.application_rule),
        applications=tuple(row.applications or ()),
        self_service_users=None if users is None else tuple(users),
    )


def by_name(conn: Connection, name: str) -> Organisation | None:
    row = conn.execute(select(organisations).where(organisations.c.name == name)).first()
    return _organisation(conn, row) if row else None


def all_organisations(conn: Connection) -> list[Organisation]:
    rows = conn.execute(select(organisations).order_by(organisations.c.name)).all()
    return [_organisation(conn, row) for row in rows]


def _organisation(conn: Connection, row: Row[tuple[object, ...]]) -> Organisation:
    countries = conn.execute(
        select(organisation_countries)
        .where(organisation_countries.c.organisation_id == row.id)
        .order_by(organisation_countries.c.country)
    ).all()
    return Organisation(
        id=row.id,
        name=row.name,
        has_select=row.has_select,
        contract_end=row.contract_end,
        countries=tuple(_policy(c) for c in countries),
        maintains_catalog=row.maintains_catalog,
    )


def add(
    conn: Connection,
    name: str,
    has_select: bool,
    contract_end: date,
    now: datetime,
    maintains_catalog: bool = False,
) -> int:
    result = conn.execute(
        organisations.insert().values(
            name=name,
            has_select=has_select,
            contract_end=contract_end,
            created_at=now,
            maintains_catalog=maintains_catalog,
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def catalog_maintainers(conn: Connection) -> list[str]:
    """The names of the organisations whose Administrators import the catalog."""
    query = select(organisations.c.name).where(organisations.c.maintains_catalog.is_(True))
    return list(conn.execute(query.order_by(organisations.c.name)).scalars())


def update(conn: Connection, organisation_id: int, **values: object) -> None:
    conn.execute(
        organisations.update().where(organisations.c.id == organisation_id).values(**values)
    )


def set_policy(conn: Connection, organisation_id: int, policy: CheckoutPolicy) -> None:
    """Add the entitlement country with its policy, or replace the country's policy."""
    key = (organisation_countries.c.organisation_id == organisation_id) & (
        organisation_countries.c.country == policy.country
    )
    users = policy.self_service_users
    values = {
        "checkouts_enabled": policy.checkouts_enabled,
        "max_days": policy.max_days,
        "self_service": policy.self_service,
        "self_service_max_days": policy.self_service_max_days,
        "application_rule": policy.application_rule.value,
        "applications": list(policy.applications),
        "self_service_users": None if users is None else list(users),
    }
    if conn.execute(select(organisation_countries.c.country).where(key)).first():
        conn.execute(organisation_countries.update().where(key).values(**values))
    else:
        conn.execute(
            organisation_countries.insert().values(
                organisation_id=organisation_id, country=policy.country, **values
            )
        )


def user_by_email(conn: Connection, email: str) -> User | None:
    row = conn.execute(select(users).where(func.lower(users.c.email) == email.lower())).first()
    return _user(row) if row else None


def users_by_email(conn: Connection, emails: Iterable[str]) -> dict[str, User]:
    """The registered users among ``emails``, by lower-cased email (a statement a thousand)."""
    keys = sorted({e.lower() for e in emails})
    found: dict[str, User] = {}
    for start in range(0, len(keys), 1000):
        rows = conn.execute(
            select(users).where(func.lower(users.c.email).in_(keys[start : start + 1000]))
        )
        found.update({row.email.lower(): _user(row) for row in rows})
    return found


def user_by_id(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def user_of_token(conn: Connection, token_hash: str) -> tuple[User, str] | None:
    """The user of an API token that is not revoked, and the stored hash, in one statement."""
    row = conn.execute(
        select(users, api_tokens.c.token_hash)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(
            (api_tokens.c.token_hash == token_hash)
            & api_tokens.c.revoked_at.is_(None)
            & users.c.deactivated_at.is_(None)
        )
    ).first()
    return (_user(row), str(row.token_hash)) if row else None


def token_user_and_organisation(
    conn: Connection, token_hash: str
) -> tuple[User, str, Organisation] | None:
    """:func:`user_of_token` and :func:`get` of the user's organisation, in one statement (a
    create resolves its caller's token this way, in its own transaction)."""
    rows = driver.fetch(conn, _TOKEN_USER_ORGANISATION, {"token_hash": token_hash})
    if not rows:
        return None
    first = rows[0]
    organisation = Organisation(
        id=first.organisation_id,
        name=first.organisation_name,
        has_select=first.has_select,
        contract_end=first.contract_end,
        countries=tuple(_policy(r) for r in rows if r.country is not None),
        maintains_catalog=first.maintains_catalog,
    )
    return _user(first), str(first.token_hash), organisation


def _token_user_organisation() -> Select[Any]:
    """Built once per process, as SQLAlchemy would otherwise build it on every create."""
    return (
        select(
            users,
            api_tokens.c.token_hash,
            organisations.c.name.label("organisation_name"),
            organisations.c.has_select,
            organisations.c.contract_end,
            organisations.c.maintains_catalog,
            *_POLICY_COLUMNS,
        )
        .join(users, users.c.id == api_tokens.c.user_id)
        .join(organisations, organisations.c.id == users.c.organisation_id)
        .outerjoin(
            organisation_countries, organisation_countries.c.organisation_id == organisations.c.id
        )
        .where(
            (api_tokens.c.token_hash == bindparam("token_hash"))
            & api_tokens.c.revoked_at.is_(None)
            & users.c.deactivated_at.is_(None)
        )
        .order_by(organisation_countries.c.country)
    )


_TOKEN_USER_ORGANISATION = _token_user_organisation()


@dataclass(frozen=True)
class DeviceBearer:
    """Who an access token of a device credential acts for, and which credential it is."""

    user: User
    token_hash: str
    token_id: int
    machine: str
    tool_version: str
    last_used_at: datetime | None


def user_of_access_token(conn: Connection, token_hash: str, now: datetime) -> DeviceBearer | None:
    """The user of a device credential's access token that has not expired, of a credential
    not revoked, in one statement."""
    row = conn.execute(
        select(
            users,
            device_tokens.c.token_hash,
            api_tokens.c.id.label("token_id"),
            api_tokens.c.machine,
            api_tokens.c.tool_version,
            api_tokens.c.last_used_at,
        )
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .join(device_tokens, device_tokens.c.token_id == api_tokens.c.id)
        .where(
            (device_tokens.c.token_hash == token_hash)
            & (device_tokens.c.kind == ACCESS)
            & (device_tokens.c.expires_at > now)
            & api_tokens.c.revoked_at.is_(None)
            & users.c.deactivated_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    return DeviceBearer(
        _user(row),
        str(row.token_hash),
        int(row.token_id),
        str(row.machine or ""),
        str(row.tool_version or ""),
        row.last_used_at,
    )


def user_of_session(conn: Connection, id_digest: str, now: datetime) -> tuple[User, str] | None:
    """The user of a portal session neither revoked nor expired, and the stored digest."""
    row = conn.execute(
        select(users, sessions.c.id_digest)
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(
            (sessions.c.id_digest == id_digest)
            & sessions.c.revoked_at.is_(None)
            & (sessions.c.expires_at > now)
            & users.c.deactivated_at.is_(None)
        )
    ).first()
    return (_user(row), str(row.id_digest)) if row else None


def password_hash(conn: Connection, user_id: int) -> str | None:
    value = conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar()
    return None if value is None else str(value)


def search_users(
    conn: Connection, organisation_id: int, text: str = "", limit: int = 20
) -> list[User]:
    query = select(users).where(
        (users.c.organisation_id == organisation_id) & users.c.deactivated_at.is_(None)
    )
    if text:
        pattern = f"%{escape_like(text.lower())}%"
        query = query.where(
            or_(
                func.lower(users.c.email).like(pattern, escape="\\"),
                func.lower(users.c.display_name).like(pattern, escape="\\"),
            )
        )
    rows = conn.execute(query.order_by(users.c.display_name).limit(limit)).all()
    return [_user(row) for row in rows]


def users_of(conn: Connection, organisation_id: int) -> list[User]:
    """Every user of the organisation, active or not, by email."""
    rows = conn.execute(
        select(users).where(users.c.organisation_id == organisation_id).order_by(users.c.email)
    ).all()
    return [_user(row) for row in rows]


def active_administrators(conn: Connection, organisation_id: int) -> int:
    query = (
        select(func.count())
        .select_from(users)
        .where(
            (users.c.organisation_id == organisation_id)
            & (users.c.role == Role.ADMINISTRATOR.value)
            & users.c.deactivated_at.is_(None)
        )
    )
    return int(conn.execute(query).scalar_one())


def add_user(
    conn: Connection,
    organisation_id: int,
    email: str,
    display_name: str,
    usage_country: str,
    role: Role,
    password_hash: str | None,
    now: datetime,
) -> int:
    result = conn.execute(
        users.insert().values(
            organisation_id=organisation_id,
            email=email,
            display_name=display_name,
            usage_country=usage_country,
            role=role.value,
            password_hash=password_hash,
            created_at=now,
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def update_user(conn: Connection, user_id: int, **values: object) -> None:
    conn.execute(users.update().where(users.c.id == user_id).values(**values))


def _user(row: Row[tuple[object, ...]]) -> User:
    return User(
        id=row.id,
        organisation_id=row.organisation_id,
        email=row.email,
        display_name=row.display_name,
        usage_country=row.usage_country,
        role=Role(row.role),
        active=row.deactivated_at is None,
        last_login_at=row.last_login_at,
        language=row.language,
    )


def keys_of(
    conn: Connection,
    organisation_id: int,
    country: str | None = None,
    *,
    with_retired: bool = False,
) -> list[ActivationKey]:
    """The organisation's activation keys (of one country): those in use, or all."""
    query = select(activation_keys).where(activation_keys.c.organisation_id == organisation_id)
    if country:
        query = query.where(activation_keys.c.country == country)
    if not with_retired:
        query = query.where(activation_keys.c.retired_at.is_(None))
    rows = conn.execute(query.order_by(activation_keys.c.country, activation_keys.c.key)).all()
    return [ActivationKey(row.key, row.country, row.retired_at is not None) for row in rows]


def key_owner(conn: Connection, key: str) -> tuple[int, str] | None:
    """The organisation and country of an activation key, whoever's it is."""
    row = conn.execute(
        select(activation_keys.c.organisation_id, activation_keys.c.country).where(
            activation_keys.c.key == key
        )
    ).first()
    return (int(row.organisation_id), str(row.country)) if row else None


def add_keys(conn: Connection, organisation_id: int, keys: Sequence[ActivationKey]) -> None:
    existing = {k.key for k in keys_of(conn, organisation_id, with_retired=True)}
    fresh = [k for k in keys if k.key not in existing]
    if fresh:
        conn.execute(
            activation_keys.insert(),
            [
                {"organisation_id": organisation_id, "country": k.country, "key": k.key}
                for k in fresh
            ],
        )


def set_key_retired(
    conn: Connection, organisation_id: int, key: str, retired_at: datetime | None
) -> bool:
    """Retire the key (or bring it back with ``None``); false when nothing changed."""
    state = (
        activation_keys.c.retired_at.is_(None)
        if retired_at is not None
        else activation_keys.c.retired_at.is_not(None)
    )
    result = conn.execute(
        activation_keys.update()
        .where(
            (activation_keys.c.organisation_id == organisation_id)
            & (activation_keys.c.key == key)
            & state
        )
        .values(retired_at=retired_at)
    )
    return result.rowcount == 1
