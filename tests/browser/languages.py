"""A browser that speaks another language than English, for the portal's German and Japanese."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page

from tests.browser.conftest import VIEWPORT
from tests.browser.portal import PASSWORD, SELECT_ADMIN


@contextmanager
def speaking(browser: Browser, locale: str) -> Iterator[Page]:
    """A page in a browser whose language is ``locale``; its console must stay free of errors."""
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    context.close()
    assert problems == [], f"the browser logged errors: {problems}"


def sign_in(page: Page, url: str, email: str = SELECT_ADMIN) -> None:
    """Sign in by the form's fields, whatever language their labels are in."""
    page.goto(f"{url}/login")
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(PASSWORD)
    page.locator("#login-password").press("Enter")
    page.wait_for_url(lambda address: "/login" not in address)
