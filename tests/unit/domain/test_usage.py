from datetime import UTC, date, datetime, timedelta

import pytest

from entitle.domain.model import Checkout, CheckoutLine, LicenseService
from entitle.domain.usage import (
    booked_intervals,
    booking,
    first_whole_interval,
    format_duration,
    interval_start,
    intervals_within,
    midnight,
    month_of_interval,
    peak_machines,
    usage,
)
from entitle.domain.versions import Version

NOW = datetime(2030, 1, 1, tzinfo=UTC)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def checkout(
    created: str,
    expires: str,
    checked_in: str | None = None,
    machine: str = "WS-1",
    applications: int = 1,
) -> Checkout:
    return Checkout(
        id="c1",
        organisation_id=1,
        country="US",
        license_service=LicenseService.SES,
        user_email="ana@example.com",
        machine=machine,
        activation_key=None,
        lines=tuple(CheckoutLine(f"App {i}", Version.parse("1.0")) for i in range(applications)),
        created_at=at(created),
        created_by="admin@example.com",
        expires_at=at(expires),
        checked_in_at=at(checked_in) if checked_in else None,
    )


def minutes(
    c: Checkout, now: datetime = NOW, low: datetime = EVER[0], high: datetime = EVER[1]
) -> int:
    return 10 * intervals_within(booked_intervals(c, now), low, high)


def test_booking_within_one_interval_counts_nothing() -> None:
    assert minutes(checkout("2026-03-02 09:01", "2026-03-02 09:09")) == 0


def test_booking_of_exactly_one_interval_counts_ten_minutes() -> None:
    assert minutes(checkout("2026-03-02 09:00", "2026-03-02 09:10")) == 10


def test_partial_first_and_last_intervals_are_not_counted() -> None:
    assert minutes(checkout("2026-03-02 09:04", "2026-03-02 09:36")) == 20


def test_a_microsecond_after_the_boundary_loses_the_first_interval() -> None:
    late = checkout("2026-03-02 09:00:00.000001", "2026-03-02 10:00")
    assert minutes(late) == 50


def test_booking_across_a_month_end_splits_at_utc_midnight() -> None:
    c = checkout("2026-01-31 23:35", "2026-02-01 00:25")
    assert minutes(c) == 40
    assert minutes(c, low=midnight(date(2026, 1, 1)), high=midnight(date(2026, 2, 1))) == 20
    assert minutes(c, low=midnight(date(2026, 2, 1)), high=midnight(date(2026, 3, 1))) == 20


def test_early_check_in_ends_the_booking() -> None:
    c = checkout("2026-03-02 09:00", "2026-06-30 00:00", checked_in="2026-03-02 11:15")
    assert minutes(c) == 130


def test_expired_checkout_is_booked_until_its_expiry() -> None:
    assert minutes(checkout("2026-03-02 00:00", "2026-03-05 00:00")) == 3 * 24 * 60


def test_check_in_recorded_after_expiry_does_not_extend_the_booking() -> None:
    c = checkout("2026-03-02 00:00", "2026-03-03 00:00", checked_in="2026-03-04 00:00")
    assert minutes(c) == 24 * 60


def test_running_checkout_counts_up_to_now() -> None:
    c = checkout("2026-03-02 09:00", "2027-03-02 00:00")
    assert minutes(c, now=at("2026-03-02 10:07")) == 60


def test_checkout_created_in_the_future_of_now_counts_nothing() -> None:
    assert minutes(checkout("2026-03-02 09:00", "2027-03-02 00:00"), now=at("2026-03-01")) == 0


def test_leap_day_counts_a_full_day() -> None:
    c = checkout("2028-02-28 12:00", "2028-03-01 12:00")
    leap = minutes(c, low=midnight(date(2028, 2, 29)), high=midnight(date(2028, 3, 1)))
    assert leap == 24 * 60
    assert minutes(c) == 48 * 60


def test_every_application_is_booked() -> None:
    c = checkout("2026-03-02 09:00", "2026-03-02 10:00", applications=3)
    assert usage([c], NOW, *EVER) == 3 * 6


def test_peak_counts_distinct_machines_once() -> None:
    a = checkout("2026-03-02 09:00", "2026-03-02 12:00", machine="WS-1")
    b = checkout("2026-03-02 10:00", "2026-03-02 11:00", machine="ws-1")
    c = checkout("2026-03-02 11:00", "2026-03-02 13:00", machine="WS-2")
    assert peak_machines([a, b, c], NOW, *EVER) == 2
    assert peak_machines([a, b, c], NOW, at("2026-03-02 00:00"), at("2026-03-02 11:00")) == 1


def test_interval_indexes_are_ten_minutes_since_the_epoch() -> None:
    assert interval_start(1) - interval_start(0) == timedelta(minutes=10)
    assert interval_start(0) == at("1970-01-01 00:00")


@pytest.mark.parametrize(
    ("intervals", "text"),
    [
        (0, "0 00:00"),
        (1, "0 00:10"),
        (6, "0 01:00"),
        (144, "1 00:00"),
        (145, "1 00:10"),
        (3 * 144 + 6 * 23 + 5, "3 23:50"),
    ],
)
def test_duration_is_days_hours_minutes(intervals: int, text: str) -> None:
    assert format_duration(intervals) == text


def test_an_interval_belongs_to_the_utc_month_it_starts_in() -> None:
    last_of_february = first_whole_interval(at("2028-02-29 23:50"))
    assert month_of_interval(last_of_february) == 2028 * 12 + 1
    assert month_of_interval(last_of_february + 1) == 2028 * 12 + 2


def test_the_stored_booking_ends_at_check_in_or_expiry_and_now_cuts_it() -> None:
    c = checkout("2026-03-02 09:04", "2026-03-05 00:00", checked_in="2026-03-02 09:36")
    assert booking(c.created_at, c.expires_at, c.checked_in_at) == booked_intervals(c, NOW)
    assert len(booking(c.created_at, c.expires_at, None)) == 6 * 24 * 3 - 6 * 9 - 1
    running = booked_intervals(c, at("2026-03-02 09:25"))
    assert len(running) == 1
