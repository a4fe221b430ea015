"""The Checkouts list: one search box, a filter per column, the page size, and a selection of
everything the search matches across pages, kept in the address."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import api_get, open_checkouts, rows, wait_for_rows
from tests.browser.server import entitle, serving
from tests.browser.test_layout import post_json

pytestmark = pytest.mark.browser

LIST = "#checkouts-table"


def machines(page: Page) -> list[str]:
    cells = page.locator(f"{LIST} .tabulator-cell[tabulator-field='machine']")
    return [text.strip() for text in cells.all_inner_texts()]


def counted(page: Page) -> int:
    found = re.search(r"of (\d+)", page.locator(f"{LIST} .tabulator-page-counter").inner_text())
    assert found is not None
    return int(found.group(1))


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The demo, with more active US checkouts than one page of the list holds."""
    data_dir: Path = tmp_path_factory.mktemp("busy")
    entitle(data_dir, "db", "upgrade")
    entitle(data_dir, "demo")
    with serving(data_dir) as url:
        context = browser.new_context()
        page = context.new_page()
        open_checkouts(page, url)
        for n in range(8):
            post_json(
                page,
                "/checkouts",
                {
                    "country": "US",
                    "license_service": "SES",
                    "user": "ben.carter@example.com",
                    "machine": f"US-BUSY-{n:02d}",
                    "applications": [{"name": "Viewer Pro", "version": "4.3.0.0"}],
                    "expires_on": (date.today() + timedelta(days=20)).isoformat(),
                },
            )
        context.close()
        yield url


def test_the_search_and_a_column_filter_narrow_the_list_and_stay_in_the_address(
    page: Page, busy_server: str
) -> None:
    demo_server = busy_server
    open_checkouts(page, demo_server)
    every = api_get(page, demo_server, "/checkouts?status=active&country=US&page_size=100")
    someone = every["items"][0]["user"].upper()
    theirs = {c["machine"] for c in every["items"] if c["user"].upper() == someone}
    with page.expect_response(lambda r: "q=" in r.url):
        page.get_by_label("Search checkouts").fill(someone)
    wait_for_rows(page, LIST)
    assert set(machines(page)) == theirs
    assert "list.q=" in page.url

    page.get_by_label("Search checkouts").fill("")
    page.locator(LIST).get_by_role("button", name="Filter License service").click()
    popover = page.get_by_role("dialog", name="Filter License service")
    popover.get_by_label("License service").select_option("SELECTserver")
    popover.get_by_role("button", name="Apply").click()
    wait_for_rows(page, LIST)
    expect(
        page.locator(f"{LIST} .tabulator-cell[tabulator-field='license_service']").first
    ).to_have_text("SELECTserver")
    services = page.locator(f"{LIST} .tabulator-cell[tabulator-field='license_service']")
    assert set(services.all_inner_texts()) == {"SELECTserver"}
    assert "list.license_service=SELECTserver" in page.url
    page.reload()
    wait_for_rows(page, LIST)
    assert set(services.all_inner_texts()) == {"SELECTserver"}
    expect(
        page.locator(LIST).get_by_role("button", name="Filter License service (filtered)")
    ).to_be_visible()


def test_the_page_size_is_a_choice_and_the_selection_spans_every_page_of_the_search(
    page: Page, busy_server: str, tmp_path: Path
) -> None:
    demo_server = busy_server
    open_checkouts(page, demo_server)
    total = counted(page)
    active = api_get(page, demo_server, "/checkouts?status=active&country=US&page_size=1")["total"]
    assert total == active
    assert total > 10
    expect(rows(page)).to_have_count(10)
    page.get_by_label("Rows per page").select_option("25")
    wait_for_rows(page, LIST)
    expect(rows(page)).to_have_count(min(total, 25))
    assert "list.size=25" in page.url
    page.get_by_label("Rows per page").select_option("10")
    wait_for_rows(page, LIST)

    page.get_by_role("checkbox", name="Select every active checkout on this page").check()
    on_page = page.locator(f"{LIST} .row-check:checked").count()
    expect(page.locator("#selection-count")).to_have_text(f"{on_page} checkouts selected")
    page.get_by_role(
        "button", name="Select every active checkout that matches, on all 2 pages"
    ).click()
    expect(page.locator("#selection-note")).to_have_text(
        f"Selected all {active} matching checkouts."
    )
    expect(page.locator("#selection-count")).to_have_text(f"{active} checkouts selected")
    # The next page's active rows are selected too.
    page.locator(f"{LIST} .tabulator-page[data-page='2']").click()
    wait_for_rows(page, LIST)
    boxes = page.locator(f"{LIST} .row-check")
    assert boxes.count() > 0
    assert boxes.evaluate_all("bs => bs.every(b => b.checked)")

    with page.expect_download() as caught:
        page.get_by_role("button", name="Download license").click()
    saved = tmp_path / "files.zip"
    caught.value.save_as(saved)
    with zipfile.ZipFile(saved) as bundle:
        assert len(bundle.namelist()) == active

    page.get_by_role("checkbox", name="Select every active checkout on this page").uncheck()
    expect(page.locator("#selection-count")).to_have_text("")
    expect(page.get_by_role("button", name="Download license")).to_be_disabled()
