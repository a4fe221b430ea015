"""Create, list and read checkouts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status
from pydantic import BaseModel, Field

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.responses import json_response
from entitle.api.schemas import (
    CheckoutCreate,
    CheckoutId,
    CheckoutOut,
    CheckoutPageOut,
    ShortText,
    StatusFilter,
    Text,
    as_utc,
)
from entitle.domain.checkouts import PLAN_REFUSALS, CheckoutRequest
from entitle.domain.codes import Code
from entitle.service import queries
from entitle.service.create_checkout import create_checkout
from entitle.store.checkouts import CheckoutQuery

router = APIRouter(tags=["checkouts"])
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Retrying a create with the same key returns the same checkout",
    ),
]


class CheckoutFilters(BaseModel):
    status: StatusFilter = "all"
    user: Text | None = None
    machine: ShortText | None = None
    application: Text | None = None
    version: ShortText | None = None
    country: ShortText | None = None
    license_service: ShortText | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    expires_from: datetime | None = None
    expires_to: datetime | None = None
    sort: Text | None = Field(None, description="Fields, '-' for descending: user,-expires_at")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=queries.MAX_PAGE_SIZE)


@router.post(
    "/checkouts",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckoutOut,
    summary="Create a checkout",
    operation_id="createCheckout",
    openapi_extra=refuses(
        *PLAN_REFUSALS,
        Code.IDEMPOTENCY_KEY_REUSED,
        Code.IDEMPOTENCY_RACE,
        Code.SIGNING_CERTIFICATE_ENDS,
    ),
)
def create(
    body: CheckoutCreate,
    actor: Actor,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Reserve licenses for one user on one machine and sign the license file.

    Every rule is checked at once: a refusal lists each field that broke one. The expiry
    defaults to the latest date allowed (the contract end under a year away, else one year,
    within the entitlement country's maximum). The answer's Location is the new checkout; its
    license file is at `/checkouts/{id}/license-file`. Sending the same Idempotency-Key again
    answers with the same checkout instead of a second one.
    """
    request = CheckoutRequest(
        country=body.country,
        license_service=body.license_service,
        user=body.user,
        machine=body.machine,
        applications=[(a.name, a.version) for a in body.applications],
        activation_key=body.activation_key,
        expires_on=body.expires_on,
    )
    checkout = create_checkout(
        services,
        actor.user,
        request,
        idempotency_key=idempotency_key,
        address=actor.address,
    )
    return json_response(
        CheckoutOut.of(checkout, services.now()),
        status.HTTP_201_CREATED,
        {"Location": f"/api/v1/checkouts/{checkout.id}"},
    )


@router.get(
    "/checkouts",
    response_model=CheckoutPageOut,
    summary="The organisation's checkouts, filtered, sorted and paged",
    operation_id="listCheckouts",
    openapi_extra=refuses(
        Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.SORT_FIELD_UNKNOWN, Code.TIMESTAMP_OUT_OF_RANGE
    ),
)
def list_checkouts(
    filters: Annotated[CheckoutFilters, Query()], actor: Actor, services: ServicesDep
) -> Response:
    """The caller's organisation's checkouts, newest first unless `sort` says otherwise.

    `status` picks active, expired or checked-in checkouts; `listed` is what the portal shows
    (active, and those that ended in the last three months). `user`, `machine` and
    `application` match a part of the value whatever its case, `version` its start, `country`
    and `license_service` all of it; each `*_from` is included and each `*_to` is not (UTC).
    """
    query = CheckoutQuery(
        organisation_id=actor.user.organisation_id,
        status=filters.status,
        country=filters.country,
        user=filters.user,
        machine=filters.machine,
        application=filters.application,
        version=filters.version,
        license_service=filters.license_service,
        created_from=as_utc(filters.created_from, "created_from"),
        created_to=as_utc(filters.created_to, "created_to"),
        expires_from=as_utc(filters.expires_from, "expires_from"),
        expires_to=as_utc(filters.expires_to, "expires_to"),
        sort=queries.parse_sort(filters.sort),
        page=filters.page,
        page_size=filters.page_size,
    )
    page = queries.list_checkouts(services, actor.user, query)
    now = services.now()
    return json_response(
        CheckoutPageOut(
            items=[CheckoutOut.of(c, now) for c in page.items],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
            last_page=page.last_page,
        )
    )


@router.get(
    "/checkouts/{checkout_id}",
    response_model=CheckoutOut,
    summary="One checkout",
    operation_id="getCheckout",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.CHECKOUT_NOT_FOUND),
)
def read(
    checkout_id: Annotated[CheckoutId, Path()], actor: Actor, services: ServicesDep
) -> Response:
    """One checkout of the caller's organisation, with its status as of now."""
    checkout = queries.get_checkout(services, actor.user, checkout_id)
    return json_response(CheckoutOut.of(checkout, services.now()))
