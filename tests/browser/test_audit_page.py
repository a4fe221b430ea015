"""The Audit log page in Chromium: filters kept in the URL, paging, the CSV of exactly the
filtered events; a reversed range is refused at its field."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import go_to, log_in

pytestmark = pytest.mark.browser


def _open_audit(page: Page, url: str) -> None:
    log_in(page, url)
    go_to(page, "Audit log")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()


def test_an_administrator_filters_the_trail_and_downloads_the_same_events(
    page: Page, demo_server: str
) -> None:
    _open_audit(page, demo_server)
    page.get_by_label("Action").select_option("login")
    page.get_by_label("Actor").fill("admin@example")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(
        f"{demo_server}/admin/audit?actor=admin%40example&action=login&subject=&from=&to="
    )
    shown = page.locator("#audit-table tbody tr")
    expect(shown.first).to_contain_text("admin@example.com")
    total = int(page.locator("#audit-total").inner_text().split()[0])
    assert total >= 1
    shot(page, "audit-log")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(downloading.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert len(rows) - 1 == total
    assert {r[2] for r in rows[1:]} == {"login"}
    page.reload()  # the filters are in the URL
    expect(page.get_by_label("Action")).to_have_value("login")


@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_a_range_whose_first_day_is_after_its_last_is_refused_at_from(
    page: Page, demo_server: str
) -> None:
    _open_audit(page, demo_server)
    page.goto(f"{demo_server}/admin/audit?from=2026-12-02&to=2026-12-01")
    expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#audit-from-error")).to_contain_text("is after the last")
