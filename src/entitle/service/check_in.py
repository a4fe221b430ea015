"""Check in: early by an administrator (one or many), or by the client's receipt."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from entitle.domain.checkouts import require_check_in_allowed, require_manager
from entitle.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from entitle.domain.model import CheckInMethod, Checkout, Organisation, User
from entitle.service.actors import actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit
from entitle.store import checkouts as store

MAX_BULK = 1000


@dataclass(frozen=True)
class CheckInResult:
    """The outcome for one id of a bulk check-in: the checkout, or why it was refused."""

    id: str
    checkout: Checkout | None = None
    error: DomainError | None = None


def check_in(services: Services, actor_email: str, checkout_id: str, address: str = "") -> Checkout:
    result = check_in_many(services, actor_email, [checkout_id], address)[0]
    if result.error is not None:
        raise result.error
    assert result.checkout is not None
    return result.checkout


def check_in_many(
    services: Services, actor_email: str, checkout_ids: Sequence[str], address: str = ""
) -> list[CheckInResult]:
    """Check in each id on its own terms: one refusal does not undo the others."""
    ids = list(dict.fromkeys(checkout_ids))
    if not ids or len(ids) > MAX_BULK:
        raise InvalidInput("IDS_COUNT", f"Give between 1 and {MAX_BULK} checkout ids.", field="ids")
    now = services.now()
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_email)
        require_manager(actor)
        results = [_one(uow.conn, actor, organisation, i, now, address) for i in ids]
        uow.commit()
    return results


def _one(
    conn: Connection,
    actor: User,
    organisation: Organisation,
    checkout_id: str,
    now: datetime,
    address: str,
) -> CheckInResult:
    try:
        checkout = store.get(conn, organisation.id, checkout_id)
        if checkout is None:
            raise NotFound("CHECKOUT_NOT_FOUND", f"No checkout {checkout_id} in your organisation.")
        require_check_in_allowed(checkout, organisation, now)
        if not store.check_in(conn, checkout.id, now, actor.email, CheckInMethod.PORTAL):
            raise Conflict("ALREADY_CHECKED_IN", "This checkout was checked in meanwhile.")
        audit.record(
            conn, organisation.id, now, actor.email, "checkout.check_in", checkout.id, address
        )
        refreshed = store.get(conn, organisation.id, checkout.id)
        return CheckInResult(checkout_id, checkout=refreshed)
    except DomainError as refusal:
        return CheckInResult(checkout_id, error=refusal)


@dataclass(frozen=True)
class ClientReceipt:
    """What the licensing tool writes when it clears a license on a workstation."""

    checkout_id: str
    machine: str
    user_profile: str
    cleared_at: datetime
    license_digest: str


def accept_client_receipt(
    services: Services, receipt: ClientReceipt, address: str = ""
) -> Checkout:
    """Record the client's check-in; a replayed or late receipt changes nothing.

    No login is needed: the digest of the checkout's own license file is the proof.
    """
    now = services.now()
    with services.uow() as uow:
        checkout = store.get(uow.conn, None, receipt.checkout_id)
        if checkout is None or not hmac.compare_digest(
            (checkout.license_digest or "").encode(),
            receipt.license_digest.strip().lower().encode(),
        ):
            raise NotFound(
                "RECEIPT_NOT_RECOGNISED",
                "No checkout matches this receipt: it names an unknown checkout or another file.",
            )
        cleared_at = min(max(receipt.cleared_at, checkout.created_at), now)
        if store.check_in(
            uow.conn, checkout.id, cleared_at, checkout.user_email, CheckInMethod.CLIENT
        ):
            audit.record(
                uow.conn,
                checkout.organisation_id,
                now,
                f"client:{receipt.user_profile}"[:254],
                "checkout.client_check_in",
                checkout.id,
                address,
                f"machine {receipt.machine}",
            )
        uow.commit()
        refreshed = store.get(uow.conn, None, checkout.id)
    assert refreshed is not None
    return refreshed
