"""A client receipt's clear time: stated by the workstation, so only shown, never booked.

The licensing tool writes the time it cleared a license by the workstation's own clock, which
its user controls. Booking ends when the server receives the receipt (``entitle.domain.usage``);
the stated time is kept beside it and must lie between the checkout's creation and the
receipt's arrival. A workstation clock up to ``CLOCK_SKEW`` ahead of the server's is tolerated.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput
from entitle.domain.model import Checkout

CLOCK_SKEW = timedelta(minutes=5)


def require_plausible_clear_time(
    checkout: Checkout, cleared_at: datetime, received_at: datetime
) -> None:
    """Refuse a clear time before the checkout existed, or after the receipt arrived."""
    if cleared_at < checkout.created_at:
        raise InvalidInput(
            Code.CLEARED_BEFORE_CHECKOUT,
            f"cleared_at {cleared_at.isoformat()} is before the checkout was created "
            f"({checkout.created_at.isoformat()}).",
            field="cleared_at",
        )
    if cleared_at > received_at + CLOCK_SKEW:
        minutes = int(CLOCK_SKEW.total_seconds() // 60)
        raise InvalidInput(
            Code.CLEARED_AFTER_RECEIPT,
            f"cleared_at {cleared_at.isoformat()} is after the server received the receipt "
            f"({received_at.isoformat()}, allowing {minutes} minutes of clock difference).",
            field="cleared_at",
        )
