"""A browser that speaks another language than English, for the portal's German and Japanese."""

from __future__ import annotations

from contextlib import AbstractContextManager

from playwright.sync_api import Browser, Page

from tests.browser.conftest import watched_page
from tests.browser.portal import PASSWORD, SELECT_ADMIN


def speaking(browser: Browser, locale: str) -> AbstractContextManager[Page]:
    """A page in a browser whose language is ``locale``; its console must stay free of errors."""
    return watched_page(browser, locale)


def sign_in(page: Page, url: str, email: str = SELECT_ADMIN) -> None:
    """Sign in by the form's fields, whatever language their labels are in."""
    page.goto(f"{url}/login")
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(PASSWORD)
    page.locator("#login-password").press("Enter")
    page.wait_for_url(lambda address: "/login" not in address)
