"""Faults an administrator met on the portal, each as they would meet it again: a mistyped
address, a refused usage range, the history's status filter, an unknown application, a country
whose checkouts were turned off. On a server of their own: one test turns a country off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.portal import log_in, open_checkouts, pick_suggestion, wait_for_rows
from tests.browser.server import entitle, serving
from tests.browser.test_history import filter_column

pytestmark = pytest.mark.browser

HISTORY = "#history-table"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    data_dir: Path = tmp_path_factory.mktemp("faults")
    entitle(data_dir, "db", "upgrade")
    entitle(data_dir, "demo")
    with serving(data_dir) as url:
        yield url, data_dir


def test_a_mistyped_portal_address_shows_a_page_and_the_api_keeps_problem_json(
    page: Page, own_server: tuple[str, Path], expected_console_errors: list[str]
) -> None:
    url, _ = own_server
    expected_console_errors.append("404")
    answer = page.goto(f"{url}/checkotus")
    assert answer is not None
    assert answer.status == 404
    assert answer.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("/checkotus")).to_be_visible()
    page.get_by_role("link", name="License Checkout").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    for path in ("/api/v1/checkotus", "/api/v1/checkouts/x/y/z"):
        api = httpx.get(f"{url}{path}", headers={"Accept": "text/html,*/*"})
        assert api.status_code == 404
        assert api.headers["content-type"] == "application/problem+json"
        assert api.json()["code"] == "NOT_FOUND"
    program = httpx.get(f"{url}/checkotus", headers={"Accept": "application/json"})
    assert program.headers["content-type"] == "application/problem+json"


def test_an_invalid_usage_range_clears_the_figures_and_says_why_at_the_field(
    page: Page, own_server: tuple[str, Path]
) -> None:
    url, _ = own_server
    log_in(page, url)
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    page.goto(f"{url}/usage")
    expect(page.locator("#usage-results")).to_have_attribute("aria-busy", "false")
    wait_for_rows(page, "#usage-table")
    expect(page.locator("#total-hours")).not_to_have_text("—")
    expect(page.locator("#usage-table .tabulator-row").first).to_be_visible()

    to = page.get_by_label("To (included)", exact=True)
    to.fill("2000-01-01")
    to.dispatch_event("change")
    message = "The last day must be on or after the first day."
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(to).to_have_attribute("aria-errormessage", "usage-error")
    for figure in ("#total-duration", "#total-hours", "#peak-machines", "#peak-at"):
        expect(page.locator(figure)).to_have_text("—")
    expect(page.locator("#usage-table .tabulator-row")).to_have_count(0)
    expect(page.locator("#usage-chart rect.usage-bar")).to_have_count(0)
    expect(page.locator("#usage-csv")).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#usage-csv")).not_to_have_attribute("href", re.compile("."))


def rows_counted(page: Page) -> int:
    counter = page.locator(f"{HISTORY} .tabulator-page-counter").inner_text()
    found = re.search(r"of (\d+)", counter)
    if found is None:
        assert page.locator(f"{HISTORY} .tabulator-row").count() == 0, counter
        return 0
    return int(found.group(1))


def test_the_history_under_any_status_holds_the_active_checked_in_and_expired_ones_and_no_more(
    page: Page, own_server: tuple[str, Path]
) -> None:
    url, _ = own_server
    open_checkouts(page, url)
    filter_column(page, "Country", {"Entitlement country": ""})
    counts = {}
    for status in ("active", "checked_in", "expired", ""):
        filter_column(page, "Status", {"Status": status})
        counts[status] = rows_counted(page)
    assert counts["expired"] > 0
    assert counts[""] == counts["active"] + counts["checked_in"] + counts["expired"]
    # The demo holds a checkout that expired a year ago: the three-month rule keeps it out.
    every = page.request.get(f"{url}/api/v1/checkouts?status=all&page_size=1").json()["total"]
    assert every > counts[""]


def open_new_panel(page: Page, url: str, country: str = "US"):  # type: ignore[no-untyped-def]
    open_checkouts(page, url)
    page.get_by_label("Entitlement Country").select_option(country)
    wait_for_rows(page, "#checkouts-table")
    page.get_by_role("button", name="New").click()
    return page.get_by_role("dialog", name="New checkout")


def test_add_says_why_it_stays_disabled_for_an_application_the_catalog_does_not_hold(
    page: Page, own_server: tuple[str, Path]
) -> None:
    url, _ = own_server
    panel = open_new_panel(page, url)
    application = panel.get_by_label("Application name")
    add = panel.get_by_role("button", name="Add", exact=True)
    reason = panel.locator("#error-application-name")
    application.fill("Atlas Designer")
    expect(reason).to_have_text("Choose the license service first.")
    panel.get_by_role("radio", name="SES", exact=True).check()
    application.fill("Atlas")
    expect(panel.get_by_role("option", name="Atlas Designer")).to_be_visible()
    expect(reason).to_be_hidden()
    application.fill("Atlass Designer")
    expect(reason).to_have_text(
        "No SES application is called “Atlass Designer”; pick one from the list."
    )
    expect(add).to_be_disabled()
    expect(application).to_have_attribute("aria-invalid", "true")
    pick_suggestion(page, application, "Atlas", "Atlas Designer")
    expect(reason).to_be_hidden()
    expect(add).to_be_enabled()
    add.click()
    application.fill("Atlas Designer")
    application.press("Enter")
    expect(reason).to_have_text("Atlas Designer is already in this checkout.")


def fill_a_checkout(page: Page, panel) -> None:  # type: ignore[no-untyped-def]
    panel.get_by_role("radio", name="SES", exact=True).check()
    pick_suggestion(page, panel.get_by_label("User or email"), "chloe", "Chloe Davies")
    panel.get_by_label("Machine name").fill("GB-OFF-01")
    pick_suggestion(page, panel.get_by_label("Application name"), "Atl", "Atlas Designer")
    panel.get_by_role("button", name="Add", exact=True).click()
    pick_suggestion(page, panel.get_by_label("Version of Atlas Designer"), "10.17", "10.17.2.61")


def test_a_country_whose_checkouts_are_turned_off_shows_the_refusal_and_a_disabled_button(
    page: Page, own_server: tuple[str, Path], expected_console_errors: list[str]
) -> None:
    url, data_dir = own_server
    expected_console_errors.append("422")
    panel = open_new_panel(page, url, "GB")
    fill_a_checkout(page, panel)
    submit = panel.get_by_role("button", name="License Checkout")
    expect(submit).to_be_enabled()
    expect(panel.get_by_text("Ready: the license file downloads")).to_be_visible()

    entitle(data_dir, "country", "set", "Northwind Engineering", "GB", "--disabled")
    try:
        submit.click()
        refusal = "Checkouts are turned off for United Kingdom (GB); ask your account manager"
        expect(panel.get_by_role("alert")).to_contain_text(refusal)
        expect(panel.locator("#submit-hint")).to_contain_text(refusal)
        expect(submit).to_be_disabled()
        expect(panel.get_by_text("Ready:")).to_have_count(0)

        # Opened afresh, the country says so before anything is filled in.
        page.reload()
        wait_for_rows(page, "#checkouts-table")
        page.get_by_role("button", name="New").click()
        expect(panel.locator("#submit-hint")).to_contain_text("Checkouts are turned off for GB")
        fill_a_checkout(page, panel)
        expect(submit).to_be_disabled()
        expect(panel.get_by_text("Ready:")).to_have_count(0)
    finally:
        entitle(data_dir, "country", "set", "Northwind Engineering", "GB", "--enabled")
