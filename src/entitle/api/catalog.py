"""What the new-checkout form offers: countries, services, applications, versions, users, keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
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
from entitle.domain.codes import Code
from entitle.domain.model import LicenseService
from entitle.service import catalog

router = APIRouter(tags=["catalog"])
Search = Annotated[Text, Query(description="Prefix or part of the name")]
ServiceFilter = Annotated[LicenseService | None, Query()]


@router.get(
    "/countries",
    summary="The organisation's entitlement countries",
    operation_id="listCountries",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS),
)
def countries(actor: Actor, services: ServicesDep) -> Items[CountryOut]:
    """Each entitlement country: whether checkouts are on, the longest checkout in days, and
    the latest expiry date a checkout made today may have."""
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


@router.get(
    "/license-services",
    summary="SES (.belic) and SELECTserver (.xml)",
    operation_id="listLicenseServices",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS),
)
def license_services(actor: Actor, services: ServicesDep) -> Items[LicenseServiceOut]:
    """The license services a checkout can use, the file each signs, and whether it needs an
    activation key."""
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


@router.get(
    "/applications",
    summary="Applications, by license service and name prefix",
    operation_id="listApplications",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS),
)
def applications(
    actor: Actor, services: ServicesDep, license_service: ServiceFilter = None, q: Search = ""
) -> Items[ApplicationOut]:
    """Catalog applications whose name starts with `q` (any case), at most 50 in name order,
    for the new-checkout form's suggestions."""
    names = catalog.applications(services, actor.email, license_service, q)
    return Items(items=[ApplicationOut(name=n) for n in names])


@router.get(
    "/applications/{name}/versions",
    summary="Released versions of an application",
    operation_id="listVersions",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.APPLICATION_NOT_FOUND),
)
def versions(
    name: Annotated[Text, Path()],
    actor: Actor,
    services: ServicesDep,
    license_service: ServiceFilter = None,
    q: Annotated[ShortText, Query(description="Version prefix")] = "",
) -> Items[VersionOut]:
    """The released versions of one catalog application starting with `q`, newest first, each
    with the license service it uses."""
    found = catalog.versions(services, actor.email, name, license_service, q)
    return Items(
        items=[VersionOut(version=str(r.version), license_service=r.license_service) for r in found]
    )


@router.get(
    "/users",
    summary="The organisation's users, by name or email",
    operation_id="listUsers",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS),
)
def users(actor: Actor, services: ServicesDep, q: Search = "") -> Items[UserOut]:
    """Users of the caller's organisation whose name or email contains `q` (any case), at most
    50 in name order, for the checkout's user field."""
    return Items(items=[user_out(u) for u in catalog.users(services, actor.email, q)])


@router.get(
    "/activation-keys",
    summary="Activation keys, of one entitlement country",
    operation_id="listActivationKeys",
    openapi_extra=refuses(
        Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.COUNTRY_INVALID, Code.COUNTRY_NOT_ENTITLED
    ),
)
def activation_keys(
    actor: Actor, services: ServicesDep, country: Annotated[ShortText | None, Query()] = None
) -> Items[ActivationKeyOut]:
    """The organisation's SELECTserver activation keys, of one entitlement country or all."""
    keys = catalog.activation_keys(services, actor.email, country)
    return Items(items=[ActivationKeyOut(key=k.key, country=k.country) for k in keys])
