"""The events use cases write beside their changes, in their own transaction (the outbox):
what each event's ``data`` says, in the API's words."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table

from entitle.domain.events import EventType
from entitle.domain.model import Checkout, User
from entitle.domain.policy import CheckoutPolicy
from entitle.service import mail
from entitle.service.context import Services
from entitle.store import organisations, outbox
from entitle.store.bulk import Rows, insert_together


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def checkout_data(checkout: Checkout) -> dict[str, Any]:
    """A checkout as events tell of it: who, which machine, which applications, until when."""
    return {
        "id": checkout.id,
        "organisation_id": checkout.organisation_id,
        "country": checkout.country,
        "license_service": checkout.license_service.value,
        "user": checkout.user_email,
        "user_display_name": checkout.user_display_name,
        "machine": checkout.machine,
        "applications": [
            {"application": line.application, "version": str(line.version)}
            for line in checkout.lines
        ],
        "created_at": _time(checkout.created_at),
        "created_by": checkout.created_by,
        "created_via": checkout.created_via.value,
        "expires_at": _time(checkout.expires_at),
        "checked_in_at": _time(checkout.checked_in_at),
        "check_in_method": None if checkout.check_in_method is None else checkout.check_in_method,
    }


def checkout_event(
    conn: Connection,
    type_: EventType,
    checkout: Checkout,
    at: datetime,
    actor: str,
    *,
    event_id: str | None = None,
    alongside: Sequence[tuple[Table, Rows]] = (),
    endpoints: Sequence[int] | None = None,
    **extra: Any,
) -> str:
    """Write the event (its deliveries, its e-mails); ``alongside`` are the rows of the change
    it tells of, written in the same statement as the event (a create's checkout), and
    ``endpoints`` those that want it when the caller read them already."""
    data = {"checkout": checkout_data(checkout), "actor": actor, **extra}
    event_id = event_id or outbox.new_event_id()
    organisation_id = checkout.organisation_id
    if endpoints is None:
        endpoints = outbox.endpoints_for(conn, organisation_id, type_.value)
    event = outbox.event_rows(event_id, organisation_id, type_.value, data, at, endpoints)
    insert_together(conn, [*alongside, *event])
    mail.queue_for(conn, organisation_id, event_id, type_.value, data, at)
    return event_id


def checkouts_created(
    conn: Connection,
    organisation_id: int,
    checkouts: Sequence[Checkout],
    at: datetime,
    actor: str,
    **extra: Any,
) -> None:
    """``checkout.created`` for each of many checkouts at once (an import)."""
    outbox.emit_many(
        conn,
        organisation_id,
        EventType.CHECKOUT_CREATED.value,
        [{"checkout": checkout_data(c), "actor": actor, **extra} for c in checkouts],
        at,
    )


def checkouts_checked_in(
    conn: Connection, checkouts: Iterable[Checkout], at: datetime, actor: str, method: str
) -> None:
    """``checkout.checked_in`` for each checkout, the events of one organisation written in a
    fixed number of statements (a bulk check-in of 1,000 sent 2,000 one by one)."""
    type_ = EventType.CHECKOUT_CHECKED_IN.value
    by_organisation: dict[int, list[dict[str, Any]]] = {}
    for checkout in checkouts:
        by_organisation.setdefault(checkout.organisation_id, []).append(
            {"checkout": checkout_data(checkout), "actor": actor, "method": method}
        )
    # Asked once: reading the settings costs milliseconds, a thousand times over.
    mailing = mail.enabled()
    for organisation_id, datas in by_organisation.items():
        emitted = outbox.emit_many(conn, organisation_id, type_, datas, at)
        for event_id, data in zip(emitted, datas, strict=True) if mailing else ():
            mail.queue_for(conn, organisation_id, event_id, type_, data, at)


def user_data(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "usage_country": user.usage_country,
        "active": user.active,
    }


def user_event(conn: Connection, type_: EventType, user: User, at: datetime, actor: str) -> None:
    outbox.emit(
        conn, user.organisation_id, type_.value, {"user": user_data(user), "actor": actor}, at
    )


def policy_event(
    conn: Connection, organisation_id: int, policy: CheckoutPolicy, at: datetime, actor: str
) -> None:
    outbox.emit(
        conn,
        organisation_id,
        EventType.POLICY_CHANGED.value,
        {
            "country": policy.country,
            "checkouts_enabled": policy.checkouts_enabled,
            "max_days": policy.max_days,
            "self_service": policy.self_service,
            "self_service_max_days": policy.self_service_max_days,
            "application_rule": policy.application_rule.value,
            "applications": list(policy.applications),
            "actor": actor,
        },
        at,
    )


def signing_keys_rotated(services: Services, kids: Iterable[str]) -> int:
    """Tell every organisation that the server signs with new keys (``entitle keys rotate``);
    answers how many were told. The keys are files, so this is its own transaction, after
    the files are written."""
    now = services.now()
    active = sorted(kids)
    with services.uow() as uow:
        told = [o.id for o in organisations.all_organisations(uow.conn)]
        for organisation_id in told:
            outbox.emit(
                uow.conn,
                organisation_id,
                EventType.SIGNING_KEY_ROTATED.value,
                {"active_kids": active},
                now,
            )
        uow.commit()
    return len(told)
