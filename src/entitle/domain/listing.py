"""What the checkout list shows: status, and the three-month rule for expired checkouts.

The rule holds wherever checkouts are listed: an expired checkout is shown for three months
after its expiry, in the Checkouts list (``listed``), under "Expired" (``expired``) and in the
history (``history``, whatever its status filter says), and then no more. Only ``all`` (the
API's default, and the CLI's ``--status all``) still shows it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from entitle.domain.calendar import add_months
from entitle.domain.model import CheckInMethod, Checkout, Status

EXPIRED_LISTED_MONTHS = 3


class Listing(enum.StrEnum):
    """Which checkouts a listing holds."""

    ACTIVE = "active"
    EXPIRED = "expired"
    """Expired in the last three months."""
    CHECKED_IN = "checked_in"
    LISTED = "listed"
    """The Checkouts list: active, and expired in the last three months."""
    HISTORY = "history"
    """The history: active, checked in, and expired in the last three months."""
    ALL = "all"


def status_of(checkout: Checkout, now: datetime) -> Status:
    """A checkout whose expiry passed counts as checked in at its expiry; no scheduler needed.
    A recorded check-in is a check-in whenever it was recorded, as the store's SQL says."""
    if checkout.checked_in_at is not None:
        return Status.CHECKED_IN
    if checkout.expires_at <= now:
        return Status.EXPIRED
    return Status.ACTIVE


def expired_listing_cutoff(now: datetime) -> datetime:
    """Expired checkouts are listed while they expired after this moment.

    It is ``now`` less three calendar months, the day clamped to the month's end: on 31 May
    the cutoff is 28 February (29 in a leap year), on 29 February it is 29 November.
    """
    day = add_months(now.date(), -EXPIRED_LISTED_MONTHS)
    return now.replace(year=day.year, month=day.month, day=day.day)


def listed_as_expired(checkout: Checkout, now: datetime) -> bool:
    return status_of(checkout, now) is Status.EXPIRED and checkout.expires_at > (
        expired_listing_cutoff(now)
    )


def in_listing(listing: Listing, checkout: Checkout, now: datetime) -> bool:
    """Whether ``checkout`` is one of ``listing``'s; the store says the same in SQL."""
    status = status_of(checkout, now)
    if status is Status.EXPIRED and not listed_as_expired(checkout, now):
        return listing is Listing.ALL
    return {
        Listing.ACTIVE: status is Status.ACTIVE,
        Listing.EXPIRED: status is Status.EXPIRED,
        Listing.CHECKED_IN: status is Status.CHECKED_IN,
        Listing.LISTED: status is not Status.CHECKED_IN,
        Listing.HISTORY: True,
        Listing.ALL: True,
    }[listing]


def effective_check_in(
    checkout: Checkout, now: datetime
) -> tuple[datetime | None, str | None, CheckInMethod | None]:
    """When, by whom and how a checkout was checked in; expiry counts as a check-in."""
    if checkout.checked_in_at is not None:
        return checkout.checked_in_at, checkout.checked_in_by, checkout.check_in_method
    if checkout.expires_at <= now:
        return checkout.expires_at, None, CheckInMethod.EXPIRY
    return None, None, None
