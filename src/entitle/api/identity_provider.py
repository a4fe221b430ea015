"""The organisation's identity provider (OpenID Connect single sign-on): Administrators
register, change, test and remove it; Co-Administrators read it."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import ConnectionTestOut, IdentityProviderIn, IdentityProviderOut
from entitle.domain.identity_provider import IdentityProvider
from entitle.service import identity_providers
from entitle.service.identity_providers import (
    READ_REFUSALS,
    REMOVE_REFUSALS,
    SAVE_REFUSALS,
    TEST_REFUSALS,
    ProviderSettings,
)

router = APIRouter(prefix="/admin", tags=["administration"])
PATH = "/identity-provider"
CALLBACK_PATH = "/login/sso/callback"


def provider_out(request: Request, provider: IdentityProvider) -> IdentityProviderOut:
    return IdentityProviderOut(
        name=provider.name,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret_set=bool(provider.client_secret),
        email_domains=list(provider.email_domains),
        passwords_allowed=provider.passwords_allowed,
        jit=provider.jit,
        default_role=provider.default_role,
        name_claim=provider.name_claim,
        email_claim=provider.email_claim,
        country_claim=provider.country_claim,
        groups_claim=provider.groups_claim,
        group_roles=dict(provider.group_roles),
        redirect_uri=str(request.base_url).rstrip("/") + CALLBACK_PATH,
    )


@router.get(
    PATH,
    summary="The organisation's identity provider (Administrators, Co-Administrators)",
    operation_id="getIdentityProvider",
    openapi_extra=refuses(*READ_REFUSALS),
)
def get_provider(request: Request, actor: Actor, services: ServicesDep) -> IdentityProviderOut:
    """Its settings, without the client secret, and the redirect URI to register there."""
    return provider_out(request, identity_providers.get_provider(services, actor.user))


@router.put(
    PATH,
    summary="Register or change the identity provider (Administrators)",
    operation_id="saveIdentityProvider",
    openapi_extra=refuses(*SAVE_REFUSALS),
)
def save_provider(
    body: IdentityProviderIn, request: Request, actor: Actor, services: ServicesDep
) -> IdentityProviderOut:
    """People whose email is in one of `email_domains` are offered "Sign in with <name>" on the
    login page. With `passwords_allowed: false` the organisation's passwords stop working.
    Claims give each user's name, email and usage country at every sign-in; with a
    `groups_claim`, `group_roles` gives the role. Audited."""
    saved = identity_providers.save_provider(
        services,
        actor.user,
        ProviderSettings(
            name=body.name,
            issuer=body.issuer,
            client_id=body.client_id,
            client_secret=body.client_secret,
            email_domains=body.email_domains,
            passwords_allowed=body.passwords_allowed,
            jit=body.jit,
            default_role=body.default_role,
            name_claim=body.name_claim,
            email_claim=body.email_claim,
            country_claim=body.country_claim,
            groups_claim=body.groups_claim,
            group_roles=body.group_roles,
        ),
        actor.address,
    )
    return provider_out(request, saved)


@router.post(
    f"{PATH}/test",
    summary="Test the connection to the identity provider (Administrators)",
    operation_id="testIdentityProvider",
    openapi_extra=refuses(*TEST_REFUSALS),
)
def test_provider(actor: Actor, services: ServicesDep) -> ConnectionTestOut:
    """Fetch the provider's discovery document and keys now: what they offer, or why not."""
    found = identity_providers.test_connection(services, actor.user)
    return ConnectionTestOut(
        issuer=found.issuer,
        authorization_endpoint=found.authorization_endpoint,
        token_endpoint=found.token_endpoint,
        end_session_endpoint=found.end_session_endpoint,
        keys=found.keys,
    )


@router.delete(
    PATH,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove the identity provider (Administrators)",
    operation_id="removeIdentityProvider",
    openapi_extra=refuses(*REMOVE_REFUSALS),
)
def remove_provider(actor: Actor, services: ServicesDep) -> Response:
    """Nobody signs in through it any more; passwords work again where users have one."""
    identity_providers.remove_provider(services, actor.user, actor.address)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
