"""Usage: what a checkout books, counted in whole 10-minute intervals of UTC.

The rule, in one place (the reports in ``entitle.store.usage`` compute exactly this in SQL):

* Each application of a checkout is booked from the checkout's creation until the first of its
  check-in, its expiry and now (a checkout still running counts up to now). A check-in is only
  recorded before expiry; past expiry the booking ends at ``expires_at``. The check-in is the
  server's time: an administrator's check-in, or the arrival of the licensing tool's receipt,
  never the clear time the workstation states (``entitle.domain.receipts``).
* Time is cut into the intervals ``[k * 10 min, (k + 1) * 10 min)`` since 1970-01-01 00:00 UTC.
  A booking ``[start, end)`` counts the intervals that lie entirely inside it: from interval
  ``ceil(start / 10 min)`` up to, not including, ``floor(end / 10 min)``; none when that is empty.
  So a partial first interval (and a partial last one) is not counted: 09:04 to 09:36 counts
  09:10-09:20 and 09:20-09:30, two intervals, 20 minutes.
* A report over ``[low, high)`` (or one of its days or months) counts the booked intervals that
  lie inside it. Days and months start at UTC midnight, a multiple of 10 minutes, so the figures
  of the days of a range add up to the figure of the range.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from entitle.domain.model import Checkout
from entitle.domain.names import machine_key

INTERVAL = timedelta(minutes=10)
INTERVAL_MICROSECONDS = 600_000_000
INTERVALS_PER_DAY = 144
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_microseconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("times in entitle are timezone-aware")
    return (moment - EPOCH) // timedelta(microseconds=1)


def first_whole_interval(start: datetime) -> int:
    """The index of the first interval that starts at or after ``start``."""
    return -(-epoch_microseconds(start) // INTERVAL_MICROSECONDS)


def interval_after(end: datetime) -> int:
    """The index of the interval that holds ``end``: the first one not inside ``[.., end)``."""
    return epoch_microseconds(end) // INTERVAL_MICROSECONDS


def interval_start(index: int) -> datetime:
    return EPOCH + index * INTERVAL


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def month_of_interval(index: int) -> int:
    """The UTC month holding interval ``index``, numbered ``year * 12 + month - 1``."""
    start = interval_start(index)
    return start.year * 12 + start.month - 1


def booking(created_at: datetime, expires_at: datetime, checked_in_at: datetime | None) -> range:
    """The intervals a checkout books once it is over: from creation to check-in or expiry.

    The store keeps these bounds on each checkout; ``booked_intervals`` cuts them at now.
    """
    end = expires_at if checked_in_at is None else min(checked_in_at, expires_at)
    return range(first_whole_interval(created_at), interval_after(end))


def booked_intervals(checkout: Checkout, now: datetime) -> range:
    """The intervals one application of ``checkout`` books, as interval indexes."""
    booked = booking(checkout.created_at, checkout.expires_at, checkout.checked_in_at)
    return range(booked.start, min(booked.stop, interval_after(now)))


def intervals_within(booked: range, low: datetime, high: datetime) -> int:
    """How many of the ``booked`` intervals lie inside ``[low, high)``."""
    first = max(booked.start, first_whole_interval(low))
    stop = min(booked.stop, interval_after(high))
    return max(0, stop - first)


def usage(checkouts: Iterable[Checkout], now: datetime, low: datetime, high: datetime) -> int:
    """Intervals booked in ``[low, high)``, every application of every checkout counted."""
    return sum(
        len(c.lines) * intervals_within(booked_intervals(c, now), low, high) for c in checkouts
    )


def peak_machines(
    checkouts: Iterable[Checkout], now: datetime, low: datetime, high: datetime
) -> int:
    """The most distinct machines holding a booked interval at once, among those in the range.

    Reference implementation for tests and small data; reports compute it in SQL.
    """
    first, stop = first_whole_interval(low), interval_after(high)
    machines: dict[int, set[str]] = {}
    for checkout in checkouts:
        booked = booked_intervals(checkout, now)
        for index in range(max(booked.start, first), min(booked.stop, stop)):
            machines.setdefault(index, set()).add(machine_key(checkout.machine))
    return max((len(held) for held in machines.values()), default=0)


def format_duration(intervals: int) -> str:
    """``D HH:MM``: 145 intervals (24 h 10 min) is ``1 00:10``."""
    days, minutes = divmod(intervals * 10, 24 * 60)
    return f"{days} {minutes // 60:02d}:{minutes % 60:02d}"
