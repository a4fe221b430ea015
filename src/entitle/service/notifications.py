"""What an organisation is told, as its Administrators choose: the reminder days before a
checkout's expiry (``checkout.expiring`` events and e-mails), and who receives e-mail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from entitle.domain.codes import Code
from entitle.domain.errors import Forbidden
from entitle.domain.events import NotificationSettings, reminder_days
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit, outbox

REFUSALS = (Code.ROLE_CANNOT_MANAGE_WEBHOOKS,)
SET_REFUSALS = (*REFUSALS, Code.REMINDER_DAYS_INVALID)


def get_notifications(services: Services, actor_ref: ActorRef) -> NotificationSettings:
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require(actor.role.manages_webhooks)
        return outbox.notifications(uow.conn, organisation.id)


def set_notifications(
    services: Services,
    actor_ref: ActorRef,
    *,
    days: Sequence[int] | None = None,
    email_users: bool | None = None,
    email_administrators: bool | None = None,
    address: str = "",
) -> NotificationSettings:
    """Change what is given; a field left ``None`` keeps its value. Audited."""
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        _require(actor.role.manages_webhooks)
        current = outbox.notifications(uow.conn, organisation.id)
        chosen = replace(
            current,
            reminder_days=current.reminder_days if days is None else reminder_days(days),
            email_users=current.email_users if email_users is None else email_users,
            email_administrators=(
                current.email_administrators
                if email_administrators is None
                else email_administrators
            ),
        )
        if chosen != current:
            outbox.set_notifications(uow.conn, organisation.id, chosen)
            audit.record(
                uow.conn,
                organisation.id,
                services.now(),
                actor.email,
                "notifications.set",
                "",
                address,
                f"reminders {', '.join(map(str, chosen.reminder_days)) or 'none'} days before; "
                f"e-mail to users {'on' if chosen.email_users else 'off'}, to Administrators "
                f"{'on' if chosen.email_administrators else 'off'}",
            )
        uow.commit()
    return chosen


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(
            Code.ROLE_CANNOT_MANAGE_WEBHOOKS,
            "Only the organisation's Administrators choose what it is told.",
        )
