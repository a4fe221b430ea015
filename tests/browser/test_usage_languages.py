"""The Usage page in German and Japanese: its table, chart and figures in the page's language,
with the API's durations, and its numbers written as the language writes them."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from babel.numbers import format_decimal
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.languages import sign_in, speaking
from tests.browser.portal import api_get, wait_for_rows

pytestmark = pytest.mark.browser

TABLE = "#usage-table"
TITLES = {
    "de": ["Benutzer", "Dauer (D HH:MM)", "Stunden"],
    "ja": ["ユーザー", "利用時間（D HH:MM）", "時間"],
}
CHART = {"de": "Gebuchte Stunden pro Tag", "ja": "日別の予約時間"}
HEADING = {"de": "Nutzung pro Tag", "ja": "日別の使用量"}
HINT = {
    "de": "Pro Benutzer; sortieren Sie über eine Spaltenüberschrift.",
    "ja": "ユーザー ごとの集計です。列見出しで並べ替えできます。",
}


@pytest.fixture(params=["de-DE", "ja-JP"])
def page(browser, request: pytest.FixtureRequest) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    with speaking(browser, request.param) as opened:
        yield opened


def test_the_usage_page_reports_in_the_browsers_language(page: Page, demo_server: str) -> None:
    sign_in(page, demo_server)
    page.goto(f"{demo_server}/usage")
    expect(page.locator("#usage-results")).to_have_attribute("aria-busy", "false")
    wait_for_rows(page, TABLE)
    language = page.evaluate("document.documentElement.lang")

    expect(page.locator(f"{TABLE} .tabulator-col-title")).to_have_text(TITLES[language])
    expect(page.locator("#figures-hint")).to_have_text(HINT[language])
    expect(page.locator("#chart-title")).to_have_text(HEADING[language])
    expect(page.get_by_role("img", name=CHART[language])).to_be_visible()
    shot(page, f"usage-{language}")

    href = page.locator("#usage-csv").get_attribute("href")
    assert href is not None
    query = [p for p in parse_qsl(urlsplit(href).query) if p[0] != "format"]
    report = api_get(page, demo_server, f"/usage?{urlencode(query)}")
    assert report["items"], "the demo data books usage in the last 30 days"
    shown = page.locator(f"{TABLE} .tabulator-cell[tabulator-field='duration']").all_inner_texts()
    assert shown == [item["duration"] for item in report["items"][: len(shown)]]
    hours = page.locator(f"{TABLE} .tabulator-cell[tabulator-field='minutes']").all_inner_texts()
    assert hours == [
        format_decimal(item["minutes"] / 60, format="#,##0.00", locale=language)
        for item in report["items"][: len(hours)]
    ]
