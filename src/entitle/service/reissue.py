"""A new license file for the same checkout, to a later expiry: the one step that a user's
renewal from the workstation and an administrator's extension share.

The old file is superseded (the organisation's revocation list names its digest), the booking
follows the new expiry, and the change is audited, all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Connection

from entitle.domain.calendar import end_of_day
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict
from entitle.domain.events import EventType
from entitle.domain.model import Checkout, Organisation
from entitle.service import events
from entitle.service.context import Services
from entitle.service.create_checkout import license_claims, sign, with_digest
from entitle.store import audit
from entitle.store import checkouts as store


def reissue(
    services: Services,
    conn: Connection,
    checkout: Checkout,
    organisation: Organisation,
    new_expiry: date,
    now: datetime,
    *,
    actor: str,
    action: str,
    note: str,
    address: str = "",
) -> tuple[Checkout, bytes]:
    """Sign and store the checkout's file to ``new_expiry``; the caller commits."""
    renewed = replace(checkout, expires_at=end_of_day(new_expiry))
    data = sign(services, license_claims(renewed, organisation, services.issuer, now))
    renewed = with_digest(renewed, data)
    if not store.replace_license_file(conn, renewed, data, now):
        raise Conflict(Code.ALREADY_CHECKED_IN, "This checkout was checked in meanwhile.")
    audit.record(
        conn,
        organisation.id,
        now,
        actor,
        action,
        checkout.id,
        address,
        f"until {new_expiry.isoformat()}; {note}"[:2000],
    )
    events.checkout_event(
        conn,
        EventType.CHECKOUT_RENEWED,
        renewed,
        now,
        actor,
        previous_expires_at=checkout.expires_at.isoformat().replace("+00:00", "Z"),
    )
    return renewed, data
