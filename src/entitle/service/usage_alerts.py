"""Usage alerts (entitle.domain.usage_alerts): kept by Administrators, held against the usage
by the events worker; a crossing writes one ``usage.alert`` event and its e-mail to the
Administrators, once, however many servers look (a conditional update decides which)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

from sqlalchemy import Connection

from entitle.domain import names
from entitle.domain.checkouts import entitled_policy
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from entitle.domain.events import EventType
from entitle.domain.model import Organisation
from entitle.domain.usage_alerts import AlertKind, UsageAlert, month_number, threshold
from entitle.service import mail
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit, catalog, outbox
from entitle.store import usage_alerts as store

T = TypeVar("T")
REFUSALS = (Code.ROLE_CANNOT_MANAGE_WEBHOOKS,)
ADD_REFUSALS = (
    *REFUSALS,
    Code.USAGE_ALERT_THRESHOLD,
    Code.APPLICATION_UNKNOWN,
    Code.COUNTRY_INVALID,
    Code.COUNTRY_NOT_ENTITLED,
)
REMOVE_REFUSALS = (*REFUSALS, Code.USAGE_ALERT_NOT_FOUND)


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(
            Code.ROLE_CANNOT_MANAGE_WEBHOOKS,
            "Only the organisation's Administrators choose what it is told.",
        )


def list_alerts(services: Services, actor_ref: ActorRef) -> list[UsageAlert]:
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require(actor.role.manages_webhooks)
        return store.of(uow.conn, organisation.id)


def add_alert(
    services: Services,
    actor_ref: ActorRef,
    kind: AlertKind,
    limit: int,
    application: str | None = None,
    country: str | None = None,
    address: str = "",
) -> UsageAlert:
    now = services.now()
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require(actor.role.manages_webhooks)
        errors: list[DomainError] = []
        kept_limit = _checked(errors, lambda: threshold(limit))
        kept_application = _checked(errors, lambda: _application(uow.conn, application))
        kept_country = _checked(errors, lambda: _country(organisation, country))
        if errors:
            raise DomainError.of_all(errors)
        assert kept_limit is not None
        alert_id = store.add(
            uow.conn,
            organisation.id,
            kind,
            kept_limit,
            kept_application,
            kept_country,
            now,
            actor.email,
        )
        audit.record(
            uow.conn,
            organisation.id,
            now,
            actor.email,
            "usage_alert.add",
            str(alert_id),
            address,
            f"{kind.value} above {limit}"
            + "".join(f", {s}" for s in (kept_application, kept_country) if s),
        )
        added = next(a for a in store.of(uow.conn, organisation.id) if a.id == alert_id)
        uow.commit()
    return added


def _checked(errors: list[DomainError], rule: Callable[[], T]) -> T | None:
    """The rule's answer, or None with its refusal kept: a form marks every field at once."""
    try:
        return rule()
    except DomainError as refusal:
        errors.extend(refusal.errors)
        return None


def _application(conn: Connection, text: str | None) -> str | None:
    """The catalog's own spelling of the application, or None for all applications."""
    name = (text or "").strip()
    if not name:
        return None
    found = catalog.releases_of(conn, [name]) if "\x00" not in name else {}
    if not found:
        raise InvalidInput(
            Code.APPLICATION_UNKNOWN,
            f"'{name[:200]}' is not an application in the catalog.",
            field="application",
        )
    return next(iter(found.values()))[0].application


def _country(organisation: Organisation, text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    code = names.country(text, field="country")
    entitled_policy(organisation, code)
    return code


def remove_alert(services: Services, actor_ref: ActorRef, alert_id: int, address: str = "") -> None:
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require(actor.role.manages_webhooks)
        if not store.remove(uow.conn, organisation.id, alert_id):
            raise NotFound(
                Code.USAGE_ALERT_NOT_FOUND, f"Your organisation has no usage alert {alert_id}."
            )
        audit.record(
            uow.conn,
            organisation.id,
            services.now(),
            actor.email,
            "usage_alert.remove",
            str(alert_id),
            address,
        )
        uow.commit()


def check_alerts(services: Services) -> int:
    """Hold every alert against the usage now; answers how many crossings were told."""
    now = services.now()
    told = 0
    with services.uow() as uow:
        for alert in store.every(uow.conn):
            if alert.kind is AlertKind.ACTIVE_CHECKOUTS:
                value: float = store.active_checkouts(uow.conn, alert, now)
                over = value > alert.threshold
                if over == alert.above or not store.mark_above(uow.conn, alert.id, over):
                    continue
                if not over:
                    continue  # fell back: armed for the next crossing
            else:
                value = store.monthly_hours(uow.conn, alert, now)
                month = month_number(now.date())
                if value <= alert.threshold or alert.fired_month == month:
                    continue
                if not store.mark_month(uow.conn, alert.id, month):
                    continue
            data: dict[str, Any] = {
                "alert": {
                    k: v
                    for k, v in asdict(alert).items()
                    if k in ("id", "kind", "threshold", "application", "country")
                },
                "value": value,
                "summary": alert.describe(value),
                "headline": alert.headline(value),
            }
            event_id = outbox.emit(
                uow.conn, alert.organisation_id, EventType.USAGE_ALERT.value, data, now
            )
            mail.queue_for(
                uow.conn, alert.organisation_id, event_id, EventType.USAGE_ALERT.value, data, now
            )
            told += 1
        uow.commit()
    return told
