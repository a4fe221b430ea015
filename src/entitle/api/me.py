"""Self-service: the signed-in user's own checkouts, as the licensing tool on their workstation
checks out, renews and returns them. Any role may call these, for themselves only."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status
from pydantic import BaseModel, Field

from entitle.api.auth import Actor
from entitle.api.checkouts import IdempotencyKey
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.responses import json_response
from entitle.api.schemas import (
    CheckoutId,
    CheckoutOut,
    CheckoutPageOut,
    Items,
    LicenseFileOut,
    OwnCheckoutCreate,
    OwnCheckoutOut,
    OwnCountryOut,
    ProfileOut,
    ProfileUpdate,
    RenewIn,
    ReturnIn,
    StatusFilter,
)
from entitle.api.session import user_out
from entitle.domain.checkouts import ACTIVE_REFUSALS, RENEW_REFUSALS, SELF_SERVICE_REFUSALS
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError
from entitle.domain.model import Checkout, User
from entitle.domain.names import country_name
from entitle.service import account, self_service
from entitle.service.bundle_license_files import license_file_name
from entitle.service.queries import MAX_PAGE_SIZE
from entitle.service.self_service import OwnCheckout, Workstation
from entitle.store.checkouts import CheckoutQuery

router = APIRouter(prefix="/me", tags=["self-service"])
OwnId = Annotated[CheckoutId, Path(description="One of the caller's own checkouts")]
# The domain names a checkout's machine `machine`; this API, as the request file, `machine_name`.
_FIELDS = {"machine": "machine_name"}


class OwnFilters(BaseModel):
    status: StatusFilter = StatusFilter.ALL
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def _file_path(checkout_id: str) -> str:
    return f"/api/v1/me/checkouts/{checkout_id}/file"


def _media_type(name: str) -> str:
    return "application/xml" if name.endswith(".xml") else "application/octet-stream"


def _with_file(checkout: Checkout, data: bytes, now: datetime) -> OwnCheckoutOut:
    name = license_file_name(checkout)
    return OwnCheckoutOut(
        checkout=CheckoutOut.of(checkout, now),
        license_file=LicenseFileOut(
            name=name,
            media_type=_media_type(name),
            digest=hashlib.sha256(data).hexdigest(),
            data=base64.b64encode(data).decode("ascii"),
            url=_file_path(checkout.id),
        ),
    )


def _profile(user: User) -> ProfileOut:
    return ProfileOut(**user_out(user).model_dump(), language=user.language)


@router.get("", summary="The caller's own profile", operation_id="getProfile")
def profile(actor: Actor) -> ProfileOut:
    """Who the caller is, and the language they chose for the portal and their e-mails."""
    return _profile(actor.user)


@router.patch(
    "",
    summary="Change the caller's own profile",
    operation_id="updateProfile",
    openapi_extra=refuses(Code.LANGUAGE_NOT_SUPPORTED),
)
def update_profile(body: ProfileUpdate, actor: Actor, services: ServicesDep) -> ProfileOut:
    """Set `language` (en, de or ja), or null to follow the browser: the portal's pages and
    the caller's e-mails are written in it. The API's own answers stay English."""
    user = actor.user
    if "language" in body.model_fields_set:
        user = account.set_language(services, user, body.language)
    return _profile(user)


def _renamed(refusal: DomainError) -> DomainError:
    for error in refusal.errors:
        error.field = _FIELDS.get(error.field or "", error.field)
    return refusal


@router.get(
    "/countries",
    summary="Where the caller may check out for themselves, and until when",
    operation_id="listOwnCountries",
)
def countries(actor: Actor, services: ServicesDep) -> Items[OwnCountryOut]:
    """Each entitlement country of the caller's organisation: whether the caller may check out
    for themselves there (and if not, why, with who can change it), the longest self-service
    checkout in days and the latest expiry one made today may have."""
    return Items(
        items=[
            OwnCountryOut(
                country=c.policy.country,
                country_name=country_name(c.policy.country),
                self_service=c.refusal is None,
                longest_days=c.policy.longest_self_service,
                latest_expires_on=c.latest_expires_on,
                refusal=None if c.refusal is None else c.refusal.message,
            )
            for c in self_service.own_countries(services, actor.user)
        ]
    )


@router.post(
    "/checkouts",
    status_code=status.HTTP_201_CREATED,
    response_model=OwnCheckoutOut,
    summary="Check out for yourself, on this workstation; answers the license file",
    operation_id="createOwnCheckout",
    openapi_extra=refuses(
        *SELF_SERVICE_REFUSALS,
        Code.IDEMPOTENCY_KEY_REUSED,
        Code.IDEMPOTENCY_RACE,
        Code.SIGNING_CERTIFICATE_ENDS,
    ),
)
def create(
    body: OwnCheckoutCreate,
    actor: Actor,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Reserve licenses for the caller on their workstation, under the entitlement country's
    self-service policy, and answer the signed license file with the checkout.

    The license service is the one the versions use (SES: `.belic`, SELECTserver: `.xml`).
    The machine name and fingerprint are bound into the file: it runs on this workstation
    only. Without `expires_on` or `days` the checkout lasts as long as the policy allows.
    Usage is booked as for any checkout, from now to its expiry or return. The same
    Idempotency-Key again answers the same checkout. A refusal names the policy and who can
    change it (`SELF_SERVICE_OFF`, `SELF_SERVICE_DAYS_OVER_MAX`, `APPLICATION_EXCLUDED`, ...).
    """
    wanted = OwnCheckout(
        applications=tuple((a.application, a.version) for a in body.applications),
        machine=body.machine_name,
        machine_fingerprint=body.machine_fingerprint,
        country=body.country or "",
        expires_on=body.expires_on,
        days=body.days,
        activation_key=body.activation_key,
    )
    workstation = Workstation(body.machine_name, body.tool_version or "")
    try:
        checkout, data = self_service.check_out(
            services,
            actor.user,
            wanted,
            workstation,
            idempotency_key=idempotency_key,
            address=actor.address,
        )
    except DomainError as refusal:
        raise _renamed(refusal) from None
    return json_response(
        _with_file(checkout, data, services.now()),
        status.HTTP_201_CREATED,
        {"Location": f"/api/v1/me/checkouts/{checkout.id}"},
    )


@router.get(
    "/checkouts",
    response_model=CheckoutPageOut,
    summary="The caller's own checkouts, newest first",
    operation_id="listOwnCheckouts",
)
def list_own(
    filters: Annotated[OwnFilters, Query()], actor: Actor, services: ServicesDep
) -> Response:
    """The checkouts made for the caller, by themselves or by an administrator; `status` picks
    active, expired, checked-in or `listed` ones (active, and those ended in three months)."""
    query = CheckoutQuery(
        organisation_id=0, status=filters.status, page=filters.page, page_size=filters.page_size
    )
    page = self_service.own_checkouts(services, actor.user, query)
    return json_response(CheckoutPageOut.of(page, services.now()))


@router.get(
    "/checkouts/{checkout_id}",
    response_model=CheckoutOut,
    summary="One of the caller's own checkouts",
    operation_id="getOwnCheckout",
    openapi_extra=refuses(Code.CHECKOUT_NOT_FOUND),
)
def read_own(checkout_id: OwnId, actor: Actor, services: ServicesDep) -> Response:
    """One checkout made for the caller, with its status as of now; another user's is not
    found."""
    checkout = self_service.own_checkout(services, actor.user, checkout_id)
    return json_response(CheckoutOut.of(checkout, services.now()))


@router.get(
    "/checkouts/{checkout_id}/file",
    summary="The license file of one of the caller's own checkouts",
    response_class=Response,
    responses={
        200: {
            "description": "The license file as an attachment",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("application/octet-stream", "application/xml")
            },
        }
    },
    operation_id="downloadOwnLicenseFile",
    openapi_extra=refuses(Code.CHECKOUT_NOT_FOUND),
)
def download_own(checkout_id: OwnId, actor: Actor, services: ServicesDep) -> Response:
    """The checkout's current license file (a renewal replaces it), to import with
    `entitle-tool import`; each download is audited."""
    checkout, data = self_service.license_file(services, actor.user, checkout_id, actor.address)
    name = license_file_name(checkout)
    return Response(
        data,
        media_type=_media_type(name),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/checkouts/{checkout_id}/renew",
    response_model=OwnCheckoutOut,
    summary="A new license file for the same checkout, to a new expiry",
    operation_id="renewOwnCheckout",
    openapi_extra=refuses(Code.CHECKOUT_NOT_FOUND, *RENEW_REFUSALS, Code.SIGNING_CERTIFICATE_ENDS),
)
def renew(checkout_id: OwnId, body: RenewIn, actor: Actor, services: ServicesDep) -> Response:
    """Extend an active checkout: the answer is a new license file for the same checkout
    (same id, applications and machine; fingerprint kept), expiring on `expires_on` or in
    `days` from today, within today's self-service policy of its country. The file it replaces
    is superseded: the organisation's revocation list names its digest from now on, so a
    workstation that syncs refuses it. Booked usage runs to the new expiry."""
    workstation = Workstation(body.machine_name or "", body.tool_version or "")
    checkout, data = self_service.renew(
        services, actor.user, checkout_id, body.expires_on, body.days, workstation, actor.address
    )
    return json_response(_with_file(checkout, data, services.now()))


@router.post(
    "/checkouts/{checkout_id}/return",
    response_model=CheckoutOut,
    summary="Check in one of the caller's own checkouts from the workstation, now",
    operation_id="returnOwnCheckout",
    openapi_extra=refuses(Code.CHECKOUT_NOT_FOUND, *ACTIVE_REFUSALS),
)
def return_own(
    checkout_id: OwnId,
    actor: Actor,
    services: ServicesDep,
    body: Annotated[
        ReturnIn | None,
        Body(examples=[{"machine_name": "WS-0042", "tool_version": "0.2.0"}]),
    ] = None,
) -> Response:
    """End the checkout now, as the workstation's check-in (`check_in_method` `client`, by
    the caller): booked usage stops, and the revocation list names the checkout, so the file
    stops working on any workstation that syncs. Organisations without SELECT return from the
    workstation too. Clear the license on the workstation as well (the tool does both)."""
    said = body or ReturnIn()
    workstation = Workstation(said.machine_name or "", said.tool_version or "")
    checkout = self_service.return_checkout(
        services, actor.user, checkout_id, workstation, actor.address
    )
    return json_response(CheckoutOut.of(checkout, services.now()))
