"""Check in: early by an administrator (one or many), or by the client's receipt."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from entitle.domain.checkouts import require_check_in_allowed, require_manager
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from entitle.domain.model import CheckInMethod, Checkout, Organisation, User
from entitle.domain.receipts import require_plausible_clear_time
from entitle.service import events
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
        raise InvalidInput(
            Code.IDS_COUNT, f"Give between 1 and {MAX_BULK} checkout ids.", field="ids"
        )
    now = services.now()
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_email)
        require_manager(actor)
        results = _many(uow.conn, actor, organisation, ids, now, address)
        uow.commit()
    for result in results:
        if result.checkout is not None:
            services.observer.checked_in(result.checkout, CheckInMethod.PORTAL)
    return results


def _many(
    conn: Connection,
    actor: User,
    organisation: Organisation,
    ids: Sequence[str],
    now: datetime,
    address: str,
) -> list[CheckInResult]:
    """The same guards as one by one, in a fixed number of statements for any count of ids."""
    found = {c.id: c for c in store.get_many(conn, organisation.id, ids)}
    refusals: dict[str, DomainError] = {}
    for checkout_id in ids:
        try:
            checkout = found.get(checkout_id)
            if checkout is None:
                raise NotFound(
                    Code.CHECKOUT_NOT_FOUND, f"No checkout {checkout_id} in your organisation."
                )
            require_check_in_allowed(checkout, organisation, now)
        except DomainError as refusal:
            refusals[checkout_id] = refusal
    wanted = [i for i in ids if i not in refusals]
    done = store.check_in_many(conn, wanted, now, actor.email, CheckInMethod.PORTAL)
    for checkout_id in wanted:
        if checkout_id not in done:
            refusals[checkout_id] = Conflict(
                Code.ALREADY_CHECKED_IN, "This checkout was checked in meanwhile."
            )
    checked_in = [i for i in wanted if i in done]
    audit.record_many(
        conn,
        [
            {
                "organisation_id": organisation.id,
                "at": now,
                "actor": actor.email,
                "action": "checkout.check_in",
                "subject": checkout_id,
                "address": address,
                "detail": "",
            }
            for checkout_id in checked_in
        ],
    )
    refreshed = {c.id: c for c in store.get_many(conn, organisation.id, checked_in)}
    events.checkouts_checked_in(
        conn, refreshed.values(), now, actor.email, CheckInMethod.PORTAL.value
    )
    return [
        CheckInResult(i, error=refusals[i])
        if i in refusals
        else CheckInResult(i, checkout=refreshed[i])
        for i in ids
    ]


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
    """Record the client's check-in now, as the server receives it; a replayed or late
    receipt changes nothing. The receipt's own clear time is kept beside it, when plausible.

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
                Code.RECEIPT_NOT_RECOGNISED,
                "No checkout matches this receipt: it names an unknown checkout or another file.",
            )
        require_plausible_clear_time(checkout, receipt.cleared_at, now)
        checked_in = store.check_in(
            uow.conn,
            checkout.id,
            now,
            checkout.user_email,
            CheckInMethod.CLIENT,
            client_cleared_at=receipt.cleared_at,
        )
        if checked_in:
            audit.record(
                uow.conn,
                checkout.organisation_id,
                now,
                f"client:{receipt.user_profile}"[:254],
                "checkout.client_check_in",
                checkout.id,
                address,
                f"machine {receipt.machine}, cleared {receipt.cleared_at.isoformat()}",
            )
        refreshed = store.get(uow.conn, None, checkout.id)
        assert refreshed is not None
        if checked_in:
            events.checkouts_checked_in(
                uow.conn, [refreshed], now, refreshed.user_email, CheckInMethod.CLIENT.value
            )
        uow.commit()
    if checked_in:
        services.observer.checked_in(refreshed, CheckInMethod.CLIENT)
    return refreshed
