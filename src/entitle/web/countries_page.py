"""Countries and policies: each entitlement country's checkout policy, as the organisation's
Administrators and Co-Administrators set it (entitle.service.checkout_policy, the same use case
as ``PUT /api/v1/countries/{country}/policy``). Whether checkouts are on, and their longest
duration, are the account manager's and shown read-only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle.api.auth import CSRF_FIELD, Caller, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.errors import DomainError
from entitle.domain.policy import ApplicationRule, CheckoutPolicy
from entitle.service import activation_keys, checkout_policy
from entitle.service.account import account
from entitle.service.checkout_policy import EVERY_USER, PolicyChange
from entitle.service.context import Services
from entitle.web.pages import MY_CHECKOUTS_PATH, login_redirect
from entitle.web.templating import templates
from entitle.web.wording import Shown, place

router = APIRouter(include_in_schema=False)
COUNTRIES_PATH = "/admin/countries"
LongText = Annotated[str, Form(max_length=100_000)]


@router.get(COUNTRIES_PATH, response_class=HTMLResponse)
def countries_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    mine = account(services, actor.email)
    if not mine.manages_checkouts:
        return RedirectResponse(MY_CHECKOUTS_PATH, status_code=status.HTTP_303_SEE_OTHER)
    codes = [c.country for c in mine.organisation.countries]
    if not codes:
        return _page(request, services, actor, "", None)
    chosen = mine.user.usage_country if mine.user.usage_country in codes else codes[0]
    return RedirectResponse(f"{COUNTRIES_PATH}/{chosen}", status_code=status.HTTP_303_SEE_OTHER)


@router.get(COUNTRIES_PATH + "/{country}", response_class=HTMLResponse)
def country_page(
    request: Request, actor: OptionalActor, services: ServicesDep, country: str
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        policy = checkout_policy.get_policy(services, actor.user, country[:8])
    except DomainError as refusal:
        return _page(request, services, actor, country[:8].upper(), None, refusal=refusal)
    return _page(request, services, actor, policy.country, policy)


@router.post(COUNTRIES_PATH + "/{country}", response_class=HTMLResponse)
def save_policy(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    country: str,
    self_service: Annotated[bool, Form()] = False,
    self_service_max_days: Annotated[str, Form(max_length=12)] = "",
    who: Annotated[str, Form(max_length=8)] = EVERY_USER,
    self_service_users: LongText = "",
    application_rule: Annotated[str, Form(max_length=8)] = ApplicationRule.ALL.value,
    applications: LongText = "",
) -> Response:
    if actor is None:
        return login_redirect(request)
    typed = {
        "self_service": self_service,
        "self_service_max_days": self_service_max_days,
        "who": who,
        "self_service_users": self_service_users,
        "application_rule": application_rule,
        "applications": applications,
    }
    days = self_service_max_days.strip()
    try:
        rule = ApplicationRule(application_rule)
    except ValueError:
        rule = ApplicationRule.ALL
    change = PolicyChange(
        self_service=self_service,
        # Left empty, it keeps its value; a number the domain checks for range, anything else
        # is out of range as well.
        self_service_max_days=None
        if not days
        else int(days)
        if days.isdigit() and len(days) < 6
        else 0,
        application_rule=rule,
        applications=_lines(applications),
        self_service_users=EVERY_USER if who == EVERY_USER else _lines(self_service_users),
    )
    try:
        policy = checkout_policy.set_policy(
            services, actor.user, country[:8], change, actor.address
        )
    except DomainError as refusal:
        current = _current(services, actor, country)
        return _page(
            request, services, actor, country[:8].upper(), current, refusal=refusal, typed=typed
        )
    return _page(request, services, actor, policy.country, policy, saved=True)


@router.post(COUNTRIES_PATH + "/{country}/keys", response_class=HTMLResponse)
def add_keys(
    request: Request, actor: OptionalActor, services: ServicesDep, country: str, keys: LongText = ""
) -> Response:
    if actor is None:
        return login_redirect(request)
    current = _current(services, actor, country)
    try:
        activation_keys.add_keys(services, actor.user, country[:8], _lines(keys), actor.address)
    except DomainError as refusal:
        return _page(
            request,
            services,
            actor,
            country[:8].upper(),
            current,
            key_refusal=refusal,
            typed_keys=keys,
        )
    return _page(request, services, actor, country[:8].upper(), current, keys_added=True)


@router.post(COUNTRIES_PATH + "/{country}/keys/retire", response_class=HTMLResponse)
def retire_key(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    country: str,
    key: Annotated[str, Form(max_length=64)] = "",
    retired: Annotated[bool, Form()] = True,
) -> Response:
    if actor is None:
        return login_redirect(request)
    current = _current(services, actor, country)
    try:
        changed = activation_keys.retire_key(services, actor.user, key, retired, actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, country[:8].upper(), current, key_refusal=refusal)
    return _page(request, services, actor, country[:8].upper(), current, key_changed=changed)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _current(services: Services, actor: Caller, country: str) -> CheckoutPolicy | None:
    try:
        return checkout_policy.get_policy(services, actor.user, country[:8])
    except DomainError:
        return None


def _page(
    request: Request,
    services: Services,
    actor: Caller,
    country: str,
    policy: CheckoutPolicy | None,
    *,
    refusal: DomainError | None = None,
    typed: dict[str, Any] | None = None,
    key_refusal: DomainError | None = None,
    **extra: Any,
) -> Response:
    mine = account(services, actor.email)
    if not mine.manages_checkouts:
        return RedirectResponse(MY_CHECKOUTS_PATH, status_code=status.HTTP_303_SEE_OTHER)
    if typed is None and policy is not None:
        typed = {
            "self_service": policy.self_service,
            "self_service_max_days": str(policy.self_service_max_days),
            "who": EVERY_USER if policy.self_service_users is None else "listed",
            "self_service_users": "\n".join(policy.self_service_users or ()),
            "application_rule": policy.application_rule.value,
            "applications": "\n".join(policy.applications),
        }
    errors: dict[str, Shown] = {}
    for error in refusal.errors if refusal else ():
        errors.setdefault((error.field or "").split("[")[0], Shown(error))
    key_errors = [Shown(error) for error in key_refusal.errors] if key_refusal else []
    keys = activation_keys.list_keys(services, actor.user, policy.country) if policy else []
    shown = refusal or key_refusal
    return templates.TemplateResponse(
        request,
        "countries.html",
        {
            "account": mine,
            "current_page": "countries",
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
            "countries": [c.country for c in mine.organisation.countries],
            "country": country,
            "policy": policy,
            "place_of": place,
            "typed": typed or {},
            "errors": errors,
            "keys": keys,
            "key_errors": key_errors,
            "has_select": mine.organisation.has_select,
            **extra,
        },
        status_code=shown.status if shown else status.HTTP_200_OK,
    )
