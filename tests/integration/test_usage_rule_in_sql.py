"""The SQL reports compute exactly the rule of ``entitle.domain.usage``, on random checkouts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from entitle.domain.calendar import add_months
from entitle.domain.model import CheckInMethod, Checkout, CheckoutLine, LicenseService
from entitle.domain.names import machine_key
from entitle.domain.usage import booked_intervals, intervals_within, midnight, peak_machines
from entitle.domain.versions import Version
from entitle.store import checkouts as checkout_store
from entitle.store import organisations
from entitle.store import usage as store
from entitle.store.tables import checkout_applications, checkouts
from entitle.store.usage import UsageQuery

BASE = datetime(2028, 2, 27, 23, 0, tzinfo=UTC)  # the leap day and a month end are near
APPLICATIONS = ("Atlas Designer", "Bridgeworks", "GeoSurvey")

moments = st.integers(0, 4 * 24 * 3600 * 1_000_000).map(
    lambda us: BASE + timedelta(microseconds=us)
)
aligned = st.integers(0, 4 * 24 * 6).map(lambda k: BASE + timedelta(minutes=10 * k))


@st.composite
def a_checkout(draw: st.DrawFn, number: int) -> Checkout:
    created = draw(st.one_of(moments, aligned))
    expires = created + draw(st.timedeltas(timedelta(seconds=1), timedelta(days=3)))
    checked_in = draw(
        st.none() | st.builds(lambda d: created + d, st.timedeltas(timedelta(0), timedelta(days=3)))
    )
    if checked_in is not None and checked_in >= expires:
        checked_in = None  # a check-in is only recorded before expiry
    apps = draw(st.lists(st.sampled_from(APPLICATIONS), min_size=1, max_size=3, unique=True))
    return Checkout(
        id=f"c{number}",
        organisation_id=0,
        country=draw(st.sampled_from(("US", "GB"))),
        license_service=LicenseService.SES,
        user_email=draw(st.sampled_from(("ana@example.com", "sam@example.com"))),
        machine=draw(st.sampled_from(("WS-1", "ws-1", "WS-2", "WS-3"))),
        activation_key=None,
        lines=tuple(CheckoutLine(a, Version.parse("1.0")) for a in apps),
        created_at=created,
        created_by="admin@example.com",
        expires_at=expires,
        checked_in_at=checked_in,
    )


fixtures = st.integers(1, 6).flatmap(
    lambda n: st.tuples(*[a_checkout(i) for i in range(n)])  # type: ignore[arg-type]
)


def store_all(engine: Engine, made: tuple[Checkout, ...]) -> int:
    with engine.begin() as conn:
        conn.execute(delete(checkout_applications))
        conn.execute(delete(checkouts))
        found = organisations.by_name(conn, "Northwind")
        org = (
            found.id
            if found
            else organisations.add(conn, "Northwind", True, date(2030, 1, 1), BASE)
        )
        for c in made:
            checkout_store.insert(
                conn,
                Checkout(**{**c.__dict__, "organisation_id": org, "license_digest": "d"}),
                b"file",
            )
            if c.checked_in_at is not None:
                assert checkout_store.check_in(
                    conn, c.id, c.checked_in_at, "admin@example.com", CheckInMethod.PORTAL
                )
    return org


def expected_by_day_and_application(
    made: tuple[Checkout, ...], now: datetime, days: list[date]
) -> Counter[tuple[str, ...]]:
    found: Counter[tuple[str, ...]] = Counter()
    for c in made:
        for day in days:
            n = intervals_within(
                booked_intervals(c, now), midnight(day), midnight(day + timedelta(days=1))
            )
            for line in c.lines:
                found[(day.isoformat(), line.application)] += n
    return +found


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(made=fixtures, now=moments, first=st.integers(0, 3), length=st.integers(1, 4))
def test_sql_reports_follow_the_domain_rule(
    engine: Engine, made: tuple[Checkout, ...], now: datetime, first: int, length: int
) -> None:
    org = store_all(engine, made)
    from_ = BASE.date() + timedelta(days=first)
    to = from_ + timedelta(days=length)
    days = [from_ + timedelta(days=i) for i in range(length)]
    with engine.connect() as conn:
        by_day = store.totals(conn, UsageQuery(org, from_, to, ("day", "application")), now)
        by_machine = store.totals(conn, UsageQuery(org, from_, to, ("machine", "month")), now)
        peak = store.peak(conn, UsageQuery(org, from_, to), now)
    assert {r.keys: r.intervals for r in by_day} == expected_by_day_and_application(made, now, days)
    machines: Counter[tuple[str, ...]] = Counter()
    for c in made:
        for month in {d.replace(day=1) for d in days}:
            low = max(midnight(from_), midnight(month))
            high = min(midnight(to), midnight(add_months(month, 1)))
            booked = intervals_within(booked_intervals(c, now), low, high)
            machines[(machine_key(c.machine), month.isoformat()[:7])] += len(c.lines) * booked
    assert {r.keys: r.intervals for r in by_machine} == +machines
    assert peak.machines == peak_machines(made, now, midnight(from_), midnight(to))
