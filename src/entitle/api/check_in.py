"""Check-in: one checkout, many at once, and the licensing tool's client receipt."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path

from entitle.api.auth import Actor
from entitle.api.deps import Address, ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import (
    CheckInError,
    CheckInResultOut,
    CheckoutId,
    CheckoutOut,
    ClientReceiptIn,
    Ids,
    Items,
    ReceiptOut,
    as_utc,
)
from entitle.domain.checkouts import CHECK_IN_REFUSALS
from entitle.domain.codes import DATABASE, Code
from entitle.domain.errors import InvalidInput
from entitle.domain.listing import effective_check_in, status_of
from entitle.service import check_in as service
from entitle.service.check_in import CheckInResult, ClientReceipt

router = APIRouter(tags=["check-in"])


@router.post(
    "/checkouts/check-in",
    summary="Check in many checkouts; a result per id",
    operation_id="checkInCheckouts",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS),
)
def check_in_many(body: Ids, actor: Actor, services: ServicesDep) -> Items[CheckInResultOut]:
    """Check in each checkout on its own terms: one refused id does not undo the others.

    Each item says `ok`, with the checked-in checkout, or carries the `error` (status, code,
    message) that one id met: `CHECKOUT_NOT_FOUND`, `NON_SELECT_CHECK_IN`,
    `ALREADY_CHECKED_IN` or `ALREADY_EXPIRED`.
    """
    results = service.check_in_many(services, actor.email, body.ids, actor.address)
    now = services.now()
    return Items(items=[_result(r, now) for r in results])


def _result(result: CheckInResult, now: datetime) -> CheckInResultOut:
    if result.error is not None:
        error = CheckInError(
            status=result.error.status, code=result.error.code, message=result.error.message
        )
        return CheckInResultOut(id=result.id, ok=False, checkout=None, error=error)
    assert result.checkout is not None
    return CheckInResultOut(
        id=result.id, ok=True, checkout=CheckoutOut.of(result.checkout, now), error=None
    )


@router.post(
    "/checkouts/{checkout_id}/check-in",
    summary="Check in one checkout early",
    operation_id="checkInCheckout",
    openapi_extra=refuses(
        Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.CHECKOUT_NOT_FOUND, *CHECK_IN_REFUSALS
    ),
)
def check_in(
    checkout_id: Annotated[CheckoutId, Path()], actor: Actor, services: ServicesDep
) -> CheckoutOut:
    """End a checkout before its expiry: booked usage stops now.

    Only organisations with SELECT check in from the portal or the API; the others clear the
    license on the workstation (`entitle-tool clear`), which sends a client receipt.
    """
    checkout = service.check_in(services, actor.email, checkout_id, actor.address)
    return CheckoutOut.of(checkout, services.now())


@router.post(
    "/checkouts/{checkout_id}/client-receipts",
    summary="The licensing tool's receipt of a cleared license; no login, the digest is the proof",
    operation_id="sendClientReceipt",
    openapi_extra=refuses(
        Code.CHECKOUT_ID_MISMATCH,
        Code.TIMESTAMP_OUT_OF_RANGE,
        Code.RECEIPT_NOT_RECOGNISED,
        Code.CLEARED_BEFORE_CHECKOUT,
        Code.CLEARED_AFTER_RECEIPT,
        *DATABASE,
    ),
)
def client_receipt(
    checkout_id: Annotated[CheckoutId, Path()],
    body: ClientReceiptIn,
    services: ServicesDep,
    address: Address,
) -> ReceiptOut:
    """Check a checkout in from the workstation, as `entitle-tool clear --send` does.

    The SHA-256 of the checkout's own license file proves the sender held it. The check-in
    takes effect when the server receives the receipt; the clear time the workstation states
    is kept beside it as `client_cleared_at`. Sending the receipt again changes nothing.
    """
    if body.checkout_id != checkout_id:
        raise InvalidInput(
            Code.CHECKOUT_ID_MISMATCH,
            "checkout_id in the body must be the checkout in the path.",
            field="checkout_id",
        )
    cleared_at = as_utc(body.cleared_at, "cleared_at")
    assert cleared_at is not None
    receipt = ClientReceipt(
        checkout_id=body.checkout_id,
        machine=body.machine,
        user_profile=body.user_profile,
        cleared_at=cleared_at,
        license_digest=body.license_digest,
    )
    checkout = service.accept_client_receipt(services, receipt, address)
    now = services.now()
    checked_in_at, _, method = effective_check_in(checkout, now)
    return ReceiptOut(
        checkout_id=checkout.id,
        status=status_of(checkout, now),
        checked_in_at=checked_in_at,
        check_in_method=method,
        client_cleared_at=checkout.client_cleared_at,
    )
