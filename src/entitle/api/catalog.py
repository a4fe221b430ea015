"""What the new-checkout form offers: countries, services, applications, versions, users, keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.schemas import (
    ActivationKeyOut,
    ApplicationOut,
    CountryOut,
    Items,
    LicenseServiceOut,
    ShortText,
    Text,
    UserOut,
    VersionOut,
)
from entitle.api.session import user_out
from entitle.domain.model import LicenseService
from entitle.service import catalog

router = APIRouter(tags=["catalog"])
Search = Annotated[Text, Query(description="Prefix or part of the name")]
ServiceFilter = Annotated[LicenseService | None, Query()]


@router.get("/countries", summary="The organisation's entitlement countries")
def countries(actor: Actor, services: ServicesDep) -> Items[CountryOut]:
    return Items(
        items=[
            CountryOut(
                country=c.country,
                checkouts_enabled=c.checkouts_enabled,
                max_days=c.max_days,
                latest_expires_on=c.latest_expires_on,
            )
            for c in catalog.countries(services, actor.email)
        ]
    )


@router.get("/license-services", summary="SES (.belic) and SELECTserver (.xml)")
def license_services(actor: Actor, services: ServicesDep) -> Items[LicenseServiceOut]:
    return Items(
        items=[
            LicenseServiceOut(
                name=s,
                file_extension=s.file_extension,
                needs_activation_key=s.needs_activation_key,
            )
            for s in catalog.license_services(services, actor.email)
        ]
    )


@router.get("/applications", summary="Applications, by license service and name prefix")
def applications(
    actor: Actor, services: ServicesDep, license_service: ServiceFilter = None, q: Search = ""
) -> Items[ApplicationOut]:
    names = catalog.applications(services, actor.email, license_service, q)
    return Items(items=[ApplicationOut(name=n) for n in names])


@router.get("/applications/{name}/versions", summary="Released versions of an application")
def versions(
    name: Annotated[Text, Path()],
    actor: Actor,
    services: ServicesDep,
    license_service: ServiceFilter = None,
    q: Annotated[ShortText, Query(description="Version prefix")] = "",
) -> Items[VersionOut]:
    found = catalog.versions(services, actor.email, name, license_service, q)
    return Items(
        items=[VersionOut(version=str(r.version), license_service=r.license_service) for r in found]
    )


@router.get("/users", summary="The organisation's users, by name or email")
def users(actor: Actor, services: ServicesDep, q: Search = "") -> Items[UserOut]:
    return Items(items=[user_out(u) for u in catalog.users(services, actor.email, q)])


@router.get("/activation-keys", summary="Activation keys, of one entitlement country")
def activation_keys(
    actor: Actor, services: ServicesDep, country: Annotated[ShortText | None, Query()] = None
) -> Items[ActivationKeyOut]:
    keys = catalog.activation_keys(services, actor.email, country)
    return Items(items=[ActivationKeyOut(key=k.key, country=k.country) for k in keys])
