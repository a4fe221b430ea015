"""Usage alerts: an organisation is told when its usage crosses a threshold, once per crossing.

* ``active_checkouts``: more than ``threshold`` checkouts out at once; told when the count
  goes over, and again only after it has fallen back to the threshold or below;
* ``monthly_hours``: more than ``threshold`` booked hours in a UTC calendar month; told once
  a month at most.

Either may be for the whole organisation or one application or one entitlement country.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput

MAX_THRESHOLD = 1_000_000


class AlertKind(enum.StrEnum):
    ACTIVE_CHECKOUTS = "active_checkouts"
    MONTHLY_HOURS = "monthly_hours"


@dataclass(frozen=True)
class UsageAlert:
    id: int
    organisation_id: int
    kind: AlertKind
    threshold: int
    application: str | None
    country: str | None
    above: bool
    fired_month: int | None

    def describe(self, value: float) -> str:
        return f"{self.headline(value)}, above the threshold of {self.threshold}"

    def headline(self, value: float) -> str:
        scope = " of ".join(
            s for s in (self.application, self.country and f"country {self.country}") if s
        )
        what = (
            "active checkouts"
            if self.kind is AlertKind.ACTIVE_CHECKOUTS
            else "booked hours this month"
        )
        where = f" ({scope})" if scope else ""
        return f"{value:g} {what}{where}"


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    """The first day of the month :func:`month_number` numbered."""
    return date(number // 12, number % 12 + 1, 1)


def threshold(value: int) -> int:
    if not 1 <= value <= MAX_THRESHOLD:
        raise InvalidInput(
            Code.USAGE_ALERT_THRESHOLD,
            f"A threshold is a whole number from 1 to {MAX_THRESHOLD:,}.",
            field="threshold",
        )
    return value
