"""An organisation's identity provider (OpenID Connect) and what its claims make of a user.

On each single sign-on the user's name, email and usage country are taken from the claims the
administrator chose; a first sign-in creates the user when just-in-time provisioning is on.
With a groups claim, the user's role is the highest role any of their groups maps to (the
default role when none does); without one, roles stay as set in entitle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from entitle.domain import names
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput
from entitle.domain.model import Role

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CLAIM = re.compile(r"^[A-Za-z0-9_.:/-]{1,100}$")
RANK = {Role.USER: 0, Role.CO_ADMINISTRATOR: 1, Role.ADMINISTRATOR: 2}


@dataclass(frozen=True)
class IdentityProvider:
    organisation_id: int
    name: str
    issuer: str
    client_id: str
    client_secret: str
    email_domains: tuple[str, ...]
    passwords_allowed: bool = True
    jit: bool = True
    default_role: Role = Role.USER
    name_claim: str = "name"
    email_claim: str = "email"
    country_claim: str = "country"
    groups_claim: str = ""
    """Empty: roles are kept as set in entitle."""
    group_roles: Mapping[str, Role] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """What one sign-in's claims say of the user; ``role`` is None when roles stay in entitle."""

    subject: str
    email: str
    display_name: str
    usage_country: str | None
    role: Role | None


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(Code.IDENTITY_PROVIDER_INVALID, message, field=field)


def issuer(text: str) -> str:
    value = text.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", value) or len(value) > 500:
        raise _invalid(
            f"'{text}' is not an issuer URL such as https://login.example.com.", "issuer"
        )
    return value


def email_domains(values: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for raw in values:
        domain = raw.strip().lower().lstrip("@")
        if not _DOMAIN.match(domain):
            raise _invalid(f"'{raw}' is not an email domain such as example.com.", "email_domains")
        if domain not in found:
            found.append(domain)
    if not found:
        raise _invalid("Name at least one email domain that signs in here.", "email_domains")
    return tuple(found)


def claim_name(text: str, field: str, *, optional: bool = False) -> str:
    value = text.strip()
    if optional and not value:
        return ""
    if not _CLAIM.match(value):
        raise _invalid(f"'{text}' is not a claim name such as email.", field)
    return value


def role(text: str, field: str) -> Role:
    try:
        return Role(text.strip())
    except ValueError:
        raise InvalidInput(
            Code.ROLE_UNKNOWN, f"role is one of {', '.join(r.value for r in Role)}.", field=field
        ) from None


def profile(provider: IdentityProvider, claims: Mapping[str, Any]) -> Profile:
    """The user the verified claims describe, or the refusal that says which claim is wrong."""
    subject = str(claims.get("sub") or "")
    raw_email = claims.get(provider.email_claim)
    if not isinstance(raw_email, str) or not raw_email:
        raise _claim_refusal(f"gave no '{provider.email_claim}' claim")
    try:
        email = names.email(raw_email, field="email").lower()
    except DomainError:
        raise _claim_refusal(f"gave '{raw_email}', which is no email address") from None
    if email.rsplit("@", 1)[1] not in provider.email_domains:
        raise _claim_refusal(f"gave {email}, whose domain it does not sign in here")
    raw_name = claims.get(provider.name_claim)
    display_name = raw_name.strip()[:200] if isinstance(raw_name, str) and raw_name else email
    raw_country = claims.get(provider.country_claim)
    country = None
    if isinstance(raw_country, str) and raw_country.strip():
        try:
            country = names.country(raw_country)
        except DomainError:
            raise _claim_refusal(
                f"gave the usage country '{raw_country}', not two letters"
            ) from None
    return Profile(subject, email, display_name, country, _role_of(provider, claims))


def _role_of(provider: IdentityProvider, claims: Mapping[str, Any]) -> Role | None:
    if not provider.groups_claim:
        return None
    groups = claims.get(provider.groups_claim)
    if isinstance(groups, str):
        groups = [groups]
    mapped = [
        provider.group_roles[g]
        for g in (groups if isinstance(groups, list) else [])
        if isinstance(g, str) and g in provider.group_roles
    ]
    return max(mapped, key=RANK.__getitem__) if mapped else provider.default_role


def _claim_refusal(what: str) -> DomainError:
    return DomainError(Code.SSO_LOGIN_FAILED, f"The identity provider {what}.")
