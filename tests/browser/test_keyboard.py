"""The form and the grids work from the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import open_checkouts

pytestmark = pytest.mark.browser


def tab_to(page: Page, element_id: str, limit: int = 12) -> None:
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_a_checkout_can_be_made_with_the_keyboard_alone(page: Page, demo_server: str) -> None:
    open_checkouts(page, demo_server)
    page.get_by_role("button", name="New").focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="New checkout")
    expect(panel.get_by_role("radio", name="SES", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    tab_to(page, "new-user")
    page.keyboard.type("ben")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text("Ben Carter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(panel.get_by_label("User or email")).to_have_value("ben.carter@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("KB-0001")
    tab_to(page, "new-application")
    page.keyboard.type("Hydro")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_text(["Hydro Analyst"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    version = panel.get_by_label("Version of Hydro Analyst")
    expect(version).to_be_focused()
    page.keyboard.type("6.2")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_text(["6.2.0.14"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(version).to_have_value("6.2.0.14")
    submit = panel.get_by_role("button", name="License Checkout")
    expect(submit).to_be_enabled()
    tab_to(page, "submit-checkout")
    with page.expect_download() as downloading:
        page.keyboard.press("Enter")
    assert downloading.value.suggested_filename.endswith(".belic")
    expect(panel).to_be_hidden()
    expect(page.get_by_role("button", name="New")).to_be_focused()


def test_escape_closes_the_panel_and_headers_sort_with_enter(page: Page, demo_server: str) -> None:
    open_checkouts(page, demo_server)
    page.get_by_role("button", name="New").click()
    panel = page.get_by_role("dialog", name="New checkout")
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    machine = page.locator("#history-table .tabulator-col").filter(has_text="Machine name").first
    machine.focus()
    page.keyboard.press("Enter")
    expect(machine).to_have_attribute("aria-sort", "ascending")
    page.keyboard.press("Enter")
    expect(machine).to_have_attribute("aria-sort", "descending")
    caret = page.get_by_role("button", name="Show the applications").first
    caret.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Show the applications").first).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.locator("#checkouts-table .detail-table").first).to_be_visible()


def test_the_page_runs_under_its_content_security_policy_without_violations(
    page: Page, demo_server: str
) -> None:
    """Violations are console errors, which fail any test; this one visits every widget."""
    answer = page.goto(f"{demo_server}/login")
    assert answer is not None
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    open_checkouts(page, demo_server)
    page.get_by_role("switch", name="Expired").check()
    page.get_by_role("button", name="Filter Status").click()
    expect(page.get_by_role("dialog", name="Filter Status")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="New").click()
    page.get_by_role("radio", name="SELECTserver").check()
    expect(page.get_by_label("Activation key")).to_be_visible()
    page.get_by_label("Application name").fill("a")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible()
