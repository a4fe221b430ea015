"""Signing in through the organisation's identity provider (OpenID Connect).

The login page sends a person whose email domain an organisation's provider signs in to that
provider (:func:`begin`); the provider sends them back with a code, which :func:`finish`
exchanges and whose ID token it verifies completely (entitle.service.oidc_client). The claims
then make the user's profile: a first sign-in creates the user when just-in-time provisioning
is on, each sign-in updates name, email and usage country, and the role when a groups claim is
mapped. Any failure is one sentence for the login page and a ``login.sso_failed`` audit event.

A person whose provider account is disabled can no longer sign in here: the provider refuses
them, and that refusal is the failure shown.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import Connection

from entitle.domain import identity_provider as rules
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError
from entitle.domain.identity_provider import IdentityProvider, Profile
from entitle.domain.model import Role, User
from entitle.service import oidc_client
from entitle.service.auth import SignedIn, session_digest
from entitle.service.context import Services
from entitle.service.oidc_client import Pending, ProviderError
from entitle.store import audit, organisations
from entitle.store import auth as sessions
from entitle.store import identity_providers as store

SSO_SESSION_LIFETIME = timedelta(hours=1)
"""A portal session begun through the provider ends after this long: signing in again goes
through the provider, which refuses an account it has disabled."""


class SignInFailed(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(Code.SSO_LOGIN_FAILED, message)


def begin(
    services: Services, email: str, redirect_uri: str, next_path: str, address: str = ""
) -> tuple[str, Pending]:
    """Where to send the browser (the provider's authorization endpoint), and what to keep."""
    domain = email.strip().rsplit("@", 1)[-1].lower() if "@" in email else ""
    with services.uow(read_only=True) as uow:
        provider = store.for_domain(uow.conn, domain) if domain else None
    if provider is None:
        raise SignInFailed(
            f"No identity provider signs in {domain or 'this address'}: sign in with your password."
        )
    try:
        return oidc_client.authorization_request(provider, redirect_uri, next_path)
    except ProviderError as failure:
        _refuse(services, provider.organisation_id, email, failure.message, address)


def finish(
    services: Services,
    pending: Pending,
    redirect_uri: str,
    *,
    code: str | None,
    error: str | None = None,
    error_description: str | None = None,
    address: str = "",
) -> SignedIn:
    """Exchange the provider's code, verify the ID token and sign the user in."""
    with services.uow(read_only=True) as uow:
        provider = store.of_organisation(uow.conn, pending.organisation_id)
    if provider is None:
        raise SignInFailed("The organisation no longer signs in through an identity provider.")
    try:
        if error or not code:
            why = error_description or error or "it sent no authorization code"
            raise ProviderError(f"The identity provider refused the sign-in: {why}.")
        tokens = oidc_client.exchange_code(provider, redirect_uri, code, pending)
    except ProviderError as failure:
        _refuse(services, provider.organisation_id, "", failure.message, address)
    return sign_in_with_id_token(
        services, provider, tokens.id_token, pending.nonce, address, tokens.refresh_token
    )


def sign_in_with_id_token(
    services: Services,
    provider: IdentityProvider,
    id_token: str,
    nonce: str,
    address: str = "",
    refresh_token: str | None = None,
) -> SignedIn:
    """Verify the ID token (signature, issuer, audience, expiry, nonce) and sign in its user;
    the provider's refresh token, if it gave one, is kept for :func:`still_signed_in`."""
    now = services.now()
    try:
        claims = oidc_client.verify_id_token(provider, id_token, nonce, int(now.timestamp()))
        profile = rules.profile(provider, claims)
    except ProviderError as failure:
        _refuse(services, provider.organisation_id, "", failure.message, address)
    except DomainError as refusal:
        _refuse(services, provider.organisation_id, "", refusal.message, address)
    with services.uow() as uow:
        outcome = _sign_in(uow.conn, provider, profile, now, address)
        if isinstance(outcome, SignedIn):
            store.set_refresh_token(uow.conn, outcome.user.id, refresh_token)
            uow.commit()
    if isinstance(outcome, str):
        _refuse(services, provider.organisation_id, profile.email, outcome, address)
    return outcome


def still_signed_in(services: Services, user_id: int, address: str = "") -> str | None:
    """Ask the provider, with the refresh token it gave at the user's last sign-in, whether it
    still signs them in (entitle-tool's token refresh does, at least hourly). None: it does, or
    entitle cannot tell (no provider, no refresh token, the provider unreachable: the tool
    works on). Else why not: the user's portal sessions, API tokens and workstation sign-ins
    have then ended, audited, in one transaction."""
    with services.uow(read_only=True) as uow:
        held = store.refresh_token_of(uow.conn, user_id)
        user = organisations.user_by_id(uow.conn, user_id)
        provider = store.of_organisation(uow.conn, user.organisation_id) if user else None
    if held is None or user is None or provider is None:
        return None
    try:
        renewed: str | None = oidc_client.refresh(provider, held)
        refusal = None
    except oidc_client.ProviderRefused as refused:
        renewed, refusal = None, refused.message
    except ProviderError:
        return None
    now = services.now()
    with services.uow() as uow:
        store.set_refresh_token(uow.conn, user_id, renewed)
        if refusal is not None:
            ended_sessions = sessions.revoke_sessions_of(uow.conn, user_id, now)
            ended_tokens = sessions.revoke_tokens_of(uow.conn, user_id, now)
            audit.record(
                uow.conn,
                user.organisation_id,
                now,
                "(identity provider)",
                "login.sso_ended",
                user.email,
                address,
                f"{refusal} {ended_sessions} sessions and {ended_tokens} tokens ended",
            )
        uow.commit()
    return refusal


def provider_of(services: Services, user: User) -> IdentityProvider | None:
    """The provider a user signed in through, if they did."""
    with services.uow(read_only=True) as uow:
        if store.subject_of(uow.conn, user.id) is None:
            return None
        return store.of_organisation(uow.conn, user.organisation_id)


def _sign_in(
    conn: Connection, provider: IdentityProvider, profile: Profile, now: datetime, address: str
) -> SignedIn | str:
    """The session, or why this user may not sign in (nothing is written then)."""
    organisation = organisations.get(conn, provider.organisation_id)
    assert organisation is not None
    by_subject = store.user_by_subject(conn, organisation.id, profile.subject)
    by_email = organisations.user_by_email(conn, profile.email)
    user = by_subject or by_email
    if by_email is not None and by_email.organisation_id != organisation.id:
        return f"{profile.email} is a user of another organisation here."
    if by_subject and by_email and by_subject.id != by_email.id:
        return f"{profile.email} belongs to another user of {organisation.name}."
    if user is not None and by_subject is None:
        known = store.subject_of(conn, user.id)
        if known is not None and known != profile.subject:
            return f"{profile.email} signed in before as another account of the identity provider."
    country = profile.usage_country
    if country is not None and organisation.policy_for(country) is None:
        known = ", ".join(c.country for c in organisation.countries) or "none"
        return (
            f"The identity provider gives the usage country {country}, which is not one of "
            f"{organisation.name}'s entitlement countries ({known}): ask an administrator."
        )
    details: list[str] = [provider.name]
    if user is None:
        if not provider.jit:
            return (
                f"{profile.email} is not a user of {organisation.name} in entitle, and users "
                "are not created at their first sign-in: ask an administrator to invite you."
            )
        if country is None:
            if len(organisation.countries) != 1:
                return (
                    f"The identity provider gives no usage country ('{provider.country_claim}' "
                    "claim), and entitle needs one to create your account: ask an administrator."
                )
            country = organisation.countries[0].country
        role = profile.role or provider.default_role
        user_id = organisations.add_user(
            conn, organisation.id, profile.email, profile.display_name, country, role, None, now
        )
        details.append(f"created at first sign-in: {role.value}, usage country {country}")
    else:
        if not user.active:
            return f"{user.email} is deactivated in entitle: ask an administrator."
        user_id = user.id
        values: dict[str, object] = {}
        if profile.display_name != user.display_name:
            values["display_name"] = profile.display_name
        if profile.email != user.email:
            values["email"] = profile.email
            details.append(f"email {user.email} → {profile.email}")
        if country is not None and country != user.usage_country:
            values["usage_country"] = country
            details.append(f"usage country {user.usage_country} → {country}")
        if profile.role is not None and profile.role is not user.role:
            last = (
                user.role is Role.ADMINISTRATOR
                and organisations.active_administrators(conn, organisation.id) <= 1
            )
            if not last:
                values["role"] = profile.role.value
                details.append(f"role {user.role.value} → {profile.role.value}")
        if values:
            organisations.update_user(conn, user_id, **values)
    organisations.update_user(conn, user_id, identity_subject=profile.subject, last_login_at=now)
    signed_in = organisations.user_by_id(conn, user_id)
    assert signed_in is not None
    session = secrets.token_urlsafe(32)
    sessions.forget_sessions_before(conn, now)
    sessions.add_session(conn, session_digest(session), user_id, now, now + SSO_SESSION_LIFETIME)
    audit.record(
        conn, organisation.id, now, signed_in.email, "login.sso", "", address, "; ".join(details)
    )
    return SignedIn(signed_in, session)


def _refuse(
    services: Services, organisation_id: int, email: str, message: str, address: str
) -> NoReturn:
    """Record the failure and raise it: one sentence for the login page."""
    with services.uow() as uow:
        audit.record(
            uow.conn,
            organisation_id,
            services.now(),
            email or "(identity provider)",
            "login.sso_failed",
            "",
            address,
            message,
        )
        uow.commit()
    services.observer.login_refused(Code.SSO_LOGIN_FAILED)
    raise SignInFailed(message)
