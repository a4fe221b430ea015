"""Check in from the list, one or several; download several as one zip; expired rows;
an organisation without SELECT sees no check-in."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import (
    STUDIO_ADMIN,
    api_get,
    open_checkouts,
    read_day,
    rows,
    wait_for_rows,
)

pytestmark = pytest.mark.browser


def machines(page: Page) -> list[str]:
    cells = page.locator("#checkouts-table .tabulator-cell[tabulator-field='machine']")
    return [text.strip() for text in cells.all_inner_texts()]


def test_one_row_checks_in_after_confirmation_and_leaves_the_list(
    page: Page, demo_server: str
) -> None:
    open_checkouts(page, demo_server)
    shot(page, "checkouts-list")
    machine = machines(page)[0]
    row = rows(page).filter(has_text=machine)
    row.get_by_role("button", name="Check in the checkout").click()
    dialog = page.get_by_role("dialog", name="Check in 1 checkout?")
    expect(dialog).to_contain_text(machine)
    dialog.get_by_role("button", name="Check in").click()
    result = page.get_by_role("dialog", name="Checked in 1 checkout")
    expect(result.locator("li.ok")).to_contain_text(f"{machine}: checked in")
    result.get_by_role("button", name="Close").click()
    expect(rows(page).filter(has_text=machine)).to_have_count(0)
    history_row = rows(page, "#history-table").filter(has_text=machine)
    expect(history_row).to_contain_text("Checked in")


def test_three_selected_rows_download_as_one_zip_and_two_check_in_together(
    page: Page, demo_server: str
) -> None:
    open_checkouts(page, demo_server)
    download_button = page.get_by_role("button", name="Download license")
    check_in_button = page.get_by_role("button", name="Check in", exact=True)
    expect(download_button).to_be_disabled()
    expect(check_in_button).to_be_disabled()
    every = page.get_by_role("checkbox", name="Select every active checkout on this page")
    every.check()
    expect(page.get_by_text(f"{rows(page).count()} checkouts selected")).to_be_visible()
    every.uncheck()
    expect(download_button).to_be_disabled()
    boxes = page.get_by_role("checkbox", name="Select the checkout of")
    for index in range(3):
        boxes.nth(index).check()
    expect(page.get_by_text("3 checkouts selected")).to_be_visible()
    expect(every).to_have_js_property("indeterminate", True)
    expect(download_button).to_be_enabled()
    with page.expect_download() as downloading:
        download_button.click()
    download = downloading.value
    assert download.suggested_filename == "license-files.zip"
    with zipfile.ZipFile(Path(download.path())) as bundle:
        names = bundle.namelist()
    assert len(names) == 3
    assert all(name.endswith((".belic", ".xml")) for name in names)

    boxes.nth(2).uncheck()
    expect(page.get_by_text("2 checkouts selected")).to_be_visible()
    chosen = machines(page)[:2]
    before = int(page.locator("#checkouts-table .tabulator-page-counter").inner_text().split()[-2])
    check_in_button.click()
    dialog = page.get_by_role("dialog", name="Check in 2 checkouts?")
    dialog.get_by_role("button", name="Check in").click()
    result = page.get_by_role("dialog", name="Checked in 2 checkouts")
    expect(result.locator("li.ok")).to_have_count(2)
    result.get_by_role("button", name="Close").click()
    for machine in chosen:
        expect(rows(page).filter(has_text=machine)).to_have_count(0)
    expect(page.locator("#checkouts-table .tabulator-page-counter")).to_contain_text(
        f"of {before - 2} rows"
    )


def test_expired_toggle_shows_recent_expired_checkouts_in_red_and_never_older_ones(
    page: Page, demo_server: str
) -> None:
    open_checkouts(page, demo_server)
    expect(page.locator("#checkouts-table .tabulator-row.is-expired")).to_have_count(0)
    page.get_by_role("switch", name="Expired").check()
    red = page.locator("#checkouts-table .tabulator-row.is-expired")
    expect(red.first).to_be_visible()
    expect(red.first).to_contain_text("Expired")
    color = red.first.evaluate("row => getComputedStyle(row).backgroundColor")
    assert color == "rgb(253, 236, 235)"
    oldest_allowed = datetime.now(UTC).date() - timedelta(days=92)
    for text in red.locator(".tabulator-cell[tabulator-field='expires_at']").all_inner_texts():
        assert read_day(text.replace("Expired", "").strip()) >= oldest_allowed
    # The demo's US checkout that expired 180 days ago: the three-month rule holds in the
    # history as in the list; the API's status=all still has it.
    expect(rows(page).filter(has_text="US-WS-0101")).to_have_count(0)
    expect(rows(page, "#history-table").filter(has_text="US-WS-0101")).to_have_count(0)
    every = api_get(page, demo_server, "/checkouts?status=all&machine=US-WS-0101")
    assert [c["status"] for c in every["items"]] == ["expired"]
    expect(red.get_by_role("button", name="Check in the checkout")).to_have_count(0)
    shot(page, "checkouts-list-expired")


def test_an_organisation_without_select_sees_no_check_in_and_why(
    page: Page, demo_server: str
) -> None:
    open_checkouts(page, demo_server, STUDIO_ADMIN)
    wait_for_rows(page, "#checkouts-table")
    expect(rows(page)).to_have_count(3)
    expect(page.get_by_text("non-SELECT")).to_contain_text("clear them locally")
    expect(page.get_by_role("button", name="Check in", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Check in the checkout")).to_have_count(0)
    expect(page.get_by_role("button", name="Download the license file").first).to_be_visible()


def test_the_history_shows_when_a_client_receipt_arrived_beside_the_workstations_clear_time(
    page: Page, demo_server: str
) -> None:
    open_checkouts(page, demo_server)
    active = api_get(page, demo_server, "/checkouts?status=active&sort=-created_at")["items"]
    checkout = active[-1]
    license_file = page.request.get(f"{demo_server}/api/v1/checkouts/{checkout['id']}/license-file")
    receipt = {
        "checkout_id": checkout["id"],
        "machine": checkout["machine"],
        "user_profile": "ana",
        "cleared_at": checkout["created_at"],
        "license_digest": hashlib.sha256(license_file.body()).hexdigest(),
    }
    sent = page.request.post(
        f"{demo_server}/api/v1/checkouts/{checkout['id']}/client-receipts", data=receipt
    )
    assert sent.ok, sent.text()
    assert sent.json()["checked_in_at"] != sent.json()["client_cleared_at"]
    page.reload()
    wait_for_rows(page, "#history-table")
    page.locator("#history-table").get_by_role("button", name="Filter Machine name").click()
    popover = page.get_by_role("dialog", name="Filter Machine name")
    popover.get_by_label("Machine name contains").fill(checkout["machine"])
    popover.get_by_role("button", name="Apply").click()
    wait_for_rows(page, "#history-table")
    row = rows(page, "#history-table").filter(has_text=checkout["machine"]).first
    cell = row.locator(".tabulator-cell[tabulator-field='checked_in_at']")
    expect(cell).to_contain_text("Cleared on the workstation")
    expect(row).to_contain_text("Checked in")
