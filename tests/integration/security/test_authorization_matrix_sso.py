"""The authorization table holds for people who signed in through the identity provider.

Northwind's Administrator, Co-Administrator and User are here users created at their first
single sign-on (just-in-time, their roles from the provider's groups claim, verified against a
real provider's keys), each calling every route with an API token of their own, and answered
as the table's column for their role says.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from joserfc import jwt

from entitle.service import identity_providers, single_sign_on, tokens
from entitle.service.identity_providers import ProviderSettings
from tests.identity_provider import CLIENT_ID, CLIENT_SECRET, IdentityProvider, identity_provider
from tests.integration.security.conftest import Callers
from tests.integration.security.test_authorization_matrix import CALLERS, TABLE, _fresh

DOMAIN = "sso.northwind.example"
ROLES = {"admin": "Administrator", "co_admin": "Co-Administrator", "user": "User"}
# The provider registered here is there to remove: the table's world has none.
DIFFERENT = {("DELETE", "/api/v1/admin/identity-provider", "admin"): 204}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    with identity_provider(
        tmp_path_factory.mktemp("provider"), ["http://testserver/login/sso/callback"]
    ) as started:
        yield started


def _signed_in_through_provider(
    callers: Callers, provider: IdentityProvider, caller: str, role: str
) -> str:
    services = callers.world.services
    registered = identity_providers.get_provider(services, callers.world.admin)
    now = int(callers.world.clock.now.timestamp())
    claims = {
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "sub": f"{caller}-sso",
        "iat": now,
        "exp": now + 300,
        "nonce": "matrix",
        "email": f"{caller}@{DOMAIN}",
        "name": f"SSO {role}",
        "country": "US",
        "groups": [role],
    }
    key = provider.keys[0]
    id_token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
    signed_in = single_sign_on.sign_in_with_id_token(services, registered, id_token, "matrix")
    assert signed_in.user.role.value == role
    return signed_in.user.email


def test_users_signed_in_through_the_provider_answer_as_the_table_states(
    callers: Callers, provider: IdentityProvider, tmp_path: Path
) -> None:
    world = callers.world
    identity_providers.save_provider(
        world.services,
        world.admin,
        ProviderSettings(
            name="Northwind ID",
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            email_domains=[DOMAIN],
            groups_claim="groups",
            group_roles={r: r for r in ROLES.values()},
        ),
    )
    emails = {c: _signed_in_through_provider(callers, provider, c, r) for c, r in ROLES.items()}
    sso_world = replace(
        world, admin=emails["admin"], co_admin=emails["co_admin"], user=emails["user"]
    )
    sso_tokens = {c: tokens.create_token(world.services, e).token for c, e in emails.items()}
    mismatches: list[str] = []
    for (method, pattern), (path, request, expected) in sorted(TABLE.items()):
        for caller, status in zip(CALLERS, expected, strict=True):
            if caller not in ROLES:
                continue
            status = DIFFERENT.get((method, pattern, caller), status)
            fresh = _fresh(sso_world)
            url = fresh.url(path)
            callers.client.cookies.clear()
            response = callers.client.request(
                method,
                url,
                headers={"Authorization": f"Bearer {sso_tokens[caller]}"},
                **request(fresh),
            )
            if response.status_code != status:
                mismatches.append(
                    f"{method} {pattern} as the SSO {caller}: {response.status_code}, "
                    f"table says {status}"
                )
    assert mismatches == [], "\n".join(mismatches)
