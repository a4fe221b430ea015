"""The Notifications page in Chromium: an Administrator chooses the reminder days and who is
e-mailed, and keeps the usage alerts; what the rules refuse is shown at its field."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import go_to, log_in

pytestmark = pytest.mark.browser
CONTRAST = (Path(__file__).with_name("contrast.js")).read_text()


@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_an_administrator_chooses_the_reminder_days(page: Page, demo_server: str) -> None:
    log_in(page, demo_server)
    go_to(page, "Notifications")
    expect(page.get_by_label("Reminder days before the expiry")).to_have_value("7, 1")
    expect(page.locator("#mail-off")).to_contain_text("ENTITLE_SMTP_URL")
    page.get_by_label("Reminder days before the expiry").fill("14, 3")
    page.get_by_label("E-mail the Administrators (reminders)").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#notifications-saved")).to_be_visible()
    page.goto(f"{demo_server}/admin/notifications")
    expect(page.get_by_label("Reminder days before the expiry")).to_have_value("14, 3")
    expect(page.get_by_label("E-mail the Administrators (reminders)")).not_to_be_checked()

    page.get_by_label("Reminder days before the expiry").fill("400")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Reminder days before the expiry")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.locator("#reminder-days-error")).to_contain_text("1 to 90")


@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_an_administrator_adds_and_removes_a_usage_alert(page: Page, demo_server: str) -> None:
    log_in(page, demo_server)
    go_to(page, "Notifications")
    expect(page.locator("#usage-alerts-empty")).to_be_visible()

    page.get_by_label("Usage", exact=True).select_option(label="Booked hours in a calendar month")
    page.get_by_label("Threshold").fill("many")
    page.get_by_label("Application (optional)").fill("Nowhere Suite")
    page.get_by_role("button", name="Add alert").click()
    expect(page.get_by_label("Threshold")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#alert-threshold-error")).to_contain_text("whole number from 1 to")
    expect(page.locator("#alert-application-error")).to_contain_text(
        "'Nowhere Suite' is not an application in the catalog"
    )
    expect(page.get_by_label("Application (optional)")).to_have_value("Nowhere Suite")
    expect(page.locator("#usage-alerts-empty")).to_be_visible()

    page.get_by_label("Threshold").fill("120")
    page.get_by_label("Application (optional)").fill("atlas designer")
    page.get_by_label("Country (optional)").select_option("US")
    page.get_by_role("button", name="Add alert").click()
    expect(page.locator("#usage-alert-added")).to_be_visible()
    row = page.locator("#usage-alerts-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Booked hours in a calendar month")
    expect(row).to_contain_text("120")
    expect(row).to_contain_text("Atlas Designer")
    expect(row).to_contain_text("US")
    expect(row).to_contain_text("Not yet")
    assert page.evaluate(CONTRAST) == []

    page.goto(f"{demo_server}/admin/notifications")
    row.get_by_role("button", name="Remove").click()
    expect(page.locator("#usage-alert-removed")).to_be_visible()
    expect(page.locator("#usage-alerts-empty")).to_be_visible()
