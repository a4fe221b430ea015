"""The portal in German and Japanese, in browsers of those languages, on a desktop (1280 px)
and a phone (390 px): the path from New to the license download, the history's filters and
custom sort, and a refusal at its field, each in the page's language with nothing overlapping,
cut or outside the window. Dates are shown and typed as the language writes them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from entitle.service import translations
from entitle.web.templating import env
from tests.browser.conftest import shot, watched_page
from tests.browser.layout import CONTROLS, assert_no_overlaps, within
from tests.browser.portal import PASSWORD, SELECT_ADMIN, api_get, pick_suggestion, wait_for_rows
from tests.browser.server import entitle, serving

pytestmark = pytest.mark.browser

LOCALES = {"de-DE": "de", "ja-JP": "ja"}
SIZES = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}
HISTORY = "#history-table"
# The numeric date each language types: 31.12.2027, 2027/12/31.
TYPED = {"de": "%d.%m.%Y", "ja": "%Y/%m/%d"}


def page_text(language: str, english: str) -> str:
    """``english`` as the templates say it in ``language`` (the messages catalog)."""
    with translations.writing_in(language):
        said = translations.gettext(english)
    assert said != english, f"{english!r} is not translated into {language}"
    return said


def script_text(language: str, english: str, **values: str) -> str:
    """``english`` as the portal's scripts say it in ``language`` (the js catalog)."""
    said = translations.js_catalog(language).get(english)
    assert isinstance(said, str), f"{english!r} is not in the {language} js catalog"
    assert said != english, f"{english!r} is not translated into {language}"
    for name, value in values.items():
        said = said.replace(f"{{{name}}}", value)
    return said


def shown_day(language: str, day: date) -> str:
    with translations.writing_in(language):
        return str(env.filters["day"](day))


@pytest.fixture(scope="module")
def language_server(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[str]:  # type: ignore[no-untyped-def]
    data_dir: Path = tmp_path_factory.mktemp("languages")
    entitle(data_dir, "db", "upgrade")
    entitle(data_dir, "demo")
    with serving(data_dir) as url:
        yield url


@pytest.fixture(params=sorted(LOCALES))
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=sorted(SIZES))
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def page(browser, locale: str, width: int, expected_console_errors: list[str]) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A browser in ``locale`` at ``width``, whose console must stay free of errors."""
    with watched_page(browser, locale, expected_console_errors, SIZES[width]) as opened:
        yield opened


def open_checkouts(page: Page, url: str, language: str) -> None:
    page.goto(f"{url}/login")
    assert page.evaluate("document.documentElement.lang") == language
    page.locator("#login-email").fill(SELECT_ADMIN)
    page.locator("#login-password").fill(PASSWORD)
    page.locator("#login-card [type=submit]").click()
    expect(page.locator("h1")).to_have_text(page_text(language, "License Checkout"))
    wait_for_rows(page, "#checkouts-table")
    wait_for_rows(page, HISTORY)


def open_new(page: Page, language: str) -> Locator:
    page.locator("#new-checkout").click()
    panel = page.locator("#new-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("#new-title")).to_have_text(page_text(language, "New checkout"))
    return panel


def test_a_checkout_from_new_to_its_download(
    page: Page, language_server: str, locale: str, width: int
) -> None:
    language = LOCALES[locale]
    open_checkouts(page, language_server, language)
    panel = open_new(page, language)
    panel.get_by_role("radio", name="SES", exact=True).check()
    pick_suggestion(page, panel.locator("#new-user"), "grace", "Grace Kim")
    machine = f"QA-{language.upper()}-{width}"
    panel.get_by_label(page_text(language, "Machine name")).fill(machine)
    pick_suggestion(page, panel.locator("#new-application"), "Atl", "Atlas Designer")
    panel.locator("#add-application").click()
    panel.locator("#application-list input").first.fill("10.17.2.61")

    # The expiry is shown, and typed, as the language writes a date; the form sends ISO.
    cap = next(
        c for c in api_get(page, language_server, "/countries")["items"] if c["country"] == "US"
    )
    latest = date.fromisoformat(cap["latest_expires_on"])
    expiry = panel.get_by_label(page_text(language, "Expiration date"))
    expect(expiry).to_have_value(latest.strftime(TYPED[language]))
    wanted = latest - timedelta(days=3)
    expiry.fill(wanted.strftime(TYPED[language]))
    expiry.blur()
    expect(panel.locator("#new-expires")).to_have_value(wanted.isoformat())
    calendar = panel.get_by_role(
        "button", name=script_text(language, "Choose the date in a calendar")
    )
    expect(calendar).to_be_visible()

    submit = panel.locator("#submit-checkout")
    expect(submit).to_have_text(page_text(language, "License Checkout"))
    expect(submit).to_be_enabled()
    assert_no_overlaps(page, within("#new-panel"))
    shot(page, f"new-checkout-{language}-{width}", full_page=False)

    with page.expect_download() as downloading:
        submit.click()
    assert downloading.value.suggested_filename.endswith(".belic")
    expect(panel).to_be_hidden()
    [created] = api_get(page, language_server, f"/checkouts?machine={machine}")["items"]
    assert created["expires_on"] == wanted.isoformat()
    assert_no_overlaps(page, [*within(".topbar"), *within("#main")])
    shot(page, f"checkouts-{language}-{width}", full_page=False)


def test_the_history_filters_and_custom_sort(
    page: Page, language_server: str, locale: str, width: int
) -> None:
    language = LOCALES[locale]
    open_checkouts(page, language_server, language)
    expect(page.locator("#history-title")).to_have_text(page_text(language, "Checkout History"))
    expect(page.locator("#sort-bar-label")).to_have_text(page_text(language, "Custom sort"))
    created = script_text(language, "Created")
    header = page.locator(f"{HISTORY} .tabulator-col[tabulator-field='created_at']")
    expect(header.locator(".col-title-text")).to_have_text(created)
    history = ".card:has(#history-table)"
    assert_no_overlaps(page, within(history))

    # A date filter typed as the language writes a date.
    header.locator(".filter-button").click()
    popover = page.get_by_role(
        "dialog", name=script_text(language, "Filter {column}", column=created)
    )
    expect(popover).to_be_visible()
    since = popover.get_by_label(script_text(language, "Created from"))
    since.fill(date(2000, 1, 1).strftime(TYPED[language]))
    assert_no_overlaps(page, within(".filter-popover"))
    popover.get_by_role("button", name=script_text(language, "Apply")).click()
    expect(popover).to_have_count(0)
    wait_for_rows(page, HISTORY)
    expect(header.locator(".filter-button")).to_have_attribute(
        "aria-label", script_text(language, "Filter {column} (filtered)", column=created)
    )
    assert page.locator(f"{HISTORY} .tabulator-row").count() > 0

    # A custom sort: a header dragged onto the bar becomes a chip named in the language.
    machine = script_text(language, "Machine name")
    page.locator(f"{HISTORY} .tabulator-col[tabulator-field='machine']").drag_to(
        page.locator("#sort-bar")
    )
    chip = page.locator("#sort-bar .sort-chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text(machine)
    wait_for_rows(page, HISTORY)
    assert_no_overlaps(page, within(history))
    shot(page, f"history-{language}-{width}", full_page=False)


def test_refusals_are_said_at_their_field(
    page: Page, language_server: str, locale: str, width: int
) -> None:
    language = LOCALES[locale]
    open_checkouts(page, language_server, language)
    panel = open_new(page, language)
    machine = panel.get_by_label(page_text(language, "Machine name"))
    machine.fill("not a name!")
    machine.blur()
    expect(panel.locator("#error-machine")).to_have_text(
        script_text(
            language, "1 to 63 letters, digits and hyphens, not only digits (e.g. WS-0042)."
        )
    )
    expect(machine).to_have_attribute("aria-invalid", "true")

    expiry = panel.get_by_label(page_text(language, "Expiration date"))
    expiry.fill("32.13.2027")
    expiry.blur()
    refusal = panel.locator("#new-expires-date-error")
    sentence = script_text(language, "Type the date as {pattern}, for example {example}.")
    expect(refusal).to_contain_text(sentence.split("{")[0].strip())
    expect(expiry).to_have_attribute("aria-invalid", "true")
    described = expiry.get_attribute("aria-describedby") or ""
    assert "new-expires-date-error" in described.split()
    expect(panel.locator("#new-expires")).to_have_value("")
    assert_no_overlaps(page, within("#new-panel", [*CONTROLS, ".field-error"]))
    shot(page, f"refusals-{language}-{width}", full_page=False)


def test_the_usage_range_is_typed_in_the_language_and_durations_keep_one_notation(
    page: Page, language_server: str, locale: str, width: int
) -> None:
    language = LOCALES[locale]
    open_checkouts(page, language_server, language)
    page.goto(f"{language_server}/usage")
    expect(page.locator("#usage-results")).to_have_attribute("aria-busy", "false")
    wait_for_rows(page, "#usage-table")
    first = date.fromisoformat(page.locator("#usage-from").input_value())
    since = page.get_by_label(page_text(language, "From"), exact=True)
    expect(since).to_have_value(first.strftime(TYPED[language]))

    earlier = first - timedelta(days=10)
    since.fill(earlier.strftime(TYPED[language]))
    since.blur()
    csv = page.locator("#usage-csv")
    expect(csv).to_have_attribute("href", re.compile(f"from={earlier.isoformat()}"))
    expect(page.locator("#usage-results")).to_have_attribute("aria-busy", "false")
    wait_for_rows(page, "#usage-table")

    # Durations are D HH:MM everywhere: the sentence that explains it, the column, the figures.
    notation = "D HH:MM"
    expect(page.locator("#duration-notation")).to_contain_text(notation)
    title = page.locator("#usage-table .tabulator-col[tabulator-field='duration']")
    expect(title).to_contain_text(notation)
    durations = page.locator("#usage-table .tabulator-cell[tabulator-field='duration']")
    for shown in [*durations.all_inner_texts(), page.locator("#total-duration").inner_text()]:
        assert re.fullmatch(r"\d+ \d\d:\d\d", shown.strip()), shown
    assert_no_overlaps(page, [*within(".topbar"), *within("#usage-form")])
    shot(page, f"usage-{language}-{width}", full_page=False)


def test_a_form_is_not_sent_with_a_date_field_that_holds_no_date(
    page: Page, language_server: str, locale: str, width: int
) -> None:
    language = LOCALES[locale]
    open_checkouts(page, language_server, language)
    page.goto(f"{language_server}/admin/audit")
    since = page.get_by_label(page_text(language, "From"), exact=True)
    since.fill("99.99.2026")
    since.press("Enter")
    expect(page.locator("#audit-from-date-error")).to_be_visible()
    expect(since).to_be_focused()
    expect(since).to_have_attribute("aria-invalid", "true")
    assert page.url == f"{language_server}/admin/audit"
    assert_no_overlaps(page, [*within("#audit-filter", [*CONTROLS, ".field-error"])])

    day = date(2026, 1, 2)
    since.fill(day.strftime(TYPED[language]))
    page.locator("#audit-filter [type=submit]").click()
    expect(page).to_have_url(re.compile(f"from={day.isoformat()}"))
    since = page.get_by_label(page_text(language, "From"), exact=True)
    expect(since).to_have_value(day.strftime(TYPED[language]))
    expect(page.locator("#audit-from-date-error")).to_be_hidden()
