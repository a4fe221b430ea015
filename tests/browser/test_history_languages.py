"""Checkout History in German and Japanese: the browser's language chooses the page's, and the
history's column titles, column filters, custom sort and paging bar follow it, while the rows
are filtered and sorted just as in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import shot
from tests.browser.languages import sign_in, speaking
from tests.browser.portal import column, wait_for_rows

pytestmark = pytest.mark.browser

HISTORY = "#history-table"


@dataclass(frozen=True)
class Words:
    """What a person reads on the history, in one language."""

    locale: str
    language: str
    titles: list[str]  # the first columns, in order
    country: str
    machine: str
    filter: str  # "Filter {column}"
    filtered: str  # "Filter {column} (filtered)"
    country_field: str
    machine_field: str
    apply: str
    clear: str
    ascending: str  # the first chip's button, while ascending
    remove: str  # the first chip's ×
    counter: re.Pattern[str]


GERMAN = Words(
    locale="de-DE",
    language="de",
    titles=["Benutzer", "Rechnername", "Land", "Lizenzdienst", "Anwendungen", "Erstellt"],
    country="Land",
    machine="Rechnername",
    filter="{} filtern",
    filtered="{} filtern (gefiltert)",
    country_field="Berechtigungsland",
    machine_field="Rechnername enthält",
    apply="Übernehmen",
    clear="Zurücksetzen",
    ascending="1. Land, aufsteigend: zum Umkehren drücken",
    remove="Land aus der benutzerdefinierten Sortierung entfernen",
    counter=re.compile(r"^\d+–\d+ von \d+ Zeilen$"),
)
JAPANESE = Words(
    locale="ja-JP",
    language="ja",
    titles=["ユーザー", "マシン名", "国", "ライセンスサービス", "アプリケーション", "作成日時"],
    country="国",
    machine="マシン名",
    filter="{} で絞り込み",
    filtered="{} で絞り込み（絞り込み中）",
    country_field="ライセンス対象国",
    machine_field="マシン名に含む",
    apply="適用",
    clear="クリア",
    ascending="1. 国、昇順: 押すと逆順になります",
    remove="国 をカスタム並べ替えから削除",
    counter=re.compile(r"^\d+ 行中 \d+～\d+ 行を表示$"),
)


@pytest.fixture(params=[GERMAN, JAPANESE], ids=lambda words: words.language)
def words(request: pytest.FixtureRequest) -> Words:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def page(browser, words: Words) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    with speaking(browser, words.locale) as opened:
        yield opened


def header(page: Page, title: str) -> Locator:
    exact = page.locator(".col-title-text", has_text=re.compile(f"^{re.escape(title)}$"))
    return page.locator(f"{HISTORY} .tabulator-col").filter(has=exact).first


def filter_column(page: Page, words: Words, title: str, label: str, value: str) -> None:
    name = words.filter.format(title)
    # Its button reads "… (filtered)" while the column is filtered (the country always is).
    page.locator(HISTORY).get_by_role("button", name=name).click()
    popover = page.get_by_role("dialog", name=name, exact=True)
    field = popover.get_by_label(label)
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)
    popover.get_by_role("button", name=words.apply, exact=True).click()
    expect(popover).to_have_count(0)
    wait_for_rows(page, HISTORY)


def test_the_history_filters_and_sorts_in_the_browsers_language(
    page: Page, words: Words, demo_server: str
) -> None:
    sign_in(page, demo_server)
    wait_for_rows(page, HISTORY)
    assert page.evaluate("document.documentElement.lang") == words.language
    titles = page.locator(f"{HISTORY} .col-title-text").all_inner_texts()
    assert titles[: len(words.titles)] == words.titles
    expect(page.locator(f"{HISTORY} .tabulator-page-counter")).to_have_text(words.counter)

    filter_column(page, words, words.machine, words.machine_field, "ws-0104")
    expect(page.locator(f"{HISTORY} .tabulator-row")).to_have_count(1)
    assert column(page, "machine") == ["US-WS-0104"]
    filtered = words.filtered.format(words.machine)
    expect(page.locator(HISTORY).get_by_role("button", name=filtered, exact=True)).to_be_visible()
    page.locator(HISTORY).get_by_role("button", name=filtered, exact=True).click()
    popover = page.get_by_role("dialog", name=words.filter.format(words.machine), exact=True)
    popover.get_by_role("button", name=words.clear, exact=True).click()
    expect(page.locator(f"{HISTORY} .tabulator-row")).not_to_have_count(1)

    filter_column(page, words, words.country, words.country_field, "")
    bar = page.locator("#sort-bar")
    header(page, words.country).drag_to(bar)
    header(page, words.machine).drag_to(bar)
    chips = bar.locator(".sort-chip")
    expect(chips).to_have_text([f"{words.country} ▲×", f"{words.machine} ▲×"])
    wait_for_rows(page, HISTORY)
    pairs = list(zip(column(page, "country"), column(page, "machine"), strict=True))
    assert pairs == sorted(pairs)
    assert {"GB", "US"} <= {country for country, _ in pairs}

    page.get_by_role("button", name=words.ascending, exact=True).click()
    expect(chips.first).to_have_text(f"{words.country} ▼×")
    wait_for_rows(page, HISTORY)
    countries = column(page, "country")
    assert countries == sorted(countries, reverse=True)
    assert countries[0] == "US"
    shot(page, f"history-custom-sort-{words.language}")

    page.get_by_role("button", name=words.remove, exact=True).click()
    expect(chips).to_have_text([f"{words.machine} ▲×"])
