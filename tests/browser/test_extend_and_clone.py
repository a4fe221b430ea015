"""Extend a checkout from its expanded row (a new file, a later expiry) and clone one into
the New panel, pre-filled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import api_get, open_checkouts, read_day, rows, shown_day
from tests.browser.server import entitle, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[str]:  # type: ignore[no-untyped-def]
    data_dir: Path = tmp_path_factory.mktemp("extend")
    entitle(data_dir, "db", "upgrade")
    entitle(data_dir, "demo")
    with serving(data_dir) as url:
        yield url


def test_extend_gives_the_same_checkout_a_later_expiry_and_downloads_its_new_file(
    page: Page, own_server: str
) -> None:
    open_checkouts(page, own_server)
    row = rows(page).first
    machine = row.locator(".tabulator-cell[tabulator-field='machine']").inner_text().strip()
    before = read_day(row.locator(".tabulator-cell[tabulator-field='expires_at']").inner_text())
    row.get_by_role("button", name="Show the applications").click()
    page.get_by_role("button", name="Extend the checkout of").click()
    dialog = page.get_by_role("dialog", name="Extend the checkout")
    latest = dialog.locator("#extend-expires").input_value()
    shown = date.fromisoformat(latest).strftime("%d/%m/%Y")
    expect(dialog.get_by_label("New expiration date")).to_have_value(shown)
    assert latest > before.isoformat()
    with page.expect_download() as caught:
        dialog.get_by_role("button", name="Extend and download").click()
    assert machine in caught.value.suggested_filename
    expect(dialog).to_be_hidden()
    expect(page.locator("#toast")).to_contain_text("Extended to")
    [found] = api_get(page, own_server, f"/checkouts?machine={machine}&status=active")["items"]
    assert found["expires_on"] == latest
    expect(rows(page).filter(has_text=machine)).to_contain_text(
        shown_day(date.fromisoformat(latest))
    )


def test_clone_opens_the_new_panel_filled_from_the_checkout(page: Page, own_server: str) -> None:
    open_checkouts(page, own_server)
    row = rows(page).first
    machine = row.locator(".tabulator-cell[tabulator-field='machine']").inner_text().strip()
    [source] = api_get(page, own_server, f"/checkouts?machine={machine}")["items"]
    row.get_by_role("button", name="Show the applications").click()
    page.get_by_role("button", name="Clone the checkout of").click()
    panel = page.get_by_role("dialog", name="New checkout")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Machine name")).to_have_value(machine)
    expect(panel.get_by_label("User or email")).to_have_value(source["user"])
    expect(panel.get_by_role("radio", name=source["license_service"], exact=True)).to_be_checked()
    for application in source["applications"]:
        expect(panel.get_by_label(f"Version of {application['name']}")).to_have_value(
            application["version"]
        )
    expect(panel.get_by_role("button", name="License Checkout")).to_be_enabled()


def test_notes_are_kept_in_the_expanded_row_and_too_long_ones_are_refused_at_the_field(
    page: Page, own_server: str, expected_console_errors: list[str]
) -> None:
    expected_console_errors.append("422")
    open_checkouts(page, own_server)
    row = rows(page).first
    row.get_by_role("button", name="Show the applications").click()
    notes = row.get_by_label("Notes")
    notes.fill("Survey laptop of the field team")
    row.get_by_role("button", name="Save notes").click()
    expect(row.get_by_text("Notes saved.")).to_be_visible()
    page.reload()
    row = rows(page).first
    row.get_by_role("button", name="Show the applications").click()
    expect(row.get_by_label("Notes")).to_have_value("Survey laptop of the field team")
    row.get_by_label("Notes").evaluate("(area) => { area.removeAttribute('maxlength'); }")
    row.get_by_label("Notes").fill("x" * 2001)
    row.get_by_role("button", name="Save notes").click()
    expect(row.locator(".notes-form .field-error")).to_contain_text("at most 2,000 characters")
    expect(row.get_by_label("Notes")).to_have_attribute("aria-invalid", "true")
