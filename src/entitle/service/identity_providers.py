"""An organisation's identity provider, as its Administrators register and test it.

Co-Administrators read the settings; Administrators register, change, test and remove them.
The client secret is never answered back once stored. Each use case is one transaction,
audited in it (the connection test only reads).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

from entitle.domain import identity_provider as rules
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from entitle.domain.identity_provider import IdentityProvider
from entitle.domain.model import Role, User
from entitle.service import oidc_client
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit
from entitle.store import identity_providers as store

_T = TypeVar("_T")
SAVE_REFUSALS = (
    Code.ROLE_CANNOT_MANAGE_USERS,
    Code.IDENTITY_PROVIDER_INVALID,
    Code.ROLE_UNKNOWN,
    Code.EMAIL_DOMAIN_TAKEN,
)
READ_REFUSALS = (Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.IDENTITY_PROVIDER_NOT_FOUND)
TEST_REFUSALS = (
    Code.ROLE_CANNOT_MANAGE_USERS,
    Code.IDENTITY_PROVIDER_NOT_FOUND,
    Code.IDENTITY_PROVIDER_UNREACHABLE,
)
REMOVE_REFUSALS = (Code.ROLE_CANNOT_MANAGE_USERS, Code.IDENTITY_PROVIDER_NOT_FOUND)


@dataclass(frozen=True)
class ProviderSettings:
    """What an Administrator submits; ``client_secret`` None keeps the stored one."""

    name: str
    issuer: str
    client_id: str
    client_secret: str | None
    email_domains: list[str]
    passwords_allowed: bool = True
    jit: bool = True
    default_role: str = Role.USER.value
    name_claim: str = "name"
    email_claim: str = "email"
    country_claim: str = "country"
    groups_claim: str = ""
    group_roles: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ConnectionTest:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    end_session_endpoint: str | None
    keys: int


def get_provider(services: Services, actor_ref: ActorRef) -> IdentityProvider:
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        if not actor.role.sees_users:
            raise Forbidden(
                Code.ROLE_CANNOT_MANAGE_CHECKOUTS,
                "Only an Administrator or Co-Administrator can see the identity provider.",
            )
        return _existing(store.of_organisation(uow.conn, organisation.id))


def save_provider(
    services: Services, actor_ref: ActorRef, wanted: ProviderSettings, address: str = ""
) -> IdentityProvider:
    """Register or change the organisation's provider; every field error is told at once."""
    now = services.now()
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_administrator(actor)
        earlier = store.of_organisation(uow.conn, organisation.id)
        provider = _validated(organisation.id, wanted, earlier)
        for domain in provider.email_domains:
            owner = store.for_domain(uow.conn, domain)
            if owner is not None and owner.organisation_id != organisation.id:
                raise Conflict(
                    Code.EMAIL_DOMAIN_TAKEN,
                    f"{domain} signs in through another organisation's identity provider.",
                    field="email_domains",
                )
        store.save(uow.conn, provider, now)
        audit.record(
            uow.conn,
            organisation.id,
            now,
            actor.email,
            "identity_provider.change" if earlier else "identity_provider.add",
            provider.issuer,
            address,
            f"{provider.name}; domains {', '.join(provider.email_domains)}; "
            f"passwords {'allowed' if provider.passwords_allowed else 'not allowed'}; "
            f"just-in-time {'on' if provider.jit else 'off'}",
        )
        uow.commit()
    return provider


def remove_provider(services: Services, actor_ref: ActorRef, address: str = "") -> None:
    now = services.now()
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_administrator(actor)
        provider = _existing(store.of_organisation(uow.conn, organisation.id))
        store.remove(uow.conn, organisation.id)
        audit.record(
            uow.conn,
            organisation.id,
            now,
            actor.email,
            "identity_provider.remove",
            provider.issuer,
            address,
        )
        uow.commit()


def test_connection(services: Services, actor_ref: ActorRef) -> ConnectionTest:
    """Fetch the provider's discovery document and keys now, and say what they offer."""
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require_administrator(actor)
        provider = _existing(store.of_organisation(uow.conn, organisation.id))
    try:
        found = oidc_client.check_connection(provider)
        key_count = len(oidc_client.keys(found).keys)
    except oidc_client.ProviderError as failure:
        raise InvalidInput(
            Code.IDENTITY_PROVIDER_UNREACHABLE, failure.message, field="issuer"
        ) from None
    return ConnectionTest(
        found.issuer,
        found.authorization_endpoint,
        found.token_endpoint,
        found.end_session_endpoint,
        key_count,
    )


def provider_for_email(services: Services, email: str) -> IdentityProvider | None:
    """The provider that signs in this email's domain (the login page's offer)."""
    domain = email.strip().rsplit("@", 1)[-1] if "@" in email else ""
    if not domain:
        return None
    with services.uow(read_only=True) as uow:
        return store.for_domain(uow.conn, domain)


def _validated(
    organisation_id: int, wanted: ProviderSettings, earlier: IdentityProvider | None
) -> IdentityProvider:
    errors: list[DomainError] = []

    def check(run: Callable[[], _T]) -> _T | None:
        try:
            return run()
        except InvalidInput as refusal:
            errors.append(refusal)
            return None

    name = wanted.name.strip()
    if not name or len(name) > 100:
        errors.append(
            _invalid("Name the provider (1 to 100 characters), as people know it.", "name")
        )
    issuer = check(lambda: rules.issuer(wanted.issuer))
    client_id = wanted.client_id.strip()
    if not client_id or len(client_id) > 255:
        errors.append(
            _invalid("Give the client id the provider registered for entitle.", "client_id")
        )
    secret = (
        wanted.client_secret if wanted.client_secret else (earlier.client_secret if earlier else "")
    )
    if not secret or len(secret) > 500:
        errors.append(_invalid("Give the client secret the provider issued.", "client_secret"))
    domains = check(lambda: rules.email_domains(wanted.email_domains))
    default_role = check(lambda: rules.role(wanted.default_role, "default_role"))
    claims = {
        key: check(partial(rules.claim_name, str(getattr(wanted, key)), key))
        for key in ("name_claim", "email_claim", "country_claim")
    }
    groups_claim = check(
        lambda: rules.claim_name(wanted.groups_claim, "groups_claim", optional=True)
    )
    group_roles: dict[str, Role] = {}
    for group, role in (wanted.group_roles or {}).items():
        if not group.strip() or len(group) > 200:
            errors.append(_invalid("A group's name is 1 to 200 characters.", "group_roles"))
            continue
        chosen = check(partial(rules.role, role, "group_roles"))
        if chosen is not None:
            group_roles[group.strip()] = chosen
    for text, field in [(name, "name"), (client_id, "client_id"), (secret, "client_secret")]:
        if "\x00" in text:
            errors.append(_invalid("The text holds a NUL character: remove it.", field))
    if errors:
        raise DomainError.of_all(errors)
    assert issuer is not None
    assert domains is not None
    assert default_role is not None
    return replace(
        IdentityProvider(
            organisation_id=organisation_id,
            name=name,
            issuer=issuer,
            client_id=client_id,
            client_secret=secret,
            email_domains=domains,
        ),
        passwords_allowed=wanted.passwords_allowed,
        jit=wanted.jit,
        default_role=default_role,
        name_claim=str(claims["name_claim"]),
        email_claim=str(claims["email_claim"]),
        country_claim=str(claims["country_claim"]),
        groups_claim=groups_claim or "",
        group_roles=group_roles,
    )


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(Code.IDENTITY_PROVIDER_INVALID, message, field=field)


def _existing(provider: IdentityProvider | None) -> IdentityProvider:
    if provider is None:
        raise NotFound(
            Code.IDENTITY_PROVIDER_NOT_FOUND,
            "The organisation has no identity provider: register one first.",
        )
    return provider


def _require_administrator(actor: User) -> None:
    if not actor.role.manages_users:
        raise Forbidden(
            Code.ROLE_CANNOT_MANAGE_USERS,
            "Only an Administrator can register, change, test or remove the identity provider.",
        )
