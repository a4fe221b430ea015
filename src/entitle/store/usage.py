"""Usage reports in SQL: booked 10-minute intervals per group, and peak concurrent machines.

Each application of a checkout is a booking, and its row in ``checkout_applications`` keeps it
as integers (``booking_columns``, written by the store on insert and check-in): the interval
indexes ``[start_interval, stop_interval)`` and the UTC months of the first and the last. A
report clamps them to the range and to now, reading the checkouts only to group or filter by
their columns. Grouped by day or month, bookings are first summed per (first bucket, last
bucket, group), which leaves a few hundred rows a year by month, then spread over a calendar
of at most a few thousand buckets. No query makes a row per interval or per booking and
bucket.
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
    case,
    column,
    func,
    literal,
    select,
    values,
)

from entitle.domain.calendar import add_months
from entitle.domain.names import machine_key
from entitle.domain.usage import (
    INTERVALS_PER_DAY,
    booking,
    first_whole_interval,
    interval_after,
    interval_start,
    midnight,
    month_of_interval,
)
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


def booking_columns(
    created_at: datetime, expires_at: datetime, checked_in_at: datetime | None = None
) -> dict[str, int]:
    """What each application row of a checkout keeps of its ``entitle.domain.usage.booking``."""
    booked = booking(created_at, expires_at, checked_in_at)
    return {
        "start_interval": booked.start,
        "first_month": month_of_interval(booked.start),
        **_stop_columns(booked.stop),
    }


def check_in_columns(checked_in_at: datetime) -> dict[str, int]:
    """The new bounds of the bookings of a checkout checked in before its expiry, at
    ``checked_in_at``."""
    return _stop_columns(interval_after(checked_in_at))


def _stop_columns(stop: int) -> dict[str, int]:
    return {"stop_interval": stop, "last_month": month_of_interval(stop - 1)}


def totals(conn: Connection, query: UsageQuery, now: datetime) -> list[UsageRow]:
    calendars = [g for g in query.group_by if g in CALENDAR_GROUPS]
    assert len(calendars) <= 1, "group by day or by month, not both"
    low, high = _range(query, now)
    if high <= low:
        return []
    per_checkout = not {"user", "machine", "country"}.isdisjoint(query.group_by)
    booked = _booked(query, low, high, per_checkout=per_checkout).subquery("booked")
    if not calendars:
        keys = [booked.c[g] for g in query.group_by]
        statement = select(*keys, func.sum(booked.c.stop - booked.c.start)).group_by(*keys)
        return _rows(conn, statement.order_by(*keys))
    unit = calendars[0]
    others = [booked.c[g] for g in query.group_by if g != unit]
    buckets = _calendar(query.from_, query.to, unit)
    first, last = (
        (
            epoch.greatest(booked.c.first_month, buckets[0][0]),
            epoch.least(booked.c.last_month, month_of_interval(high - 1)),
        )
        if unit == "month"
        else (booked.c.start // INTERVALS_PER_DAY, (booked.c.stop - 1) // INTERVALS_PER_DAY)
    )
    spans = (
        select(
            first.label("first"),
            last.label("last"),
            *others,
            func.count().label("n"),
            func.sum(booked.c.start).label("starts"),
            func.sum(booked.c.stop).label("stops"),
        )
        .group_by(first, last, *others)
        .subquery("spans")
    )
    # A booking fills the buckets strictly between its first and its last; it starts late in
    # its first bucket and stops early in its last (both may be the same bucket). Summed over
    # the n bookings of a span, bucket by bucket:
    calendar = _calendar_values(buckets)
    n, b = spans.c.n, calendar.c
    intervals = (
        n * (b.high - b.low)
        - case((b.bucket == spans.c.first, spans.c.starts - n * b.low), else_=0)
        - case((b.bucket == spans.c.last, n * b.high - spans.c.stops), else_=0)
    )
    keys = [b.label if g == unit else spans.c[g] for g in query.group_by]
    statement = (
        select(*keys, func.sum(intervals))
        .select_from(spans.join(calendar, b.bucket.between(spans.c.first, spans.c.last)))
        .group_by(*keys)
        .order_by(*keys)
    )
    return _rows(conn, statement)


def _rows(conn: Connection, statement: Select[Any]) -> list[UsageRow]:
    """The statement's rows, group keys then intervals, leaving out groups that booked none."""
    return [
        UsageRow(tuple(str(v) for v in row[:-1]), int(row[-1]))
        for row in conn.execute(statement)
        if row[-1]
    ]


def peak(conn: Connection, query: UsageQuery, now: datetime) -> Peak:
    """Most distinct machines at once: a sweep over each machine's merged bookings."""
    low, high = _range(query, now)
    booked = _booked(query, low, high, per_checkout=True).subquery("booked")
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


def _range(query: UsageQuery, now: datetime) -> tuple[int, int]:
    """The report's whole intervals, ``[low, high)``: its UTC days, cut at now."""
    return (
        first_whole_interval(midnight(query.from_)),
        interval_after(min(midnight(query.to), now)),
    )


def _booked(query: UsageQuery, low: int, high: int, *, per_checkout: bool) -> Select[Any]:
    """The bookings (applications of the organisation's checkouts) with intervals in the range.

    Each row has its application, months and intervals clamped to ``[low, high)``, and with
    ``per_checkout`` its checkout's user, machine and country (read only when needed).
    """
    a = checkout_applications.c
    columns: list[ColumnElement[Any]] = [
        a.application.label("application"),
        a.first_month.label("first_month"),
        a.last_month.label("last_month"),
        epoch.greatest(a.start_interval, low).label("start"),
        epoch.least(a.stop_interval, high).label("stop"),
    ]
    where: list[ColumnElement[bool]] = [
        a.organisation_id == query.organisation_id,
        a.stop_interval > low,
        a.start_interval < high,
        a.stop_interval > a.start_interval,
    ]
    if query.filters.application:
        where.append(func.lower(a.application) == query.filters.application.lower())
    found = _filters(query.filters)
    if not found and not per_checkout:
        return select(*columns).where(*where)
    c = checkouts.c
    columns += [
        c.user_email.label("user"),
        c.machine_key.label("machine"),
        c.country.label("country"),
    ]
    return (
        select(*columns)
        .select_from(checkout_applications.join(checkouts, c.id == a.checkout_id))
        .where(*where, *found)
    )


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


def _calendar(from_: date, to: date, unit: str) -> list[tuple[int, str, int, int]]:
    """The UTC days or months of ``[from_, to)``: (bucket, label, low, high).

    A day's bucket is its number since 1970-01-01, a month's ``year * 12 + month - 1``, as in
    ``checkout_applications.first_month`` and ``last_month``; low and high are interval
    indexes.
    """
    rows: list[tuple[int, str, int, int]] = []
    day = from_ if unit == "day" else from_.replace(day=1)
    while day < to:
        following = day + timedelta(days=1) if unit == "day" else add_months(day, 1)
        low = first_whole_interval(midnight(day))
        if unit == "day":
            bucket, label = low // INTERVALS_PER_DAY, day.isoformat()
        else:
            bucket, label = month_of_interval(low), day.isoformat()[:7]
        rows.append((bucket, label, low, first_whole_interval(midnight(following))))
        day = following
    return rows


def _calendar_values(rows: list[tuple[int, str, int, int]]) -> Any:
    return (
        values(
            column("bucket", BigInteger),
            column("label", String),
            column("low", BigInteger),
            column("high", BigInteger),
            name="calendar",
        )
        .data(rows)
        .cte("calendar")
    )
