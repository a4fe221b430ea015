"""An entitlement country's checkout policy, as the organisation's administrators set it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import PolicyIn, PolicyOut, ShortText
from entitle.domain.codes import Code
from entitle.domain.policy import ApplicationRule
from entitle.service import checkout_policy
from entitle.service.checkout_policy import POLICY_REFUSALS, PolicyChange

router = APIRouter(tags=["policies"])
Country = Annotated[ShortText, Path(description="Two letters (ISO 3166-1 alpha-2)")]


@router.get(
    "/countries/{country}/policy",
    response_model=PolicyOut,
    summary="An entitlement country's checkout policy",
    operation_id="getCheckoutPolicy",
    openapi_extra=refuses(
        Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.COUNTRY_INVALID, Code.COUNTRY_NOT_ENTITLED
    ),
)
def get_policy(country: Country, actor: Actor, services: ServicesDep) -> PolicyOut:
    """What the organisation allows in one of its entitlement countries: whether checkouts are
    on and their longest duration (both set by the account manager), self-service with its
    longest checkout and who may use it, and the applications allowed or excluded."""
    return PolicyOut.of(checkout_policy.get_policy(services, actor.user, country))


@router.put(
    "/countries/{country}/policy",
    response_model=PolicyOut,
    summary="Change an entitlement country's checkout policy (Administrators, Co-Administrators)",
    operation_id="setCheckoutPolicy",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS, *POLICY_REFUSALS),
)
def set_policy(country: Country, body: PolicyIn, actor: Actor, services: ServicesDep) -> PolicyOut:
    """Change what the organisation's administrators decide: self-service (on or off), its
    longest checkout in days (up to the country's `max_days`), who may self-serve (`"all"` or a
    list of the organisation's users' emails), and an allow- or exclude-list of catalog
    applications (`application_rule` with `applications`). A field left out keeps its value;
    the answer is the whole policy. Every field error is named at once; the change is audited.
    """
    change = PolicyChange(
        self_service=body.self_service,
        self_service_max_days=body.self_service_max_days,
        application_rule=None
        if body.application_rule is None
        else ApplicationRule(body.application_rule),
        applications=body.applications,
        self_service_users=body.self_service_users,
    )
    policy = checkout_policy.set_policy(services, actor.user, country, change, actor.address)
    return PolicyOut.of(policy)
