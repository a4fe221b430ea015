"""What a person does on the portal, in words the tests read well with."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import Locator, Page, expect

PASSWORD = "entitle-demo"
SELECT_ADMIN = "admin@example.com"
STUDIO_ADMIN = "admin@studio.example"


def log_in(page: Page, url: str, email: str = SELECT_ADMIN, password: str = PASSWORD) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def open_checkouts(page: Page, url: str, email: str = SELECT_ADMIN) -> None:
    log_in(page, url, email)
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    wait_for_rows(page, "#checkouts-table")
    wait_for_rows(page, "#history-table")


def wait_for_rows(page: Page, grid: str) -> None:
    """The grid finished loading: rows, or its empty message."""
    page.wait_for_function(
        """(grid) => {
            const root = document.querySelector(grid);
            return root && !root.querySelector('.tabulator-alert')
              && (root.querySelector('.tabulator-row') || root.querySelector('.grid-empty'));
        }""",
        arg=grid,
    )


def rows(page: Page, grid: str = "#checkouts-table") -> Locator:
    return page.locator(f"{grid} .tabulator-row")


def row_of(page: Page, machine: str, grid: str = "#checkouts-table") -> Locator:
    return rows(page, grid).filter(has_text=machine)


def column(page: Page, field: str, grid: str = "#history-table") -> list[str]:
    cells = page.locator(f"{grid} .tabulator-row .tabulator-cell[tabulator-field='{field}']")
    return [text.strip() for text in cells.all_inner_texts()]


def api_get(page: Page, url: str, path: str) -> Any:
    """Ask the API as the logged-in person (the page's cookies)."""
    answer = page.request.get(f"{url}/api/v1{path}")
    assert answer.ok, answer.text()
    return answer.json()


def pick_suggestion(page: Page, field: Locator, typed: str, option: str) -> None:
    field.fill(typed)
    listbox = page.get_by_role("listbox")
    listbox.get_by_role("option", name=option).first.click()


# How Chromium's Intl shows a medium date for the tests' locale, en-GB: "4 Sept 2026".
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec")


def shown_day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def read_day(text: str) -> date:
    day, month, year = text.split()
    return date(int(year), MONTHS.index(month) + 1, int(day))


def go_to(page: Page, name: str) -> None:
    """Follow a link of the top bar, opening its Administration menu when the link is in it."""
    nav = page.get_by_role("navigation", name="Portal")
    link = nav.get_by_role("link", name=name, include_hidden=True)
    expect(link).to_have_count(1)
    if link.locator("xpath=ancestor::details").count() and not link.is_visible():
        nav.locator("summary", has_text="Administration").click()
    link.click()
