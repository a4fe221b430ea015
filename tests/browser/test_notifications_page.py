"""The Notifications page in Chromium: an Administrator chooses the reminder days and who is
e-mailed; days outside the rule are refused at their field."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import go_to, log_in

pytestmark = pytest.mark.browser


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
