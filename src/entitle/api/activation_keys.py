"""Activation keys per entitlement country, as Administrators and Co-Administrators keep them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import (
    ActivationKeyChange,
    ActivationKeysIn,
    AdminActivationKeyOut,
    Items,
    ShortText,
)
from entitle.domain.codes import Code
from entitle.domain.model import ActivationKey
from entitle.service import activation_keys
from entitle.service.activation_keys import ADD_REFUSALS, RETIRE_REFUSALS

router = APIRouter(prefix="/admin", tags=["administration"])
Country = Annotated[ShortText, Path(description="Two letters (ISO 3166-1 alpha-2)")]


def _out(key: ActivationKey) -> AdminActivationKeyOut:
    return AdminActivationKeyOut(key=key.key, country=key.country, retired=key.retired)


@router.get(
    "/countries/{country}/activation-keys",
    summary="A country's activation keys, retired ones included",
    operation_id="listCountryActivationKeys",
    openapi_extra=refuses(
        Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.COUNTRY_INVALID, Code.COUNTRY_NOT_ENTITLED
    ),
)
def list_keys(
    country: Country, actor: Actor, services: ServicesDep
) -> Items[AdminActivationKeyOut]:
    """Every SELECTserver activation key of one entitlement country, each saying whether it
    is retired (the New checkout panel offers only the others)."""
    return Items(items=[_out(k) for k in activation_keys.list_keys(services, actor.user, country)])


@router.post(
    "/countries/{country}/activation-keys",
    summary="Add activation keys to a country (Administrators, Co-Administrators)",
    operation_id="addActivationKeys",
    openapi_extra=refuses(*ADD_REFUSALS),
)
def add_keys(
    country: Country, body: ActivationKeysIn, actor: Actor, services: ServicesDep
) -> Items[AdminActivationKeyOut]:
    """Add keys (letters, digits and hyphens; stored in capitals); a key the country has
    already is kept as it is, a key of another country or organisation is refused. Answers
    the country's keys. Audited."""
    found = activation_keys.add_keys(services, actor.user, country, body.keys, actor.address)
    return Items(items=[_out(k) for k in found])


@router.patch(
    "/activation-keys/{key}",
    summary="Retire an activation key, or bring it back (Administrators, Co-Administrators)",
    operation_id="changeActivationKey",
    openapi_extra=refuses(*RETIRE_REFUSALS),
)
def change_key(
    key: Annotated[ShortText, Path()],
    body: ActivationKeyChange,
    actor: Actor,
    services: ServicesDep,
) -> AdminActivationKeyOut:
    """`retired: true`: the key is no longer offered for new checkouts nor accepted by them;
    checkouts that hold it keep it. `retired: false` brings it back. Audited."""
    changed = activation_keys.retire_key(services, actor.user, key, body.retired, actor.address)
    return _out(changed)
