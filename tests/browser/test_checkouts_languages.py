"""The Checkouts list in German and Japanese: a browser asking for either language gets its
column titles, buttons and status in it, and dates written that language's way."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import watched_page
from tests.browser.languages import sign_in
from tests.browser.portal import api_get, wait_for_rows

pytestmark = pytest.mark.browser

LIST = "#checkouts-table"


def german_day(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def japanese_day(day: date) -> str:
    return f"{day.year}/{day.month:02d}/{day.day:02d}"


LANGUAGES = {
    "de-DE": {
        "lang": "de",
        "columns": ["Benutzer", "Rechnername", "Lizenzdienst", "Läuft ab"],
        "expired": "Abgelaufen",
        "download": "Lizenzdatei von {user} auf {machine} herunterladen",
        "show": "Anwendungen von {user} auf {machine} anzeigen",
        "extend": "Verlängern…",
        "clone": "Klonen",
        "counter": "von",
        "day": german_day,
    },
    "ja-JP": {
        "lang": "ja",
        "columns": ["ユーザー", "マシン名", "ライセンスサービス", "有効期限"],
        "expired": "期限切れ",
        "download": "{machine} の {user} のライセンスファイルをダウンロード",
        "show": "{machine} の {user} のアプリケーションを表示",
        "extend": "延長…",
        "clone": "複製",
        "counter": "行中",
        "day": japanese_day,
    },
}


@pytest.fixture(params=sorted(LANGUAGES))
def localized(request: pytest.FixtureRequest, browser):  # type: ignore[no-untyped-def]
    """A page of a browser whose preferred language is the parameter; no console errors."""
    with watched_page(browser, request.param) as opened:
        yield opened, LANGUAGES[request.param]


def test_the_checkouts_list_speaks_the_browsers_language(localized, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    page, words = localized
    sign_in(page, demo_server)
    page.goto(f"{demo_server}/checkouts?expired=1")
    wait_for_rows(page, LIST)
    expect(page.locator("html")).to_have_attribute("lang", words["lang"])

    titles = page.locator(f"{LIST} .tabulator-col .col-title-text, {LIST} .tabulator-col-title")
    for title in words["columns"]:
        expect(titles.filter(has_text=title).first).to_be_visible()
    expect(page.locator(f"{LIST} .tabulator-page-counter")).to_contain_text(words["counter"])

    # The rows shown are the first page of what the API lists, in the same order.
    country = page.locator("#country").input_value()
    listed = api_get(
        page,
        demo_server,
        f"/checkouts?country={country}&status=listed&sort=expires_at&page_size=10",
    )["items"]
    assert listed, "the demo lists checkouts in the first country"
    expired = [c for c in listed if c["status"] == "expired"]
    assert expired, "the demo has a recently expired checkout in the first country"
    expired_row = page.locator(f"{LIST} .tabulator-row.is-expired").filter(
        has_text=expired[0]["machine"]
    )
    expect(expired_row.locator(".badge.expired")).to_have_text(words["expired"])

    active = next(c for c in listed if c["status"] == "active")
    row = page.locator(f"{LIST} .tabulator-row").filter(has_text=active["machine"]).first
    expires = row.locator(".tabulator-cell[tabulator-field='expires_at']")
    expect(expires).to_have_text(words["day"](date.fromisoformat(active["expires_on"])))

    who = {"user": active.get("user_display_name") or active["user"], "machine": active["machine"]}
    # The history below lists the same checkout: the list's own row.
    expect(row.get_by_role("button", name=words["download"].format(**who))).to_be_visible()
    row.get_by_role("button", name=words["show"].format(**who)).click()
    actions = page.locator(f"{LIST} .detail-actions button")
    expect(actions).to_have_text([words["extend"], words["clone"]])
