"""Usage reports against figures computed by hand, on SQLite and PostgreSQL.

Clock at report time: 2026-12-03 06:00 UTC. Northwind's checkouts:
  A  ana, WS-1, US, SES, Atlas Designer + Bridgeworks, 11-28 12:00 until expiry 12-02 00:00
     = 84 h = 504 intervals per application
  B  co, ws-2, GB, SELECTserver, GeoSurvey, 11-28 12:04:30, checked in 11-30 09:00
     = 11-28 12:10 to 11-30 09:00 = 44 h 50 = 269 intervals (the partial first one is dropped)
  C  admin, ws-1, US, SES, Atlas Designer, 11-30 09:00, still running
     = 11-30 09:00 to now = 69 h = 414 intervals
Studio's checkout must never show.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from entitle.domain.checkouts import CheckoutRequest
from entitle.domain.errors import Forbidden, InvalidInput
from entitle.service.check_in import check_in
from entitle.service.create_checkout import create_checkout
from entitle.service.usage import daily_usage, peak_usage, report_csv, usage_report
from entitle.store.usage import UsageFilters
from tests.integration.fixtures import World

NOV, JAN = date(2026, 11, 1), date(2027, 1, 1)


@pytest.fixture
def used(world: World) -> World:
    clock, services = world.clock, world.services
    create_checkout(
        services,
        world.admin,
        CheckoutRequest(
            "US",
            "SES",
            "ana@example.com",
            "WS-1",
            [("Atlas Designer", "10.17.2.61"), ("Bridgeworks", "24.0.1.5")],
            expires_on=date(2026, 12, 1),
        ),
    )
    create_checkout(
        services,
        world.other_admin,
        CheckoutRequest("US", "SES", "admin@studio.example", "WS-1", [("Bridgeworks", "24.0.1.5")]),
    )
    clock.advance(minutes=4.5)
    b = create_checkout(
        services,
        world.co_admin,
        CheckoutRequest(
            "GB",
            "SELECTserver",
            "co@example.com",
            "ws-2",
            [("GeoSurvey", "8.4.1.0")],
            activation_key="GB-KEY-1",
        ),
    )
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    check_in(services, world.admin, b.id)
    create_checkout(
        services,
        world.admin,
        CheckoutRequest(
            "US", "SES", "admin@example.com", "ws-1", [("Atlas Designer", "10.16.3.12")]
        ),
    )
    clock.now = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    return world


def figures(world: World, *group_by: str, **filters: str) -> dict[tuple[str, ...], int]:
    report = usage_report(world.services, world.admin, NOV, JAN, group_by, UsageFilters(**filters))
    return {row.keys: row.intervals * 10 for row in report.rows}


def test_total_books_every_application_until_check_in_expiry_or_now(used: World) -> None:
    assert figures(used) == {(): 1691 * 10}


def test_usage_by_application(used: World) -> None:
    assert figures(used, "application") == {
        ("Atlas Designer",): 918 * 10,
        ("Bridgeworks",): 504 * 10,
        ("GeoSurvey",): 269 * 10,
    }


def test_usage_by_month_splits_bookings_at_the_month_end(used: World) -> None:
    assert figures(used, "month") == {("2026-11",): 1079 * 10, ("2026-12",): 612 * 10}


def test_usage_by_machine_user_and_country(used: World) -> None:
    assert figures(used, "machine") == {("WS-1",): 14220, ("WS-2",): 2690}
    assert figures(used, "user") == {
        ("admin@example.com",): 4140,
        ("ana@example.com",): 10080,
        ("co@example.com",): 2690,
    }
    assert figures(used, "country", "month") == {
        ("GB", "2026-11"): 2690,
        ("US", "2026-11"): 8100,
        ("US", "2026-12"): 6120,
    }


def test_filters_narrow_the_bookings(used: World) -> None:
    assert figures(used, application="bridgeworks") == {(): 5040}
    assert figures(used, license_service="selectserver") == {(): 2690}
    assert figures(used, user="ANA@example.com") == {(): 10080}
    assert figures(used, machine="ws-1", application="Atlas Designer") == {(): 9180}
    assert figures(used, country="GB") == {(): 2690}
    assert figures(used, country="FR") == {}


def test_daily_usage_by_user_formats_days_hours_minutes(used: World) -> None:
    report = daily_usage(used.services, used.admin, date(2026, 11, 28), date(2026, 12, 4), "user")
    assert [(i["day"], i["user"], i["duration"]) for i in report.items()] == [
        ("2026-11-28", "ana@example.com", "1 00:00"),
        ("2026-11-28", "co@example.com", "0 11:50"),
        ("2026-11-29", "ana@example.com", "2 00:00"),
        ("2026-11-29", "co@example.com", "1 00:00"),
        ("2026-11-30", "admin@example.com", "0 15:00"),
        ("2026-11-30", "ana@example.com", "2 00:00"),
        ("2026-11-30", "co@example.com", "0 09:00"),
        ("2026-12-01", "admin@example.com", "1 00:00"),
        ("2026-12-01", "ana@example.com", "2 00:00"),
        ("2026-12-02", "admin@example.com", "1 00:00"),
        ("2026-12-03", "admin@example.com", "0 06:00"),
    ]


def test_daily_usage_by_machine(used: World) -> None:
    report = daily_usage(used.services, used.admin, date(2026, 12, 1), date(2026, 12, 3), "machine")
    assert [(i["day"], i["machine"], i["minutes"]) for i in report.items()] == [
        ("2026-12-01", "WS-1", 3 * 24 * 60),
        ("2026-12-02", "WS-1", 24 * 60),
    ]


def test_peak_counts_distinct_machines_in_one_interval(used: World) -> None:
    peak = peak_usage(used.services, used.admin, NOV, JAN)
    assert (peak.machines, peak.first_at) == (2, datetime(2026, 11, 28, 12, 10, tzinfo=UTC))
    assert peak_usage(used.services, used.admin, NOV, JAN, UsageFilters(country="US")).machines == 1
    after = peak_usage(used.services, used.admin, date(2026, 11, 30), JAN)
    assert (after.machines, after.first_at) == (2, datetime(2026, 11, 30, 0, 0, tzinfo=UTC))
    december = peak_usage(used.services, used.admin, date(2026, 12, 1), JAN)
    assert (december.machines, december.first_at) == (1, datetime(2026, 12, 1, tzinfo=UTC))
    assert peak_usage(used.services, used.admin, date(2025, 1, 1), NOV).machines == 0


def test_csv_has_the_same_figures_as_the_rows(used: World) -> None:
    report = usage_report(used.services, used.admin, NOV, JAN, ["month", "application"])
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert [list(r) for r in rows[:1]] == [["month", "application", "minutes", "duration"]]
    assert rows == [{k: str(v) for k, v in item.items()} for item in report.items()]
    assert report.total_minutes == 16910


def test_only_administrators_see_usage(used: World) -> None:
    assert usage_report(used.services, used.co_admin, NOV, JAN).total_minutes == 16910
    with pytest.raises(Forbidden):
        usage_report(used.services, used.user, NOV, JAN)
    studio = usage_report(used.services, used.other_admin, NOV, JAN)
    assert studio.organisation == "Studio"
    assert studio.total_minutes > 0


@pytest.mark.parametrize(
    ("from_", "to", "group_by", "code"),
    [
        (JAN, NOV, [], "RANGE_EMPTY"),
        (NOV, NOV, [], "RANGE_EMPTY"),
        (NOV, date(2029, 11, 2), [], "RANGE_TOO_LONG"),
        (NOV, JAN, ["week"], "GROUP_BY_UNKNOWN"),
        (NOV, JAN, ["day,month"], "GROUP_BY_DAY_AND_MONTH"),
    ],
)
def test_bad_input_is_refused_with_what_to_fix(
    used: World, from_: date, to: date, group_by: list[str], code: str
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        usage_report(used.services, used.admin, from_, to, group_by)
    assert refusal.value.code == code
    assert refusal.value.field in ("to", "group_by")
