"""Usage alerts, and the counts they are held against."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, exists, func, select

from entitle.domain.calendar import add_months
from entitle.domain.usage import INTERVALS_PER_DAY
from entitle.domain.usage_alerts import AlertKind, UsageAlert
from entitle.store.tables import checkout_applications, checkouts, usage_alerts
from entitle.store.usage import UsageFilters, UsageQuery, totals


def _alert(row: Any) -> UsageAlert:
    return UsageAlert(
        row.id,
        row.organisation_id,
        AlertKind(row.kind),
        row.threshold,
        row.application,
        row.country,
        row.above,
        row.fired_month,
    )


def add(
    conn: Connection,
    organisation_id: int,
    kind: AlertKind,
    threshold: int,
    application: str | None,
    country: str | None,
    at: datetime,
    by: str,
) -> int:
    return int(
        conn.execute(
            usage_alerts.insert()
            .values(
                organisation_id=organisation_id,
                kind=kind.value,
                threshold=threshold,
                application=application,
                country=country,
                created_at=at,
                created_by=by,
            )
            .returning(usage_alerts.c.id)
        ).scalar_one()
    )


def of(conn: Connection, organisation_id: int) -> list[UsageAlert]:
    rows = conn.execute(
        select(usage_alerts)
        .where(usage_alerts.c.organisation_id == organisation_id)
        .order_by(usage_alerts.c.id)
    ).all()
    return [_alert(r) for r in rows]


def every(conn: Connection) -> list[UsageAlert]:
    return [_alert(r) for r in conn.execute(select(usage_alerts).order_by(usage_alerts.c.id))]


def remove(conn: Connection, organisation_id: int, alert_id: int) -> bool:
    return (
        conn.execute(
            usage_alerts.delete().where(
                usage_alerts.c.id == alert_id, usage_alerts.c.organisation_id == organisation_id
            )
        ).rowcount
        == 1
    )


def active_checkouts(conn: Connection, alert: UsageAlert, now: datetime) -> int:
    query = (
        select(func.count())
        .select_from(checkouts)
        .where(
            checkouts.c.organisation_id == alert.organisation_id,
            checkouts.c.checked_in_at.is_(None),
            checkouts.c.expires_at > now,
        )
    )
    if alert.country:
        query = query.where(checkouts.c.country == alert.country)
    if alert.application:
        query = query.where(
            exists().where(
                checkout_applications.c.checkout_id == checkouts.c.id,
                func.lower(checkout_applications.c.application) == alert.application.lower(),
            )
        )
    return int(conn.execute(query).scalar_one())


def monthly_hours(conn: Connection, alert: UsageAlert, now: datetime) -> float:
    first = date(now.year, now.month, 1)
    rows = totals(
        conn,
        UsageQuery(
            alert.organisation_id,
            first,
            add_months(first, 1),
            filters=UsageFilters(application=alert.application, country=alert.country),
        ),
        now,
    )
    return sum(r.intervals for r in rows) * 24 / INTERVALS_PER_DAY


def mark_above(conn: Connection, alert_id: int, above: bool) -> bool:
    """Set whether the count is over; True when this call changed it (one server does)."""
    changed = conn.execute(
        usage_alerts.update()
        .where(usage_alerts.c.id == alert_id, usage_alerts.c.above == (not above))
        .values(above=above)
        .returning(usage_alerts.c.id)
    ).first()
    return changed is not None


def mark_month(conn: Connection, alert_id: int, month: int) -> bool:
    """Record that the month was told of; True when this call did (one server does)."""
    changed = conn.execute(
        usage_alerts.update()
        .where(
            usage_alerts.c.id == alert_id,
            (usage_alerts.c.fired_month.is_(None)) | (usage_alerts.c.fired_month != month),
        )
        .values(fired_month=month)
        .returning(usage_alerts.c.id)
    ).first()
    return changed is not None
