"""The portal's language: a German browser gets German; the language menu turns the page
Japanese and keeps that on the profile, so another browser signing in as the same person (in
English) gets Japanese too."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT, shot
from tests.browser.portal import PASSWORD

# A demo user no other browser test signs in as: their choice of language changes no other test.
ISLA = "isla.murray@example.com"


def _watched(page: Page, problems: list[str]) -> Page:
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def test_the_browsers_language_then_the_menu_then_the_profile_everywhere(
    browser: Browser, demo_server: str
) -> None:
    problems: list[str] = []
    german = browser.new_context(viewport=VIEWPORT, locale="de-DE")
    page = _watched(german.new_page(), problems)
    page.goto(f"{demo_server}/login")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    shot(page, "language-login-de")
    page.get_by_label("E-Mail").fill(ISLA)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("link", name="Meine Checkouts")).to_be_visible()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()

    page.get_by_label("Sprache: Deutsch").click()
    shot(page, "language-menu-de", full_page=False)
    page.get_by_role("button", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("link", name="マイチェックアウト")).to_be_visible()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    german.close()

    english = browser.new_context(viewport=VIEWPORT, locale="en-US")
    other = _watched(english.new_page(), problems)
    other.goto(f"{demo_server}/login")
    expect(other.locator("html")).to_have_attribute("lang", "en")
    other.get_by_label("Email").fill(ISLA)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other.locator("html")).to_have_attribute("lang", "ja")
    expect(other.get_by_label("言語: 日本語")).to_be_visible()
    expect(other.get_by_role("button", name="ログアウト")).to_be_visible()
    shot(other, "language-profile-ja", full_page=False)
    english.close()
    assert problems == [], f"the browser logged errors: {problems}"
