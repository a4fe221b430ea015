"""ID tokens verified against a real OpenID provider's published keys (oidc-provider on
loopback), and what their claims make of the user.

The tokens are signed here with the very keys the provider publishes (or one it does not), so
that each check — signature, issuer, audience, expiry, nonce — is the library's verdict on a
token that differs from a good one in that one way alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from entitle.domain.errors import DomainError
from entitle.domain.model import Role
from entitle.service import identity_providers, single_sign_on
from entitle.service.audit_log import AuditQuery, audit_trail
from entitle.service.identity_providers import ProviderSettings
from entitle.service.single_sign_on import SignInFailed
from tests.identity_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    IdentityProvider,
    identity_provider,
    new_key,
)
from tests.integration.fixtures import World

NONCE = "n-0S6_WzA2Mj"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    with identity_provider(
        tmp_path_factory.mktemp("provider"), ["http://127.0.0.1:9/login/sso/callback"]
    ) as started:
        yield started


def register(world: World, provider: IdentityProvider, **changes: Any) -> None:
    settings = ProviderSettings(
        name="Northwind ID",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        email_domains=["northwind.example"],
        groups_claim="groups",
        group_roles={"licensing-admins": "Administrator", "licensing-leads": "Co-Administrator"},
    )
    fields = {**settings.__dict__, **changes}
    identity_providers.save_provider(world.services, world.admin, ProviderSettings(**fields))


def token(world: World, key: RSAKey, provider: IdentityProvider, **changes: Any) -> str:
    now = int(world.clock.now.timestamp())
    claims = {
        "iss": provider.issuer,
        "sub": "kai-0001",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 600,
        "nonce": NONCE,
        "email": "kai@northwind.example",
        "name": "Kai Moreno",
        "country": "GB",
        "groups": ["engineering", "licensing-leads"],
        **changes,
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def sign_in(world: World, provider: IdentityProvider, id_token: str, nonce: str = NONCE):  # type: ignore[no-untyped-def]
    registered = identity_providers.get_provider(world.services, world.admin)
    return single_sign_on.sign_in_with_id_token(world.services, registered, id_token, nonce)


def refusal(world: World, provider: IdentityProvider, id_token: str, nonce: str = NONCE) -> str:
    with pytest.raises(SignInFailed) as refused:
        sign_in(world, provider, id_token, nonce)
    events = audit_trail(world.services, world.admin, 1, 10, AuditQuery(action="login.sso_failed"))
    assert events.items[0].detail == refused.value.message
    return refused.value.message


def test_a_first_sign_in_creates_the_user_with_the_usage_country_and_role_from_claims(
    world: World, provider: IdentityProvider
) -> None:
    register(world, provider)
    signed_in = sign_in(world, provider, token(world, provider.keys[0], provider))
    assert signed_in.user.email == "kai@northwind.example"
    assert signed_in.user.display_name == "Kai Moreno"
    assert signed_in.user.usage_country == "GB"
    assert signed_in.user.role is Role.CO_ADMINISTRATOR
    # The next sign-in follows the provider: another group, another country.
    again = sign_in(
        world,
        provider,
        token(world, provider.keys[0], provider, country="US", groups=["licensing-admins"]),
    )
    assert (again.user.id, again.user.usage_country, again.user.role) == (
        signed_in.user.id,
        "US",
        Role.ADMINISTRATOR,
    )


def test_without_a_matching_group_the_default_role_applies_and_without_groups_claim_roles_stay(
    world: World, provider: IdentityProvider
) -> None:
    register(world, provider, default_role="User")
    made = sign_in(world, provider, token(world, provider.keys[0], provider, groups=["sales"]))
    assert made.user.role is Role.USER
    register(world, provider, groups_claim="")
    kept = sign_in(
        world, provider, token(world, provider.keys[0], provider, groups=["licensing-admins"])
    )
    assert kept.user.role is Role.USER


def test_a_tampered_id_token_is_refused_and_audited(
    world: World, provider: IdentityProvider
) -> None:
    register(world, provider)
    header, payload, signature = token(world, provider.keys[0], provider).split(".")
    claims = json.loads(_b64decode(payload))
    claims["groups"] = ["licensing-admins"]
    forged = ".".join([header, _b64encode(json.dumps(claims).encode()), signature])
    assert "signature does not verify" in refusal(world, provider, forged)


def test_a_token_for_another_audience_is_refused(world: World, provider: IdentityProvider) -> None:
    register(world, provider)
    wrong = token(world, provider.keys[0], provider, aud="another-client")
    assert "meant for another client" in refusal(world, provider, wrong)


def test_an_expired_token_is_refused(world: World, provider: IdentityProvider) -> None:
    register(world, provider)
    now = int(world.clock.now.timestamp())
    expired = token(world, provider.keys[0], provider, iat=now - 3600, exp=now - 600)
    assert refusal(world, provider, expired) == "The ID token has expired."


def test_a_token_of_another_issuer_or_sign_in_is_refused(
    world: World, provider: IdentityProvider
) -> None:
    register(world, provider)
    other = token(world, provider.keys[0], provider, iss="http://127.0.0.1:1")
    assert "another issuer" in refusal(world, provider, other)
    replayed = token(world, provider.keys[0], provider)
    assert "nonce" in refusal(world, provider, replayed, nonce="another-sign-in")


def test_a_token_signed_with_a_key_the_provider_does_not_publish_is_refused(
    world: World, provider: IdentityProvider
) -> None:
    register(world, provider)
    stranger = token(world, new_key(), provider)
    assert "does not publish" in refusal(world, provider, stranger)


def test_the_providers_key_rotation_is_followed_at_once(world: World, tmp_path: Path) -> None:
    with identity_provider(tmp_path, ["http://127.0.0.1:9/login/sso/callback"]) as rotating:
        register(world, rotating)
        old = rotating.keys[0]
        assert sign_in(world, rotating, token(world, old, rotating)).user.email
        fresh = rotating.rotate(keep_old=True)
        # The keys kept from the first sign-in lack the new kid: they are fetched again.
        assert sign_in(world, rotating, token(world, fresh, rotating)).user.email
        assert sign_in(world, rotating, token(world, old, rotating)).user.email
        rotating.rotate()
        # The old key's retirement is followed once a token names a kid not kept.
        sign_in(world, rotating, token(world, rotating.keys[0], rotating))
        assert "does not publish" in refusal(world, rotating, token(world, old, rotating))


def test_just_in_time_off_refuses_a_person_entitle_does_not_know(
    world: World, provider: IdentityProvider
) -> None:
    register(world, provider, jit=False)
    message = refusal(world, provider, token(world, provider.keys[0], provider))
    assert "ask an administrator to invite you" in message


def test_a_usage_country_outside_the_entitlement_countries_is_refused(
    world: World, provider: IdentityProvider
) -> None:
    register(world, provider)
    message = refusal(world, provider, token(world, provider.keys[0], provider, country="FR"))
    assert "FR" in message
    assert (
        "entitlement countries (US, GB)" in message or "entitlement countries (GB, US)" in message
    )


def test_a_user_deactivated_in_entitle_cannot_sign_in_through_the_provider(
    world: World, provider: IdentityProvider
) -> None:
    from entitle.service import users

    register(world, provider)
    made = sign_in(world, provider, token(world, provider.keys[0], provider))
    users.change_user(world.services, world.admin, made.user.id, active=False)
    assert "deactivated" in refusal(world, provider, token(world, provider.keys[0], provider))


def test_passwords_can_be_turned_off_for_the_organisation(
    world: World, provider: IdentityProvider
) -> None:
    from entitle.service import auth
    from tests.integration.fixtures import PASSWORD

    register(world, provider, passwords_allowed=False)
    with pytest.raises(DomainError) as refused:
        auth.login(world.services, world.user, PASSWORD)
    assert refused.value.code == "PASSWORDS_NOT_ALLOWED"
    assert "Sign in with Northwind ID" in refused.value.message
    # Another organisation's users keep their passwords.
    assert auth.login(world.services, world.other_admin, PASSWORD).user.email


def _b64decode(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
