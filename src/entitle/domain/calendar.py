"""Calendar arithmetic that the rules share: months and years clamp to the month's last day."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def end_of_day(day: date) -> datetime:
    """A license dated ``day`` is valid through that whole day, UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times in entitle are timezone-aware")
    return moment.astimezone(UTC)
