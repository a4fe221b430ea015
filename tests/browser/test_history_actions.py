"""Managing checkouts from the history: check-in and download on active rows, who created
and who checked in each one and how, and a CSV of exactly what the history shows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import column, open_checkouts, rows, wait_for_rows
from tests.browser.server import entitle, serving
from tests.browser.test_history import filter_column

pytestmark = pytest.mark.browser

HISTORY = "#history-table"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[str]:  # type: ignore[no-untyped-def]
    data_dir: Path = tmp_path_factory.mktemp("history-actions")
    entitle(data_dir, "db", "upgrade")
    entitle(data_dir, "demo")
    with serving(data_dir) as url:
        yield url


def test_an_active_history_row_checks_in_and_downloads_and_others_offer_nothing(
    page: Page, own_server: str
) -> None:
    open_checkouts(page, own_server)
    filter_column(page, "Status", {"Status": "active"})
    row = rows(page, HISTORY).first
    machine = row.locator(".tabulator-cell[tabulator-field='machine']").inner_text().strip()
    with page.expect_download() as caught:
        row.get_by_role("button", name="Download the license file").click()
    assert machine in caught.value.suggested_filename
    expect(page.locator("#toast")).to_contain_text(caught.value.suggested_filename)

    row.get_by_role("button", name="Check in the checkout").click()
    page.get_by_role("dialog", name="Check in 1 checkout?").get_by_role(
        "button", name="Check in"
    ).click()
    page.get_by_role("dialog", name="Checked in 1 checkout").get_by_role(
        "button", name="Close"
    ).click()
    filter_column(page, "Status", {"Status": ""})
    filter_column(page, "Machine name", {"Machine name contains": machine})
    done = rows(page, HISTORY).filter(has_text=machine)
    expect(done).to_contain_text("Checked in")
    expect(done).to_contain_text("By an administrator: admin@example.com")
    expect(done.get_by_role("button")).to_have_count(0)


def test_the_history_filters_by_who_created_and_by_how_it_was_checked_in(
    page: Page, own_server: str
) -> None:
    open_checkouts(page, own_server)
    filter_column(page, "Country", {"Entitlement country": ""})
    filter_column(page, "Created by", {"Created by contains": "coadmin"})
    creators = column(page, "created_by")
    assert creators
    assert set(creators) == {"coadmin@example.com"}
    filter_column(page, "Created by", {"Created by contains": ""})
    filter_column(page, "Checked in", {"Check-in method": "expiry"})
    assert set(column(page, "status")) == {"Expired"}
    filter_column(page, "Checked in", {"Check-in method": "portal"})
    checked_in = column(page, "checked_in_at")
    assert checked_in
    assert all("By an administrator" in text for text in checked_in)


def test_the_csv_holds_the_rows_the_history_shows_in_its_order(
    page: Page, own_server: str, tmp_path: Path
) -> None:
    open_checkouts(page, own_server)
    filter_column(page, "Country", {"Entitlement country": ""})
    filter_column(page, "Machine name", {"Machine name contains": "-ws-"})
    page.get_by_label("Add a column to the custom sort").select_option("country")
    page.get_by_label("Add a column to the custom sort").select_option("machine")
    page.get_by_role("button", name="2. Machine name, ascending: press to reverse").click()
    wait_for_rows(page, HISTORY)
    shown = list(zip(column(page, "country"), column(page, "machine"), strict=True))
    assert len(shown) < 25  # one page: the whole history is on screen
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "history.csv"
    caught.value.save_as(saved)
    with saved.open(newline="") as text:
        exported = [(r["country"], r["machine"]) for r in csv.DictReader(text)]
    assert exported == shown
