"""Create, list and read checkouts."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from entitle.api.auth import Actor, ActorOrToken, Caller
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
from entitle.domain.checkouts import EXTEND_REFUSALS, PLAN_REFUSALS, CheckoutRequest
from entitle.domain.codes import Code
from entitle.domain.model import CheckInMethod, CreatedVia
from entitle.service import catalog, queries
from entitle.service.checkout_notes import set_notes
from entitle.service.create_checkout import create_checkout
from entitle.service.extend_checkout import extend_checkout
from entitle.service.spreadsheet import FORMULA_STARTS, safe_cell
from entitle.store.checkouts import CheckoutQuery

router = APIRouter(tags=["checkouts"])
CSV_EXAMPLE = (
    "id,user,user_display_name,machine,country,license_service,applications,activation_key,"
    "created_at,created_by,created_via,expires_at,status,checked_in_at,checked_in_by,"
    "check_in_method\r\n"
    "c_01J9,ana@example.com,Ana Lima,WS-0042,US,SES,Atlas Designer 10.17.2.61,,"
    "2026-12-01T09:30:00+00:00,admin@example.com,admin,2027-01-01T00:00:00+00:00,active,,,\r\n"
)
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
    created_by: Text | None = Field(None, description="A part of who created it (email)")
    checked_in_by: Text | None = Field(None, description="A part of who checked it in (email)")
    check_in_method: CheckInMethod | None = Field(
        None, description="portal, client (the workstation) or expiry"
    )
    created_from: datetime | None = None
    created_to: datetime | None = None
    expires_from: datetime | None = None
    expires_to: datetime | None = None
    sort: Text | None = Field(None, description="Fields, '-' for descending: user,-expires_at")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=queries.MAX_PAGE_SIZE)


def _query(filters: CheckoutFilters, actor: Caller) -> CheckoutQuery:
    return CheckoutQuery(
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
        created_by=filters.created_by,
        checked_in_by=filters.checked_in_by,
        check_in_method=None if filters.check_in_method is None else filters.check_in_method.value,
        created_from=as_utc(filters.created_from, "created_from"),
        created_to=as_utc(filters.created_to, "created_to"),
        expires_from=as_utc(filters.expires_from, "expires_from"),
        expires_to=as_utc(filters.expires_to, "expires_to"),
        sort=queries.parse_sort(filters.sort),
        page=filters.page,
        page_size=filters.page_size,
    )


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
    actor: ActorOrToken,
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
        actor.user if isinstance(actor, Caller) else actor.token,
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
    administrator, from a request file, or self-service); `created_by` and `checked_in_by` match
    a part of the email; `check_in_method` picks how checkouts ended: by an administrator
    (`portal`), from the workstation (`client`), or at their expiry (`expiry`); each `*_from`
    is included and each `*_to` is not (UTC).
    """
    query = _query(filters, actor)
    page = queries.list_checkouts(services, actor.user, query)
    return json_response(CheckoutPageOut.of(page, services.now()))


class ExtendIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"expires_on": "2027-06-30"}]}
    )
    expires_on: date | None = Field(
        None, description="The new last day, later than the current one; none: the latest allowed"
    )


@router.post(
    "/checkouts/{checkout_id}/extend",
    response_model=CheckoutOut,
    summary="A new license file for the same checkout, to a later expiry",
    operation_id="extendCheckout",
    openapi_extra=refuses(*EXTEND_REFUSALS, Code.CHECKOUT_NOT_FOUND, Code.SIGNING_CERTIFICATE_ENDS),
)
def extend(
    checkout_id: Annotated[CheckoutId, Path()],
    body: ExtendIn,
    actor: Actor,
    services: ServicesDep,
) -> Response:
    """Extend an active checkout: the same checkout (id, user, machine, applications,
    fingerprint) gets a new license file expiring on `expires_on`, later than today's expiry
    and within today's cap of its country and contract. The file it replaces is superseded:
    the organisation's revocation list names its digest from now on, so a workstation that
    syncs refuses it. Booked usage runs to the new expiry. Download the new file at
    `/checkouts/{id}/license-file`. A user renews their own checkouts with
    `POST /me/checkouts/{id}/renew`, the same step under the self-service policy."""
    checkout, _ = extend_checkout(services, actor.user, checkout_id, body.expires_on, actor.address)
    return json_response(CheckoutOut.of(checkout, services.now()))


class NotesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"notes": "Survey laptop of the Tromsø field team."}]},
    )
    notes: str = Field(max_length=10_000, description="At most 2,000 characters; empty clears them")


@router.put(
    "/checkouts/{checkout_id}/notes",
    response_model=CheckoutOut,
    summary="Keep notes with a checkout",
    operation_id="setCheckoutNotes",
    openapi_extra=refuses(
        Code.ROLE_CANNOT_MANAGE_CHECKOUTS,
        Code.CHECKOUT_NOT_FOUND,
        Code.NOTES_TOO_LONG,
        Code.NOTES_NOT_TEXT,
    ),
)
def put_notes(
    checkout_id: Annotated[CheckoutId, Path()],
    body: NotesIn,
    actor: Actor,
    services: ServicesDep,
) -> Response:
    """Replace the notes of one of the organisation's checkouts, whatever its status (an
    empty text clears them). The change is audited with the new text."""
    checkout = set_notes(services, actor.user, checkout_id, body.notes, actor.address)
    return json_response(CheckoutOut.of(checkout, services.now()))


@router.get(
    "/checkouts/export.csv",
    summary="The organisation's checkouts as CSV, filtered and sorted as listed",
    operation_id="exportCheckoutsCsv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every matching checkout, one row each, in the order asked",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
        }
    },
    openapi_extra=refuses(
        Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.SORT_FIELD_UNKNOWN, Code.TIMESTAMP_OUT_OF_RANGE
    ),
)
def export_csv(
    filters: Annotated[CheckoutFilters, Query()], actor: Actor, services: ServicesDep
) -> Response:
    """Exactly what `GET /checkouts` lists with the same parameters, without its pages: every
    matching checkout, in the same order, streamed as it is read. `page` and `page_size` are
    ignored. Times are UTC (ISO 8601); `checked_in_at` and `check_in_method` of an expired
    checkout are its expiry and `expiry`, as the history shows them."""
    rows = queries.export_checkouts(services, actor.user, _query(filters, actor))
    header = next(rows)  # refusals are raised here, before the answer starts
    day = services.now().date().isoformat()
    return StreamingResponse(
        _csv_lines(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="checkouts-{day}.csv"'},
    )


TEXT_FIELDS = frozenset(
    {"user", "user_display_name", "machine", "applications", "activation_key", "created_by"}
    | {"checked_in_by"}
)


def _csv_lines(header: Sequence[object], rows: Iterator[Sequence[object]]) -> Iterator[str]:
    """CSV text in chunks of a few thousand rows; times in ISO 8601 UTC."""
    names = [str(name) for name in header]
    times = [i for i, name in enumerate(names) if name.endswith("_at")]
    texts = [i for i, name in enumerate(names) if name in TEXT_FIELDS]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    for count, row in enumerate(rows, 1):
        values = list(row)
        for i in times:
            moment = values[i]
            if isinstance(moment, datetime):
                values[i] = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
        for i in texts:
            text = values[i]
            if isinstance(text, str) and text.startswith(FORMULA_STARTS):
                values[i] = safe_cell(text)  # the test inlined: it runs for every cell
        writer.writerow(values)
        if count % 2000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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
