"""The Sign-in page: the organisation's identity provider (OpenID Connect single sign-on).

Administrators register it (issuer, client id and secret), choose whether passwords stay
allowed, how claims make a user's profile, just-in-time provisioning, the default role and the
groups that give roles, test the connection and remove it; Co-Administrators read it. Every
action is the admin API's use case (entitle.service.identity_providers).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle.api.auth import CSRF_FIELD, Caller, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput
from entitle.domain.identity_provider import IdentityProvider
from entitle.domain.model import Role
from entitle.service import identity_providers
from entitle.service.account import account
from entitle.service.context import Services
from entitle.service.identity_providers import ConnectionTest, ProviderSettings
from entitle.service.translations import N_
from entitle.web.pages import MY_CHECKOUTS_PATH, login_redirect
from entitle.web.sso_pages import callback_url
from entitle.web.templating import templates
from entitle.web.wording import ROLE_NAMES, Notice, Shown

router = APIRouter(include_in_schema=False)
SIGN_IN_PATH = "/admin/sign-in"
Field = Annotated[str, Form(max_length=500)]
LongField = Annotated[str, Form(max_length=10_000)]


@router.get(SIGN_IN_PATH, response_class=HTMLResponse)
def sign_in_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    return _page(request, services, actor)


@router.post(SIGN_IN_PATH, response_class=HTMLResponse)
def save(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    name: Field = "",
    issuer: Field = "",
    client_id: Field = "",
    client_secret: Field = "",
    email_domains: LongField = "",
    passwords_allowed: Annotated[bool, Form()] = False,
    jit: Annotated[bool, Form()] = False,
    default_role: Field = Role.USER.value,
    name_claim: Field = "name",
    email_claim: Field = "email",
    country_claim: Field = "country",
    groups_claim: Field = "",
    group_roles: LongField = "",
) -> Response:
    if actor is None:
        return login_redirect(request)
    typed = {
        "name": name,
        "issuer": issuer,
        "client_id": client_id,
        "email_domains": email_domains,
        "passwords_allowed": passwords_allowed,
        "jit": jit,
        "default_role": default_role,
        "name_claim": name_claim,
        "email_claim": email_claim,
        "country_claim": country_claim,
        "groups_claim": groups_claim,
        "group_roles": group_roles,
    }
    try:
        mapping = _group_roles(group_roles)
        identity_providers.save_provider(
            services,
            actor.user,
            ProviderSettings(
                name=name,
                issuer=issuer,
                client_id=client_id,
                client_secret=client_secret or None,
                email_domains=[
                    d for d in email_domains.replace(",", "\n").splitlines() if d.strip()
                ],
                passwords_allowed=passwords_allowed,
                jit=jit,
                default_role=default_role,
                name_claim=name_claim,
                email_claim=email_claim,
                country_claim=country_claim,
                groups_claim=groups_claim,
                group_roles=mapping,
            ),
            actor.address,
        )
    except DomainError as refusal:
        return _page(request, services, actor, refusal=refusal, typed=typed)
    return _page(request, services, actor, done=Notice(N_("Saved the identity provider.")))


@router.post(SIGN_IN_PATH + "/test", response_class=HTMLResponse)
def test_connection(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        found = identity_providers.test_connection(services, actor.user)
    except DomainError as refusal:
        return _page(request, services, actor, test_refusal=refusal)
    return _page(request, services, actor, tested=found)


@router.post(SIGN_IN_PATH + "/remove", response_class=HTMLResponse)
def remove(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        identity_providers.remove_provider(services, actor.user, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, test_refusal=refusal)
    return _page(request, services, actor, done=Notice(N_("Removed the identity provider.")))


def _group_roles(text: str) -> dict[str, str]:
    """One "group = role" a line."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        group, equals, role = line.rpartition("=")
        if not equals or not group.strip():
            raise InvalidInput(
                Code.IDENTITY_PROVIDER_INVALID,
                f"Line {number} is not 'group = role', such as licensing-admins = Administrator.",
                field="group_roles",
            )
        found[group.strip()] = role.strip()
    return found


def _typed(provider: IdentityProvider | None) -> dict[str, Any]:
    if provider is None:
        return {"passwords_allowed": True, "jit": True, "default_role": Role.USER.value}
    return {
        "name": provider.name,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "email_domains": "\n".join(provider.email_domains),
        "passwords_allowed": provider.passwords_allowed,
        "jit": provider.jit,
        "default_role": provider.default_role.value,
        "name_claim": provider.name_claim,
        "email_claim": provider.email_claim,
        "country_claim": provider.country_claim,
        "groups_claim": provider.groups_claim,
        "group_roles": "\n".join(f"{g} = {r.value}" for g, r in provider.group_roles.items()),
    }


def _page(
    request: Request,
    services: Services,
    actor: Caller,
    *,
    refusal: DomainError | None = None,
    test_refusal: DomainError | None = None,
    typed: dict[str, Any] | None = None,
    tested: ConnectionTest | None = None,
    done: Notice | None = None,
) -> Response:
    mine = account(services, actor.email)
    if not mine.user.role.sees_users:
        return RedirectResponse(MY_CHECKOUTS_PATH, status_code=status.HTTP_303_SEE_OTHER)
    try:
        provider: IdentityProvider | None = identity_providers.get_provider(services, actor.user)
    except DomainError:
        provider = None
    errors: dict[str, Shown] = {}
    for error in refusal.errors if refusal else ():
        errors.setdefault(error.field or "", Shown(error))
    shown = refusal or test_refusal
    return templates.TemplateResponse(
        request,
        "sign_in_settings.html",
        {
            "account": mine,
            "current_page": "sign-in",
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
            "manages": mine.user.role.manages_users,
            "provider": provider,
            "typed": typed if typed is not None else _typed(provider),
            "errors": errors,
            "test_error": Shown(test_refusal) if test_refusal else None,
            "tested": tested,
            "done": done,
            "roles": [r.value for r in Role],
            "role_names": ROLE_NAMES,
            "redirect_uri": callback_url(request),
        },
        status_code=shown.status if shown else status.HTTP_200_OK,
        headers={"Cache-Control": "no-store"},
    )
