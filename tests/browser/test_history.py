"""Checkout History: header sort, a custom sort built by drag and drop, and column filters."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import column, open_checkouts, wait_for_rows

pytestmark = pytest.mark.browser

HISTORY = "#history-table"


def header(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator(f"{HISTORY} .tabulator-col").filter(has_text=title).first


def filter_column(page: Page, title: str, values: dict[str, str]) -> None:
    page.locator(HISTORY).get_by_role("button", name=f"Filter {title}").click()
    popover = page.get_by_role("dialog", name=f"Filter {title}")
    for label, value in values.items():
        field = popover.get_by_label(label)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    popover.get_by_role("button", name="Apply").click()
    expect(popover).to_have_count(0)
    wait_for_rows(page, HISTORY)


def test_a_header_click_sorts_the_history_and_a_second_click_reverses_it(
    page: Page, demo_server: str
) -> None:
    open_checkouts(page, demo_server)
    header(page, "Machine name").click()
    expect(header(page, "Machine name")).to_have_attribute("aria-sort", "ascending")
    wait_for_rows(page, HISTORY)
    ascending = column(page, "machine")
    assert ascending == sorted(ascending, key=str.upper)
    header(page, "Machine name").click()
    expect(header(page, "Machine name")).to_have_attribute("aria-sort", "descending")
    wait_for_rows(page, HISTORY)
    descending = column(page, "machine")
    assert descending == sorted(descending, key=str.upper, reverse=True)


def test_a_custom_sort_built_by_drag_and_drop_overrides_the_header_sort(
    page: Page, demo_server: str
) -> None:
    open_checkouts(page, demo_server)
    filter_column(page, "Country", {"Entitlement country": ""})
    bar = page.locator("#sort-bar")
    header(page, "Country").drag_to(bar)
    header(page, "Machine name").drag_to(bar)
    chips = bar.locator(".sort-chip")
    expect(chips).to_have_text(["Country ▲×", "Machine name ▲×"])
    wait_for_rows(page, HISTORY)
    pairs = list(zip(column(page, "country"), column(page, "machine"), strict=True))
    assert pairs == sorted(pairs)
    assert {"GB", "US"} <= {country for country, _ in pairs}

    page.get_by_role("button", name="1. Country, ascending: press to reverse").click()
    expect(chips.first).to_have_text("Country ▼×")
    wait_for_rows(page, HISTORY)
    countries = column(page, "country")
    assert countries == sorted(countries, reverse=True)
    assert countries[0] == "US"

    header(page, "User").click()
    wait_for_rows(page, HISTORY)
    assert column(page, "country") == countries
    shot(page, "history-custom-sort")
    page.set_viewport_size({"width": 1360, "height": 1240})
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "portal", full_page=False)

    page.get_by_role("button", name="Remove Country from the custom sort").click()
    expect(chips).to_have_text(["Machine name ▲×"])


def test_a_column_filter_narrows_the_history(page: Page, demo_server: str) -> None:
    open_checkouts(page, demo_server)
    filter_column(page, "Machine name", {"Machine name contains": "ws-0104"})
    expect(page.locator(f"{HISTORY} .tabulator-row")).to_have_count(1)
    assert column(page, "machine") == ["US-WS-0104"]
    expect(
        page.locator(HISTORY).get_by_role("button", name="Filter Machine name (filtered)")
    ).to_be_visible()
    filter_column(page, "Machine name", {"Machine name contains": ""})
    filter_column(page, "Status", {"Status": "checked_in"})
    statuses = column(page, "status")
    assert statuses
    assert set(statuses) == {"Checked in"}
