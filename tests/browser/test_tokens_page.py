"""API tokens in Chromium: anyone creates a token (shown once) that the API accepts, and
revokes it; a label that is too long is refused at its field."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import go_to, log_in

pytestmark = pytest.mark.browser


def test_a_user_creates_a_token_the_api_accepts_and_revokes_it(
    page: Page, demo_server: str
) -> None:
    log_in(page, demo_server, "ben.carter@example.com")
    go_to(page, "API tokens")
    page.get_by_label("Label").fill("nightly export")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#issued-value").input_value()
    assert token.startswith("ent_")
    shot(page, "api-tokens")
    bearer = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{demo_server}/api/v1/session", headers=bearer)
    assert me.json()["user"]["email"] == "ben.carter@example.com"

    page.goto(f"{demo_server}/api-tokens")  # shown once: not on the page any more
    expect(page.locator("#issued-value")).to_have_count(0)
    page.get_by_role("button", name="Revoke nightly export").click()
    expect(page.locator("#token-revoked")).to_contain_text("Revoked nightly export")
    assert httpx.get(f"{demo_server}/api/v1/session", headers=bearer).status_code == 401


@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_a_label_over_200_characters_is_refused_at_the_label(page: Page, demo_server: str) -> None:
    log_in(page, demo_server, "ben.carter@example.com")
    expect(page.get_by_role("heading", name="My checkouts")).to_be_visible()
    page.goto(f"{demo_server}/api-tokens")
    page.get_by_label("Label").fill("x" * 201)
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("Label")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#token-label-error")).to_contain_text("at most 200 characters")
