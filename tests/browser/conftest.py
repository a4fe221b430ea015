"""Chromium through Playwright against a real ``entitle serve`` holding the demo data.

Every page fails its test when the browser logs an error, which includes any violation of the
app's Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.server import entitle, serving
from tests.conftest import require_tool

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT = {"width": 1360, "height": 900}


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    executable = require_tool(CHROMIUM, "ENTITLE_REQUIRE_BROWSER", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The demo organisations behind a real server; the browser is checked for first."""
    data_dir = tmp_path_factory.mktemp("portal")
    entitle(data_dir, "db", "upgrade")
    entitle(data_dir, "demo")
    with serving(data_dir) as url:
        yield url


@pytest.fixture
def expected_console_errors() -> list[str]:
    """Texts of console errors a test provokes on purpose (a refused request logs one)."""
    return []


@pytest.fixture
def page(browser, expected_console_errors: list[str]):  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) whose console must stay free of errors."""
    with watched_page(browser, "en-GB", expected_console_errors) as opened:
        yield opened


@contextmanager
def watched_page(  # type: ignore[no-untyped-def]
    browser,
    locale: str,
    expected: list[str] | None = None,
    viewport: dict[str, int] = VIEWPORT,
    **options,
):
    """A page of a fresh browser context (no cookies) whose preferred language is ``locale``;
    its console must stay free of errors but those ``expected`` (a test may add to the list)."""
    context = browser.new_context(
        accept_downloads=True, viewport=viewport, locale=locale, **options
    )
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    context.close()
    unexpected = [p for p in problems if not any(e in p for e in expected or [])]
    assert unexpected == [], f"the browser logged errors: {unexpected}"


def shot(page, name: str, *, full_page: bool = True) -> Path:  # type: ignore[no-untyped-def]
    """Save a screenshot in test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
