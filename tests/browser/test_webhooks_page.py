"""The Webhooks page in Chromium: an Administrator adds an endpoint (its secret shown once),
sends a test event and sees its delivery in the log; a URL inside the network is refused at
its field."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import go_to, log_in

pytestmark = pytest.mark.browser


def test_an_administrator_adds_an_endpoint_and_sends_it_a_test_event(
    page: Page, demo_server: str
) -> None:
    log_in(page, demo_server)
    go_to(page, "Webhooks")
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    page.get_by_label("URL").fill("https://tickets.example.com/hooks/entitle")
    page.get_by_label("Description").fill("Ticketing")
    page.get_by_label("checkout.expiring").check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.locator("#secret-value").input_value()
    assert secret.startswith("whsec_")
    shot(page, "webhooks")

    page.goto(f"{demo_server}/admin/webhooks")  # shown once: not on the page any more
    expect(page.locator("#secret-value")).to_have_count(0)
    endpoint = page.locator("section[data-endpoint]").filter(
        has_text="https://tickets.example.com/hooks/entitle"
    )
    expect(endpoint).to_contain_text("checkout.expiring")
    endpoint.get_by_role("button", name="Send test event").click()
    expect(page.locator("#webhook-done")).to_contain_text("test event")
    endpoint = page.locator("section[data-endpoint]").filter(
        has_text="https://tickets.example.com/hooks/entitle"
    )
    expect(endpoint.locator("table.deliveries")).to_contain_text("webhook.test")


@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_a_private_address_is_refused_at_the_url(page: Page, demo_server: str) -> None:
    log_in(page, demo_server)
    expect(page.get_by_role("navigation", name="Portal")).to_be_visible()
    page.goto(f"{demo_server}/admin/webhooks")
    page.get_by_label("URL").fill("https://10.0.0.8/hooks")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_label("URL")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#endpoint-url-error")).to_contain_text("private or internal")
    expect(page.locator("section[data-endpoint]").filter(has_text="10.0.0.8")).to_have_count(0)
