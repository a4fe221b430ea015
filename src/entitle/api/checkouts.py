"""Create, list and read checkouts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.responses import json_response
from entitle.api.schemas import (
    REQUEST_FILE_EXAMPLE,
    ApplicationLine,
    CheckoutCreate,
    CheckoutDraftOut,
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
from entitle.domain.model import CreatedVia
from entitle.service import catalog, queries
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
    status: StatusFilter = StatusFilter.ALL
    q: Text | None = Field(
        None, description="A part of the user's name or email, the machine or an application"
    )
    user: Text | None = None
    machine: ShortText | None = None
    application: Text | None = None
    version: ShortText | None = None
    country: ShortText | None = None
    license_service: ShortText | None = None
    created_via: CreatedVia | None = Field(None, description="admin, request_file or self_service")
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
    answers with the same checkout instead of a second one. With the `machine_fingerprint` of a
    workstation's request file (read it with `POST /checkout-requests`), the license file is
    bound to that machine, and the checkout is shown as made from a request file.
    """
    request = CheckoutRequest(
        country=body.country,
        license_service=body.license_service,
        user=body.user,
        machine=body.machine,
        applications=[(a.name, a.version) for a in body.applications],
        activation_key=body.activation_key,
        expires_on=body.expires_on,
        via=CreatedVia.ADMIN if body.machine_fingerprint is None else CreatedVia.REQUEST_FILE,
        machine_fingerprint=body.machine_fingerprint,
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

    `status` picks active, expired or checked-in checkouts; `listed` is what the portal's
    Checkouts list shows (active, and those that expired in the last three months), `history`
    what its history shows (every checkout but those that expired more than three months ago:
    the same three-month rule as `expired`), `all` every checkout. `user`, `machine` and
    `application` match a part of the value whatever its case, `version` its start, `country`
    and `license_service` all of it; `q` a part of any of user, machine or application;
    `created_via` picks how checkouts were made (by an
    administrator, from a request file, or self-service); each `*_from` is included and each
    `*_to` is not (UTC).
    """
    query = CheckoutQuery(
        organisation_id=actor.user.organisation_id,
        status=filters.status,
        country=filters.country,
        user=filters.user,
        search=filters.q,
        machine=filters.machine,
        application=filters.application,
        version=filters.version,
        license_service=filters.license_service,
        created_via=None if filters.created_via is None else filters.created_via.value,
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


@router.post(
    "/checkout-requests",
    response_model=CheckoutDraftOut,
    summary="Read a workstation's request file into a checkout draft",
    operation_id="readCheckoutRequest",
    openapi_extra={
        **refuses(
            Code.ROLE_CANNOT_MANAGE_CHECKOUTS,
            Code.REQUEST_FILE_INVALID,
            Code.MACHINE_NAME_INVALID,
            Code.MACHINE_FINGERPRINT_INVALID,
            Code.APPLICATIONS_REQUIRED,
            Code.TOO_MANY_APPLICATIONS,
            Code.VERSION_MALFORMED,
            Code.DATE_INVALID,
            Code.COUNTRY_INVALID,
            Code.TIMESTAMP_OUT_OF_RANGE,
        ),
        "requestBody": {
            "required": True,
            "description": "The request file as entitle-tool wrote it (README: Request files)",
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "examples": {"request": {"value": REQUEST_FILE_EXAMPLE}},
                }
            },
        },
    },
)
async def read_request(request: Request, actor: Actor, services: ServicesDep) -> CheckoutDraftOut:
    """Read a checkout request file (format `entitle-checkout-request/1`, plain JSON written by
    `entitle-tool request` on an air-gapped workstation) for the new-checkout form: the machine
    name and fingerprint, the applications as the catalog spells them, the license service
    their versions use, the wanted expiry and country. Nothing is stored: create the checkout
    with `POST /checkouts` and the draft's `machine_fingerprint`. Each bad field is named."""
    data = await request.body()
    draft = await run_in_threadpool(catalog.read_request_file, services, actor.email, data)
    found = draft.request
    return CheckoutDraftOut(
        machine=found.machine_name,
        machine_fingerprint=found.machine_fingerprint,
        os_user=found.os_user,
        tool_version=found.tool_version,
        created_at=found.created_at,
        country=found.country,
        expires_on=found.expires_on,
        license_service=draft.license_service,
        applications=[ApplicationLine(name=n, version=v) for n, v in draft.applications],
    )
