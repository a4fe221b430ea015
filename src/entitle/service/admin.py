"""Setting up a real organisation: accounts, countries, users, keys and the catalog (the
operator's ``entitle`` commands); each use case is one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection

from entitle.domain import names
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, InvalidInput, NotFound
from entitle.domain.events import EventType
from entitle.domain.model import (
    ActivationKey,
    ApplicationVersion,
    Organisation,
    Role,
)
from entitle.service import checkout_policy, events
from entitle.service.checkout_policy import PolicyChange
from entitle.service.context import Services
from entitle.service.passwords import password_hasher
from entitle.store import auth, catalog, checkouts, organisations
from entitle.store.checkouts import CheckoutPage, CheckoutQuery

MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            Code.PASSWORD_TOO_SHORT,
            f"Use a password of at least {MIN_PASSWORD} characters.",
            field="password",
        )
    return password_hasher().hash(password)


def create_organisation(
    services: Services,
    name: str,
    has_select: bool,
    contract_end: date,
    maintains_catalog: bool = False,
) -> Organisation:
    name = name.strip()
    if not name:
        raise InvalidInput(Code.NAME_REQUIRED, "Give the organisation a name.", field="name")
    with services.uow() as uow:
        if organisations.by_name(uow.conn, name):
            raise Conflict(
                Code.ORGANISATION_EXISTS, f"An organisation named {name} exists already."
            )
        organisation_id = organisations.add(
            uow.conn, name, has_select, contract_end, services.now(), maintains_catalog
        )
        found = organisations.get(uow.conn, organisation_id)
        uow.commit()
    assert found is not None
    return found


def find_organisation(services: Services, name: str) -> Organisation:
    with services.uow(read_only=True) as uow:
        return _organisation(uow.conn, name)


def list_organisations(services: Services) -> list[Organisation]:
    """Every organisation with its countries, by name (the operator's ``entitle org list``)."""
    with services.uow(read_only=True) as uow:
        return organisations.all_organisations(uow.conn)


def list_checkouts(
    services: Services, organisation_name: str, status: str = "listed", limit: int = 500
) -> tuple[Organisation, CheckoutPage]:
    """An organisation's checkouts for the operator (``entitle checkouts``), newest first."""
    with services.uow(read_only=True) as uow:
        organisation = _organisation(uow.conn, organisation_name)
        query = CheckoutQuery(organisation.id, status=status, page_size=limit)
        return organisation, checkouts.search(uow.conn, query, services.now())


def update_organisation(
    services: Services,
    name: str,
    *,
    has_select: bool | None = None,
    contract_end: date | None = None,
    maintains_catalog: bool | None = None,
) -> Organisation:
    """Change what is given; its Administrators import the catalog while it
    ``maintains_catalog``."""
    values: dict[str, object] = {}
    if has_select is not None:
        values["has_select"] = has_select
    if contract_end is not None:
        values["contract_end"] = contract_end
    if maintains_catalog is not None:
        values["maintains_catalog"] = maintains_catalog
    with services.uow() as uow:
        organisation = _organisation(uow.conn, name)
        if values:
            organisations.update(uow.conn, organisation.id, **values)
        changed = organisations.get(uow.conn, organisation.id)
        uow.commit()
    assert changed is not None
    return changed


def set_country(
    services: Services,
    organisation_name: str,
    country: str,
    change: PolicyChange | None = None,
    **fields: Any,
) -> Organisation:
    """Add or change an entitlement country: ``change``, or its fields as keywords (the ones
    left out keep their values; a new country starts from the defaults)."""
    return checkout_policy.set_country(
        services, organisation_name, country, change or PolicyChange(**fields)
    )


def add_user(
    services: Services,
    organisation_name: str,
    email: str,
    display_name: str,
    usage_country: str,
    role: str,
    password: str | None = None,
) -> int:
    address = names.email(email, field="email")
    country = names.country(usage_country, field="usage_country")
    try:
        chosen = Role(role)
    except ValueError:
        raise InvalidInput(
            Code.ROLE_UNKNOWN, f"role is one of {', '.join(r.value for r in Role)}.", field="role"
        ) from None
    hashed = hash_password(password) if password else None
    with services.uow() as uow:
        organisation = _organisation(uow.conn, organisation_name)
        if organisations.user_by_email(uow.conn, address):
            raise Conflict(Code.USER_EXISTS, f"A user {address} exists already.")
        user_id = organisations.add_user(
            uow.conn,
            organisation.id,
            address,
            display_name.strip() or address,
            country,
            chosen,
            hashed,
            services.now(),
        )
        added = organisations.user_by_id(uow.conn, user_id)
        assert added is not None
        events.user_event(uow.conn, EventType.USER_ADDED, added, services.now(), "entitle")
        uow.commit()
    return user_id


def set_password(services: Services, email: str, password: str) -> None:
    """A new password ends every portal session of the user, on every server."""
    hashed = hash_password(password)
    with services.uow() as uow:
        user = organisations.user_by_email(uow.conn, email)
        if user is None:
            raise NotFound(Code.USER_NOT_FOUND, f"No user {email}.")
        organisations.update_user(uow.conn, user.id, password_hash=hashed)
        auth.revoke_sessions_of(uow.conn, user.id, services.now())
        uow.commit()


def add_activation_keys(
    services: Services, organisation_name: str, country: str, keys: Sequence[str]
) -> None:
    code = names.country(country)
    cleaned = [k.strip().upper() for k in keys if k.strip()]
    with services.uow() as uow:
        organisation = _organisation(uow.conn, organisation_name)
        if organisation.policy_for(code) is None:
            raise InvalidInput(
                Code.COUNTRY_NOT_ENTITLED,
                f"Add {code} as an entitlement country first.",
                field="country",
            )
        if not cleaned:
            raise InvalidInput(
                Code.KEYS_REQUIRED, "Give at least one activation key.", field="keys"
            )
        organisations.add_keys(uow.conn, organisation.id, [ActivationKey(k, code) for k in cleaned])
        uow.commit()


def _organisation(conn: Connection, name: str) -> Organisation:
    found = organisations.by_name(conn, name.strip())
    if found is None:
        raise NotFound(Code.ORGANISATION_NOT_FOUND, f"No organisation named {name}.")
    return found


def import_catalog(services: Services, releases: Sequence[ApplicationVersion]) -> int:
    """Add the releases the catalog lacks, all in one transaction; returns how many were new.
    For catalogs built in code (the demo, tests); a file goes through
    :func:`entitle.service.import_catalog.import_catalog`."""
    with services.uow() as uow:
        added = catalog.add_releases(uow.conn, releases)
        uow.commit()
    return added
