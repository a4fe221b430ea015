"""The Usage page's named ranges: whole UTC days, both ends included, counted from today."""

from __future__ import annotations

from datetime import date

import pytest

from entitle.web.usage_page import range_presets


def ranges(today: date) -> dict[str, tuple[date, date]]:
    return {p.key: (p.first, p.last) for p in range_presets(today)}


def test_the_default_range_is_the_last_30_days_with_today() -> None:
    first = range_presets(date(2026, 3, 10))[0]
    assert (first.key, first.first, first.last) == (
        "last-30-days",
        date(2026, 2, 9),
        date(2026, 3, 10),
    )
    assert (first.last - first.first).days + 1 == 30


@pytest.mark.parametrize(
    ("today", "key", "expected"),
    [
        (date(2026, 3, 1), "this-month", (date(2026, 3, 1), date(2026, 3, 1))),
        (date(2026, 3, 31), "last-month", (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2024, 3, 15), "last-month", (date(2024, 2, 1), date(2024, 2, 29))),
        (date(2026, 1, 20), "last-month", (date(2025, 12, 1), date(2025, 12, 31))),
        (date(2026, 3, 10), "last-12-months", (date(2025, 3, 11), date(2026, 3, 10))),
        (date(2024, 2, 29), "last-12-months", (date(2023, 3, 1), date(2024, 2, 29))),
        (date(2026, 3, 10), "this-year", (date(2026, 1, 1), date(2026, 3, 10))),
    ],
)
def test_named_ranges_follow_the_calendar_at_month_and_year_ends(
    today: date, key: str, expected: tuple[date, date]
) -> None:
    assert ranges(today)[key] == expected


def test_no_named_range_ends_after_today_or_starts_after_it_ends() -> None:
    for today in (date(2026, 1, 1), date(2026, 2, 28), date(2028, 12, 31)):
        for preset in range_presets(today):
            assert preset.first <= preset.last <= today
