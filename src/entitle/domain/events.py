"""What entitle tells other systems: the event types, and when a checkout's time-driven events
fall due.

An event is written in the same transaction as the change it tells of (the outbox), so none is
lost and none tells of a change that was rolled back. ``checkout.expiring`` falls due once for
each reminder threshold (days before the expiry) that the checkout crosses while it is out:
a checkout made three days before its expiry gets the one-day reminder, not the seven-day one.
``checkout.expired`` falls due once, at the expiry of a checkout still out (a check-in by
expiry).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput

DEFAULT_REMINDER_DAYS = (7, 1)
MAX_REMINDER_DAYS = 90
MAX_REMINDERS = 5
# The threshold a checkout.expired event is kept under, beside the reminders' days.
EXPIRED_THRESHOLD = 0


class EventType(enum.StrEnum):
    CHECKOUT_CREATED = "checkout.created"
    CHECKOUT_RENEWED = "checkout.renewed"
    CHECKOUT_CHECKED_IN = "checkout.checked_in"
    CHECKOUT_EXPIRING = "checkout.expiring"
    CHECKOUT_EXPIRED = "checkout.expired"
    POLICY_CHANGED = "policy.changed"
    USER_ADDED = "user.added"
    USER_DEACTIVATED = "user.deactivated"
    SIGNING_KEY_ROTATED = "signing_key.rotated"
    WEBHOOK_DISABLED = "webhook.disabled"
    USAGE_ALERT = "usage.alert"
    TEST = "webhook.test"


def thresholds_due(
    created_at: datetime, expires_at: datetime, now: datetime, reminder_days: Iterable[int]
) -> list[int]:
    """The thresholds of a checkout still out that have fallen due by ``now``: each reminder
    day crossed while the checkout was out, and :data:`EXPIRED_THRESHOLD` once it expired."""
    if now >= expires_at:
        return [EXPIRED_THRESHOLD]
    return sorted(
        {days for days in reminder_days if created_at < expires_at - timedelta(days=days) <= now},
        reverse=True,
    )


@dataclass(frozen=True)
class NotificationSettings:
    """What an organisation is told: reminders this many days before a checkout's expiry,
    and whether the checkout's user and the Administrators receive e-mail."""

    reminder_days: tuple[int, ...] = DEFAULT_REMINDER_DAYS
    email_users: bool = True
    email_administrators: bool = True


def reminder_days(days: Iterable[int]) -> tuple[int, ...]:
    """The reminder days as kept: distinct, longest first; refused unless 1 to 90, at most five."""
    kept = tuple(sorted(set(days), reverse=True))
    if len(kept) > MAX_REMINDERS or any(not 1 <= d <= MAX_REMINDER_DAYS for d in kept):
        raise InvalidInput(
            Code.REMINDER_DAYS_INVALID,
            f"Give at most {MAX_REMINDERS} reminder days, each a whole number of days from 1 "
            f"to {MAX_REMINDER_DAYS} before the expiry.",
            field="reminder_days",
        )
    return kept
