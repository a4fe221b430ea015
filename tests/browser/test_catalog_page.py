"""The Catalog page in Chromium: the maintaining organisation's Administrator previews a CSV
file, applies it, and the new version is offered in the New checkout panel; a bad row is shown
with its line number and nothing is imported; others see the catalog read-only."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import STUDIO_ADMIN, go_to, log_in, pick_suggestion, wait_for_rows

pytestmark = pytest.mark.browser
HEADER = b"application,version,license_service\n"


def _open_catalog(page: Page, url: str, email: str = "admin@example.com") -> None:
    log_in(page, url, email)
    go_to(page, "Catalog")
    expect(page.get_by_role("heading", name="Catalog", exact=True)).to_be_visible()


def _choose(page: Page, data: bytes) -> None:
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "catalog.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_role("button", name="Preview").click()


def test_a_maintainer_previews_a_file_applies_it_and_the_new_version_can_be_checked_out(
    page: Page, demo_server: str
) -> None:
    _open_catalog(page, demo_server)
    page.get_by_role("link", name="Import").click()
    _choose(
        page,
        HEADER
        + b"Quay Inspector,3.2.1,SES\nQuay Inspector,3.1.0,SES\nAtlas Designer,10.17.2.61,SES\n",
    )
    preview = page.locator("#catalog-preview-table tbody tr")
    expect(preview).to_have_count(2)
    expect(preview.first).to_contain_text("Quay Inspector")
    expect(preview.first).to_contain_text("New application")
    expect(page.locator("#catalog-preview-counts")).to_have_text(
        "1 new application · 2 new versions · 1 unchanged · 0 bad rows"
    )
    shot(page, "catalog-import-preview")
    page.get_by_label("Application", exact=True).fill("Quay")  # nothing stored yet
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#catalog-empty")).to_be_visible()

    page.get_by_role("link", name="Import").click()
    _choose(page, HEADER + b"Quay Inspector,3.2.1,SES\nQuay Inspector,3.1.0,SES\n")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#catalog-applied")).to_contain_text(
        "1 new application, 2 new versions, 0 rows already in the catalog"
    )
    page.get_by_label("Application", exact=True).fill("quay")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("#catalog-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td[data-service='SES']")).to_have_text("3.2.1, 3.1.0")
    expect(row.locator("td[data-service='SELECTserver']")).to_have_text("none")

    page.get_by_role("navigation", name="Portal").get_by_role(
        "link", name="License Checkout"
    ).click()
    wait_for_rows(page, "#checkouts-table")
    page.get_by_role("button", name="New").click()
    panel = page.get_by_role("dialog", name="New checkout")
    panel.get_by_role("radio", name="SES", exact=True).check()
    pick_suggestion(page, panel.get_by_label("Application name"), "Quay", "Quay Inspector")
    panel.get_by_role("button", name="Add", exact=True).click()
    version = panel.get_by_label("Version of Quay Inspector")
    version.fill("3.")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_text(["3.2.1", "3.1.0"])


@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_a_bad_row_is_shown_with_its_line_and_a_file_without_the_header_at_its_field(
    page: Page, demo_server: str
) -> None:
    _open_catalog(page, demo_server)
    _choose(page, HEADER + b"Rill Gauge,1.0,SES\nRill Gauge,1.x,SES\nRill Gauge,2.0,FlexLM\n")
    bad = page.locator("#catalog-preview-table tr.is-problem")
    expect(bad).to_have_count(2)
    expect(bad.first).to_contain_text("Line 3: '1.x' is not a version")
    expect(bad.last).to_contain_text("Line 4: 'FlexLM' is not a license service")
    expect(page.locator("#catalog-problems")).to_contain_text("A file with any bad row changes")
    expect(page.get_by_role("button", name="Apply")).to_have_count(0)
    shot(page, "catalog-import-bad-rows")

    _choose(page, b"app,ver\nRill Gauge,1.0\n")
    expect(page.get_by_label("CSV file")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#catalog-file-error")).to_contain_text(
        "The first line must be the header application,version,license_service."
    )
    page.goto(f"{demo_server}/catalog?q=Rill")
    expect(page.locator("#catalog-empty")).to_be_visible()


@pytest.mark.parametrize("email", [STUDIO_ADMIN, "coadmin@example.com"])
def test_an_administrator_elsewhere_and_a_co_administrator_see_the_catalog_read_only(
    page: Page, demo_server: str, email: str
) -> None:
    _open_catalog(page, demo_server, email)
    expect(page.locator("#catalog-maintainer")).to_contain_text(
        "maintained by the Administrators of Northwind Engineering"
    )
    expect(page.get_by_role("link", name="Import")).to_have_count(0)
    expect(page.get_by_label("CSV file")).to_have_count(0)
    expect(page.locator("#catalog-table tr[data-application='Atlas Designer']")).to_contain_text(
        "10.17.2.61, 10.16.3.12"
    )
