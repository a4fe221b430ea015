from datetime import UTC, datetime, timedelta

import pytest

from entitle.domain.listing import (
    Listing,
    effective_check_in,
    expired_listing_cutoff,
    in_listing,
    listed_as_expired,
    status_of,
)
from entitle.domain.model import CheckInMethod, Checkout, CheckoutLine, LicenseService, Status
from entitle.domain.versions import Version

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def checkout(expires_at: datetime, checked_in_at: datetime | None = None) -> Checkout:
    return Checkout(
        id="c1",
        organisation_id=1,
        country="US",
        license_service=LicenseService.SES,
        user_email="ana@example.com",
        machine="WS-1",
        activation_key=None,
        lines=(CheckoutLine("Atlas", Version.parse("1.0")),),
        created_at=expires_at - timedelta(days=30),
        created_by="admin@example.com",
        expires_at=expires_at,
        checked_in_at=checked_in_at,
        checked_in_by="admin@example.com" if checked_in_at else None,
        check_in_method=CheckInMethod.PORTAL if checked_in_at else None,
    )


def test_running_checkout_is_active() -> None:
    assert status_of(checkout(NOW + timedelta(seconds=1)), NOW) is Status.ACTIVE


def test_checkout_is_expired_from_its_expiry_moment() -> None:
    assert status_of(checkout(NOW), NOW) is Status.EXPIRED


def test_early_check_in_wins_over_later_expiry() -> None:
    early = checkout(NOW + timedelta(days=3), checked_in_at=NOW - timedelta(days=1))
    assert status_of(early, NOW) is Status.CHECKED_IN


def test_a_recorded_check_in_is_a_check_in_even_when_recorded_after_expiry() -> None:
    late = checkout(NOW - timedelta(days=2), checked_in_at=NOW - timedelta(days=1))
    assert status_of(late, NOW) is Status.CHECKED_IN
    assert in_listing(Listing.CHECKED_IN, late, NOW)
    assert not in_listing(Listing.EXPIRED, late, NOW)


def test_expiry_counts_as_check_in_at_expiry_without_a_scheduler() -> None:
    expired = checkout(NOW - timedelta(days=2))
    at, by, method = effective_check_in(expired, NOW)
    assert (at, by, method) == (expired.expires_at, None, CheckInMethod.EXPIRY)
    assert effective_check_in(checkout(NOW + timedelta(days=1)), NOW) == (None, None, None)


@pytest.mark.parametrize(
    ("now", "cutoff"),
    [
        (datetime(2027, 5, 31, 9, tzinfo=UTC), datetime(2027, 2, 28, 9, tzinfo=UTC)),
        (datetime(2028, 5, 31, 9, tzinfo=UTC), datetime(2028, 2, 29, 9, tzinfo=UTC)),
        (datetime(2028, 2, 29, 9, tzinfo=UTC), datetime(2027, 11, 29, 9, tzinfo=UTC)),
        (datetime(2027, 1, 31, 9, tzinfo=UTC), datetime(2026, 10, 31, 9, tzinfo=UTC)),
        (datetime(2026, 11, 30, 9, tzinfo=UTC), datetime(2026, 8, 30, 9, tzinfo=UTC)),
    ],
)
def test_three_month_cutoff_clamps_to_month_ends(now: datetime, cutoff: datetime) -> None:
    assert expired_listing_cutoff(now) == cutoff


def test_expired_listing_keeps_checkouts_until_exactly_three_months() -> None:
    cutoff = expired_listing_cutoff(NOW)
    assert listed_as_expired(checkout(cutoff + timedelta(seconds=1)), NOW)
    assert not listed_as_expired(checkout(cutoff), NOW)


def test_checked_in_and_active_checkouts_are_not_listed_as_expired() -> None:
    assert not listed_as_expired(checkout(NOW + timedelta(days=1)), NOW)
    assert not listed_as_expired(
        checkout(NOW - timedelta(days=1), checked_in_at=NOW - timedelta(days=2)), NOW
    )


def test_an_expired_checkout_leaves_every_listing_but_all_after_three_months() -> None:
    recent = checkout(NOW - timedelta(days=80))
    old = checkout(NOW - timedelta(days=100))
    returned = checkout(NOW + timedelta(days=3), checked_in_at=NOW - timedelta(days=400))
    assert {x for x in Listing if in_listing(x, recent, NOW)} == {
        Listing.EXPIRED,
        Listing.LISTED,
        Listing.HISTORY,
        Listing.ALL,
    }
    assert {x for x in Listing if in_listing(x, old, NOW)} == {Listing.ALL}
    assert {x for x in Listing if in_listing(x, returned, NOW)} == {
        Listing.CHECKED_IN,
        Listing.HISTORY,
        Listing.ALL,
    }
