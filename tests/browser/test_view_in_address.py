"""The License Checkout page keeps its view in the address: the Expired toggle, each grid's
sort and page, the history's filters and custom sort survive a reload, and the address opens
the same view for another administrator."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import (
    PASSWORD,
    SELECT_ADMIN,
    column,
    open_checkouts,
    rows,
    wait_for_rows,
)
from tests.browser.test_history import filter_column, header

pytestmark = pytest.mark.browser

HISTORY = "#history-table"


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query, keep_blank_values=True)


def view(page: Page) -> dict[str, object]:
    """What the page shows, as a person would compare it."""
    wait_for_rows(page, "#checkouts-table")
    wait_for_rows(page, HISTORY)
    return {
        "expired": page.get_by_role("switch", name="Expired").is_checked(),
        "list": [t.strip() for t in rows(page).all_inner_texts()],
        "chips": page.locator("#sort-bar .sort-chip").all_inner_texts(),
        "history": list(zip(column(page, "country"), column(page, "machine"), strict=True)),
        "list_page": page.locator("#checkouts-table .tabulator-page.active").inner_text(),
        "filtered": page.locator(HISTORY)
        .get_by_role("button", name="Filter Machine name (filtered)")
        .count(),
    }


def test_toggle_sorts_filters_and_pages_survive_a_reload_and_open_the_same_view_elsewhere(
    page: Page, demo_server: str, browser
) -> None:  # type: ignore[no-untyped-def]
    open_checkouts(page, demo_server)
    page.get_by_role("switch", name="Expired").check()
    wait_for_rows(page, "#checkouts-table")
    header(page, "Machine name").click()  # the history's header sort
    wait_for_rows(page, HISTORY)
    page.locator("#checkouts-table .tabulator-col").filter(has_text="Machine name").click()
    wait_for_rows(page, "#checkouts-table")
    filter_column(page, "Country", {"Entitlement country": ""})
    filter_column(page, "Machine name", {"Machine name contains": "-ws-"})
    page.get_by_label("Add a column to the custom sort").select_option("country")
    page.get_by_label("Add a column to the custom sort").select_option("machine")
    page.get_by_role("button", name="2. Machine name, ascending: press to reverse").click()
    wait_for_rows(page, HISTORY)
    page.locator("#checkouts-table .tabulator-page[data-page='2']").click()
    expect(page.locator("#checkouts-table .tabulator-page.active")).to_have_text("2")
    wait_for_rows(page, "#checkouts-table")

    address = query(page)
    assert address["expired"] == ["1"]
    assert address["history.machine"] == ["-ws-"]
    assert address["history.country"] == [""]
    assert address["history.sort"] == ["country,-machine"]
    assert address["list.page"] == ["2"]
    assert address["list.order"] == ["machine"]
    before = view(page)
    assert before["chips"] == ["Country ▲\n×", "Machine name ▼\n×"]
    assert before["filtered"] == 1
    assert all("-WS-" in machine for _, machine in before["history"])  # type: ignore[attr-defined]

    page.reload()
    assert view(page) == before

    shared = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    other = shared.new_page()
    other.goto(page.url)  # signed out: the sign-in page, and back to this view
    other.get_by_label("Email").fill(SELECT_ADMIN)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("heading", name="License Checkout")).to_be_visible()
    assert query(other) == address
    assert view(other) == before
    shared.close()

    page.get_by_role("button", name="Clear").click()
    wait_for_rows(page, HISTORY)
    assert "history.sort" not in query(page)
