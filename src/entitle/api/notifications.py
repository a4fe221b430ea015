"""What the organisation is told: reminder days, who receives e-mail, and usage alerts
(Administrators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import (
    Items,
    NotificationsChange,
    NotificationsOut,
    UsageAlertIn,
    UsageAlertOut,
)
from entitle.domain.events import NotificationSettings
from entitle.domain.usage_alerts import AlertKind, UsageAlert
from entitle.service import notifications, usage_alerts
from entitle.service.notifications import REFUSALS, SET_REFUSALS

router = APIRouter(prefix="/admin", tags=["webhooks"])


def _out(chosen: NotificationSettings) -> NotificationsOut:
    return NotificationsOut(
        reminder_days=list(chosen.reminder_days),
        email_users=chosen.email_users,
        email_administrators=chosen.email_administrators,
    )


@router.get(
    "/notifications",
    summary="What the organisation is told, and who receives e-mail (Administrators)",
    operation_id="getNotifications",
    openapi_extra=refuses(*REFUSALS),
)
def get_notifications(actor: Actor, services: ServicesDep) -> NotificationsOut:
    """The days before a checkout's expiry when `checkout.expiring` is sent to webhooks and
    e-mailed, and whether the checkout's user and the Administrators receive e-mail (sent
    only when the server has ENTITLE_SMTP_URL)."""
    return _out(notifications.get_notifications(services, actor.user))


@router.put(
    "/notifications",
    summary="Choose the reminder days and who receives e-mail (Administrators)",
    operation_id="setNotifications",
    openapi_extra=refuses(*SET_REFUSALS),
)
def set_notifications(
    body: NotificationsChange, actor: Actor, services: ServicesDep
) -> NotificationsOut:
    """At most five reminder days, 1 to 90 days before the expiry; none: no reminders. A
    checkout is reminded at each threshold it crosses while out, once. Audited."""
    chosen = notifications.set_notifications(
        services,
        actor.user,
        days=body.reminder_days,
        email_users=body.email_users,
        email_administrators=body.email_administrators,
        address=actor.address,
    )
    return _out(chosen)


def _alert_out(alert: UsageAlert) -> UsageAlertOut:
    return UsageAlertOut(
        id=alert.id,
        kind=alert.kind.value,
        threshold=alert.threshold,
        application=alert.application,
        country=alert.country,
        above=alert.above,
    )


@router.get(
    "/usage-alerts",
    summary="The organisation's usage alerts (Administrators)",
    operation_id="listUsageAlerts",
    openapi_extra=refuses(*usage_alerts.REFUSALS),
)
def list_alerts(actor: Actor, services: ServicesDep) -> Items[UsageAlertOut]:
    """Each alert's kind, threshold and scope (an application, a country, or all usage)."""
    return Items(items=[_alert_out(a) for a in usage_alerts.list_alerts(services, actor.user)])


@router.post(
    "/usage-alerts",
    status_code=status.HTTP_201_CREATED,
    summary="Add a usage alert (Administrators)",
    operation_id="addUsageAlert",
    openapi_extra=refuses(*usage_alerts.ADD_REFUSALS),
)
def add_alert(body: UsageAlertIn, actor: Actor, services: ServicesDep) -> UsageAlertOut:
    """When the usage goes above the threshold, one `usage.alert` event goes to the webhooks
    and one e-mail to the Administrators: active checkouts again only after falling back,
    monthly hours once a month. Checked twice a minute. Audited."""
    added = usage_alerts.add_alert(
        services,
        actor.user,
        AlertKind(body.kind),
        body.threshold,
        body.application,
        body.country,
        actor.address,
    )
    return _alert_out(added)


@router.delete(
    "/usage-alerts/{alert_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a usage alert (Administrators)",
    operation_id="removeUsageAlert",
    openapi_extra=refuses(*usage_alerts.REMOVE_REFUSALS),
)
def remove_alert(
    alert_id: Annotated[int, Path(ge=1, le=2**31 - 1)], actor: Actor, services: ServicesDep
) -> Response:
    """Nothing more is told of it. Audited."""
    usage_alerts.remove_alert(services, actor.user, alert_id, actor.address)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
