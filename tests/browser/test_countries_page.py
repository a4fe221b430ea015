"""Countries and policies in Chromium: a country's policy is read and changed on its page,
through the same use case as the API; refusals show at the field they concern."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import STUDIO_ADMIN, api_get, go_to, log_in

pytestmark = pytest.mark.browser
GB_KEY = "GB-5TRE-2KLM-0PZX"
AS_IT_WAS = {
    "self_service": False,
    "self_service_max_days": 30,
    "application_rule": "all",
    "applications": [],
    "self_service_users": "all",
}


@pytest.fixture
def studio_us(page: Page, demo_server: str) -> Iterator[None]:
    """Studio's US policy goes back to the demo's when the test ends (the server is shared)."""
    log_in(page, demo_server, STUDIO_ADMIN)
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    yield
    cookie = next(c for c in page.context.cookies() if c["name"] == "entitle_csrf")
    answer = page.request.put(
        f"{demo_server}/api/v1/countries/US/policy",
        data=AS_IT_WAS,
        headers={"X-CSRF-Token": cookie["value"]},
    )
    assert answer.ok, answer.text()


def test_an_administrator_turns_self_service_on_with_an_exclude_list(
    page: Page, demo_server: str, studio_us: None
) -> None:
    go_to(page, "Countries")
    expect(page.get_by_role("heading", name="United States (US)", exact=True)).to_be_visible()
    expect(page.locator("#checkouts-enabled")).to_have_text("On")
    expect(page.locator("#max-days")).to_have_text("365 days")
    page.get_by_label("Users may check out for themselves").check()
    page.get_by_label("Longest self-service checkout (days)").fill("14")
    page.get_by_label("Every application but these").check()
    page.get_by_label("Applications", exact=True).fill("viewer pro")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator("#policy-saved")).to_be_visible()
    # The catalog's own spelling is kept, as the API would.
    expect(page.get_by_label("Applications", exact=True)).to_have_value("Viewer Pro")
    shot(page, "countries-policy")
    policy = api_get(page, demo_server, "/countries/US/policy")
    assert policy | {"country_name": None} == {
        "country": "US",
        "country_name": None,
        "checkouts_enabled": True,
        "max_days": 365,
        "self_service": True,
        "self_service_max_days": 14,
        "application_rule": "exclude",
        "applications": ["Viewer Pro"],
        "self_service_users": "all",
    }


@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_an_unknown_application_and_too_many_days_are_refused_at_their_fields(
    page: Page, demo_server: str, studio_us: None
) -> None:
    page.goto(f"{demo_server}/admin/countries/US")
    page.get_by_label("Longest self-service checkout (days)").fill("999")
    page.get_by_label("Only these applications").check()
    page.get_by_label("Applications", exact=True).fill("Not An Application")
    page.get_by_role("button", name="Save policy").click()
    days = page.get_by_label("Longest self-service checkout (days)")
    expect(days).to_have_attribute("aria-invalid", "true")
    expect(days).to_have_value("999")
    applications = page.get_by_label("Applications", exact=True)
    expect(applications).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#applications-error")).to_contain_text("not an application in the catalog")
    assert api_get(page, demo_server, "/countries/US/policy")["application_rule"] == "all"


def test_a_retired_key_is_no_longer_offered_for_new_checkouts(page: Page, demo_server: str) -> None:
    log_in(page, demo_server)
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    page.goto(f"{demo_server}/admin/countries/US")
    page.get_by_label("New keys").fill("us-browser-0001")
    page.get_by_role("button", name="Add keys").click()
    row = page.locator("#keys-table tr[data-key='US-BROWSER-0001']")
    expect(row).to_contain_text("In use")
    page.get_by_role("button", name="Retire US-BROWSER-0001").click()
    expect(row).to_contain_text("Retired")
    offered = api_get(page, demo_server, "/activation-keys?country=US")["items"]
    assert "US-BROWSER-0001" not in [k["key"] for k in offered]
    assert offered, "the other keys are still offered"


@pytest.mark.parametrize("expected_console_errors", [["409 (Conflict)"]])
def test_a_key_of_another_country_is_refused_at_the_keys_field(
    page: Page, demo_server: str
) -> None:
    log_in(page, demo_server)
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    page.goto(f"{demo_server}/admin/countries/US")
    page.get_by_label("New keys").fill(GB_KEY)
    page.get_by_role("button", name="Add keys").click()
    field = page.get_by_label("New keys")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new-keys-error")).to_contain_text("another country or organisation")
    expect(field).to_have_value(GB_KEY)
