"""The Usage page: grouping, one bar per day or month, and a CSV whose figures are the API's."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import api_get, go_to, log_in, wait_for_rows

pytestmark = pytest.mark.browser

TABLE = "#usage-table"


def open_usage(page: Page, url: str) -> None:
    log_in(page, url)
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    go_to(page, "Usage")
    expect(page.get_by_role("heading", name="Usage", exact=True)).to_be_visible()
    wait_for_report(page)


def wait_for_report(page: Page) -> None:
    expect(page.locator("#usage-results")).to_have_attribute("aria-busy", "false")
    wait_for_rows(page, TABLE)


def csv_query(page: Page) -> list[tuple[str, str]]:
    """The query behind the Download CSV link: the report the page shows."""
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert href is not None
    assert urlsplit(href).path == "/api/v1/usage"
    return parse_qsl(urlsplit(href).query)


def shown_range(page: Page) -> tuple[date, date]:
    first = date.fromisoformat(page.locator("#usage-from").input_value())
    last = date.fromisoformat(page.locator("#usage-to").input_value())
    return first, last


def bars(page: Page) -> dict[str, int]:
    found = page.locator("#usage-chart rect.usage-bar")
    keys = found.evaluate_all("bars => bars.map(b => [b.dataset.key, +b.dataset.minutes])")
    return dict(keys)


def test_the_grouping_changes_the_table_and_the_csv_holds_the_apis_figures(
    page: Page, demo_server: str
) -> None:
    open_usage(page, demo_server)
    page.get_by_role("checkbox", name="User").uncheck()
    page.get_by_role("checkbox", name="Machine name").check()
    page.get_by_role("checkbox", name="Month").check()
    # Each change reloads the report; wait for the one that answers the last change.
    expect(page.locator(f"{TABLE} .tabulator-col-title")).to_have_text(
        ["Machine name", "Month", "Duration (D HH:MM)", "Hours"]
    )
    wait_for_report(page)

    query = csv_query(page)
    assert [v for k, v in query if k == "group_by"] == ["machine", "month"]
    assert ("format", "csv") in query
    report = api_get(
        page, demo_server, f"/usage?{urlencode([p for p in query if p[0] != 'format'])}"
    )
    assert report["items"], "the demo data books usage in the last 30 days"
    shown = page.locator(f"{TABLE} .tabulator-cell[tabulator-field='duration']").all_inner_texts()
    assert shown == [item["duration"] for item in report["items"][: len(shown)]]

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download CSV").click()
    download = downloading.value
    assert download.suggested_filename == f"usage-{report['from']}-{report['to']}.csv"
    lines = list(csv.reader(Path(download.path()).read_text(encoding="utf-8").splitlines()))
    assert lines[0] == ["machine", "month", "minutes", "duration"]
    assert lines[1:] == [
        [item["machine"], item["month"], str(item["minutes"]), item["duration"]]
        for item in report["items"]
    ]
    assert sum(int(minutes) for *_, minutes, _ in lines[1:]) == report["total_minutes"]


def test_the_chart_has_one_bar_per_day_or_month_of_the_range(page: Page, demo_server: str) -> None:
    open_usage(page, demo_server)
    first, last = shown_range(page)
    assert (last - first).days + 1 == 30, "the page opens on the last 30 days"
    query = {"from": first.isoformat(), "to": dict(csv_query(page))["to"]}
    daily = api_get(page, demo_server, f"/usage?{urlencode({**query, 'group_by': 'day'})}")
    per_day = {item["day"]: item["minutes"] for item in daily["items"]}
    assert sum(per_day.values()) > 0
    charted = bars(page)
    assert len(charted) == 30
    assert charted == {key: per_day.get(key, 0) for key in charted}
    assert min(charted) == first.isoformat()
    assert max(charted) == last.isoformat()
    expect(page.get_by_role("img", name="Booked hours per day")).to_be_visible()
    shot(page, "usage")

    page.get_by_role("radio", name="Per month").check()
    expect(page.get_by_role("heading", name="Usage per month")).to_be_visible()
    wait_for_report(page)
    months = {first.strftime("%Y-%m"), last.strftime("%Y-%m")}
    expect(page.locator("#usage-chart rect.usage-bar")).to_have_count(len(months))
    monthly = api_get(page, demo_server, f"/usage?{urlencode({**query, 'group_by': 'month'})}")
    assert bars(page) == {item["month"]: item["minutes"] for item in monthly["items"]}

    page.get_by_role("link", name="License Checkout").click()
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()


def test_a_user_who_is_not_an_administrator_gets_the_explanation(
    page: Page, demo_server: str
) -> None:
    log_in(page, demo_server, "ana.lima@example.com")
    expect(page.get_by_role("heading", name="My checkouts")).to_be_visible()
    expect(page.get_by_role("link", name="Usage")).to_have_count(0)
    page.goto(f"{demo_server}/usage")
    expect(page.get_by_role("heading", name="This page is for administrators")).to_be_visible()
