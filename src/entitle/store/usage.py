"""Usage reports in SQL: booked 10-minute intervals per group, and peak concurrent machines.

Every booking's intervals come from integer arithmetic on its own row (``entitle.store.epoch``),
clamped to the range; grouping by day or month joins the bookings to a calendar of at most a
few hundred buckets and clamps again, so no query makes a row per interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    case,
    column,
    exists,
    func,
    literal,
    or_,
    select,
    values,
)

from entitle.domain.calendar import add_months
from entitle.domain.names import machine_key
from entitle.domain.usage import first_whole_interval, interval_after, interval_start, midnight
from entitle.store import epoch
from entitle.store.tables import checkout_applications, checkouts

GROUPS = ("user", "machine", "application", "country", "day", "month")
CALENDAR_GROUPS = ("day", "month")


@dataclass(frozen=True)
class UsageFilters:
    """Exact matches; user, application and license service ignore case, machine as always."""

    user: str | None = None
    machine: str | None = None
    application: str | None = None
    country: str | None = None
    license_service: str | None = None


@dataclass(frozen=True)
class UsageQuery:
    """One organisation's usage over the UTC days ``[from_, to)``."""

    organisation_id: int
    from_: date
    to: date
    group_by: Sequence[str] = ()
    filters: UsageFilters = field(default_factory=UsageFilters)


@dataclass(frozen=True)
class UsageRow:
    """The booked intervals of one group; ``keys`` follow the query's ``group_by``."""

    keys: tuple[str, ...]
    intervals: int


@dataclass(frozen=True)
class Peak:
    machines: int
    first_at: datetime | None


def totals(conn: Connection, query: UsageQuery, now: datetime) -> list[UsageRow]:
    calendars = [g for g in query.group_by if g in CALENDAR_GROUPS]
    assert len(calendars) <= 1, "group by day or by month, not both"
    booked = _booked(query, now, per_application=True).subquery("booked")
    keys: dict[str, ColumnElement[Any]] = {
        g: booked.c[g] for g in query.group_by if g not in CALENDAR_GROUPS
    }
    intervals: ColumnElement[int] = booked.c.stop - booked.c.start
    source: Any = booked
    if calendars:
        calendar = _calendar(query.from_, query.to, calendars[0])
        source = booked.join(
            calendar, and_(calendar.c.low < booked.c.stop, calendar.c.high > booked.c.start)
        )
        keys[calendars[0]] = calendar.c.bucket
        intervals = epoch.least(booked.c.stop, calendar.c.high) - epoch.greatest(
            booked.c.start, calendar.c.low
        )
    ordered = [keys[g] for g in query.group_by]
    statement = (
        select(*ordered, func.sum(intervals).label("intervals"))
        .select_from(source)
        .where(booked.c.stop > booked.c.start)
        .group_by(*ordered)
        .order_by(*ordered)
    )
    return [
        UsageRow(tuple(str(v) for v in row[:-1]), int(row[-1]))
        for row in conn.execute(statement)
        if row[-1]
    ]


def peak(conn: Connection, query: UsageQuery, now: datetime) -> Peak:
    """Most distinct machines at once: a sweep over each machine's merged bookings."""
    booked = _booked(query, now, per_application=False).subquery("booked")
    live = booked.c.stop > booked.c.start
    events = (
        select(booked.c.machine, booked.c.start.label("at"), literal(1).label("change"))
        .where(live)
        .union_all(
            select(booked.c.machine, booked.c.stop.label("at"), literal(-1).label("change")).where(
                live
            )
        )
        .subquery("events")
    )
    per_machine = (
        select(events.c.machine, events.c.at, func.sum(events.c.change).label("change"))
        .group_by(events.c.machine, events.c.at)
        .subquery("per_machine")
    )
    held = case(
        (
            func.sum(per_machine.c.change).over(
                partition_by=per_machine.c.machine, order_by=per_machine.c.at
            )
            > 0,
            1,
        ),
        else_=0,
    )
    holding = select(per_machine.c.at, held.label("held"), per_machine.c.machine).subquery("held")
    flips = select(
        holding.c.at,
        (
            holding.c.held
            - func.coalesce(
                func.lag(holding.c.held).over(
                    partition_by=holding.c.machine, order_by=holding.c.at
                ),
                0,
            )
        ).label("change"),
    ).subquery("flips")
    moments = (
        select(flips.c.at, func.sum(flips.c.change).label("change"))
        .group_by(flips.c.at)
        .subquery("moments")
    )
    running = select(
        moments.c.at, func.sum(moments.c.change).over(order_by=moments.c.at).label("machines")
    ).subquery("running")
    found = conn.execute(
        select(running.c.machines, running.c.at)
        .order_by(running.c.machines.desc(), running.c.at)
        .limit(1)
    ).first()
    if found is None or not found.machines:
        return Peak(0, None)
    return Peak(int(found.machines), interval_start(int(found.at)))


def _booked(query: UsageQuery, now: datetime, *, per_application: bool) -> Select[*tuple[Any, ...]]:
    """One row per booking (per application, or per checkout): its intervals in the range."""
    low = midnight(query.from_)
    high = min(midnight(query.to), now)
    c = checkouts.c
    start = epoch.greatest(epoch.first_whole_interval(c.created_at), first_whole_interval(low))
    stop = epoch.least(
        epoch.interval_after(c.expires_at),
        epoch.interval_after(func.coalesce(c.checked_in_at, c.expires_at)),
        interval_after(high),
    )
    columns: list[ColumnElement[Any]] = [
        c.user_email.label("user"),
        c.machine_key.label("machine"),
        c.country.label("country"),
        start.label("start"),
        stop.label("stop"),
    ]
    where: list[ColumnElement[bool]] = [
        c.organisation_id == query.organisation_id,
        c.created_at < high,
        c.expires_at > low,
        or_(c.checked_in_at.is_(None), c.checked_in_at > low),
        *_filters(query.filters),
    ]
    application = query.filters.application
    line = checkout_applications.c
    wanted = func.lower(line.application) == application.lower() if application else None
    statement: Select[*tuple[Any, ...]]
    if per_application:
        statement = select(*columns, line.application.label("application")).select_from(
            checkouts.join(checkout_applications, line.checkout_id == c.id)
        )
        if wanted is not None:
            where.append(wanted)
    else:
        statement = select(*columns)
        if wanted is not None:
            where.append(exists().where((line.checkout_id == c.id) & wanted))
    return statement.where(and_(*where))


def _filters(filters: UsageFilters) -> list[ColumnElement[bool]]:
    c = checkouts.c
    found: list[ColumnElement[bool]] = []
    if filters.user:
        found.append(func.lower(c.user_email) == filters.user.strip().lower())
    if filters.machine:
        found.append(c.machine_key == machine_key(filters.machine))
    if filters.country:
        found.append(c.country == filters.country.strip().upper())
    if filters.license_service:
        found.append(func.lower(c.license_service) == filters.license_service.strip().lower())
    return found


def _calendar(from_: date, to: date, unit: str) -> Any:
    """The UTC days or months of ``[from_, to)`` as (bucket, low, high) interval indexes."""
    rows: list[tuple[str, int, int]] = []
    day = from_ if unit == "day" else from_.replace(day=1)
    while day < to:
        following = day + timedelta(days=1) if unit == "day" else add_months(day, 1)
        label = day.isoformat() if unit == "day" else day.isoformat()[:7]
        rows.append(
            (label, first_whole_interval(midnight(day)), first_whole_interval(midnight(following)))
        )
        day = following
    return (
        values(
            column("bucket", String),
            column("low", BigInteger),
            column("high", BigInteger),
            name="calendar",
        )
        .data(rows)
        .cte("calendar")
    )
