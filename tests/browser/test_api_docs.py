"""The interactive API docs render from the app's own files under its Content-Security-Policy."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def test_api_docs_list_every_operation_with_no_console_error(page, demo_server: str) -> None:  # type: ignore[no-untyped-def]
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(demo_server) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(f"{demo_server}/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/checkouts").count() >= 3
    page.get_by_role("button", name="Authorize").wait_for()
    assert outside == []
    shot(page, "api-docs", full_page=False)
